package interop

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lxzan/gws"

	"github.com/wsstack/websocket"
)

// lxzan/gws compresses with klauspost/compress, whose window it can set
// (server_max_window_bits, client_max_window_bits). Its server keeps the
// context only where both its options and the client's offer allow, and
// with context takeover its windows default to 2^12 bytes; it answers
// with its own window sizes whatever the offer asks for the server's.
var gwsCompress = compressPeer{name: "gws", server: gwsCompressServer, dial: gwsCompressDial}

func TestCompressGws(t *testing.T) {
	runCompress(t, gwsCompress, []compressConfig{
		{
			name: "context-takeover", ours: &websocket.CompressionOptions{}, peer: "takeover-15",
			wantNot: []string{"no_context_takeover", "window_bits"},
		},
		{
			// gws's default windows with context takeover: 2^12 both ways,
			// which our client accepts (its offer lets the server choose
			// its window).
			name: "context-takeover-gws-windows", ours: &websocket.CompressionOptions{}, peer: "takeover-default",
			want: []string{"server_max_window_bits=12", "client_max_window_bits=12"}, only: "our-client",
		},
		{
			name: "gws-no-context-takeover", ours: &websocket.CompressionOptions{}, peer: "no-takeover",
			want: []string{"server_no_context_takeover", "client_no_context_takeover"},
		},
		{
			name: "our-no-context-takeover", ours: &websocket.CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, peer: "takeover-15",
			want: []string{"server_no_context_takeover", "client_no_context_takeover"},
		},
		{
			// Our server asks gws's client for a window of 2^12 and uses
			// one itself; gws's server ignores what our client asks of its
			// window, so our client takes its second offer.
			name: "our-window-12", ours: &websocket.CompressionOptions{ServerMaxWindowBits: 12, ClientMaxWindowBits: 12}, peer: "takeover-15",
			wantOurServer: []string{"server_max_window_bits=12", "client_max_window_bits=12"},
		},
	})
}

// gwsDeflate returns gws's compression options for a mode.
func gwsDeflate(mode string) gws.PermessageDeflate {
	pd := gws.PermessageDeflate{Enabled: true}
	switch mode {
	case "takeover-15":
		pd.ServerContextTakeover, pd.ClientContextTakeover = true, true
		pd.ServerMaxWindowBits, pd.ClientMaxWindowBits = 15, 15
	case "takeover-default":
		pd.ServerContextTakeover, pd.ClientContextTakeover = true, true
	}
	return pd
}

// gwsCompressHandler echoes every message.
type gwsCompressHandler struct{ gws.BuiltinEventHandler }

func (gwsCompressHandler) OnOpen(socket *gws.Conn) {
	_ = socket.SetDeadline(time.Now().Add(4 * testTimeout))
}

func (gwsCompressHandler) OnPing(socket *gws.Conn, payload []byte) { _ = socket.WritePong(payload) }

func (gwsCompressHandler) OnMessage(socket *gws.Conn, message *gws.Message) {
	defer message.Close()
	_ = socket.WriteMessage(message.Opcode, message.Bytes())
}

// gwsCompressServer is a gws echo server. gws tells nothing of what it
// agreed: ext gets "", and the compressed frames it sends show it.
func gwsCompressServer(t *testing.T, mode string, ext chan<- string) http.Handler {
	upgrader := gws.NewUpgrader(gwsCompressHandler{}, &gws.ServerOption{
		PermessageDeflate:  gwsDeflate(mode),
		ReadMaxPayloadSize: peerReadLimit,
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		socket, err := upgrader.Upgrade(w, r)
		if err != nil {
			return
		}
		ext <- ""
		socket.ReadLoop() // returns when the connection ends
	})
}

// gwsCompressClient is a gws client whose ReadLoop queues the messages for
// Read.
type gwsCompressClient struct {
	socket   *gws.Conn
	messages chan compressMessage
	closed   chan struct{}
	loop     chan struct{}
}

func gwsCompressDial(ctx context.Context, t *testing.T, url, mode string) (compressClient, string, error) {
	c := &gwsCompressClient{messages: make(chan compressMessage, 1024), closed: make(chan struct{}), loop: make(chan struct{})}
	socket, resp, err := gws.NewClient(c, &gws.ClientOption{
		Addr:               url,
		PermessageDeflate:  gwsDeflate(mode),
		ReadMaxPayloadSize: peerReadLimit,
		HandshakeTimeout:   time.Until(deadlineOf(ctx)),
	})
	if err != nil {
		return nil, "", err
	}
	c.socket = socket
	go func() {
		defer close(c.loop)
		socket.ReadLoop()
	}()
	return c, resp.Header.Get("Sec-WebSocket-Extensions"), nil
}

func (c *gwsCompressClient) OnOpen(*gws.Conn)                        {}
func (c *gwsCompressClient) OnPong(*gws.Conn, []byte)                {}
func (c *gwsCompressClient) OnPing(socket *gws.Conn, payload []byte) { _ = socket.WritePong(payload) }
func (c *gwsCompressClient) OnClose(*gws.Conn, error)                { close(c.closed) }

func (c *gwsCompressClient) OnMessage(socket *gws.Conn, message *gws.Message) {
	defer message.Close()
	m := compressMessage{typ: fromGwsOpcode(message.Opcode), data: bytes.Clone(message.Bytes())}
	select {
	case c.messages <- m:
	case <-c.closed:
	}
}

func (c *gwsCompressClient) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	_ = c.socket.SetWriteDeadline(deadlineOf(ctx))
	return c.socket.WriteMessage(gwsOpcode(typ), p)
}

func (c *gwsCompressClient) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	select {
	case m := <-c.messages:
		return m.typ, m.data, nil
	case <-c.closed:
		return 0, nil, context.Canceled
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
}

func (c *gwsCompressClient) Close() {
	_ = c.socket.WriteClose(1000, nil)
	_ = c.socket.NetConn().Close()
	<-c.loop
}
