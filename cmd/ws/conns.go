package main

import (
	"context"
	"sync"

	"github.com/wsstack/websocket"
)

// connSet tracks the server's WebSocket connections so that a shutdown can
// close them all and wait for their handlers.
type connSet struct {
	mu       sync.Mutex
	conns    map[*websocket.Conn]struct{}
	active   int           // handlers between begin and end
	closing  bool          // shutdown has started
	idle     chan struct{} // closed when active drops to 0 while closing
	code     websocket.CloseCode
	reason   string
	closeWG  sync.WaitGroup // Close calls started by the shutdown
	initOnce sync.Once
}

func (s *connSet) init() {
	s.initOnce.Do(func() {
		s.conns = make(map[*websocket.Conn]struct{})
		s.idle = make(chan struct{})
	})
}

// begin records a handler that is about to accept a connection. It reports
// false, recording nothing, once the shutdown has started.
func (s *connSet) begin() bool {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.active++
	return true
}

// add tracks an accepted connection of a handler that called begin. If the
// shutdown has started meanwhile, the connection is closed at once.
func (s *connSet) add(c *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = struct{}{}
	if s.closing {
		s.startClose(c)
	}
}

// end records that a handler that called begin has returned; c is its
// connection, or nil if the handshake failed.
func (s *connSet) end(c *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c != nil {
		delete(s.conns, c)
	}
	s.active--
	if s.closing && s.active == 0 {
		close(s.idle)
	}
}

// len returns the number of open connections.
func (s *connSet) len() int {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// startClose starts the closing handshake of c in the background. The caller
// holds mu.
func (s *connSet) startClose(c *websocket.Conn) {
	s.closeWG.Go(func() { c.Close(s.code, s.reason) })
}

// shutdown closes every connection with code and reason, and the ones
// accepted from now on, then waits until every handler has returned. When
// ctx ends first, it drops the connections still open without a handshake
// and returns ctx's error once their handlers have returned.
func (s *connSet) shutdown(ctx context.Context, code websocket.CloseCode, reason string) error {
	s.init()
	s.mu.Lock()
	s.closing, s.code, s.reason = true, code, reason
	if s.active == 0 {
		close(s.idle)
	}
	for c := range s.conns {
		s.startClose(c)
	}
	s.mu.Unlock()

	var err error
	select {
	case <-s.idle:
	case <-ctx.Done():
		err = ctx.Err()
		s.mu.Lock()
		for c := range s.conns {
			c.CloseNow()
		}
		s.mu.Unlock()
		<-s.idle // a dropped connection ends its handler's Read at once
	}
	s.closeWG.Wait()
	return err
}
