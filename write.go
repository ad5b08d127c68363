package websocket

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"

	"github.com/wsstack/websocket/wsproto"
)

// writeState is the sending side of a Conn. Two locks order the writers:
// msgLock is held for a whole data message, so that two messages never
// interleave (P-51); frameLock is held for each frame, so that control
// frames (pongs, pings, the close frame) slip in between a message's frames.
type writeState struct {
	msgLock   ctxMutex
	frameLock ctxMutex
	wr        wsproto.Writer // guarded by frameLock
	writeErr  error          // guarded by frameLock: sticky, the stream is broken
	wpool     *sync.Pool     // write buffers (lent under frameLock)
	iov       *iovec         // guarded by frameLock; made by the first big write
}

// iovec is the vector of a writev of a frame's header and payload, kept in
// the Conn so that a big write allocates nothing.
type iovec struct {
	bufs net.Buffers
	arr  [2][]byte // bufs' backing array
}

func (c *Conn) initWrite() {
	c.wr.Init(c.role)
	c.wpool = bufPool(c.cfg.writeBufSize)
}

// Write sends a whole message of type typ. Text must be valid UTF-8: this
// low-level Conn refuses invalid text rather than send it. Write is safe to
// call from several goroutines; messages go out whole, one after another.
//
// If ctx ends while Write waits for its turn, nothing was sent and the
// connection is intact. If it ends while the frame is being written, the
// stream cannot be repaired and the connection is closed.
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	op, err := messageOpcode(typ, p)
	if err != nil {
		return err
	}
	if err := c.msgLock.lock(ctx); err != nil {
		return err
	}
	defer c.msgLock.unlock()
	if !c.compressing() {
		return c.writeFrame(ctx, op, true, false, p)
	}
	// Compress only once the frame can go out: with context takeover a
	// message compressed and then abandoned (ctx ending while another
	// frame holds the connection) would leave our window ahead of the peer's.
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	bp := compressBufs.Get().(*[]byte)
	out, compressed := c.pmd.deflater.Compress((*bp)[:0], p)
	if compressed {
		err = c.writeFrameLocked(ctx, op, true, true, out)
	} else {
		err = c.writeFrameLocked(ctx, op, true, false, p)
	}
	if cap(out) <= 64<<10 { // keep big buffers out of the pool
		*bp = out[:0]
		compressBufs.Put(bp)
	}
	return err
}

var errInvalidText = errors.New("websocket: text message is not valid UTF-8")

func opcodeOf(typ MessageType) (wsproto.Opcode, error) {
	switch typ {
	case MessageText:
		return wsproto.OpText, nil
	case MessageBinary:
		return wsproto.OpBinary, nil
	}
	return 0, errors.New("websocket: invalid message type " + typ.String())
}

// messageOpcode returns the opcode of a whole message of type typ, after
// checking that text is valid UTF-8.
func messageOpcode(typ MessageType, p []byte) (wsproto.Opcode, error) {
	op, err := opcodeOf(typ)
	if err == nil && op == wsproto.OpText && !validUTF8(p) {
		err = errInvalidText
	}
	return op, err
}

func validUTF8(p []byte) bool {
	var v wsproto.UTF8Validator
	return v.Write(p) && v.Complete()
}

// writeFrame sends one data frame; rsv1 marks a compressed message's first
// frame. The caller holds msgLock.
func (c *Conn) writeFrame(ctx context.Context, op wsproto.Opcode, fin, rsv1 bool, p []byte) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	return c.writeFrameLocked(ctx, op, fin, rsv1, p)
}

// writeFrameLocked is writeFrame for a caller that holds frameLock too.
func (c *Conn) writeFrameLocked(ctx context.Context, op wsproto.Opcode, fin, rsv1 bool, p []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	h, err := c.frameHeader(op, fin, rsv1, len(p))
	if err != nil {
		return err
	}
	bp := c.wpool.Get().(*[]byte)
	defer c.wpool.Put(bp)
	buf := wsproto.AppendHeader((*bp)[:0], h)
	release := c.writeDeadlineFor(ctx)
	switch {
	case len(buf)+len(p) <= cap(buf):
		buf = append(buf, p...)
		if h.Masked {
			wsproto.Mask(h.Mask, 0, buf[len(buf)-len(p):])
		}
		_, err = c.nc.Write(buf)
	case !h.Masked:
		// One writev for header and payload; the vector lives in the Conn
		// so that nothing is allocated per write.
		if c.iov == nil {
			c.iov = new(iovec)
		}
		v := c.iov
		v.bufs = append(v.arr[:0], buf, p)
		_, err = v.bufs.WriteTo(c.nc)
		v.bufs, v.arr = nil, [2][]byte{} // hold on to neither
	default:
		// Mask through the buffer, a bufferful at a time.
		pos := 0
		for len(p) > 0 && err == nil {
			n := min(len(p), cap(buf)-len(buf))
			start := len(buf)
			buf = append(buf, p[:n]...)
			pos = wsproto.Mask(h.Mask, pos, buf[start:])
			_, err = c.nc.Write(buf)
			buf, p = buf[:0], p[n:]
		}
	}
	cancelled := release != nil && release()
	if err != nil {
		return c.brokenWrite(ctx, err, cancelled)
	}
	return nil
}

// frameHeader returns the header of a data frame under the sending rules;
// after our close frame, the error is the one a closed Conn gives. The
// caller holds frameLock.
func (c *Conn) frameHeader(op wsproto.Opcode, fin, rsv1 bool, n int) (wsproto.Header, error) {
	h, err := c.wr.FrameHeader(op, fin, rsv1, int64(n))
	if errors.Is(err, wsproto.ErrCloseSent) {
		err = c.closedErr()
	}
	return h, err
}

// writeControl sends a control frame (ping or pong) right away, between the
// frames of a message if one is being sent.
func (c *Conn) writeControl(op wsproto.Opcode, payload []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.closeTimeout)
	defer cancel()
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	return c.writeControlLocked(ctx, op, payload)
}

// writeControlLocked encodes and sends a control frame. The caller holds frameLock.
func (c *Conn) writeControlLocked(ctx context.Context, op wsproto.Opcode, payload []byte) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	var err error
	var frame [wsproto.MaxHeaderSize + wsproto.MaxControlPayload]byte
	buf := frame[:0]
	switch op {
	case wsproto.OpPing:
		buf, err = c.wr.AppendPing(buf, payload)
	case wsproto.OpPong:
		buf, err = c.wr.AppendPong(buf, payload)
	}
	if err != nil {
		return err
	}
	return c.sendLocked(ctx, buf)
}

// sendLocked writes an encoded frame. The caller holds frameLock.
func (c *Conn) sendLocked(ctx context.Context, frame []byte) error {
	release := c.writeDeadlineFor(ctx)
	_, err := c.nc.Write(frame)
	cancelled := release != nil && release()
	if err != nil {
		return c.brokenWrite(ctx, err, cancelled)
	}
	return nil
}

// brokenWrite records a failed write: part of a frame may have gone out, so
// the stream is beyond repair and the connection is closed. The caller
// holds frameLock.
func (c *Conn) brokenWrite(ctx context.Context, err error, cancelled bool) error {
	if cancelled {
		err = ctx.Err()
	}
	c.writeErr = &writeError{err}
	c.closeTransport(c.writeErr)
	return c.writeErr
}

// writeError is a failed write; the connection was closed because of it.
type writeError struct{ err error }

func (e *writeError) Error() string {
	return "websocket: write failed, connection closed: " + e.err.Error()
}
func (e *writeError) Unwrap() error { return e.err }

// Writer returns a writer for a message of type typ, sent as a fragmented
// message: each time the writer's buffer fills, a frame goes out; Close
// sends the last frame. Until Close, other messages wait (control frames do
// not). Text must be valid UTF-8 as a whole; a code point may be split
// across Write calls. ctx bounds the whole message.
func (c *Conn) Writer(ctx context.Context, typ MessageType) (io.WriteCloser, error) {
	op, err := opcodeOf(typ)
	if err != nil {
		return nil, err
	}
	if err := c.msgLock.lock(ctx); err != nil {
		return nil, err
	}
	return &messageWriter{c: c, ctx: ctx, op: op, text: op == wsproto.OpText, comp: c.compressing(),
		buf: make([]byte, 0, c.cfg.writeBufSize)}, nil
}

// messageWriter streams one message; see Conn.Writer.
type messageWriter struct {
	c      *Conn
	ctx    context.Context
	op     wsproto.Opcode // opcode of the next frame
	text   bool           // a text message: its UTF-8 is checked as it is written
	comp   bool           // a compressed message: frames carry deflate output
	buf    []byte
	utf8   wsproto.UTF8Validator
	closed bool
	err    error
}

func (w *messageWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("websocket: write to a closed message writer")
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.text && !w.utf8.Write(p) {
		w.err = errInvalidText
		return 0, w.err
	}
	if w.comp {
		w.buf = w.c.pmd.deflater.Write(w.buf, p)
		for len(w.buf) >= w.c.cfg.writeBufSize {
			if err := w.flush(false); err != nil {
				return 0, err
			}
		}
		return len(p), nil
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(false); err != nil {
				return n, err
			}
		}
		m := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+m]
		p = p[m:]
		n += m
	}
	return n, nil
}

// flush sends what the buffer holds as a frame; with compression, a frame
// of at most the buffer size, keeping the rest for the next.
func (w *messageWriter) flush(fin bool) error {
	chunk := w.buf
	if w.comp && !fin && len(chunk) > w.c.cfg.writeBufSize {
		chunk = chunk[:w.c.cfg.writeBufSize]
	}
	err := w.c.writeFrame(w.ctx, w.op, fin, w.comp && w.op != wsproto.OpContinuation, chunk)
	w.buf = w.buf[:copy(w.buf, w.buf[len(chunk):])]
	w.op = wsproto.OpContinuation
	if err != nil {
		w.err = err
	}
	return err
}

// Close sends the message's last frame and lets other messages go. If the
// message cannot be ended validly (its text was not valid UTF-8, or a write
// failed) after some of its frames went out, the connection is failed with
// close code 1011, since a half-sent message cannot be taken back.
func (w *messageWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	defer w.c.msgLock.unlock()
	if w.err == nil && w.text && !w.utf8.Complete() {
		w.err = errInvalidText
	}
	if w.err != nil {
		if w.op == wsproto.OpContinuation || w.comp {
			// Frames went out, or the compressor holds part of the message.
			w.c.fail(&wsproto.Error{Code: wsproto.CloseInternalError, Msg: "message abandoned half-sent"}, false)
		}
		return w.err
	}
	if w.comp {
		w.buf = w.c.pmd.deflater.Finish(w.buf)
		for len(w.buf) > w.c.cfg.writeBufSize {
			if err := w.flush(false); err != nil {
				return err
			}
		}
	}
	return w.flush(true)
}
