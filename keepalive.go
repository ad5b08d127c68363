package websocket

import (
	"context"
	"encoding/binary"
	"sync"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// keepalive is the ping machinery of a Conn: Ping's waiters and the timer
// that detects a silent peer. It uses one timer per connection, and no
// timer at all per message: reading only sets a flag that the timer checks.
type keepalive struct {
	pingMu      sync.Mutex
	pingSeq     uint64
	pingWaiters map[uint64]chan struct{}
	kaTimer     *time.Timer
	kaPingOut   bool // the keepalive's ping is unanswered; guarded by pingMu
	kaStopped   bool // guarded by pingMu
}

// Ping sends a ping and waits for the matching pong, returning the round
// trip time. The pong is only seen while some goroutine reads the
// connection (Read, Reader), as it must anyway.
func (c *Conn) Ping(ctx context.Context) (time.Duration, error) {
	c.pingMu.Lock()
	c.pingSeq++
	seq := c.pingSeq
	ch := make(chan struct{})
	if c.pingWaiters == nil {
		c.pingWaiters = make(map[uint64]chan struct{})
	}
	c.pingWaiters[seq] = ch
	c.pingMu.Unlock()
	defer func() {
		c.pingMu.Lock()
		delete(c.pingWaiters, seq)
		c.pingMu.Unlock()
	}()

	var payload [8]byte
	binary.BigEndian.PutUint64(payload[:], seq)
	start := time.Now()
	if err := c.lockedControl(ctx, wsproto.OpPing, payload[:]); err != nil {
		return 0, err
	}
	select {
	case <-ch:
		return time.Since(start), nil
	case <-c.done.wait():
		return 0, c.doneError()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// lockedControl sends a control frame with ctx bounding the wait for the lock.
func (c *Conn) lockedControl(ctx context.Context, op wsproto.Opcode, payload []byte) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	return c.writeControlLocked(ctx, op, payload)
}

// gotPong wakes the Ping waiting for this pong, if any. Unsolicited pongs
// are fine (P-58).
func (c *Conn) gotPong(p []byte) {
	if len(p) != 8 {
		return
	}
	seq := binary.BigEndian.Uint64(p)
	c.pingMu.Lock()
	if ch, ok := c.pingWaiters[seq]; ok {
		close(ch)
		delete(c.pingWaiters, seq)
	}
	c.pingMu.Unlock()
}

func (c *Conn) doneError() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	return c.doneErr
}

// startKeepalive arms the keepalive timer, unless it is off.
func (c *Conn) startKeepalive() {
	if c.cfg.pingInterval <= 0 {
		return
	}
	c.pingMu.Lock()
	c.kaTimer = time.AfterFunc(c.cfg.pingInterval, c.keepaliveTick)
	c.pingMu.Unlock()
}

func (c *Conn) stopKeepalive() {
	c.pingMu.Lock()
	c.kaStopped = true
	if c.kaTimer != nil {
		c.kaTimer.Stop()
	}
	c.pingMu.Unlock()
}

// keepaliveTick runs every PingInterval, in its own goroutine. If nothing
// was received since the last tick, it sends a ping; if that ping then goes
// PingTimeout without anything received while a goroutine is reading, the
// peer is declared dead and the transport closed (reported locally as 1006).
// A connection that nobody reads cannot see pongs, so it is never declared
// dead, only pinged.
func (c *Conn) keepaliveTick() {
	c.pingMu.Lock()
	if c.kaStopped || c.closeSent.Load() {
		// After our close frame, Close's own timeout bounds the wait (P-59).
		c.pingMu.Unlock()
		return
	}
	heard := c.activity.Swap(false)
	if heard {
		c.kaPingOut = false
	}
	switch {
	case heard:
		c.kaTimer.Reset(c.cfg.pingInterval)
		c.pingMu.Unlock()
	case c.kaPingOut && c.readers.Load() > 0:
		c.pingMu.Unlock()
		c.closeTransport(ErrKeepaliveTimeout)
	default:
		c.kaPingOut = true
		c.kaTimer.Reset(c.cfg.pingTimeout)
		c.pingMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.pingTimeout)
		defer cancel()
		c.lockedControl(ctx, wsproto.OpPing, nil)
	}
}
