package main

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/wsstack/websocket"
)

// oursServer is this repository's library: net/http, Accept, then one
// goroutine per connection (started by the handler, which returns) reading
// whole messages with ReadInto into a buffer it reuses, and echoing them
// with Write.
type oursServer struct {
	opts websocket.AcceptOptions
	set  connSet[*websocket.Conn]
}

func newOurs(compress bool) server {
	s := &oursServer{opts: websocket.AcceptOptions{
		InsecureSkipOriginCheck: true,
		ConnOptions: websocket.ConnOptions{
			ReadLimit:    readLimit,
			PingInterval: -1, // keepalive off
		},
	}}
	if compress {
		// The library's defaults; the client's offer asks for no
		// context takeover either way, which the negotiation grants.
		s.opts.Compression = &websocket.CompressionOptions{}
	}
	return s
}

func (s *oursServer) serve(ln net.Listener) error {
	go (&http.Server{Handler: s}).Serve(ln)
	return nil
}

func (s *oursServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &s.opts)
	if err != nil {
		return
	}
	// The recommended pattern for many connections: serve the connection
	// on a goroutine of its own and return, so that net/http lets go of the
	// request's buffers and its own goroutine.
	go s.echo(c)
}

func (s *oursServer) echo(c *websocket.Conn) {
	defer c.CloseNow()
	deflate := strings.Contains(c.Extensions(), "permessage-deflate")
	s.set.add(c, deflate)
	defer s.set.remove(c, deflate)
	ctx := context.Background()
	var buf []byte
	for {
		typ, msg, err := c.ReadInto(ctx, buf)
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
		buf = msg
	}
}

// broadcast uses the library's broadcast path: a PreparedMessage, framed
// once (and compressed once per compression state) for every connection.
func (s *oursServer) broadcast(msg []byte) int {
	pm, err := websocket.NewPreparedMessage(websocket.MessageBinary, msg)
	if err != nil {
		return 0
	}
	n := 0
	ctx := context.Background()
	for _, c := range s.set.snapshot() {
		if c.WritePrepared(ctx, pm) == nil {
			n++
		}
	}
	return n
}

func (s *oursServer) stats() (int, int) { return s.set.stats() }
