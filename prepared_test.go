package websocket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsstack/websocket/internal/flate/flatetest"
	"github.com/wsstack/websocket/wsproto"
)

// deflatePipe returns a Pipe whose ends agreed on permessage-deflate as a
// handshake between a client configured with ccfg and a server configured
// with scfg would: the client's offers, the server's negotiation, the
// client's check of the response, and the response as Extensions.
func deflatePipe(t testing.TB, ccfg, scfg CompressionOptions) (client, server *Conn) {
	t.Helper()
	offers := wsproto.DeflateOffer(ccfg)
	resp, agreedS, ok := wsproto.NegotiateDeflate(offers, scfg)
	if !ok {
		t.Fatalf("the server declined %s", wsproto.FormatExtensions(offers))
	}
	agreedC, found, err := wsproto.NegotiatedDeflate(offers, []wsproto.Extension{resp})
	if !found || err != nil {
		t.Fatalf("the client refused %s: %v", resp, err)
	}
	client, server = Pipe(nil)
	client.extensions, server.extensions = resp.String(), resp.String()
	client.enableDeflate(agreedC, ccfg)
	server.enableDeflate(agreedS, scfg)
	return client, server
}

// broadcastJSON is a message worth compressing.
func broadcastJSON(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"seq":%d,"symbol":"ABC","price":%d.%02d,"tags":["x","y"]},`, i, 100+i%37, i%100)
	}
	return []byte(b.String()[:n])
}

// rawPayload reads a message's frame off a Pipe's raw bytes: its first
// header byte and payload, unmasked. It reads what the writer sent before
// the Conn on the other end parses it.
func readRawFrame(t *testing.T, c *Conn) (b0 byte, payload []byte) {
	t.Helper()
	nc := c.nc
	var hdr [wsproto.MaxHeaderSize]byte
	if _, err := nc.Read(hdr[:2]); err != nil {
		t.Fatal(err)
	}
	n := 2
	switch hdr[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if hdr[1]&0x80 != 0 {
		n += 4
	}
	readFull(t, nc, hdr[2:n])
	h, _, err := wsproto.ParseHeader(hdr[:n])
	if err != nil {
		t.Fatal(err)
	}
	payload = make([]byte, h.Length)
	readFull(t, nc, payload)
	if h.Masked {
		wsproto.Mask(h.Mask, 0, payload)
	}
	return hdr[0], payload
}

func readFull(t *testing.T, r interface{ Read([]byte) (int, error) }, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, err := r.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		b = b[n:]
	}
}

// With no context takeover, a message written to many connections with
// the same parameters is compressed once, and each gets the same frame.
func TestPreparedCompressedOnce(t *testing.T) {
	n := 1000
	if testing.Short() || raceEnabled {
		n = 300
	}
	ctx := context.Background()
	data := broadcastJSON(20 << 10)
	pm, err := NewPreparedMessage(MessageText, data)
	if err != nil {
		t.Fatal(err)
	}
	check := func(client *Conn) {
		t.Helper()
		typ, got, err := client.Read(ctx)
		if err != nil || typ != MessageText || !bytes.Equal(got, data) {
			t.Fatalf("read %v %d bytes %v", typ, len(got), err)
		}
	}
	noTakeover := CompressionOptions{ServerNoContextTakeover: true}
	for range n {
		client, server := deflatePipe(t, CompressionOptions{}, noTakeover)
		if err := server.WritePrepared(ctx, pm); err != nil {
			t.Fatal(err)
		}
		check(client)
		client.CloseNow()
		server.CloseNow()
	}
	if got := pm.compressions.Load(); got != 1 {
		t.Fatalf("%d connections: compressed %d times, want 1", n, got)
	}
	f := pm.forms[15]
	if f == nil || !f.rsv1 || len(f.payload) >= len(data)/2 {
		t.Fatalf("form %+v", f)
	}

	// Another window is another compression, once; no compression
	// (SetWriteCompression(false), or not agreed) is the plain form.
	for range 50 {
		client, server := deflatePipe(t, CompressionOptions{ServerMaxWindowBits: 9}, noTakeover)
		if err := server.WritePrepared(ctx, pm); err != nil {
			t.Fatal(err)
		}
		check(client)
		plainC, plainS := Pipe(nil)
		if err := plainS.WritePrepared(ctx, pm); err != nil {
			t.Fatal(err)
		}
		check(plainC)
		client.CloseNow()
		server.CloseNow()
		plainC.CloseNow()
		plainS.CloseNow()
	}
	if got := pm.compressions.Load(); got != 2 {
		t.Fatalf("compressed %d times, want 2", got)
	}
	st, err := flatetest.Decode(append(append([]byte(nil), pm.forms[9].payload...), 0, 0, 0xff, 0xff), nil)
	if err != nil || !bytes.Equal(st.Out, data) || st.MaxDist > 1<<9 {
		t.Fatalf("9-bit form: %v, farthest back-reference %d", err, st.MaxDist)
	}
	if f := pm.forms[0]; f == nil || f.rsv1 || !bytes.Equal(f.payload, data) {
		t.Fatalf("plain form %+v", f)
	}
}

// The frames on the wire: a server's are the cached bytes, RSV1 on
// compressed ones; a client's are masked afresh each time.
func TestPreparedFrames(t *testing.T) {
	ctx := context.Background()
	data := broadcastJSON(4000)
	pm, _ := NewPreparedMessage(MessageBinary, data)
	client, server := deflatePipe(t, CompressionOptions{}, CompressionOptions{ServerNoContextTakeover: true})
	if err := server.WritePrepared(ctx, pm); err != nil {
		t.Fatal(err)
	}
	b0, payload := readRawFrame(t, client)
	if b0 != 0x80|0x40|0x2 || !bytes.Equal(payload, pm.forms[15].payload) {
		t.Fatalf("server frame %#x, payload %d bytes", b0, len(payload))
	}

	// A client that promised no context takeover and a window, and whose
	// response says both, shares the compressed payload and masks it.
	ccfg := CompressionOptions{ClientNoContextTakeover: true, ClientMaxWindowBits: 10}
	client, server = deflatePipe(t, ccfg, CompressionOptions{})
	if ext := client.Extensions(); !strings.Contains(ext, "client_no_context_takeover") || !strings.Contains(ext, "client_max_window_bits=10") {
		t.Fatalf("extensions %q", ext)
	}
	var keys [][]byte
	for range 3 {
		if err := client.WritePrepared(ctx, pm); err != nil {
			t.Fatal(err)
		}
		raw := make([]byte, 4+len(pm.forms[10].payload)+4)
		readFull(t, server.nc, raw[:4]) // 2 header bytes, 2 length bytes
		readFull(t, server.nc, raw[4:])
		keys = append(keys, raw[4:8])
	}
	if bytes.Equal(keys[0], keys[1]) && bytes.Equal(keys[1], keys[2]) {
		t.Error("the client's frames share a masking key")
	}
	if got := pm.compressions.Load(); got != 2 {
		t.Errorf("compressed %d times, want 2 (15 bits for the server, 10 for the client)", got)
	}
}

// With context takeover each connection compresses with its own
// compressor, in step with its other messages.
func TestPreparedContextTakeover(t *testing.T) {
	ctx := context.Background()
	data := broadcastJSON(8000)
	pm, _ := NewPreparedMessage(MessageText, data)
	for _, ccfg := range []CompressionOptions{{}, {ClientNoContextTakeover: true}} {
		client, server := deflatePipe(t, ccfg, CompressionOptions{})
		go func() {
			for range 5 {
				server.Write(ctx, MessageText, data[:3000])
				server.WritePrepared(ctx, pm)
				client.Write(ctx, MessageText, data[:5000])
				client.WritePrepared(ctx, pm)
			}
		}()
		for i := range 5 {
			for _, want := range [][]byte{data[:3000], data} {
				_, got, err := client.Read(ctx)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("client read %d: %d bytes, %v", i, len(got), err)
				}
			}
		}
		for i := range 5 {
			for _, want := range [][]byte{data[:5000], data} {
				_, got, err := server.Read(ctx)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("server read %d: %d bytes, %v", i, len(got), err)
				}
			}
		}
		client.CloseNow()
		server.CloseNow()
	}
	// The server with context takeover, and the client whose response
	// did not say client_no_context_takeover (it promised it, but that
	// cannot be told from the response), compressed on their own.
	if got := pm.compressions.Load(); got != 0 {
		t.Errorf("compressed %d times for connections with context takeover", got)
	}
}

// A message abandoned by its context while another frame holds the
// connection is not compressed: with context takeover, the connection's
// window stays in step with the peer's, and the next messages arrive
// intact.
func TestPreparedAbandonedContextTakeover(t *testing.T) {
	ctx := context.Background()
	client, server := deflatePipe(t, CompressionOptions{}, CompressionOptions{})
	defer client.CloseNow()
	defer server.CloseNow()
	for i := range 5 {
		if err := server.Write(ctx, MessageText, broadcastJSON(3000+i)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := client.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pm, _ := NewPreparedMessage(MessageText, broadcastJSON(4000))
	server.frameLock.lock(ctx) // as a slow pong would
	sctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	err := server.WritePrepared(sctx, pm)
	cancel()
	server.frameLock.unlock()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WritePrepared: %v", err)
	}
	next := broadcastJSON(4100)
	if err := server.WritePrepared(ctx, pm); err != nil {
		t.Fatal(err)
	}
	if err := server.Write(ctx, MessageText, next); err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]byte{pm.data, next} {
		if _, got, err := client.Read(ctx); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read %d bytes (%v), want %d", len(got), err, len(want))
		}
	}
}

// Through real handshakes: three clients of a server without context
// takeover share one compression.
func TestPreparedOverTCP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data := broadcastJSON(30 << 10)
	pm, _ := NewPreparedMessage(MessageText, data)
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, &AcceptOptions{ConnOptions: ConnOptions{Compression: &CompressionOptions{ServerNoContextTakeover: true}}})
		if err != nil {
			return
		}
		defer wg.Done()
		if err := c.WritePrepared(ctx, pm); err != nil {
			t.Error(err)
		}
		c.Read(ctx) // until the client closes
	}))
	defer srv.Close()
	for range 3 {
		wg.Add(1)
		c, _, err := Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), &DialOptions{ConnOptions: ConnOptions{Compression: &CompressionOptions{}}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.Extensions(), "server_no_context_takeover") {
			t.Fatalf("extensions %q", c.Extensions())
		}
		_, got, err := c.Read(ctx)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, %v", len(got), err)
		}
		c.Close(CloseNormal, "")
	}
	wg.Wait()
	if got := pm.compressions.Load(); got != 1 {
		t.Errorf("compressed %d times, want 1", got)
	}
}

func TestPreparedErrors(t *testing.T) {
	if _, err := NewPreparedMessage(MessageText, []byte{0xff}); err == nil {
		t.Error("invalid UTF-8 text prepared")
	}
	if _, err := NewPreparedMessage(MessageType(9), nil); err == nil {
		t.Error("bad message type prepared")
	}
	data := []byte("a short one")
	pm, err := NewPreparedMessage(MessageBinary, data)
	if err != nil || pm.Type() != MessageBinary {
		t.Fatal(err)
	}
	data[0] = 'X' // the message has its own copy
	ctx := context.Background()
	client, server := deflatePipe(t, CompressionOptions{}, CompressionOptions{ServerNoContextTakeover: true})
	if err := server.WritePrepared(ctx, pm); err != nil {
		t.Fatal(err)
	}
	if _, got, _ := client.Read(ctx); string(got) != "a short one" {
		t.Errorf("got %q", got)
	}
	if pm.compressions.Load() != 0 || pm.forms[15].rsv1 {
		t.Error("a message under the threshold was compressed")
	}
	if err := server.WritePrepared(ctx, nil); err == nil {
		t.Error("nil message written")
	}
	go client.Read(ctx)
	server.Close(CloseNormal, "")
	if err := server.WritePrepared(ctx, pm); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("write after close: %v", err)
	}
}

// BenchmarkBroadcast compares Write and WritePrepared to many connections
// without context takeover.
func BenchmarkBroadcast(b *testing.B) {
	data := broadcastJSON(16 << 10)
	ctx := context.Background()
	const conns = 100
	type pair struct{ c, s *Conn }
	pairs := make([]pair, conns)
	for i := range pairs {
		c, s := deflatePipe(b, CompressionOptions{}, CompressionOptions{ServerNoContextTakeover: true})
		pairs[i] = pair{c, s}
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
	}
	defer func() {
		for _, p := range pairs {
			p.c.CloseNow()
			p.s.CloseNow()
		}
	}()
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(data) * conns))
		for b.Loop() {
			for _, p := range pairs {
				p.s.Write(ctx, MessageText, data)
			}
		}
	})
	b.Run("WritePrepared", func(b *testing.B) {
		b.SetBytes(int64(len(data) * conns))
		for b.Loop() {
			pm, _ := NewPreparedMessage(MessageText, data)
			for _, p := range pairs {
				p.s.WritePrepared(ctx, pm)
			}
		}
	})
}
