package websocket

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/wsstack/websocket/wsproto"
)

// readState is the receiving side of a Conn.
type readState struct {
	readLock  ctxMutex
	rd        wsproto.Reader
	readLimit atomic.Int64
	br        *bufio.Reader // handshake leftovers, read first; nil when drained

	rbuf       []byte
	rpos, rend int    // rbuf[rpos:rend] holds bytes not yet given to rd
	pending    []byte // data payload handed out by rd and not yet delivered

	// The message being read.
	msgType MessageType // 0: none in progress
	msgFin  bool        // its last piece has been handed out
	partial []byte      // what Read has gathered of it, kept across a cancelled Read
	reader  *messageReader

	readErr  error        // sticky: the reason reading stopped
	everRead atomic.Bool  // the application has read: Close leaves reading to it
	readers  atomic.Int32 // goroutines blocked reading the network
	activity atomic.Bool  // something was received since the keepalive looked
}

func (c *Conn) initRead(br *bufio.Reader) {
	c.readLock = newCtxMutex()
	c.rd.Init(c.role)
	c.readLimit.Store(c.cfg.readLimit)
	if br != nil && br.Buffered() > 0 {
		c.br = br
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
	c.everRead.Store(true)
	if err := c.readLock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer c.readLock.unlock()
	if c.msgType == 0 || c.reader != nil {
		if err := c.startMessage(ctx); err != nil {
			return 0, nil, err
		}
		c.partial = nil
	}
	for {
		if len(c.pending) > 0 {
			c.partial = append(c.partial, c.pending...)
			c.pending = nil
		}
		if c.msgFin {
			typ, msg := c.msgType, c.partial
			c.msgType, c.partial = 0, nil
			if msg == nil {
				msg = []byte{}
			}
			return typ, msg, nil
		}
		if err := c.nextPiece(ctx); err != nil {
			return 0, nil, err
		}
	}
}

// Reader returns the type of the next data message and a reader of its
// bytes, for messages too big to hold whole. The reader returns io.EOF at
// the message's end. If the previous message was not read to its end, the
// rest of it is skipped. ctx bounds the whole message: once it ends, the
// reader returns ctx's error (the connection stays usable; the rest of that
// message is skipped by the next Reader or Read).
func (c *Conn) Reader(ctx context.Context) (MessageType, io.Reader, error) {
	c.everRead.Store(true)
	if err := c.readLock.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer c.readLock.unlock()
	if err := c.startMessage(ctx); err != nil {
		return 0, nil, err
	}
	c.reader = &messageReader{c: c, ctx: ctx}
	return c.msgType, c.reader, nil
}

// startMessage skips what is left of the current message, if any, and reads
// up to the first piece of the next one.
func (c *Conn) startMessage(ctx context.Context) error {
	if c.reader != nil {
		c.reader.c = nil // a reader of an earlier message reads nothing more
		c.reader = nil
	}
	for c.msgType != 0 {
		c.pending = nil
		if c.msgFin {
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
}

func (r *messageReader) Read(p []byte) (int, error) {
	c := r.c
	if c == nil {
		return 0, errors.New("websocket: read of a message that was skipped")
	}
	if err := c.readLock.lock(r.ctx); err != nil {
		return 0, err
	}
	defer c.readLock.unlock()
	if r.c == nil {
		return 0, errors.New("websocket: read of a message that was skipped")
	}
	for len(c.pending) == 0 {
		if c.msgFin {
			c.msgType, c.reader, r.c = 0, nil, nil
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
				c.msgType = MessageType(ev.Opcode)
			}
			c.pending, c.msgFin = ev.Payload, ev.Fin
			return nil
		case wsproto.EventPing:
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
	if c.rbuf == nil {
		c.rbuf = make([]byte, c.cfg.readBufSize)
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
	release := deadlineFor(ctx, c.nc.SetReadDeadline)
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
