//go:build linux

package netpoll

import (
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (a, b *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// reader is a Handler that reads what it can (at most max bytes a call)
// and reports it.
type reader struct {
	reg     Reg
	rc      syscall.RawConn
	max     int
	got     chan []byte
	eof     chan struct{}
	stopped chan struct{}
	calls   atomic.Int64
	onReady func() // optional, runs first
}

func newReader(t *testing.T, c *net.TCPConn, max int) *reader {
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return &reader{rc: rc, max: max, got: make(chan []byte, 1024), eof: make(chan struct{}), stopped: make(chan struct{})}
}

func (r *reader) Ready() {
	r.calls.Add(1)
	if r.onReady != nil {
		r.onReady()
	}
	buf := make([]byte, r.max)
	var n int
	var err error
	cerr := r.rc.Control(func(fd uintptr) { n, err = syscall.Read(int(fd), buf) })
	switch {
	case cerr != nil || (n == 0 && err == nil):
		r.reg.Unregister()
		close(r.eof)
	case n > 0:
		r.got <- buf[:n]
	}
}

func (r *reader) Stopped() { close(r.stopped) }

func newPoller(t *testing.T, n int) *Poller {
	p, err := New(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func recv(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("nothing received in 5 s")
	}
	return nil
}

func TestReadyOnInputAndEOF(t *testing.T) {
	p := newPoller(t, 2)
	a, b := tcpPair(t)
	r := newReader(t, b, 64)
	if err := p.Register(&r.reg, r.rc, r); err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("hello"))
	if got := string(recv(t, r.got)); got != "hello" {
		t.Fatalf("got %q", got)
	}
	a.Write([]byte("again"))
	if got := string(recv(t, r.got)); got != "again" {
		t.Fatalf("got %q", got)
	}
	a.Close()
	select {
	case <-r.eof:
	case <-time.After(5 * time.Second):
		t.Fatal("no EOF")
	}
}

// TestLevelTriggeredTurns: a handler that reads a little per call is
// called again while input remains, and a socket with a flood of input
// does not keep another one of the same loop waiting.
func TestLevelTriggeredTurns(t *testing.T) {
	p := newPoller(t, 1)
	a, b := tcpPair(t)
	c, d := tcpPair(t)
	flood := newReader(t, b, 1)
	quiet := newReader(t, d, 64)
	flood.got = make(chan []byte, 1<<20)
	for _, r := range []*reader{flood, quiet} {
		if err := p.Register(&r.reg, r.rc, r); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 200<<10)
	go a.Write(big)
	time.Sleep(10 * time.Millisecond)
	c.Write([]byte("x"))
	recv(t, quiet.got)
	if n := flood.calls.Load(); n >= int64(len(big))/2 {
		t.Fatalf("the flooded socket was served %d times before the other one", n)
	}
	total := 0
	for total < len(big) {
		total += len(recv(t, flood.got))
	}
}

func TestWakeAndSuspend(t *testing.T) {
	p := newPoller(t, 1)
	a, b := tcpPair(t)
	r := newReader(t, b, 64)
	var suspend atomic.Bool
	var once sync.Once
	resumed := make(chan struct{})
	r.onReady = func() {
		if !suspend.Load() {
			return
		}
		once.Do(func() {
			r.reg.Suspend()
			go func() {
				time.Sleep(50 * time.Millisecond)
				if !r.reg.Resume() {
					t.Error("Resume reported false")
				}
				close(resumed)
			}()
		})
	}
	if err := p.Register(&r.reg, r.rc, r); err != nil {
		t.Fatal(err)
	}
	before := r.calls.Load()
	r.reg.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for r.calls.Load() == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if r.calls.Load() == before {
		t.Fatal("Wake did not call Ready")
	}

	// Suspended: input does not call Ready; Resume does, once.
	suspend.Store(true)
	a.Write([]byte("one"))
	if got := string(recv(t, r.got)); got != "one" {
		t.Fatalf("got %q", got)
	}
	calls := r.calls.Load()
	a.Write([]byte("two"))
	time.Sleep(20 * time.Millisecond)
	if r.calls.Load() != calls {
		t.Fatal("Ready called while suspended")
	}
	<-resumed
	if got := string(recv(t, r.got)); got != "two" {
		t.Fatalf("got %q", got)
	}
}

func TestCloseStopsActiveRegistrations(t *testing.T) {
	p, err := New(2)
	if err != nil {
		t.Fatal(err)
	}
	var readers []*reader
	var conns []*net.TCPConn
	for range 4 {
		_, b := tcpPair(t)
		conns = append(conns, b)
	}
	time.Sleep(10 * time.Millisecond) // tcpPair's accepting goroutines end
	before := runtime.NumGoroutine()
	for _, b := range conns {
		r := newReader(t, b, 64)
		if err := p.Register(&r.reg, r.rc, r); err != nil {
			t.Fatal(err)
		}
		readers = append(readers, r)
	}
	if g := runtime.NumGoroutine(); g != before {
		t.Fatalf("registrations started goroutines: %d -> %d", before, g)
	}
	readers[0].reg.Unregister()
	p.Close()
	for i, r := range readers {
		select {
		case <-r.stopped:
			if i == 0 {
				t.Fatal("Stopped called after Unregister")
			}
		default:
			if i != 0 {
				t.Fatalf("registration %d not stopped", i)
			}
		}
	}
	_, b := tcpPair(t)
	r := newReader(t, b, 64)
	if err := p.Register(&r.reg, r.rc, r); err != ErrClosed {
		t.Fatalf("Register after Close: %v", err)
	}
}

// TestClosedSocketLeavesSilently: a socket closed elsewhere leaves the
// epoll set by itself; Wake lets the handler notice, and the slot can be
// reused without stale events reaching the new registration.
func TestClosedSocketLeavesSilently(t *testing.T) {
	p := newPoller(t, 1)
	for range 50 {
		a, b := tcpPair(t)
		r := newReader(t, b, 64)
		if err := p.Register(&r.reg, r.rc, r); err != nil {
			t.Fatal(err)
		}
		a.Write([]byte("x"))
		b.Close()
		r.reg.Wake()
		select {
		case <-r.eof:
		case <-time.After(5 * time.Second):
			t.Fatal("closed socket never noticed")
		}
	}
}
