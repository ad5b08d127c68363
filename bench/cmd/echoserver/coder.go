package main

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/coder/websocket"
)

// coderServer is coder/websocket: net/http, Accept, then one goroutine per
// connection (the handler's) with Read and Write.
type coderServer struct {
	opts websocket.AcceptOptions
	set  connSet[*websocket.Conn]
}

func newCoder(compress bool) server {
	mode := websocket.CompressionDisabled
	if compress {
		// The mode the load generator offers: no context takeover.
		mode = websocket.CompressionNoContextTakeover
	}
	return &coderServer{opts: websocket.AcceptOptions{
		InsecureSkipVerify: true,
		CompressionMode:    mode,
	}}
}

func (s *coderServer) serve(ln net.Listener) error {
	go (&http.Server{Handler: s}).Serve(ln)
	return nil
}

func (s *coderServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &s.opts)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(readLimit) // the default, 32 KiB, is below the biggest message
	deflate := s.opts.CompressionMode != websocket.CompressionDisabled &&
		strings.Contains(w.Header().Get("Sec-WebSocket-Extensions"), "permessage-deflate")
	s.set.add(c, deflate)
	defer s.set.remove(c, deflate)
	ctx := context.Background()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
	}
}

func (s *coderServer) broadcast(msg []byte) int {
	n := 0
	ctx := context.Background()
	for _, c := range s.set.snapshot() {
		if c.Write(ctx, websocket.MessageBinary, msg) == nil {
			n++
		}
	}
	return n
}

func (s *coderServer) stats() (int, int) { return s.set.stats() }
