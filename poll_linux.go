//go:build linux

package websocket

import (
	"os"
	"syscall"
)

// pollable reports whether c can be served by a Poller: a plain TCP
// connection, whose socket the poller can watch and read.
func pollable(c *Conn) bool { return c.raw != nil }

// pollRegister registers pc's socket with p.
func pollRegister(p *Poller, pc *pollConn) error {
	return p.np.Register(&pc.reg, pc.c.raw, pc)
}

// pollRead reads once from the socket, without waiting: errPollWait if it
// has nothing, (0, nil) at EOF. The descriptor is used inside Control, so
// that a Close by another goroutine cannot pull it away meanwhile (Control
// then fails with the net package's error for a closed connection).
func pollRead(rc rawConn, p []byte) (int, error) {
	var n int
	var rerr error
	err := rc.Control(func(fd uintptr) {
		for {
			n, rerr = syscall.Read(int(fd), p)
			if rerr != syscall.EINTR {
				return
			}
		}
	})
	switch {
	case err != nil:
		return 0, err
	case rerr == syscall.EAGAIN:
		return 0, errPollWait
	case rerr != nil:
		return 0, os.NewSyscallError("read", rerr)
	}
	return n, nil
}

// pollWrite writes what the socket takes of b now, without waiting, and
// returns how much that was. The error is a failure of the socket; a short
// count without an error means the socket is full, or the net package
// refused the attempt (the connection was closed, or a write deadline has
// passed): a blocking write then sorts it out. The caller holds frameLock,
// so that no other write is under way.
func pollWrite(rc rawConn, b []byte) (n int, err error) {
	rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, werr := syscall.Write(int(fd), b[n:])
			if werr == syscall.EINTR {
				continue
			}
			if werr != nil {
				if werr != syscall.EAGAIN {
					err = os.NewSyscallError("write", werr)
				}
				break
			}
			n += m
		}
		return true // never wait
	})
	return n, err
}
