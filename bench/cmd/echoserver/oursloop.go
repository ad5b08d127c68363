package main

import (
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/wsstack/websocket"
)

// oursLoopServer is this repository's library in event-loop mode: net/http,
// AcceptWebSocket with a Poller (one loop per CPU, the recommended setup),
// so that an idle connection holds no goroutine; the message handler
// echoes with Send, binary messages as []byte (BinaryType arraybuffer).
type oursLoopServer struct {
	opts   websocket.AcceptOptions
	wsOpts websocket.Options
	set    connSet[*websocket.WebSocket]
}

func newOursLoop(compress bool) server {
	p, err := websocket.NewPoller(0)
	if err != nil {
		log.Fatal(err)
	}
	s := &oursLoopServer{opts: websocket.AcceptOptions{
		InsecureSkipOriginCheck: true,
		ConnOptions: websocket.ConnOptions{
			ReadLimit: readLimit,
		},
	}}
	if compress {
		// As for ours: the library's defaults.
		s.opts.Compression = &websocket.CompressionOptions{}
	}
	s.wsOpts = websocket.Options{
		Poller:         p,
		PingInterval:   -1, // keepalive off
		MaxMessageSize: readLimit,
		OnMessage: func(e *websocket.MessageEvent) {
			e.Target().(*websocket.WebSocket).Send(e.Data)
		},
		OnClose: func(e *websocket.CloseEvent) {
			ws := e.Target().(*websocket.WebSocket)
			s.set.remove(ws, strings.Contains(ws.Extensions(), "permessage-deflate"))
		},
	}
	return s
}

func (s *oursLoopServer) serve(ln net.Listener) error {
	go (&http.Server{Handler: s}).Serve(ln)
	return nil
}

func (s *oursLoopServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	websocket.AcceptWebSocket(w, r, &s.opts, &s.wsOpts, func(ws *websocket.WebSocket) {
		ws.SetBinaryType(websocket.BinaryTypeArrayBuffer)
		ws.SetOnOpen(func(*websocket.Event) {
			s.set.add(ws, strings.Contains(ws.Extensions(), "permessage-deflate"))
		})
	})
}

func (s *oursLoopServer) broadcast(msg []byte) int {
	n := 0
	for _, ws := range s.set.snapshot() {
		if ws.Send(msg) == nil {
			n++
		}
	}
	return n
}

func (s *oursLoopServer) stats() (int, int) { return s.set.stats() }
