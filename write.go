package websocket

import (
	"context"
	"errors"
	"io"
	"net"

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
	wbuf      []byte         // guarded by frameLock
	writeErr  error          // guarded by frameLock: sticky, the stream is broken
}

func (c *Conn) initWrite() {
	c.msgLock = newCtxMutex()
	c.frameLock = newCtxMutex()
	c.wr.Init(c.role)
}

// Write sends a whole message of type typ. Text must be valid UTF-8: this
// low-level Conn refuses invalid text rather than send it. Write is safe to
// call from several goroutines; messages go out whole, one after another.
//
// If ctx ends while Write waits for its turn, nothing was sent and the
// connection is intact. If it ends while the frame is being written, the
// stream cannot be repaired and the connection is closed.
func (c *Conn) Write(ctx context.Context, typ MessageType, p []byte) error {
	op, err := opcodeOf(typ)
	if err != nil {
		return err
	}
	if op == wsproto.OpText && !validUTF8(p) {
		return errInvalidText
	}
	if err := c.msgLock.lock(ctx); err != nil {
		return err
	}
	defer c.msgLock.unlock()
	return c.writeFrame(ctx, op, true, p)
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

func validUTF8(p []byte) bool {
	var v wsproto.UTF8Validator
	return v.Write(p) && v.Complete()
}

// writeFrame sends one data frame. The caller holds msgLock.
func (c *Conn) writeFrame(ctx context.Context, op wsproto.Opcode, fin bool, p []byte) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	h, err := c.wr.FrameHeader(op, fin, false, int64(len(p)))
	if err != nil {
		if errors.Is(err, wsproto.ErrCloseSent) {
			return c.closedErr()
		}
		return err
	}
	if c.wbuf == nil {
		c.wbuf = make([]byte, 0, c.cfg.writeBufSize)
	}
	buf := wsproto.AppendHeader(c.wbuf[:0], h)
	release := deadlineFor(ctx, c.nc.SetWriteDeadline)
	switch {
	case len(buf)+len(p) <= cap(buf):
		buf = append(buf, p...)
		if h.Masked {
			wsproto.Mask(h.Mask, 0, buf[len(buf)-len(p):])
		}
		_, err = c.nc.Write(buf)
	case !h.Masked:
		bufs := net.Buffers{buf, p}
		_, err = bufs.WriteTo(c.nc)
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
	release := deadlineFor(ctx, c.nc.SetWriteDeadline)
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
	return &messageWriter{c: c, ctx: ctx, op: op, text: op == wsproto.OpText, buf: make([]byte, 0, c.cfg.writeBufSize)}, nil
}

// messageWriter streams one message; see Conn.Writer.
type messageWriter struct {
	c      *Conn
	ctx    context.Context
	op     wsproto.Opcode // opcode of the next frame
	text   bool           // a text message: its UTF-8 is checked as it is written
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

func (w *messageWriter) flush(fin bool) error {
	err := w.c.writeFrame(w.ctx, w.op, fin, w.buf)
	w.buf = w.buf[:0]
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
		if w.op == wsproto.OpContinuation {
			w.c.fail(&wsproto.Error{Code: wsproto.CloseInternalError, Msg: "message abandoned half-sent"}, false)
		}
		return w.err
	}
	return w.flush(true)
}
