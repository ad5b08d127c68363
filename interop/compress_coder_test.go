package interop

import (
	"context"
	"net/http"
	"testing"

	coder "github.com/coder/websocket"

	"github.com/wsstack/websocket"
)

// coder/websocket compresses with compress/flate: a 32 KiB window, which
// it cannot shrink (it declines server_max_window_bits below 15, and
// ignores client_max_window_bits=N, decoding with 32 KiB either way). Its
// modes: CompressionContextTakeover (falls back to no context takeover when
// the peer asks), CompressionNoContextTakeover (asks for it both ways).
var coderCompress = compressPeer{name: "coder", server: coderCompressServer, dial: coderCompressDial}

func TestCompressCoder(t *testing.T) {
	runCompress(t, coderCompress, []compressConfig{
		{
			name: "context-takeover", ours: &websocket.CompressionOptions{}, peer: "takeover",
			wantNot: []string{"no_context_takeover", "window_bits"},
		},
		{
			// coder asks for no context takeover both ways.
			name: "coder-no-context-takeover", ours: &websocket.CompressionOptions{}, peer: "no-takeover",
			want: []string{"server_no_context_takeover", "client_no_context_takeover"},
		},
		{
			// We ask for it, coder would keep the context.
			name: "our-no-context-takeover", ours: &websocket.CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, peer: "takeover",
			want: []string{"server_no_context_takeover", "client_no_context_takeover"},
		},
		{
			// Our server with a 2^10 window (coder's client decodes any);
			// coder's server declines a window below 2^15, and our client
			// then takes its second offer: context takeover, 15 bits,
			// with our own compressor still at 10 bits as promised.
			name: "our-window-10", ours: &websocket.CompressionOptions{ServerMaxWindowBits: 10, ClientMaxWindowBits: 10}, peer: "takeover",
			wantOurServer: []string{"server_max_window_bits=10"},
		},
	})
}

func coderMode(mode string) coder.CompressionMode {
	if mode == "no-takeover" {
		return coder.CompressionNoContextTakeover
	}
	return coder.CompressionContextTakeover
}

func coderCompressServer(t *testing.T, mode string, ext chan<- string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := coder.Accept(w, r, &coder.AcceptOptions{CompressionMode: coderMode(mode)})
		if err != nil {
			return
		}
		defer conn.CloseNow()
		conn.SetReadLimit(peerReadLimit)
		ext <- w.Header().Get("Sec-WebSocket-Extensions") // what Accept answered
		coderEcho(r.Context(), conn)
	})
}

type coderCompressClient struct{ conn *coder.Conn }

func coderCompressDial(ctx context.Context, t *testing.T, url, mode string) (compressClient, string, error) {
	conn, resp, err := coder.Dial(ctx, url, &coder.DialOptions{CompressionMode: coderMode(mode)})
	if err != nil {
		return nil, "", err
	}
	conn.SetReadLimit(peerReadLimit)
	return &coderCompressClient{conn}, resp.Header.Get("Sec-WebSocket-Extensions"), nil
}

func (c *coderCompressClient) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	return c.conn.Write(ctx, coderType(typ), p)
}

func (c *coderCompressClient) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	typ, p, err := c.conn.Read(ctx)
	return fromCoderType(typ), p, err
}

func (c *coderCompressClient) Close() {
	c.conn.Close(coder.StatusNormalClosure, "")
	c.conn.CloseNow()
}
