//go:build unix

package websocket

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// rawConn is the socket under a plain TCP connection.
type rawConn = syscall.RawConn

// rawConnOf returns the socket of nc if nc is a plain TCP connection (a TLS
// connection has its own buffers and cannot be read this way).
func rawConnOf(nc net.Conn) rawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// rawReader is what fillRaw needs to read the socket without allocating:
// the function given to RawConn.Read, made once per connection, and its
// results.
type rawReader struct {
	fn   func(fd uintptr) bool
	n    int
	rerr syscall.Errno // 0: none
}

// initRawRead makes the function fillRaw gives to RawConn.Read: it borrows
// the read buffer only once the socket has bytes, and gives it back when a
// wake-up was spurious.
func (c *Conn) initRawRead() {
	c.rr.fn = func(fd uintptr) bool {
		if c.rbuf == nil {
			c.acquireReadBuf()
		}
		for {
			var err error
			c.rr.n, err = syscall.Read(int(fd), c.rbuf)
			c.rr.rerr, _ = err.(syscall.Errno) // Read's only errors
			if c.rr.rerr != syscall.EINTR {
				break
			}
		}
		if c.rr.rerr == syscall.EAGAIN {
			c.releaseReadBuf() // a spurious wake-up: wait again, empty-handed
			return false
		}
		return true
	}
}

// fillRaw waits until the socket is readable without holding a buffer, as
// an idle connection spends most of its life doing, and only then borrows
// the read buffer and reads into it: an idle connection holds no buffer.
// The caller has checked that the buffer is empty. Deadlines and ctx work as
// in fill.
func (c *Conn) fillRaw(ctx context.Context) error {
	c.readers.Add(1)
	release := c.readDeadlineFor(ctx)
	c.rr.n, c.rr.rerr = 0, 0
	err := c.raw.Read(c.rr.fn)
	cancelled := release != nil && release()
	c.readers.Add(-1)
	n, rerr := c.rr.n, c.rr.rerr
	c.rr.rerr = 0
	if err == nil && rerr != 0 {
		err = os.NewSyscallError("read", rerr)
	}
	if err == nil && n > 0 {
		c.rend = n
		c.activity.Store(true)
		return nil
	}
	c.releaseReadBuf()
	if cancelled {
		return ctx.Err()
	}
	if err == nil {
		err = io.EOF
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
		return ctx.Err()
	}
	return c.lostConnection(err)
}
