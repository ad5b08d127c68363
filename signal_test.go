package websocket

import (
	"testing"
	"time"
)

func TestSignal(t *testing.T) {
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	t.Run("wait before fire", func(t *testing.T) {
		var s signal
		ch := s.wait()
		if closed(ch) || s.happened() {
			t.Fatal("fired before fire")
		}
		if s.wait() != ch {
			t.Fatal("a second wait made another channel")
		}
		go func() { time.Sleep(5 * time.Millisecond); s.fire() }()
		<-ch
		if !s.happened() {
			t.Fatal("happened is false after fire")
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		// Waits racing with fire all get a channel that ends closed.
		for range 200 {
			var s signal
			got := make(chan (<-chan struct{}), 4)
			for range 4 {
				go func() { got <- s.wait() }()
			}
			go s.fire()
			for range 4 {
				select {
				case <-<-got:
				case <-time.After(5 * time.Second):
					t.Fatal("a wait's channel never closed")
				}
			}
		}
	})
	t.Run("fire before wait", func(t *testing.T) {
		var s signal
		s.fire()
		s.fire() // a second fire does nothing
		if !closed(s.wait()) || !s.happened() {
			t.Fatal("wait after fire is not closed")
		}
		if s.wait() != closedChan {
			t.Fatal("a channel was made for an event that had happened")
		}
	})
}
