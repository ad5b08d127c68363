package websocket

import "sync/atomic"

// signal is a one-time event, like a channel that is closed once, whose
// channel is only made if someone waits for it: a Conn has two, and most
// connections never wait on them. The zero value is an event that has not
// happened.
type signal struct {
	fired atomic.Bool
	ch    atomic.Pointer[chan struct{}] // made by the first wait, or &closedChan once fired
}

// closedChan is what wait returns once the event has happened, when no
// channel was made before.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// wait returns a channel that is closed when the event happens.
func (s *signal) wait() <-chan struct{} {
	if p := s.ch.Load(); p != nil {
		return *p
	}
	ch := make(chan struct{})
	if s.ch.CompareAndSwap(nil, &ch) {
		return ch
	}
	return *s.ch.Load() // another wait made one, or the event happened
}

// fire makes the event happen; only its first call does anything.
func (s *signal) fire() {
	if s.fired.Swap(true) {
		return
	}
	if p := s.ch.Swap(&closedChan); p != nil {
		close(*p)
	}
}

// happened reports whether the event has happened.
func (s *signal) happened() bool { return s.fired.Load() }
