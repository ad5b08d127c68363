package main

import (
	"net/http"
	"strings"
	"sync"
)

// connSet is the set of a server's open connections, for broadcasts and
// statistics.
type connSet[T comparable] struct {
	mu         sync.Mutex
	conns      map[T]struct{}
	compressed int
}

func (s *connSet[T]) add(c T, compressed bool) {
	s.mu.Lock()
	if s.conns == nil {
		s.conns = make(map[T]struct{})
	}
	s.conns[c] = struct{}{}
	if compressed {
		s.compressed++
	}
	s.mu.Unlock()
}

func (s *connSet[T]) remove(c T, compressed bool) {
	s.mu.Lock()
	if _, ok := s.conns[c]; ok {
		delete(s.conns, c)
		if compressed {
			s.compressed--
		}
	}
	s.mu.Unlock()
}

// snapshot returns the open connections.
func (s *connSet[T]) snapshot() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]T, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *connSet[T]) stats() (conns, compressed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns), s.compressed
}

// offersDeflate reports whether the handshake request offers
// permessage-deflate.
func offersDeflate(r *http.Request) bool {
	for _, v := range r.Header.Values("Sec-WebSocket-Extensions") {
		if strings.Contains(v, "permessage-deflate") {
			return true
		}
	}
	return false
}
