package websocket

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestCtxMutex(t *testing.T) {
	t.Run("uncontended", func(t *testing.T) {
		var m ctxMutex
		if err := m.lock(context.Background()); err != nil {
			t.Fatal(err)
		}
		if m.tryLock() {
			t.Fatal("tryLock took a held mutex")
		}
		m.unlock()
		if !m.tryLock() {
			t.Fatal("tryLock failed on a free mutex")
		}
		m.unlock()
	})
	t.Run("handed over in order", func(t *testing.T) {
		var m ctxMutex
		m.lock(context.Background())
		order := make(chan int, 3)
		for i := range 3 {
			go func() {
				m.lock(context.Background())
				order <- i
				m.unlock()
			}()
			waitWaiters(t, &m, i+1)
		}
		m.unlock()
		for want := range 3 {
			if got := <-order; got != want {
				t.Fatalf("waiter %d got the lock in turn %d", got, want)
			}
		}
		if !m.tryLock() {
			t.Fatal("the mutex is not free after the last waiter")
		}
	})
	t.Run("abandoned wait", func(t *testing.T) {
		var m ctxMutex
		m.lock(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if err := m.lock(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("lock: %v, want the deadline", err)
		}
		m.unlock()
		if !m.tryLock() {
			t.Fatal("an abandoned wait left the mutex held")
		}
	})
	t.Run("ended context", func(t *testing.T) {
		var m ctxMutex
		m.lock(context.Background())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := m.lock(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("lock: %v", err)
		}
		m.unlock()
		if !m.tryLock() {
			t.Fatal("mutex not free")
		}
	})
	t.Run("lockOr stopped", func(t *testing.T) {
		var m ctxMutex
		m.lock(context.Background())
		stop := make(chan struct{})
		time.AfterFunc(10*time.Millisecond, func() { close(stop) })
		if err := m.lockOr(context.Background(), nil, stop); !errors.Is(err, errLockStopped) {
			t.Fatalf("lockOr: %v", err)
		}
		m.unlock()
		if !m.tryLock() {
			t.Fatal("mutex not free")
		}
	})
	t.Run("stress", func(t *testing.T) {
		// Goroutines lock with contexts that end at random moments, some
		// exactly as the lock is handed to them: the count proves mutual
		// exclusion, and the mutex ends free.
		var m ctxMutex
		var wg sync.WaitGroup
		inside, count := 0, 0
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 300 {
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration((g*7+i)%5)*20*time.Microsecond)
					if m.lock(ctx) == nil {
						inside++
						if inside != 1 {
							t.Error("two holders")
						}
						count++
						runtime.Gosched() // let others queue up and give up
						inside--
						m.unlock()
					}
					cancel()
				}
			}()
		}
		wg.Wait()
		if !m.tryLock() {
			t.Fatal("mutex not free at the end")
		}
		t.Logf("%d of 2400 locks taken", count)
	})
}

// waitWaiters waits until n goroutines wait for m.
func waitWaiters(t *testing.T, m *ctxMutex, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		m.mu.Lock()
		got := 0
		if m.waiters != nil {
			got = len(*m.waiters)
		}
		m.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", got, n)
		}
	}
}

func BenchmarkCtxMutex(b *testing.B) {
	var m ctxMutex
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		m.lock(ctx)
		m.unlock()
	}
}
