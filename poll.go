package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wsstack/websocket/internal/netpoll"
	"github.com/wsstack/websocket/wsproto"
)

// Poller runs WebSocket objects in event-loop mode, for servers with very
// many connections: instead of a goroutine per connection waiting for its
// messages, a few goroutines watch all the sockets with epoll, and an idle
// connection holds no goroutine and no buffer. Set Options.Poller to use
// one; everything else (handlers, Send, Close, the events and their order,
// the limits and the keepalive) is the same as in the default mode. A
// Poller is shared by any number of sockets, server side (AcceptWebSocket,
// Server.AcceptWebSocket) as well as client side (New).
//
//	p, err := websocket.NewPoller(0)
//	if err != nil { ... } // not Linux: leave Options.Poller nil
//	defer p.Close()
//	wsOpts := &websocket.Options{Poller: p}
//	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
//		websocket.AcceptWebSocket(w, r, nil, wsOpts, func(ws *websocket.WebSocket) { ... })
//	})
//
// Each of the poller's loops is a goroutine that takes the ready sockets in
// turn. A turn reads at most one buffer (ConnOptions.ReadBufferSize) from a
// socket and handles the frames it holds: messages are queued as tasks of
// the socket's event loop, pings answered, close frames and protocol errors
// handled exactly as in the default mode. A socket with more input than
// that waits for the next turn, after the others, so a peer that floods its
// connection cannot starve the other connections of its loop; a peer that
// sends frames slowly, a byte at a time, costs a turn per byte and holds
// nothing in between but the message it has sent so far (and the few
// bytes of a frame header). The loops never wait on the network: a pong or
// a close frame that the socket cannot take at once is written by a
// goroutine of its own, and the connection is not read meanwhile, as the
// default mode's reader would stop. Handlers never run on the poller's
// goroutines but on the socket's event loop, as in the default mode: a
// slow handler delays its own socket's events only.
//
// What an idle connection still holds is its state: the Conn, the
// WebSocket object with its handlers, and the TCP connection; about 1.7 KB
// of heap for an echo server with two handlers, against 1.6 KB of heap and
// a 2 KiB goroutine stack in the default mode (see poll_mem_test.go). A
// message costs a read (a turn of the poller), a task of the socket's event
// loop, run by a goroutine that the loops share while they have work, and,
// for a Send from a handler, a write done there and then when the socket
// takes it at once (no goroutine, no copy of the data; a writer goroutine
// takes over only the rest of what the socket could not take).
//
// Slow handshakes do not involve the poller: the opening handshake is read
// by net/http's goroutines, before AcceptWebSocket. Bound it with the
// http.Server's ReadHeaderTimeout (and ReadTimeout), which a server facing
// the Internet must set in either mode.
//
// Event-loop mode is for Linux only: NewPoller returns
// ErrPollerUnsupported elsewhere. It serves plain TCP connections
// (ws://, or wss:// terminated in front of the server); a socket whose
// connection is anything else, such as TLS terminated by this process,
// falls back to the default mode, silently.
type Poller struct {
	np     *netpoll.Poller
	closed atomic.Bool
}

// ErrPollerUnsupported is returned by NewPoller on systems other than
// Linux: leave Options.Poller nil there (the default mode).
var ErrPollerUnsupported = errors.New("websocket: event-loop mode (Poller) is only available on Linux")

// NewPoller starts a Poller with the given number of loops (goroutines);
// zero or less means GOMAXPROCS. The loops wait in the Go runtime's network
// poller, as any goroutine blocked on a socket does: they hold no OS
// thread while there is nothing to do.
func NewPoller(loops int) (*Poller, error) {
	np, err := netpoll.New(loops)
	if err != nil {
		if errors.Is(err, netpoll.ErrUnsupported) {
			return nil, ErrPollerUnsupported
		}
		return nil, fmt.Errorf("websocket: NewPoller: %w", err)
	}
	return &Poller{np: np}, nil
}

// Close stops the poller's goroutines. The connections it still serves are
// closed at once, without a closing handshake (their sockets see an
// abnormal closure, 1006); close them first (Server.Shutdown) for a
// graceful end. Sockets that get the poller after Close run in the default
// mode.
func (p *Poller) Close() error {
	if p == nil || p.np == nil {
		return nil
	}
	p.closed.Store(true)
	return p.np.Close()
}

// errPolled is what Conn's reading methods return in event-loop mode.
var errPolled = errors.New("websocket: Conn is read by a Poller (event-loop mode); its messages go to the WebSocket's handlers")

// errPollerClosed is why a connection was closed by Poller.Close.
var errPollerClosed = fmt.Errorf("%w: Poller closed", ErrClosed)

// Internal to the read path in event-loop mode, never returned to a caller:
var (
	// errPollWait: the input is used up; reading goes on at the poller's
	// next turn for this connection.
	errPollWait = errors.New("websocket: (event-loop mode) waiting for input")
	// errPollSuspended: reading stopped until a goroutine of its own has
	// done what the poller's goroutine must not wait for.
	errPollSuspended = errors.New("websocket: (event-loop mode) suspended")
)

// pollOwner receives what a connection served by a Poller reads: the
// WebSocket object (poll_socket.go). Its methods run on the poller's
// goroutine, or on a goroutine that ends the connection, and must not
// block.
type pollOwner interface {
	// message is a whole data message, as Conn.Read returns it.
	message(typ MessageType, data []byte)
	// ended is called once reading has stopped for good, with the error
	// Conn.Read would have returned, after the connection was closed.
	ended(c *Conn, err error)
}

// pollConn is a Conn served by a Poller. Its reading side (readState) is
// owned by the poller's goroutine from claim on, but for the spells when
// the registration is suspended (suspend), and after end. The Conn's
// readLock is held for the connection's whole life, so that nothing else
// (Close, when no goroutine reads) ever reads.
type pollConn struct {
	c     *Conn
	owner pollOwner
	reg   netpoll.Reg
	// fast is set while the peer sends faster than a turn reads: the
	// last read filled all the room it had (see readDirect).
	fast bool

	// carry holds the end of a turn's input that was not a whole event
	// (part of a frame header, or of a control frame: at most
	// wsproto.MaxHeaderSize+wsproto.MaxControlPayload bytes) until the
	// next turn, so that the read buffer goes back to its pool between
	// turns; nil when there is none.
	carry *[]byte
	// tail is the work reading left undone because it may wait on the
	// network (failing the connection, replying to a close frame); end
	// runs it on a goroutine.
	tail func()
}

// carryPool holds carry buffers.
var carryPool = sync.Pool{New: func() any {
	b := make([]byte, 0, carrySize)
	return &b
}}

const carrySize = wsproto.MaxHeaderSize + wsproto.MaxControlPayload

// claim makes p the reader of c, when p can serve it: p is not nil and c is
// a plain TCP connection (on Linux). It returns nil otherwise: c is then
// read in the default mode. It takes c's readLock for good; call it before
// anything can close c (the open task), then start.
func (p *Poller) claim(c *Conn, owner pollOwner) *pollConn {
	if p == nil || p.np == nil || p.closed.Load() || !pollable(c) {
		return nil
	}
	c.readLock.lock(context.Background()) // free unless Close is reading: wait for it
	c.readers.Add(1)                      // someone always reads: the keepalive may declare the peer dead
	pc := &pollConn{c: c, owner: owner}
	c.poll.Store(pc)
	return pc
}

// start registers c with p, after handing over the messages that
// Close may have read first. A first turn follows at once, for the bytes
// that came with the handshake and for a connection closed meanwhile. If
// the poller cannot take c (it was closed since claim), start gives the
// reading side back and reports false: c is then read in the default mode.
func (pc *pollConn) start(p *Poller) bool {
	c := pc.c
	for {
		m, ok := c.unqueue()
		if !ok {
			break
		}
		pc.owner.message(m.typ, m.data)
	}
	if err := pollRegister(p, pc); err != nil {
		// Nothing read c meanwhile: undo claim.
		c.poll.Store(nil)
		c.readers.Add(-1)
		c.readLock.unlock()
		return false
	}
	pc.reg.Wake()
	return true
}

// Ready is a turn of the poller for this connection: it reads once, at most
// a buffer, and handles the whole events that the input holds. It never
// waits.
func (pc *pollConn) Ready() {
	c := pc.c
	if c.readErr != nil {
		pc.end(c.readErr)
		return
	}
	// The read buffer is only held between turns while reading is
	// suspended: the input left in it comes first, then a read as in any
	// turn (the socket may have been closed meanwhile: it left the epoll
	// set silently, and only a read tells).
	if c.rbuf != nil && !pc.process() {
		return
	}
	if err := pc.read(); err != nil {
		if err != errPollWait {
			pc.end(err)
		}
		return
	}
	pc.process()
}

// process handles the whole events in the read buffer. It reports whether
// it used them all up (the rest parked for the next turn), rather than
// suspend or end reading.
func (pc *pollConn) process() bool {
	c := pc.c
	for {
		typ, msg, err := c.readMessage(context.Background(), nil)
		switch err {
		case nil:
			pc.owner.message(typ, msg)
		case errPollWait:
			pc.park()
			return true
		case errPollSuspended:
			return false
		default:
			pc.end(err)
			return false
		}
	}
}

// read fills the read buffer for a turn: the carry, then one read from the
// handshake's leftovers or else from the socket. It returns errPollWait
// when there is nothing to read, and the error that ends reading if the
// connection is lost.
func (pc *pollConn) read() error {
	c := pc.c
	if pc.carry == nil && c.br == nil {
		if done, err := pc.readDirect(); done {
			return err
		}
	}
	c.acquireReadBuf()
	c.rpos, c.rend = 0, 0
	if pc.carry != nil {
		c.rend = copy(c.rbuf, *pc.carry)
		carryPool.Put(pc.carry)
		pc.carry = nil
	}
	if c.br != nil {
		// Bytes that came with the handshake; Read takes them from the
		// bufio.Reader's buffer only, never from the socket.
		n, _ := c.br.Read(c.rbuf[c.rend:])
		c.rend += n
		if c.br.Buffered() == 0 {
			c.br = nil
		}
		return nil
	}
	n, err := pollRead(c.raw, c.rbuf[c.rend:])
	pc.fast = c.rend+n == len(c.rbuf)
	if n > 0 {
		c.rend += n
		c.activity.Store(true)
		return nil
	}
	if err == errPollWait {
		pc.park()
		return err
	}
	if err == nil {
		err = io.EOF
	}
	return c.lostConnection(err)
}

// pollDirectMax bounds a turn's read straight into a message (readDirect),
// so that a turn stays short whatever a peer sends.
const pollDirectMax = 64 << 10

// readDirect is the turn's read when a big data frame's payload is under
// way and nothing is buffered: it reads the payload straight into the
// message being gathered (no copy through the read buffer; the core
// unmasks and checks it in place), as readPayloadDirect does in the default
// mode, but without waiting, and at most pollDirectMax bytes. The room
// made for it follows what arrives, not what the frame announces: up to
// pollDirectMax while the peer sends faster than the turns read (fast),
// else as much as the message holds so far, at least a read buffer; so a
// peer that announces big frames and sends slowly makes the server hold
// about what it sent, and no more than twice that. It reports whether it
// was the turn's read, and its error as read's.
func (pc *pollConn) readDirect() (bool, error) {
	c := pc.c
	r := c.rd.PayloadRemaining()
	if c.msgType == 0 || r < int64(c.cfg.readBufSize) {
		return false, nil
	}
	start := len(c.partial)
	room := int64(max(start, c.cfg.readBufSize))
	if pc.fast {
		room = pollDirectMax
	}
	want := int(min(r, room, pollDirectMax))
	c.partial = slices.Grow(c.partial, want)
	region := c.partial[start : start+want]
	n, err := pollRead(c.raw, region)
	pc.fast = n == want
	if n > 0 {
		return true, c.tookDirect(start, region[:n])
	}
	if err == errPollWait {
		return true, err
	}
	if err == nil {
		err = io.EOF
	}
	return true, c.lostConnection(err)
}

// park ends a turn that used up its input: the bytes of an incomplete
// event go to the carry, the read buffer back to its pool.
func (pc *pollConn) park() {
	c := pc.c
	if rest := c.rbuf[c.rpos:c.rend]; len(rest) > 0 {
		cp := carryPool.Get().(*[]byte)
		*cp = append((*cp)[:0], rest...) // fits: see carry
		pc.carry = cp
	}
	c.rpos, c.rend = 0, 0
	c.releaseReadBuf()
	if c.br != nil {
		// More handshake leftovers than a buffer: the socket may have
		// nothing to make the next turn happen.
		pc.reg.Wake()
	}
}

// end stops reading for good: the registration goes, the buffers go back,
// and the owner is told, after the tail if reading left one (on a goroutine
// then, since the tail may wait on the network).
func (pc *pollConn) end(err error) {
	c := pc.c
	pc.reg.Unregister()
	c.rpos, c.rend, c.pending, c.partial = 0, 0, nil, nil
	c.releaseReadBuf()
	if pc.carry != nil {
		carryPool.Put(pc.carry)
		pc.carry = nil
	}
	tail := pc.tail
	pc.tail = nil
	if tail == nil {
		pc.owner.ended(c, err)
		return
	}
	go func() {
		tail()
		pc.owner.ended(c, err)
	}()
}

// Stopped is called instead of Ready when the Poller closes: the
// connection is closed at once.
func (pc *pollConn) Stopped() {
	c := pc.c
	c.closeTransport(errPollerClosed)
	pc.end(c.lostConnection(errPollerClosed))
}

// pollSuspends counts the calls of suspend, for tests.
var pollSuspends atomic.Int64

// suspend stops the turns of this connection while f, which may wait on
// the network, runs on a goroutine of its own; the turns resume after it,
// with the input left in the read buffer.
func (pc *pollConn) suspend(f func()) {
	pollSuspends.Add(1)
	pc.reg.Suspend()
	go func() {
		f()
		if !pc.reg.Resume() {
			pc.Stopped() // the Poller was closed meanwhile
		}
	}()
}

// pong answers a ping on the poller's goroutine, which must never wait: if
// no message is being written and the socket takes the whole pong at once
// (the usual case) it is sent there and then. Otherwise reading stops
// (errPollSuspended) until a goroutine of its own has sent it, as the
// default mode's reader would wait: pongs go out in order, every ping is
// answered, and a peer that floods pings without reading the pongs is held
// back by TCP, not by memory (P-88).
func (pc *pollConn) pong(payload []byte) error {
	c := pc.c
	if !c.frameLock.tryLock() {
		// A frame is being written: wait for it as writeControl does. The
		// payload lies in the read buffer, which stays put while suspended.
		pc.suspend(func() { c.writeControl(wsproto.OpPong, payload) })
		return errPollSuspended
	}
	if c.writeErr != nil {
		c.frameLock.unlock()
		return nil
	}
	var frame [wsproto.MaxHeaderSize + wsproto.MaxControlPayload]byte
	buf, err := c.wr.AppendPong(frame[:0], payload)
	if err != nil { // our close frame went out: nothing follows it
		c.frameLock.unlock()
		return nil
	}
	n, err := pollWrite(c.raw, buf)
	if err != nil {
		c.brokenWrite(context.Background(), err, false)
		c.frameLock.unlock()
		return nil
	}
	if n == len(buf) {
		c.frameLock.unlock()
		return nil
	}
	// The socket took part of it: the rest must go out before any other
	// frame, so frameLock stays held until it has.
	rest := append([]byte(nil), buf[n:]...)
	pc.suspend(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.closeTimeout)
		c.sendLocked(ctx, rest)
		cancel()
		c.frameLock.unlock()
	})
	return errPollSuspended
}

// tryLockWrite takes both of c's write locks if they are free and c can
// write a message straight to its socket (writeNowLocked): a plain TCP
// connection on Linux, not compressing, not broken. It never waits.
func (c *Conn) tryLockWrite() bool {
	if !pollable(c) || !c.msgLock.tryLock() {
		return false
	}
	if !c.frameLock.tryLock() {
		c.msgLock.unlock()
		return false
	}
	if c.writeErr != nil || c.compressing() {
		c.unlockWrite()
		return false
	}
	return true
}

// unlockWrite releases what tryLockWrite took.
func (c *Conn) unlockWrite() {
	c.frameLock.unlock()
	c.msgLock.unlock()
}

// writeNowLocked writes the frame of a whole data message to the socket,
// without waiting: what Write does, for a caller that must not wait (a
// task of an event loop). The caller holds both write locks
// (tryLockWrite) and keeps p unchanged during the call. It returns what
// the socket did not take at once (a copy, the caller's to send before any
// other frame, the locks still held), or nil once the socket took it all,
// or nothing can be sent any more (our close frame went out, or the write
// failed: the connection is then closed, as by Write).
func (c *Conn) writeNowLocked(typ MessageType, p []byte) []byte {
	h, err := c.wr.FrameHeader(wsproto.Opcode(typ), true, false, int64(len(p)))
	if err != nil {
		return nil // our close frame went out: nothing follows it
	}
	bp := c.wpool.Get().(*[]byte)
	defer c.wpool.Put(bp)
	buf := wsproto.AppendHeader((*bp)[:0], h)
	hlen := len(buf)
	var n int
	switch {
	case len(buf)+len(p) <= cap(buf):
		buf = append(buf, p...)
		if h.Masked {
			wsproto.Mask(h.Mask, 0, buf[hlen:])
		}
		p = nil
		n, err = pollWrite(c.raw, buf)
	case !h.Masked:
		n, err = pollWritev(c.raw, buf, p)
	default:
		// A big masked frame (client side): masked into a frame of its
		// own, rather than a bufferful at a time as Write does.
		frame := append(buf, p...)
		wsproto.Mask(h.Mask, 0, frame[hlen:])
		buf, p = frame, nil
		n, err = pollWrite(c.raw, buf)
	}
	if err != nil {
		c.brokenWrite(context.Background(), err, false)
		return nil
	}
	if n == len(buf)+len(p) {
		return nil
	}
	// The rest of the frame, from n on.
	var rest []byte
	if n < len(buf) {
		rest = make([]byte, 0, len(buf)-n+len(p))
		rest = append(rest, buf[n:]...)
		rest = append(rest, p...)
	} else {
		rest = append([]byte(nil), p[n-len(buf):]...)
	}
	return rest
}
