package websocket

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wsstack/websocket/wsproto"
)

// readState is the receiving side of a Conn.
type readState struct {
	readLock  ctxMutex
	rd        wsproto.Reader
	readLimit atomic.Int64
	br        *bufio.Reader // handshake leftovers, read first; nil when drained

	rbuf       []byte  // lent from a pool while bytes are in it; nil otherwise
	rbufp      *[]byte // what rbuf was lent as
	rpool      *sync.Pool
	raw        rawConn   // the socket, for reads that wait without a buffer; nil if unusable
	rr         rawReader // what reads of raw use
	rpos, rend int       // rbuf[rpos:rend] holds bytes not yet given to rd
	pending    []byte    // data payload handed out by rd and not yet delivered

	// The message being read.
	msgType       MessageType // 0: none in progress
	msgFin        bool        // its last piece has been handed out
	msgCompressed bool        // its payload is compressed (permessage-deflate)
	partial       []byte      // what Read has gathered of it, kept across a cancelled Read
	reader        *messageReader
	mr            *messageReader   // the reader Reader hands out, reused for each message
	queued        *[]queuedMessage // messages Close read before the peer's close frame; nil if none

	readErr  error        // sticky: the reason reading stopped
	readers  atomic.Int32 // goroutines blocked reading the network
	activity atomic.Bool  // something was received since the keepalive looked
}

func (c *Conn) initRead(br *bufio.Reader) {

	c.rd.Init(c.role)
	c.readLimit.Store(c.cfg.readLimit)
	if br != nil && br.Buffered() > 0 {
		c.br = br
	}
	if c.raw = rawConnOf(c.nc); c.raw != nil {
		c.initRawRead()
	}
	c.rpool = bufPool(c.cfg.readBufSize)
}

// acquireReadBuf borrows the read buffer.
func (c *Conn) acquireReadBuf() {
	c.rbufp = c.rpool.Get().(*[]byte)
	c.rbuf = *c.rbufp
}

// releaseReadBuf gives the read buffer back; it must hold no unread byte.
func (c *Conn) releaseReadBuf() {
	if c.rbufp != nil {
		c.rpool.Put(c.rbufp)
		c.rbuf, c.rbufp = nil, nil
	}
}

// Read reads the next whole data message. It returns the message's type and
// bytes; text is valid UTF-8. When the peer closes the connection it returns
// a *CloseError carrying the peer's code and reason (see CloseStatus).
//
// If ctx ends first, Read returns ctx's error and the connection stays
// usable: what had arrived of the message is kept, and the next Read goes
// on with it. Pings are answered and pongs processed while Read waits.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) {
	if c.poll.Load() != nil {
		return 0, nil, errPolled
	}
	if err := c.readLock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer c.readLock.unlock()
	if m, ok := c.unqueue(); ok {
		return m.typ, m.data, nil
	}
	if err := c.waitIdle(ctx); err != nil {
		return 0, nil, err
	}
	return c.readMessage(ctx, nil)
}

// ReadInto is Read with the message appended to buf[:0], so that a caller
// that reuses its buffer reads without allocating. The returned slice is
// buf, or a larger one if the message did not fit.
func (c *Conn) ReadInto(ctx context.Context, buf []byte) (MessageType, []byte, error) {
	if c.poll.Load() != nil {
		return 0, nil, errPolled
	}
	if err := c.readLock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer c.readLock.unlock()
	if m, ok := c.unqueue(); ok {
		return m.typ, append(buf[:0], m.data...), nil
	}
	if err := c.waitIdle(ctx); err != nil {
		return 0, nil, err
	}
	return c.readMessage(ctx, buf[:0])
}

// waitIdle waits for the socket to be readable when the connection is idle:
// between messages, nothing buffered. It is what fill would do further down,
// done here so that the stack of a goroutine parked on an idle connection
// stays shallow, and the runtime can shrink it to its smallest size. The
// caller holds readLock and has checked that no Poller reads the Conn.
func (c *Conn) waitIdle(ctx context.Context) error {
	if c.raw == nil || c.br != nil || c.rpos != c.rend || c.msgType != 0 || c.reader != nil || c.readErr != nil {
		return nil
	}
	c.rpos, c.rend = 0, 0
	c.releaseReadBuf()
	return c.fillRaw(ctx)
}

// readMessage reads a whole message into buf (nil for a new slice); the
// caller holds readLock.
func (c *Conn) readMessage(ctx context.Context, buf []byte) (MessageType, []byte, error) {
	if c.msgType == 0 || c.reader != nil {
		if err := c.startMessage(ctx); err != nil {
			return 0, nil, err
		}
		c.partial = buf
		if c.msgCompressed {
			c.partial = nil // gathered apart, inflated into buf
		}
	}
	for {
		if len(c.pending) > 0 {
			c.partial = append(c.partial, c.pending...)
			c.pending = nil
		}
		if c.msgFin {
			typ, msg := c.msgType, c.partial
			c.msgType, c.partial = 0, nil
			if c.msgCompressed {
				var err error
				if msg, err = c.inflated(typ, msg, buf); err != nil {
					return 0, nil, err
				}
			}
			if msg == nil {
				msg = []byte{}
			}
			return typ, msg, nil
		}
		if done, err := c.readPayloadDirect(ctx); done || err != nil {
			if err != nil {
				return 0, nil, err
			}
			continue
		}
		if err := c.nextPiece(ctx); err != nil {
			return 0, nil, err
		}
	}
}

// directReadMin is the least room readPayloadDirect makes for a payload;
// after that the room doubles with what has arrived.
const directReadMin = 64 << 10

// readPayloadDirect reads a big frame's payload straight into the message
// being gathered, when nothing is buffered: one read, no copy through the
// read buffer (the frame's bytes are unmasked and checked in place by the
// core). It reports whether it did; the caller holds readLock.
func (c *Conn) readPayloadDirect(ctx context.Context) (bool, error) {
	r := c.rd.PayloadRemaining()
	if r < int64(c.cfg.readBufSize) || c.rpos != c.rend || c.br != nil {
		return false, nil
	}
	if c.poll.Load() != nil {
		// Event-loop mode: only the poller reads, a buffer a turn
		// (pollConn.read); a read here would hold the poller's goroutine.
		return false, nil
	}
	// Room grows with what arrives, never with what a header announces: a
	// peer that announces a big frame and sends little makes us hold little.
	start := len(c.partial)
	want := int(min(r, int64(max(directReadMin, start))))
	if free := cap(c.partial) - start; free > want {
		want = int(min(r, int64(free))) // room the caller's buffer already has
	}
	c.partial = slices.Grow(c.partial, want)
	region := c.partial[start : start+want]
	c.rpos, c.rend = 0, 0
	c.releaseReadBuf()
	c.readers.Add(1)
	release := c.readDeadlineFor(ctx)
	n, err := c.nc.Read(region)
	cancelled := release != nil && release()
	c.readers.Add(-1)
	if n > 0 {
		return true, c.tookDirect(start, region[:n])
	}
	if cancelled {
		return true, ctx.Err()
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return true, c.lostConnection(err)
}

// tookDirect hands the core the bytes a direct read put in
// c.partial[start:]: all of them are payload of the current frame (the read
// asked for no more than it has left), unmasked and checked in place.
func (c *Conn) tookDirect(start int, got []byte) error {
	c.activity.Store(true)
	ev, m, err := c.rd.Next(got)
	if err != nil {
		return c.failRead(err)
	}
	c.partial = c.partial[:start+m]
	c.msgFin = ev.Fin
	return nil
}

// queuedMessage is a message that Close read on the application's behalf.
type queuedMessage struct {
	typ  MessageType
	data []byte
}

// unqueue returns the oldest message Close kept, if any; the caller holds
// readLock.
func (c *Conn) unqueue() (queuedMessage, bool) {
	if c.queued == nil {
		return queuedMessage{}, false
	}
	q := *c.queued
	m := q[0]
	q[0] = queuedMessage{}
	if *c.queued = q[1:]; len(*c.queued) == 0 {
		c.queued = nil
	}
	return m, true
}

// Reader returns the type of the next data message and a reader of its
// bytes, for messages too big to hold whole. The reader returns io.EOF at
// the message's end, and is valid until the next call of Reader or Read
// (the same reader is reused, so that reading allocates nothing). If the
// previous message was not read to its end, the rest of it is skipped. ctx bounds the whole message: once it ends, the
// reader returns ctx's error (the connection stays usable; the rest of that
// message is skipped by the next Reader or Read), except for a compressed
// message: its decompression cannot resume, so the connection is failed
// (close code 1011).
func (c *Conn) Reader(ctx context.Context) (MessageType, io.Reader, error) {
	if c.poll.Load() != nil {
		return 0, nil, errPolled
	}
	if err := c.readLock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer c.readLock.unlock()
	if m, ok := c.unqueue(); ok {
		return m.typ, bytes.NewReader(m.data), nil
	}
	if err := c.startMessage(ctx); err != nil {
		return 0, nil, err
	}
	if c.mr == nil {
		c.mr = new(messageReader) // made by the first Reader, reused after
	}
	mr := c.mr
	*mr = messageReader{c: c, ctx: ctx}
	if c.msgCompressed {
		c.pmd.inflater.MaxMessageSize = c.readLimit.Load()
		mr.inf = &inflateReader{mr: mr, dec: c.pmd.inflater.Reader(rawPayload{mr}), text: c.msgType == MessageText}
	}
	c.reader = mr
	return c.msgType, mr, nil
}

// startMessage skips what is left of the current message, if any, and reads
// up to the first piece of the next one.
func (c *Conn) startMessage(ctx context.Context) error {
	if c.readErr != nil {
		return c.readErr
	}
	if r := c.reader; r != nil {
		c.reader = nil
		r.ctx = ctx // the rest is skipped under the new call's context
		if r.inf != nil {
			// A compressed message is inflated to its end, so that the
			// window the next messages refer to stays whole.
			_, err := io.Copy(io.Discard, r.inf)
			r.inf.dec.Close()
			if err != nil {
				r.c = nil
				return err
			}
		}
		r.c = nil // a reader of an earlier message reads nothing more
	}
	for c.msgType != 0 {
		if c.msgCompressed {
			c.partial = append(c.partial, c.pending...)
		}
		c.pending = nil
		if c.msgFin {
			if c.msgCompressed {
				if _, err := c.inflated(c.msgType, c.partial, nil); err != nil {
					return err
				}
			}
			c.msgType = 0
			break
		}
		if err := c.nextPiece(ctx); err != nil {
			return err
		}
	}
	c.partial = nil
	return c.nextPiece(ctx)
}

// messageReader streams one message; see Conn.Reader.
type messageReader struct {
	c   *Conn
	ctx context.Context
	inf *inflateReader // for a compressed message
}

var errSkipped = errors.New("websocket: read of a message that was skipped")

func (r *messageReader) Read(p []byte) (int, error) {
	c := r.c
	if c == nil {
		return 0, errSkipped
	}
	if err := c.readLock.lock(r.ctx); err != nil {
		return 0, err
	}
	defer c.readLock.unlock()
	if r.c == nil {
		return 0, errSkipped
	}
	var n int
	var err error
	if r.inf != nil {
		n, err = r.inf.Read(p)
	} else {
		n, err = r.readRaw(p)
	}
	if err == io.EOF {
		if r.inf != nil {
			r.inf.dec.Close()
		}
		c.msgType, c.reader, r.c = 0, nil, nil
	}
	return n, err
}

// readRaw reads the message's payload as it came off the wire; the caller
// holds readLock.
func (r *messageReader) readRaw(p []byte) (int, error) {
	c := r.c
	for len(c.pending) == 0 {
		if c.msgFin {
			return 0, io.EOF
		}
		if err := c.nextPiece(r.ctx); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// nextPiece reads until the next piece of a data message is in c.pending,
// handling the control frames met on the way. A new message's type goes to
// c.msgType.
func (c *Conn) nextPiece(ctx context.Context) error {
	if c.readErr != nil {
		return c.readErr
	}
	for {
		c.rd.MaxMessageSize = c.readLimit.Load()
		ev, n, err := c.rd.Next(c.rbuf[c.rpos:c.rend])
		c.rpos += n
		if err != nil {
			return c.failRead(err)
		}
		switch ev.Kind {
		case wsproto.EventNeedMore:
			if err := c.fill(ctx); err != nil {
				return err
			}
		case wsproto.EventData:
			if ev.Start {
				c.msgType, c.msgCompressed = MessageType(ev.Opcode), ev.Compressed
			}
			c.pending, c.msgFin = ev.Payload, ev.Fin
			return nil
		case wsproto.EventPing:
			if pc := c.poll.Load(); pc != nil {
				// Event-loop mode: answered without waiting, or reading
				// stops until a goroutine of its own has sent the pong.
				if err := pc.pong(ev.Payload); err != nil {
					return err
				}
				break
			}
			// A pong that cannot go out in time is dropped: answering only
			// some pings is allowed (P-57), and a broken write has closed
			// the connection already.
			c.writeControl(wsproto.OpPong, ev.Payload)
		case wsproto.EventPong:
			c.gotPong(ev.Payload)
		case wsproto.EventClose:
			return c.receivedClose(ev.CloseCode, string(ev.CloseReason))
		}
	}
}

// fill reads more bytes from the network into rbuf.
func (c *Conn) fill(ctx context.Context) error {
	if c.poll.Load() != nil {
		// Event-loop mode: the poller reads when the socket is readable,
		// and resumes the interrupted read then (pollConn.Ready).
		return errPollWait
	}
	if c.rpos == c.rend {
		c.rpos, c.rend = 0, 0
		if c.raw != nil && c.br == nil {
			// Nothing is buffered: wait for the socket without holding a
			// buffer, and borrow one only once bytes are there.
			c.releaseReadBuf()
			return c.fillRaw(ctx)
		}
	}
	if c.rbuf == nil {
		c.acquireReadBuf()
	}
	if c.rpos > 0 {
		c.rend = copy(c.rbuf, c.rbuf[c.rpos:c.rend])
		c.rpos = 0
	}
	if c.rend == len(c.rbuf) {
		// Only a control frame bigger than the buffer could do this, and
		// the buffer always holds the biggest one.
		return c.failRead(fmt.Errorf("websocket: read buffer overflow"))
	}
	var src io.Reader = c.nc
	if c.br != nil {
		src = c.br
		if c.br.Buffered() == 0 {
			c.br, src = nil, c.nc
		}
	}
	c.readers.Add(1)
	release := c.readDeadlineFor(ctx)
	n, err := src.Read(c.rbuf[c.rend:])
	cancelled := release != nil && release()
	c.readers.Add(-1)
	if n > 0 {
		c.rend += n
		c.activity.Store(true)
		return nil
	}
	if cancelled {
		return ctx.Err()
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return c.lostConnection(err)
}
