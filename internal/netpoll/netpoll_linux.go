//go:build linux

package netpoll

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Poller is a set of loops, each an epoll instance and a goroutine.
type Poller struct {
	loops []*loop
	next  atomic.Uint32 // round-robin choice of a loop for the next socket
	wg    sync.WaitGroup
	once  sync.Once
}

// New starts a Poller with n loops; n <= 0 means GOMAXPROCS.
func New(n int) (*Poller, error) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Poller{}
	for range n {
		l, err := newLoop()
		if err != nil {
			for _, l := range p.loops {
				l.closeFiles()
			}
			return nil, err
		}
		p.loops = append(p.loops, l)
	}
	for _, l := range p.loops {
		p.wg.Add(1)
		go l.run(&p.wg)
	}
	return p, nil
}

// Loops returns the number of loops.
func (p *Poller) Loops() int { return len(p.loops) }

// Close stops the loops and waits for their goroutines to end. Each active
// registration gets a last call, Stopped; a suspended one's Resume
// reports false. Registering fails afterwards. Close must not be called
// from a Handler.
func (p *Poller) Close() error {
	p.once.Do(func() {
		for _, l := range p.loops {
			l.mu.Lock()
			l.closing = true
			l.signalLocked()
			l.mu.Unlock()
		}
		p.wg.Wait()
	})
	return nil
}

// Register starts watching the socket behind rc for input, with h as its
// handler, on one of the loops; r records the registration (it is the
// caller's memory, so that a registration allocates nothing; a Reg is
// registered once). What the caller wrote before Register is visible to
// h's calls.
func (p *Poller) Register(r *Reg, rc syscall.RawConn, h Handler) error {
	l := p.loops[int(p.next.Add(1)-1)%len(p.loops)]
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closing {
		return ErrClosed
	}
	var slot uint32
	if n := len(l.free); n > 0 {
		slot = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		slot = uint32(len(l.regs))
		l.regs = append(l.regs, nil)
	}
	l.gen++
	r.rc, r.h, r.slot, r.gen = rc, h, slot, l.gen
	if err := l.ctl(r, syscall.EPOLL_CTL_ADD); err != nil {
		l.free = append(l.free, slot)
		return err
	}
	l.regs[slot] = r
	r.state = regActive
	r.l.Store(l)
	return nil
}

// Reg is a registration of a socket with a Poller.
type Reg struct {
	// l is set once registered. It is atomic because Wake may be called
	// from any goroutine, even while Register runs; the other fields are
	// written before it, or under l.mu.
	l     atomic.Pointer[loop]
	rc    syscall.RawConn
	h     Handler
	slot  uint32   // index in l.regs, and the epoll event's data with gen
	gen   uint32   // tells this registration from earlier users of the slot
	state regState // guarded by l.mu
	woken bool     // guarded by l.mu: r is in l.woken
	turn  uint64   // guarded by l.mu: the last turn whose batch held r
}

type regState uint8

const (
	regGone      regState = iota // not registered (never, or no more)
	regActive                    // in the epoll set
	regSuspended                 // out of the epoll set until Resume
)

// Unregister stops watching the socket, for good. It may be called from
// any goroutine; called from elsewhere than the handler, a call of Ready
// already under way may still run.
func (r *Reg) Unregister() {
	l := r.l.Load()
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch r.state {
	case regActive:
		// Inside Control, so the descriptor is still this socket's: once
		// the socket is closed, the kernel has dropped it from the epoll
		// set itself, and Control fails.
		l.ctl(r, syscall.EPOLL_CTL_DEL)
	case regSuspended:
	default:
		return
	}
	r.state = regGone
	l.regs[r.slot] = nil
	l.free = append(l.free, r.slot)
}

// Suspend takes the socket out of the epoll set: no Ready call until
// Resume. It is meant for a handler that has to wait: it suspends its
// registration from Ready, waits on a goroutine of its own, then resumes.
func (r *Reg) Suspend() {
	l := r.l.Load()
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.state == regActive {
		l.ctl(r, syscall.EPOLL_CTL_DEL)
		r.state = regSuspended
	}
}

// Resume puts a suspended socket back into the epoll set and makes Ready
// run at the next turn of the loop, whether the socket is readable or not
// (the handler may have input of its own to go on with). It reports false
// if the registration is gone (the poller was closed meanwhile): the caller
// keeps the socket.
func (r *Reg) Resume() bool {
	l := r.l.Load()
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.state != regSuspended || l.closing {
		return false
	}
	// If the socket was closed meanwhile, Control fails and the socket
	// stays out of the set; the Ready queued below finds it closed.
	l.ctl(r, syscall.EPOLL_CTL_ADD)
	r.state = regActive
	l.wakeLocked(r)
	return true
}

// Wake makes Ready run at the next turn of the loop, whether the socket
// is readable or not; for instance to let the handler notice that the
// socket was closed by another goroutine (a closed socket leaves the epoll
// set silently). It may be called from any goroutine; it does nothing if
// the registration is not active.
func (r *Reg) Wake() {
	l := r.l.Load()
	if l == nil {
		return
	}
	l.mu.Lock()
	if r.state == regActive && !l.closing {
		l.wakeLocked(r)
	}
	l.mu.Unlock()
}

// loop is an epoll instance and the goroutine that serves it.
type loop struct {
	epfd  int
	file  *os.File        // epfd, as the runtime's poller sees it
	rc    syscall.RawConn // file's
	wakeR int             // a non-blocking pipe: its reading end is in the epoll set,
	wakeW int             // so that a byte written here wakes the loop

	mu      sync.Mutex
	regs    []*Reg // by slot; nil for a free slot
	free    []uint32
	gen     uint32
	woken   []*Reg // registrations due a Ready call
	wakeSet bool   // a byte is in the pipe
	closing bool   // Close was called: the loop ends at its next turn
	turn    uint64

	// Used by the loop's goroutine only.
	events []syscall.EpollEvent
	batch  []*Reg
}

// The epoll event data of the pipe; sockets have slot numbers, >= 0.
const wakeData = -1

const (
	watched       = syscall.EPOLLIN | syscall.EPOLLRDHUP // plus EPOLLHUP and EPOLLERR, always
	eventsPerTurn = 256
)

func newLoop() (*loop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	l := &loop{epfd: epfd, wakeR: -1, wakeW: -1, events: make([]syscall.EpollEvent, eventsPerTurn)}
	// The runtime's poller takes a non-blocking descriptor: the loop parks
	// on it as on a socket, without holding an OS thread.
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	l.file = os.NewFile(uintptr(epfd), "epoll")
	if err := l.file.SetReadDeadline(time.Time{}); err != nil {
		// os.NewFile could not put it in the runtime's poller.
		l.file.Close()
		return nil, err
	}
	if l.rc, err = l.file.SyscallConn(); err != nil {
		l.file.Close()
		return nil, err
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		l.file.Close()
		return nil, os.NewSyscallError("pipe2", err)
	}
	l.wakeR, l.wakeW = p[0], p[1]
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeData}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, l.wakeR, &ev); err != nil {
		l.closeFiles()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	return l, nil
}

func (l *loop) closeFiles() {
	l.file.Close()
	if l.wakeR >= 0 {
		syscall.Close(l.wakeR)
		syscall.Close(l.wakeW)
	}
}

// ctl adds or deletes r's socket in the epoll set. The caller holds l.mu,
// and the loop is not closed. The socket's descriptor is used inside
// Control, so that it cannot be closed (and its number reused) meanwhile.
func (l *loop) ctl(r *Reg, op int) error {
	var err error
	cerr := r.rc.Control(func(fd uintptr) {
		ev := syscall.EpollEvent{Events: watched, Fd: int32(r.slot), Pad: int32(r.gen)}
		err = syscall.EpollCtl(l.epfd, op, int(fd), &ev)
	})
	if cerr != nil {
		return cerr
	}
	if err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// wakeLocked queues r for a Ready call. The caller holds l.mu.
func (l *loop) wakeLocked(r *Reg) {
	if !r.woken {
		r.woken = true
		l.woken = append(l.woken, r)
	}
	l.signalLocked()
}

// signalLocked wakes the loop's goroutine. The caller holds l.mu, which
// keeps the pipe open.
func (l *loop) signalLocked() {
	if !l.wakeSet {
		l.wakeSet = true
		b := [1]byte{1}
		syscall.Write(l.wakeW, b[:]) // cannot be full: one byte at most
	}
}

// run is the loop's goroutine: wait, collect the ready registrations, call
// their handlers, again.
func (l *loop) run(wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		n, err := l.wait()
		if err != nil || !l.collect(n) {
			l.shutdown()
			return
		}
		for i, r := range l.batch {
			r.h.Ready()
			l.batch[i] = nil
		}
		l.batch = l.batch[:0]
	}
}

// wait returns the next events, parking the goroutine in the runtime's
// poller while there are none.
func (l *loop) wait() (int, error) {
	var n int
	var werr error
	err := l.rc.Read(func(fd uintptr) bool {
		for {
			n, werr = syscall.EpollWait(int(fd), l.events, 0)
			if werr != syscall.EINTR {
				break
			}
		}
		return n > 0 || werr != nil
	})
	if err == nil && werr != nil {
		err = os.NewSyscallError("epoll_wait", werr)
	}
	return n, err
}

// collect turns n events into the batch of registrations whose handlers
// run this turn, each once. It reports false when the loop must end.
func (l *loop) collect(n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closing {
		return false
	}
	l.turn++
	for i := range n {
		ev := &l.events[i]
		if ev.Fd == wakeData {
			var buf [16]byte
			for {
				if m, err := syscall.Read(l.wakeR, buf[:]); m <= 0 && err != syscall.EINTR {
					break
				}
			}
			l.wakeSet = false
			for j, r := range l.woken {
				r.woken = false
				l.addLocked(r)
				l.woken[j] = nil
			}
			l.woken = l.woken[:0]
			continue
		}
		slot := uint32(ev.Fd)
		if slot < uint32(len(l.regs)) {
			// A stale event of a socket closed and unregistered since
			// finds its slot empty or reused: gen tells.
			if r := l.regs[slot]; r != nil && r.gen == uint32(ev.Pad) {
				l.addLocked(r)
			}
		}
	}
	return true
}

func (l *loop) addLocked(r *Reg) {
	if r.state == regActive && r.turn != l.turn {
		r.turn = l.turn
		l.batch = append(l.batch, r)
	}
}

// shutdown ends the loop: every registration is gone, the active ones are
// told, the descriptors are closed.
func (l *loop) shutdown() {
	l.mu.Lock()
	l.closing = true
	var stopped []*Reg
	for _, r := range l.regs {
		if r == nil {
			continue
		}
		if r.state == regActive {
			stopped = append(stopped, r)
		}
		r.state = regGone
	}
	l.regs, l.free, l.woken = nil, nil, nil
	l.closeFiles() // under l.mu: no ctl or signal is under way
	l.mu.Unlock()
	for _, r := range stopped {
		r.h.Stopped()
	}
}
