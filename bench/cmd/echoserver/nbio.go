package main

import (
	"net"
	"net/http"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"
)

// nbioServer is lesismal/nbio: its nbhttp engine (non-blocking I/O on its
// own epoll pollers, the default IOModNonBlocking) serving the handshake,
// and its websocket Upgrader with an OnMessage handler that echoes with
// WriteMessage. Payload buffers go back to the engine after each call
// (ReleaseWebsocketPayload), as nbio's default engine does; the Upgrader's
// read deadline (KeepaliveTime) is off.
type nbioServer struct {
	up  *websocket.Upgrader
	set connSet[*websocket.Conn]
}

func newNbio(compress bool) server {
	logging.SetLevel(logging.LevelError)
	s := &nbioServer{up: websocket.NewUpgrader()}
	s.up.KeepaliveTime = 0
	s.up.MessageLengthLimit = readLimit
	s.up.CheckOrigin = func(*http.Request) bool { return true }
	s.up.EnableCompression(compress)
	s.up.OnOpen(func(c *websocket.Conn) { s.set.add(c, false) })
	s.up.OnClose(func(c *websocket.Conn, err error) { s.set.remove(c, false) })
	s.up.OnMessage(func(c *websocket.Conn, typ websocket.MessageType, data []byte) {
		c.WriteMessage(typ, data)
	})
	return s
}

func (s *nbioServer) serve(ln net.Listener) error {
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network:                 "tcp",
		Addrs:                   []string{ln.Addr().String()},
		Listen:                  func(string, string) (net.Listener, error) { return ln, nil },
		MaxLoad:                 1 << 20,
		ReleaseWebsocketPayload: true,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.up.Upgrade(w, r, nil)
		}),
	})
	return engine.Start()
}

func (s *nbioServer) broadcast(msg []byte) int {
	n := 0
	for _, c := range s.set.snapshot() {
		if c.WriteMessage(websocket.BinaryMessage, msg) == nil {
			n++
		}
	}
	return n
}

// stats reports compression as unknown: nbio does not expose what it
// negotiated.
func (s *nbioServer) stats() (int, int) {
	n, _ := s.set.stats()
	return n, -1
}
