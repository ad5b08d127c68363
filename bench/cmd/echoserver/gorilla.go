package main

import (
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// gorillaServer is gorilla/websocket: net/http, Upgrader, then one
// goroutine per connection with ReadMessage and WriteMessage (whose server
// path writes the frame without copying it through the write buffer). A
// gorilla connection allows one writer at a time, so writes take the
// connection's mutex, as a server that also broadcasts must.
type gorillaServer struct {
	up  websocket.Upgrader
	set connSet[*gorillaConn]
}

type gorillaConn struct {
	mu sync.Mutex
	c  *websocket.Conn
}

func newGorilla(compress bool) server {
	return &gorillaServer{up: websocket.Upgrader{
		EnableCompression: compress,
		CheckOrigin:       func(*http.Request) bool { return true },
	}}
}

func (s *gorillaServer) serve(ln net.Listener) error {
	go (&http.Server{Handler: s}).Serve(ln)
	return nil
}

func (s *gorillaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	c.SetReadLimit(readLimit)
	// gorilla reports the negotiated extension only in the response it
	// wrote; Upgrade accepts permessage-deflate whenever it is enabled
	// and offered.
	deflate := s.up.EnableCompression && offersDeflate(r)
	gc := &gorillaConn{c: c}
	s.set.add(gc, deflate)
	defer s.set.remove(gc, deflate)
	for {
		typ, msg, err := c.ReadMessage()
		if err != nil {
			return
		}
		gc.mu.Lock()
		err = c.WriteMessage(typ, msg)
		gc.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (s *gorillaServer) broadcast(msg []byte) int {
	pm, err := websocket.NewPreparedMessage(websocket.BinaryMessage, msg)
	if err != nil {
		return 0
	}
	n := 0
	for _, gc := range s.set.snapshot() {
		gc.mu.Lock()
		if gc.c.WritePreparedMessage(pm) == nil {
			n++
		}
		gc.mu.Unlock()
	}
	return n
}

func (s *gorillaServer) stats() (int, int) { return s.set.stats() }
