package websocket

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// ctxMutex is a mutex whose lock can be abandoned when a context ends, so
// that a writer waiting behind a slow one obeys its own deadline. Its zero
// value is unlocked, and it allocates nothing unless goroutines wait for it:
// a Conn holds three, and an idle connection should cost little.
//
// The lock is handed over in FIFO order to the goroutines that wait for it.
type ctxMutex struct {
	state atomic.Int32 // mutexFree, mutexHeld or mutexWaited

	mu      sync.Mutex       // guards waiters and the mutexWaited state
	waiters *[]chan struct{} // closed to hand the lock to its waiter; made by the first wait
}

const (
	mutexFree   = iota
	mutexHeld   // held, nobody waits
	mutexWaited // held, and the waiters list may not be empty
)

// errLockStopped is lockOr's error when one of its channels closed first.
var errLockStopped = errors.New("websocket: stopped waiting for a lock")

// lock takes the mutex or returns ctx's error.
func (m *ctxMutex) lock(ctx context.Context) error {
	if m.state.CompareAndSwap(mutexFree, mutexHeld) {
		return nil
	}
	return m.lockSlow(ctx, nil, nil)
}

// lockOr takes the mutex unless ctx ends (it returns ctx's error) or a or b
// is closed first (errLockStopped). A nil channel is never closed.
func (m *ctxMutex) lockOr(ctx context.Context, a, b <-chan struct{}) error {
	if m.state.CompareAndSwap(mutexFree, mutexHeld) {
		return nil
	}
	return m.lockSlow(ctx, a, b)
}

func (m *ctxMutex) lockSlow(ctx context.Context, a, b <-chan struct{}) error {
	m.mu.Lock()
	for {
		if m.state.CompareAndSwap(mutexFree, mutexHeld) {
			m.mu.Unlock()
			return nil
		}
		if m.state.CompareAndSwap(mutexHeld, mutexWaited) || m.state.Load() == mutexWaited {
			break
		}
	}
	if ctx.Err() != nil {
		m.cancelWaitLocked(nil)
		m.mu.Unlock()
		return ctx.Err()
	}
	ch := make(chan struct{})
	if m.waiters == nil {
		m.waiters = new([]chan struct{})
	}
	*m.waiters = append(*m.waiters, ch)
	m.mu.Unlock()
	var err error
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-a:
		err = errLockStopped
	case <-b:
		err = errLockStopped
	}
	m.mu.Lock()
	if slices.Contains(*m.waiters, ch) {
		m.cancelWaitLocked(ch)
		m.mu.Unlock()
		return err
	}
	m.mu.Unlock()
	// The lock was handed over as the wait ended: pass it on.
	m.unlock()
	return err
}

// cancelWaitLocked removes ch (if not nil) from the waiters; when none is
// left, the state says so again. The caller holds m.mu.
func (m *ctxMutex) cancelWaitLocked(ch chan struct{}) {
	if m.waiters != nil && ch != nil {
		*m.waiters = slices.DeleteFunc(*m.waiters, func(w chan struct{}) bool { return w == ch })
	}
	if m.waiters == nil || len(*m.waiters) == 0 {
		m.state.CompareAndSwap(mutexWaited, mutexHeld)
	}
}

// tryLock takes the mutex if it is free, without waiting.
func (m *ctxMutex) tryLock() bool {
	return m.state.CompareAndSwap(mutexFree, mutexHeld)
}

// unlock releases the mutex, handing it to the longest waiter if any.
func (m *ctxMutex) unlock() {
	if m.state.CompareAndSwap(mutexHeld, mutexFree) {
		return
	}
	m.mu.Lock()
	if m.waiters == nil || len(*m.waiters) == 0 {
		m.state.Store(mutexFree)
		m.mu.Unlock()
		return
	}
	w := *m.waiters
	ch := w[0]
	*m.waiters = slices.Delete(w, 0, 1) // FIFO; the queue is short
	if len(*m.waiters) == 0 {
		m.state.Store(mutexHeld)
	}
	m.mu.Unlock()
	close(ch)
}
