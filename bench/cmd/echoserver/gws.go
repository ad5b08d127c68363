package main

import (
	"net"

	"github.com/lxzan/gws"
)

// gwsServer is lxzan/gws: its own server (gws.Server: raw listener,
// http.ReadRequest, upgrade without net/http's server), one ReadLoop
// goroutine per connection calling an event handler, with the defaults
// ParallelEnabled=false and no asynchronous reads; the handler echoes with
// WriteMessage. Broadcasts use gws.Broadcaster, which encodes the frame
// once.
type gwsServer struct {
	opt *gws.ServerOption
	set connSet[*gws.Conn]
}

func newGws(compress bool) server {
	s := &gwsServer{opt: &gws.ServerOption{
		ReadMaxPayloadSize: readLimit,
		PermessageDeflate: gws.PermessageDeflate{
			Enabled: compress,
			// The mode the load generator offers: no context takeover.
			ServerContextTakeover: false,
			ClientContextTakeover: false,
		},
	}}
	return s
}

func (s *gwsServer) serve(ln net.Listener) error {
	srv := gws.NewServer(&gwsHandler{s: s}, s.opt)
	srv.OnError = func(net.Conn, error) {} // accept and handshake errors: the load generator's
	go srv.RunListener(ln)
	return nil
}

func (s *gwsServer) broadcast(msg []byte) int {
	b := gws.NewBroadcaster(gws.OpcodeBinary, msg)
	defer b.Close()
	n := 0
	for _, c := range s.set.snapshot() {
		if b.Broadcast(c) == nil {
			n++
		}
	}
	return n
}

// stats reports compression as unknown: gws does not expose what it
// negotiated.
func (s *gwsServer) stats() (int, int) {
	n, _ := s.set.stats()
	return n, -1
}

// gwsHandler is the event handler; gws.BuiltinEventHandler answers pings.
type gwsHandler struct {
	gws.BuiltinEventHandler
	s *gwsServer
}

func (h *gwsHandler) OnOpen(c *gws.Conn) { h.s.set.add(c, false) }

func (h *gwsHandler) OnClose(c *gws.Conn, err error) { h.s.set.remove(c, false) }

func (h *gwsHandler) OnPing(c *gws.Conn, payload []byte) { c.WritePong(payload) }

func (h *gwsHandler) OnMessage(c *gws.Conn, m *gws.Message) {
	defer m.Close()
	c.WriteMessage(m.Opcode, m.Bytes())
}
