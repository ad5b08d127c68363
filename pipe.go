package websocket

import (
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// Pipe returns a client and a server Conn joined in memory, without a
// socket or a handshake, for tests. Each direction buffers up to 64 KiB, so
// that, as on a real network, a writer does not wait for the reader frame by
// frame. Both ends use the given options (nil for the defaults); the
// keepalive is off unless the options turn it on.
func Pipe(opts *ConnOptions) (client, server *Conn) {
	var o ConnOptions
	if opts != nil {
		o = *opts
	}
	if o.PingInterval == 0 {
		o.PingInterval = -1
	}
	cfg := o.config()
	a2b, b2a := newPipeBuffer(), newPipeBuffer()
	ca := &pipeConn{r: b2a, w: a2b, local: pipeAddr("client"), remote: pipeAddr("server")}
	cb := &pipeConn{r: a2b, w: b2a, local: pipeAddr("server"), remote: pipeAddr("client")}
	return newConn(ca, nil, wsproto.Client, cfg, "", ""), newConn(cb, nil, wsproto.Server, cfg, "", "")
}

// pipeAddr is the address of an end of a Pipe.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

const pipeCapacity = 64 << 10

// pipeBuffer is one direction of a Pipe: a bounded byte queue with
// deadlines on both ends.
type pipeBuffer struct {
	mu       sync.Mutex
	cond     *sync.Cond // signalled on every change
	buf      []byte
	wclosed  bool // the writer half-closed or closed: EOF after buf
	rclosed  bool // the reader closed: writes fail
	rdl, wdl deadline
}

func newPipeBuffer() *pipeBuffer {
	p := &pipeBuffer{}
	p.cond = sync.NewCond(&p.mu)
	p.rdl.init(p.cond)
	p.wdl.init(p.cond)
	return p
}

func (p *pipeBuffer) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.rclosed:
			return 0, net.ErrClosed
		case len(p.buf) > 0:
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			if len(p.buf) == 0 {
				p.buf = nil
			}
			p.cond.Broadcast()
			return n, nil
		case p.wclosed:
			return 0, io.EOF
		case p.rdl.expired():
			return 0, os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
}

func (p *pipeBuffer) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for len(b) > 0 {
		switch {
		case p.wclosed:
			return n, net.ErrClosed
		case p.rclosed:
			return n, io.ErrClosedPipe
		case p.wdl.expired():
			return n, os.ErrDeadlineExceeded
		case len(p.buf) < pipeCapacity:
			m := min(len(b), pipeCapacity-len(p.buf))
			p.buf = append(p.buf, b[:m]...)
			b, n = b[m:], n+m
			p.cond.Broadcast()
			continue
		}
		p.cond.Wait()
	}
	return n, nil
}

func (p *pipeBuffer) closeWrite() {
	p.mu.Lock()
	p.wclosed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *pipeBuffer) closeRead() {
	p.mu.Lock()
	p.rclosed = true
	p.buf = nil
	p.cond.Broadcast()
	p.mu.Unlock()
}

// deadline wakes the waiters of a pipeBuffer when it passes.
type deadline struct {
	cond  *sync.Cond
	t     time.Time
	timer *time.Timer
}

func (d *deadline) init(c *sync.Cond) { d.cond = c }

// set changes the deadline; the caller holds the buffer's lock.
func (d *deadline) set(t time.Time) {
	d.t = t
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	if !t.IsZero() {
		d.timer = time.AfterFunc(time.Until(t), func() {
			d.cond.L.Lock()
			d.cond.Broadcast()
			d.cond.L.Unlock()
		})
	}
	d.cond.Broadcast()
}

func (d *deadline) expired() bool { return !d.t.IsZero() && !time.Now().Before(d.t) }

// pipeConn is an end of a Pipe, a net.Conn.
type pipeConn struct {
	r, w          *pipeBuffer
	local, remote net.Addr
	once          sync.Once
}

func (c *pipeConn) Read(b []byte) (int, error)  { return c.r.read(b) }
func (c *pipeConn) Write(b []byte) (int, error) { return c.w.write(b) }
func (c *pipeConn) LocalAddr() net.Addr         { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr        { return c.remote }

// CloseWrite half-closes: the peer reads EOF once it has read what was sent.
func (c *pipeConn) CloseWrite() error {
	c.w.closeWrite()
	return nil
}

func (c *pipeConn) Close() error {
	c.once.Do(func() {
		c.w.closeWrite()
		c.r.closeRead()
	})
	return nil
}

func (c *pipeConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.r.mu.Lock()
	c.r.rdl.set(t)
	c.r.mu.Unlock()
	return nil
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	c.w.mu.Lock()
	c.w.wdl.set(t)
	c.w.mu.Unlock()
	return nil
}
