//go:build linux

package websocket

import (
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// pollable reports whether c can be served by a Poller: a plain TCP
// connection, whose socket the poller can watch and read.
func pollable(c *Conn) bool { return c.raw != nil }

// pollRegister registers pc's socket with p.
func pollRegister(p *Poller, pc *pollConn) error {
	return p.np.Register(&pc.reg, pc.c.raw, pc)
}

// rawIO is one non-blocking system call on a socket, with its funcs for
// the RawConn methods made once: a func literal given to RawConn escapes,
// with what it captures, so that making one per call would allocate at
// every read and write.
type rawIO struct {
	a, b   []byte
	n      int
	err    error
	readFn func(uintptr)
	wrFn   func(uintptr) bool
}

var rawIOs = sync.Pool{New: func() any {
	r := new(rawIO)
	r.readFn = r.read
	r.wrFn = r.write
	return r
}}

func (r *rawIO) read(fd uintptr) {
	for {
		r.n, r.err = syscall.Read(int(fd), r.a)
		if r.err != syscall.EINTR {
			return
		}
	}
}

// write writes a, then b if not empty, in one system call, as much as the
// socket takes now.
func (r *rawIO) write(fd uintptr) bool {
	if len(r.b) == 0 {
		for r.n < len(r.a) {
			m, err := syscall.Write(int(fd), r.a[r.n:])
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				if err != syscall.EAGAIN {
					r.err = os.NewSyscallError("write", err)
				}
				break
			}
			r.n += m
		}
		return true // never wait
	}
	var iov [2]syscall.Iovec
	iov[0].Base, iov[1].Base = &r.a[0], &r.b[0]
	iov[0].SetLen(len(r.a))
	iov[1].SetLen(len(r.b))
	for {
		m, _, e := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), 2)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 && e != syscall.EAGAIN {
			r.err = os.NewSyscallError("writev", e)
		}
		if e == 0 {
			r.n = int(m)
		}
		return true
	}
}

func (r *rawIO) release() {
	r.a, r.b, r.n, r.err = nil, nil, 0, nil
	rawIOs.Put(r)
}

// pollRead reads once from the socket, without waiting: errPollWait if it
// has nothing, (0, nil) at EOF. The descriptor is used inside Control, so
// that a Close by another goroutine cannot pull it away meanwhile (Control
// then fails with the net package's error for a closed connection).
func pollRead(rc rawConn, p []byte) (int, error) {
	r := rawIOs.Get().(*rawIO)
	r.a = p
	err := rc.Control(r.readFn)
	n, rerr := r.n, r.err
	r.release()
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
	return pollWritev(rc, b, nil)
}

// pollWritev is pollWrite of a followed by b, in one system call (b may be
// empty); the count is of both.
func pollWritev(rc rawConn, a, b []byte) (n int, err error) {
	r := rawIOs.Get().(*rawIO)
	r.a, r.b = a, b
	rc.Write(r.wrFn)
	n, err = r.n, r.err
	r.release()
	return n, err
}
