package websocket

import (
	"context"
	"net/http"
	"sync"
)

// Server tracks the connections it accepts, so that a program can close
// them all gracefully in one call. The zero value is ready to use.
//
// http.Server.Shutdown does not wait for WebSocket connections, since they
// are hijacked from it; call Server.Shutdown too, for instance:
//
//	var wss websocket.Server
//	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
//		c, err := wss.Accept(w, r, nil)
//		...
//	})
//	...
//	srv.Shutdown(ctx) // stops the listeners and the plain HTTP requests
//	wss.Shutdown(ctx) // closes every WebSocket with 1001
type Server struct {
	mu       sync.Mutex
	conns    map[*Conn]struct{}
	shutting bool
}

// Accept is Accept, with the connection tracked until it closes. Once
// Shutdown has begun, it refuses new connections with 503 Service
// Unavailable.
func (s *Server) Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	s.mu.Lock()
	shutting := s.shutting
	s.mu.Unlock()
	if shutting {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return nil, ErrServerClosed
	}
	c, err := Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		c.Close(CloseGoingAway, "server shutting down")
		return nil, ErrServerClosed
	}
	if s.conns == nil {
		s.conns = make(map[*Conn]struct{})
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	c.onClose(func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	})
	return c, nil
}

// Len returns the number of open connections.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ErrServerClosed is returned by Server.Accept after Shutdown has begun.
var ErrServerClosed = errorString("websocket: server shutting down")

type errorString string

func (e errorString) Error() string { return string(e) }

// Shutdown closes every connection gracefully: it sends each a close frame
// with 1001 (going away) and waits for their closing handshakes until ctx
// ends; then it closes whatever is left at once and returns ctx's error. It
// returns nil if every handshake completed (or failed on its own) in time.
// New connections are refused from the start.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutting = true
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.closeCtx(ctx, CloseGoingAway, "server shutting down")
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		for _, c := range conns {
			c.CloseNow()
		}
		return ctx.Err()
	}
	return nil
}
