package interop

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsstack/websocket"
	"github.com/wsstack/websocket/internal/flate/flatetest"
	"github.com/wsstack/websocket/wsproto"
)

// This file is the harness of the compression tests (compress_coder_test.go,
// compress_gws_test.go): permessage-deflate negotiated between our client or
// server and another library's, echoes of compressible and incompressible
// messages of many sizes, and a check of what went over the wire in both
// directions: which messages were compressed (RSV1), and that every
// compressed one decodes, with an independent DEFLATE decoder
// (internal/flate/flatetest), to what was sent, within the agreed window and
// without referring to earlier messages where context takeover is off.

// compressConfig is one configuration of a compression test: ours and the
// peer's, and what the handshake must agree.
type compressConfig struct {
	name string
	ours *websocket.CompressionOptions
	peer string // the peer's mode, for its adapter: "takeover", "no-takeover", ...
	// want are parameters the agreed extension must hold, e.g.
	// "server_no_context_takeover"; wantNot those it must not;
	// wantOurClient and wantOurServer more that it must hold with our
	// client or our server.
	want, wantNot, wantOurClient, wantOurServer []string
	// only runs one direction: "our-client" or "peer-client".
	only string
}

// compressPeer adapts another library to the compression tests.
type compressPeer struct {
	name string
	// server returns an echo server handler in mode; ext receives the
	// Sec-WebSocket-Extensions value the peer's server answered with, as
	// the library tells it (or as it wrote it).
	server func(t *testing.T, mode string, ext chan<- string) http.Handler
	// dial connects the peer's client in mode and returns it with the
	// extensions its handshake response carried.
	dial func(ctx context.Context, t *testing.T, url, mode string) (compressClient, string, error)
}

// compressClient is a peer's client.
type compressClient interface {
	Write(ctx context.Context, typ websocket.MessageType, p []byte) error
	Read(ctx context.Context) (websocket.MessageType, []byte, error)
	Close()
}

// compressMessage is a message of the echo tests.
type compressMessage struct {
	typ  websocket.MessageType
	data []byte
}

func (m compressMessage) String() string {
	return fmt.Sprintf("%v message of %d bytes", m.typ, len(m.data))
}

// compressMessages returns the messages of the echo tests: compressible
// text (JSON) and binary, and incompressible binary and text (random
// bytes, random letters), from a few bytes to 1 MiB, then many small JSON
// messages that context takeover compresses far better than messages alone.
func compressMessages() []compressMessage {
	var out []compressMessage
	for _, n := range []int{0, 1, 50, 127, 128, 300, 4 << 10, 33 << 10, 64 << 10, 1 << 20} {
		out = append(out,
			compressMessage{websocket.MessageText, jsonText(n, uint64(n))},
			compressMessage{websocket.MessageBinary, randomBytes(n)},
		)
	}
	for _, n := range []int{300, 64 << 10, 1 << 20} {
		out = append(out,
			compressMessage{websocket.MessageBinary, jsonText(n, 7)},
			compressMessage{websocket.MessageText, randomLetters(n)},
		)
	}
	for i := range 300 {
		out = append(out, compressMessage{websocket.MessageText, jsonText(200+i%300, uint64(1000+i))})
	}
	return out
}

// jsonText returns n bytes of JSON-like text, reproducible from seed.
func jsonText(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7692))
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	var b strings.Builder
	for b.Len() < n {
		fmt.Fprintf(&b, `{"id":%d,"user":"%s","price":%d.%02d,"tags":["%s","%s"],"ok":true},`,
			rng.IntN(100000), names[rng.IntN(len(names))], rng.IntN(1000), rng.IntN(100), names[rng.IntN(len(names))], names[rng.IntN(len(names))])
	}
	return []byte(b.String()[:n])
}

// randomLetters returns n random ASCII letters: text that compresses
// little.
func randomLetters(n int) []byte {
	b := randomBytes(n)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return b
}

// deflateTap records the data messages that pass through our end of a
// connection, in each direction, as they are on the wire: RSV1 and the
// payload, unmasked. It parses the raw TCP stream itself.
type deflateTap struct {
	in, out wireMessages // received by our end / sent by our end
}

type tappedMessage struct {
	opcode byte
	rsv1   bool
	frames int
	data   []byte
}

type wireMessages struct {
	mu       sync.Mutex
	upgraded bool
	crlf     int
	buf      []byte // bytes of frames not yet complete
	cur      *tappedMessage
	msgs     []tappedMessage
	err      string
}

func (w *wireMessages) feed(p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for !w.upgraded && len(p) > 0 {
		const blankLine = "\r\n\r\n"
		c := p[0]
		p = p[1:]
		switch {
		case c == blankLine[w.crlf]:
			w.crlf++
		case c == '\r':
			w.crlf = 1
		default:
			w.crlf = 0
		}
		w.upgraded = w.crlf == len(blankLine)
	}
	w.buf = append(w.buf, p...)
	for {
		h, n, err := wsproto.ParseHeader(w.buf)
		if err != nil || n == 0 || int64(len(w.buf)-n) < h.Length {
			if err != nil && w.err == "" {
				w.err = err.Error()
			}
			return
		}
		payload := append([]byte(nil), w.buf[n:n+int(h.Length)]...)
		w.buf = w.buf[n+int(h.Length):]
		if h.Masked {
			wsproto.Mask(h.Mask, 0, payload)
		}
		switch {
		case h.Opcode.IsControl():
			continue
		case h.Opcode != wsproto.OpContinuation:
			w.cur = &tappedMessage{opcode: byte(h.Opcode), rsv1: h.Rsv&wsproto.RSV1 != 0}
		case w.cur == nil:
			w.err = "a continuation frame with no message"
			return
		case h.Rsv != 0:
			w.err = "RSV1 on a continuation frame"
		}
		w.cur.frames++
		w.cur.data = append(w.cur.data, payload...)
		if h.Fin {
			w.msgs = append(w.msgs, *w.cur)
			w.cur = nil
		}
	}
}

func (w *wireMessages) messages() ([]tappedMessage, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]tappedMessage(nil), w.msgs...), w.err
}

type tapConn struct {
	net.Conn
	tap *deflateTap
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.tap.in.feed(p[:n])
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.tap.out.feed(p[:n])
	return n, err
}

func (c *tapConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (t *deflateTap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, tap: t}, nil
}

type tapListener struct {
	net.Listener
	tap *deflateTap
}

func (l *tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, tap: l.tap}, nil
}

// agreedDirection reads, from the agreed extension, what binds the
// messages sent by the server (server true) or the client.
func agreedDirection(t *testing.T, ext string, server bool) wsproto.DeflateDirection {
	t.Helper()
	exts, err := wsproto.ParseExtensions([]string{ext})
	if err != nil || len(exts) != 1 || exts[0].Name != wsproto.DeflateExtension {
		t.Fatalf("agreed extensions %q: %v", ext, err)
	}
	p, err := wsproto.ParseDeflateResponse(exts[0])
	if err != nil {
		t.Fatalf("agreed extensions %q: %v", ext, err)
	}
	d := wsproto.DeflateDirection{NoContextTakeover: p.ClientNoContextTakeover, WindowBits: p.ClientMaxWindowBits}
	if server {
		d = wsproto.DeflateDirection{NoContextTakeover: p.ServerNoContextTakeover, WindowBits: p.ServerMaxWindowBits}
	}
	if d.WindowBits <= 0 {
		d.WindowBits = 15
	}
	return d
}

// checkWire checks the messages one side sent against those it meant to
// send: each decodes to its message, within dir's window, without
// referring to earlier messages unless dir keeps the context. It returns
// how many went compressed and their compressed and original sizes.
func checkWire(t *testing.T, who string, got []tappedMessage, tapErr string, want []compressMessage, dir wsproto.DeflateDirection) (compressed int, raw, plain int64) {
	t.Helper()
	if tapErr != "" {
		t.Errorf("%s: on the wire: %s", who, tapErr)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d messages on the wire, want %d", who, len(got), len(want))
		return
	}
	var hist []byte
	maxDist := 0
	for i, m := range got {
		w := want[i]
		if m.opcode != byte(w.typ) {
			t.Errorf("%s: message %d (%v): opcode %d on the wire", who, i, w, m.opcode)
			continue
		}
		if !m.rsv1 {
			if !bytes.Equal(m.data, w.data) {
				t.Errorf("%s: message %d (%v): uncompressed on the wire, with other bytes", who, i, w)
			}
			continue
		}
		var h []byte
		if !dir.NoContextTakeover {
			h = hist
		}
		st, err := flatetest.Decode(append(append([]byte(nil), m.data...), 0, 0, 0xff, 0xff), h)
		switch {
		case err != nil && dir.NoContextTakeover:
			t.Errorf("%s: message %d (%v): does not decode without the earlier messages, though no context takeover was agreed: %v", who, i, w, err)
			return
		case err != nil:
			t.Errorf("%s: message %d (%v): does not decode: %v", who, i, w, err)
			return
		case !bytes.Equal(st.Out, w.data):
			t.Errorf("%s: message %d (%v): decodes to %d other bytes", who, i, w, len(st.Out))
			return
		case st.MaxDist > 1<<dir.WindowBits:
			t.Errorf("%s: message %d (%v): back-reference of %d bytes beyond the agreed window of %d", who, i, w, st.MaxDist, 1<<dir.WindowBits)
		}
		maxDist = max(maxDist, st.MaxDist)
		compressed++
		raw += int64(len(m.data))
		plain += int64(len(w.data))
		hist = append(hist, w.data...)
		if len(hist) > 64<<10 {
			hist = append([]byte(nil), hist[len(hist)-32<<10:]...)
		}
	}
	t.Logf("%s: %d of %d messages compressed, %d bytes to %d (%.1f%%), farthest back-reference %d (window %d, context takeover %v)",
		who, compressed, len(got), plain, raw, 100*float64(raw)/float64(max(plain, 1)), maxDist, 1<<dir.WindowBits, !dir.NoContextTakeover)
	return compressed, raw, plain
}

// checkAgreed checks the agreed extension against the configuration, with
// our client or our server.
func checkAgreed(t *testing.T, who, ext string, cfg compressConfig, ourClient bool) {
	t.Helper()
	if !strings.HasPrefix(ext, "permessage-deflate") {
		t.Fatalf("%s: extensions %q: permessage-deflate was not agreed", who, ext)
	}
	want := append([]string(nil), cfg.want...)
	if ourClient {
		want = append(want, cfg.wantOurClient...)
	} else {
		want = append(want, cfg.wantOurServer...)
	}
	for _, p := range want {
		if !strings.Contains(ext, p) {
			t.Errorf("%s: extensions %q lack %s", who, ext, p)
		}
	}
	for _, p := range cfg.wantNot {
		if strings.Contains(ext, p) {
			t.Errorf("%s: extensions %q have %s", who, ext, p)
		}
	}
}

// runCompressOurClient runs the echo test with our client against the
// peer's echo server.
func runCompressOurClient(t *testing.T, p compressPeer, cfg compressConfig) {
	checkGoroutines(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*testTimeout)
	defer cancel()
	peerExt := make(chan string, 1)
	srv := httptest.NewServer(p.server(t, cfg.peer, peerExt))
	defer srv.Close()
	tap := &deflateTap{}
	c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{
		NoProxy:        true,
		NetDialContext: tap.dial,
		ConnOptions:    websocket.ConnOptions{Compression: cfg.ours, ReadLimit: 4 << 20, WriteBufferSize: ourWriteBufferSize},
	})
	if err != nil {
		t.Fatalf("our Dial to the %s server: %v", p.name, err)
	}
	defer c.CloseNow()
	checkAgreed(t, "our client", c.Extensions(), cfg, true)
	if got := resp.Header.Get("Sec-WebSocket-Extensions"); got != c.Extensions() {
		t.Errorf("our client's Extensions() %q, response header %q", c.Extensions(), got)
	}
	select {
	case ext := <-peerExt:
		if ext != "" { // "": the library does not tell (its compressed frames will)
			checkAgreed(t, p.name+" server", ext, cfg, true)
		}
	case <-ctx.Done():
		t.Fatalf("the %s server did not report its handshake", p.name)
	}

	msgs := compressMessages()
	// Send and read at once, so that big messages do not deadlock on
	// full TCP buffers.
	errc := make(chan error, 1)
	go func() {
		for i, m := range msgs {
			if i%7 == 3 {
				// Some through the streaming writer, in frames.
				w, err := c.Writer(ctx, m.typ)
				if err == nil {
					for d := m.data; len(d) > 0 && err == nil; d = d[min(len(d), 5000):] {
						_, err = w.Write(d[:min(len(d), 5000)])
					}
					if cerr := w.Close(); err == nil {
						err = cerr
					}
				}
				if err != nil {
					errc <- fmt.Errorf("our client's Writer, %v: %w", m, err)
					return
				}
				continue
			}
			if err := c.Write(ctx, m.typ, m.data); err != nil {
				errc <- fmt.Errorf("our client's Write, %v: %w", m, err)
				return
			}
		}
		errc <- nil
	}()
	for i, m := range msgs {
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("our client: echo %d (%v): %v", i, m, err)
		}
		if typ != m.typ || !bytes.Equal(got, m.data) {
			t.Fatalf("our client: echo %d: %v message of %d bytes, want %v", i, typ, len(got), m)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := c.Close(websocket.CloseNormal, ""); err != nil {
		t.Errorf("our client's Close: %v", err)
	}
	ext := c.Extensions()
	got, tapErr := tap.out.messages()
	nOurs, _, _ := checkWire(t, "our client", got, tapErr, msgs, agreedDirection(t, ext, false))
	got, tapErr = tap.in.messages()
	nPeer, _, _ := checkWire(t, p.name+" server", got, tapErr, msgs, agreedDirection(t, ext, true))
	if nOurs == 0 || nPeer == 0 {
		t.Errorf("compressed messages: %d from our client, %d from the %s server", nOurs, nPeer, p.name)
	}
}

// runCompressPeerClient runs the echo test with the peer's client against
// our echo server.
func runCompressPeerClient(t *testing.T, p compressPeer, cfg compressConfig) {
	checkGoroutines(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*testTimeout)
	defer cancel()
	tap := &deflateTap{}
	ourExt := make(chan string, 1)
	var handlers sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{ConnOptions: websocket.ConnOptions{Compression: cfg.ours, ReadLimit: 4 << 20, WriteBufferSize: ourWriteBufferSize}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ourExt <- c.Extensions()
		// Echo, the even messages whole, the odd ones streamed.
		for i := 0; ; i++ {
			if i%2 == 0 {
				typ, data, err := c.Read(ctx)
				if err != nil || c.Write(ctx, typ, data) != nil {
					return
				}
				continue
			}
			typ, r, err := c.Reader(ctx)
			if err != nil {
				return
			}
			w, err := c.Writer(ctx, typ)
			if err != nil {
				return
			}
			if _, err := bytes.NewBuffer(nil).ReadFrom(teeWriter{r, w}); err != nil {
				return
			}
			if w.Close() != nil {
				return
			}
		}
	}))
	srv.Listener = &tapListener{Listener: srv.Listener, tap: tap}
	srv.Start()
	defer func() {
		srv.Close()
		handlers.Wait()
	}()
	c, peerExt, err := p.dial(ctx, t, wsURL(srv), cfg.peer)
	if err != nil {
		t.Fatalf("the %s client's dial to our server: %v", p.name, err)
	}
	defer c.Close()
	checkAgreed(t, p.name+" client", peerExt, cfg, false)
	var ext string
	select {
	case ext = <-ourExt:
		checkAgreed(t, "our server", ext, cfg, false)
	case <-ctx.Done():
		t.Fatal("our server did not report its handshake")
	}

	msgs := compressMessages()
	errc := make(chan error, 1)
	go func() {
		for _, m := range msgs {
			if err := c.Write(ctx, m.typ, m.data); err != nil {
				errc <- fmt.Errorf("the %s client's Write, %v: %w", p.name, m, err)
				return
			}
		}
		errc <- nil
	}()
	for i, m := range msgs {
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("the %s client: echo %d (%v): %v", p.name, i, m, err)
		}
		if typ != m.typ || !bytes.Equal(got, m.data) {
			t.Fatalf("the %s client: echo %d: %v message of %d bytes, want %v", p.name, i, typ, len(got), m)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	c.Close()
	// The tap sees the whole exchange once our server's handler is done.
	deadline := time.Now().Add(testTimeout)
	for {
		got, _ := tap.out.messages()
		if len(got) >= len(msgs) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, tapErr := tap.in.messages()
	nPeer, _, _ := checkWire(t, p.name+" client", got, tapErr, msgs, agreedDirection(t, ext, false))
	got, tapErr = tap.out.messages()
	nOurs, _, _ := checkWire(t, "our server", got, tapErr, msgs, agreedDirection(t, ext, true))
	if nOurs == 0 || nPeer == 0 {
		t.Errorf("compressed messages: %d from our server, %d from the %s client", nOurs, nPeer, p.name)
	}
}

// teeWriter copies a reader to a writer as bytes.Buffer.ReadFrom reads it.
type teeWriter struct {
	r interface{ Read([]byte) (int, error) }
	w interface{ Write([]byte) (int, error) }
}

func (t teeWriter) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			return n, werr
		}
	}
	return n, err
}

// runCompress runs both directions for each configuration.
func runCompress(t *testing.T, p compressPeer, cfgs []compressConfig) {
	for _, cfg := range cfgs {
		if cfg.only != "peer-client" {
			t.Run("our-client/"+cfg.name, func(t *testing.T) { runCompressOurClient(t, p, cfg) })
		}
		if cfg.only != "our-client" {
			t.Run(p.name+"-client/"+cfg.name, func(t *testing.T) { runCompressPeerClient(t, p, cfg) })
		}
	}
}
