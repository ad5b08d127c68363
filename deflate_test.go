package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// compressionServer echoes with permessage-deflate on, using cfg.
func compressionServer(t *testing.T, cfg *CompressionOptions, opts ConnOptions) string {
	t.Helper()
	opts.Compression = cfg
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, &AcceptOptions{ConnOptions: opts})
		if err != nil {
			return
		}
		echo(c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestDeflateEchoAllModes(t *testing.T) {
	modes := []struct {
		name           string
		server, client CompressionOptions
	}{
		{"takeover both ways", CompressionOptions{}, CompressionOptions{}},
		{"no takeover", CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, CompressionOptions{}},
		{"client asks no takeover", CompressionOptions{}, CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}},
		{"small windows", CompressionOptions{ServerMaxWindowBits: 9, ClientMaxWindowBits: 10}, CompressionOptions{ClientMaxWindowBits: 9, ServerMaxWindowBits: 10}},
		{"compress everything", CompressionOptions{Threshold: -1}, CompressionOptions{Threshold: -1}},
	}
	json := []byte(strings.Repeat(`{"user":"ada","msg":"héllo wörld","n":12345},`, 400))
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			server := m.server
			url := compressionServer(t, &server, ConnOptions{WriteBufferSize: 1000})
			client := m.client
			ctx := ctxT(t)
			c, _, err := Dial(ctx, url, &DialOptions{ConnOptions: ConnOptions{Compression: &client, WriteBufferSize: 700}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			if !strings.HasPrefix(c.Extensions(), "permessage-deflate") {
				t.Fatalf("extensions %q", c.Extensions())
			}
			msgs := [][]byte{json, []byte("short"), {}, json[:5000], bytes.Repeat([]byte{0, 1, 2, 3}, 10000)}
			for i := 0; i < 3; i++ {
				for _, msg := range msgs {
					if err := c.Write(ctx, MessageText, msg); err != nil {
						t.Fatal(err)
					}
					_, got, err := c.Read(ctx)
					if err != nil || !bytes.Equal(got, msg) {
						t.Fatalf("echo of %d bytes: got %d, %v", len(msg), len(got), err)
					}
				}
				// Streamed both ways.
				w, _ := c.Writer(ctx, MessageBinary)
				for off := 0; off < len(json); off += 333 {
					w.Write(json[off:min(off+333, len(json))])
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				_, r, err := c.Reader(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(got, json) {
					t.Fatalf("streamed echo: %d bytes, %v", len(got), err)
				}
			}
			if err := c.Close(CloseNormal, ""); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDeflateNotNegotiatedWithoutOptions(t *testing.T) {
	url := compressionServer(t, nil, ConnOptions{})
	c, _, err := Dial(ctxT(t), url, &DialOptions{ConnOptions: ConnOptions{Compression: &CompressionOptions{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if c.Extensions() != "" {
		t.Fatalf("extensions %q without server support", c.Extensions())
	}
}

func TestP84_DecompressedSizeLimit(t *testing.T) {
	// The client sends a message that compresses to little but inflates
	// past the server's limit: the server fails the connection with 1009.
	errc := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, &AcceptOptions{ConnOptions: ConnOptions{Compression: &CompressionOptions{}, ReadLimit: 1 << 20}})
		if err != nil {
			return
		}
		_, _, err = c.Read(context.Background())
		errc <- err
	}))
	defer srv.Close()
	ctx := ctxT(t)
	c, _, err := Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &DialOptions{ConnOptions: ConnOptions{Compression: &CompressionOptions{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	bomb := make([]byte, 8<<20) // 8 MiB of zeros: a few KiB compressed
	if err := c.Write(ctx, MessageBinary, bomb); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, wsproto.ErrMessageTooBig) {
		t.Fatalf("server Read: %v", err)
	}
	if _, _, err := c.Read(ctx); CloseStatus(err) != CloseMessageTooBig {
		t.Fatalf("client saw %v", err)
	}
}
