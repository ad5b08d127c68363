package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// closeState is the closing handshake of a Conn (RFC 6455 section 7).
type closeState struct {
	closeMu   sync.Mutex
	peerClose *CloseError // the peer's close frame, once received
	closeRcvd signal      // the peer's close frame arrived
	done      signal      // the transport is closed
	doneErr   error       // why the transport was closed
	doneOnce  sync.Once
	onDone    func()      // called once the transport is closed; guarded by closeMu
	closeSent atomic.Bool // our close frame went out: the keepalive stands down
	// onCloseFrame, if set before reading starts, is called when the
	// peer's close frame arrives, before it is answered (the WebSocket
	// object's "closing handshake is started" moment).
	onCloseFrame func()
}

// Done returns a channel that is closed when the connection's transport is
// closed, whatever the cause.
func (c *Conn) Done() <-chan struct{} { return c.done.wait() }

// Close runs the closing handshake: it sends a close frame with code and
// reason, waits for the peer's close frame and for the transport to close
// in the order RFC 6455 asks (the server closes TCP first; a client waits
// for it), all within the CloseTimeout. Use CloseNoStatus to send a close
// frame without a code. The code must be one that may be sent (1000-1003,
// 1007-1014, 3000-4999) and the reason valid UTF-8 of at most 123 bytes;
// otherwise Close returns an error and sends nothing.
//
// Close may be called while another goroutine reads: that goroutine goes on
// receiving the messages the peer sent before its close frame, then the
// close frame itself, as a *CloseError. When no goroutine is reading, Close
// reads until the peer's close frame itself, and keeps the messages it meets
// for later Reads (up to the read limit in all). Close returns nil if the
// handshake completed, whichever side started it, and the error that ended
// the connection otherwise (for instance ErrCloseTimeout).
func (c *Conn) Close(code CloseCode, reason string) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.closeTimeout)
	defer cancel()
	return c.closeCtx(ctx, code, reason)
}

// CloseNow closes the transport at once, without a closing handshake. The
// peer sees an abnormal closure (1006).
func (c *Conn) CloseNow() error {
	if !c.closeTransport(errClosedNow) {
		return errAlreadyClosed
	}
	return nil
}

// The errors of CloseNow, made once.
var (
	errClosedNow     = fmt.Errorf("%w: closed by CloseNow", ErrClosed)
	errAlreadyClosed = fmt.Errorf("%w: already closed", ErrClosed)
)

func (c *Conn) closeCtx(ctx context.Context, code CloseCode, reason string) error {
	if err := c.sendClose(ctx, code, reason); err != nil && !errors.Is(err, wsproto.ErrCloseSent) {
		var pe *wsproto.Error
		if errors.As(err, &pe) {
			return err // refused before anything was sent
		}
		c.closeTransport(err)
		return err
	}
	// Wait for the peer's close frame: a goroutine that reads sees it; if
	// none is reading, read it here, keeping the messages that come first
	// for the application's next reads.
	if !c.closeRcvd.happened() && !c.done.happened() {
		if c.readLock.lockOr(ctx, c.closeRcvd.wait(), c.done.wait()) == nil {
			c.readUntilClose(ctx)
			c.readLock.unlock()
		}
	}
	select {
	case <-c.done.wait():
	case <-ctx.Done():
		c.closeTransport(ErrCloseTimeout)
	}
	return c.cleanClose()
}

// cleanClose returns nil if the closing handshake completed, else why not.
func (c *Conn) cleanClose() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.peerClose != nil && c.doneErr == error(c.peerClose) {
		return nil
	}
	return c.doneErr
}

// readUntilClose reads until the peer's close frame arrives or ctx ends.
// The messages read on the way are kept for Read, up to the read limit in
// all (beyond it they are dropped, as RFC 6455 allows after a close frame
// was sent). The caller holds readLock.
func (c *Conn) readUntilClose(ctx context.Context) {
	kept := int64(0)
	limit := c.readLimit.Load()
	for c.readErr == nil {
		typ, msg, err := c.readMessage(ctx, nil)
		if err != nil {
			if ctx.Err() != nil {
				c.closeTransport(ErrCloseTimeout)
			}
			return
		}
		if kept += int64(len(msg)); limit <= 0 || kept <= limit {
			if c.queued == nil {
				c.queued = new([]queuedMessage)
			}
			*c.queued = append(*c.queued, queuedMessage{typ, msg})
		}
	}
}

// sendClose sends our close frame, once.
func (c *Conn) sendClose(ctx context.Context, code CloseCode, reason string) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	var frame [wsproto.MaxHeaderSize + wsproto.MaxControlPayload]byte
	buf, err := c.wr.AppendClose(frame[:0], code, reason)
	if err != nil {
		return err
	}
	c.closeSent.Store(true)
	return c.sendLocked(ctx, buf)
}

// receivedClose handles the peer's close frame: it answers it (P-64) and
// closes the transport in RFC 6455's order (P-67). The caller holds readLock.
func (c *Conn) receivedClose(code CloseCode, reason string) error {
	ce := &CloseError{Code: code, Reason: reason}
	c.closeMu.Lock()
	c.peerClose = ce
	c.closeRcvd.fire()
	c.closeMu.Unlock()
	c.readErr = ce
	if c.onCloseFrame != nil {
		c.onCloseFrame()
	}
	if pc := c.poll.Load(); pc != nil {
		// Event-loop mode: the reply may wait on the network, which the
		// poller's goroutine must not; it is left to pollConn.end.
		pc.tail = func() { c.replyClose(ce) }
		return ce
	}
	c.replyClose(ce)
	return ce
}

// replyClose answers the peer's close frame and closes the transport.
func (c *Conn) replyClose(ce *CloseError) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.closeTimeout)
	defer cancel()
	// Echo the code and reason (an empty body for none, P-64). If ours went
	// out first, this is the reply to it and there is nothing to send.
	c.sendClose(ctx, ce.Code, ce.Reason)
	if c.role == wsproto.Client {
		c.waitForEOF(ctx) // the server closes first
	}
	c.closeTransport(ce)
}

// waitForEOF reads and discards until the peer closes the transport or ctx
// ends. The caller holds readLock.
func (c *Conn) waitForEOF(ctx context.Context) {
	if d, ok := ctx.Deadline(); ok {
		c.nc.SetReadDeadline(d)
	}
	var buf [512]byte
	for {
		if _, err := c.nc.Read(buf[:]); err != nil {
			return
		}
	}
}

// failRead fails the connection because of err, found while reading.
func (c *Conn) failRead(err error) error {
	c.readErr = err
	if pc := c.poll.Load(); pc != nil {
		// Event-loop mode: the close frame and the lingering close wait
		// on the network, which the poller's goroutine must not; they are
		// left to pollConn.end.
		pc.tail = func() { c.fail(err, true) }
		return err
	}
	c.fail(err, true)
	return err
}

// fail fails the connection (RFC 6455 section 7.1.7): a close frame with the
// matching code when err is a protocol error, then the transport is closed.
// The reading side lingers: it half-closes and drains briefly first, so that
// the close frame is not destroyed by a reset (P-70).
func (c *Conn) fail(err error, linger bool) {
	var pe *wsproto.Error
	if errors.As(err, &pe) {
		ctx, cancel := context.WithTimeout(context.Background(), min(c.cfg.closeTimeout, time.Second))
		defer cancel()
		reason := pe.Msg
		if len(reason) > wsproto.MaxCloseReason {
			reason = reason[:wsproto.MaxCloseReason]
		}
		if c.sendClose(ctx, pe.Code, reason) == nil && linger {
			c.lingerClose(ctx)
		}
	}
	c.closeTransport(err)
}

// lingerClose half-closes the transport and drains what the peer still
// sends until it closes too or ctx ends.
func (c *Conn) lingerClose(ctx context.Context) {
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := c.nc.(closeWriter); ok {
		if cw.CloseWrite() == nil {
			if d, ok := ctx.Deadline(); ok {
				c.nc.SetReadDeadline(d)
			}
			io.Copy(io.Discard, c.nc)
		}
	}
}

// lostConnection handles a failed read from the network.
func (c *Conn) lostConnection(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // no close frame came first
	}
	// If the transport was closed on purpose (CloseNow, the keepalive, a
	// failed write), that reason was recorded first and wins.
	if !c.done.happened() {
		c.closeTransport(fmt.Errorf("websocket: connection lost: %w", err))
	}
	c.readErr = c.doneError()
	return c.readErr
}

// closeTransport closes the network connection, once, recording why. It
// reports whether this call closed it.
func (c *Conn) closeTransport(why error) bool {
	closed := false
	c.doneOnce.Do(func() {
		c.closeMu.Lock()
		c.doneErr = why
		onDone := c.onDone
		c.closeMu.Unlock()
		c.nc.Close()
		c.stopKeepalive()
		if onDone != nil {
			onDone() // before done closes: whoever waits on Done sees it run
		}
		c.done.fire()
		closed = true
		if pc := c.poll.Load(); pc != nil {
			// Event-loop mode: a closed socket leaves the poller's set
			// silently; a turn of the poller notices and ends reading.
			pc.reg.Wake()
		}
	})
	return closed
}

// onClose arranges for f to run once the transport is closed (at once if it
// already is).
func (c *Conn) onClose(f func()) {
	c.closeMu.Lock()
	if c.doneErr != nil { // closeTransport has run, or is running past onDone
		c.closeMu.Unlock()
		f()
		return
	}
	c.onDone = f
	c.closeMu.Unlock()
}

// closedErr is the error of a write after the close frame was sent.
func (c *Conn) closedErr() error {
	return fmt.Errorf("%w: close frame already sent", ErrClosed)
}
