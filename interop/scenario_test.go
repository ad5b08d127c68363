package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

const (
	// testTimeout bounds each scenario, and each server connection.
	testTimeout = 10 * time.Second

	// ourWriteBufferSize is the write buffer of our connections, small so
	// that a message sent with Writer goes out in many frames.
	ourWriteBufferSize = 1024

	// peerReadLimit is the read limit given to the other libraries where
	// they have one, above the largest message of the scenarios.
	peerReadLimit = 4 << 20

	// closeCode and closeReason are those of the closing handshake scenarios.
	closeCode   = 4000
	closeReason = "bye"
)

var (
	// offered are the subprotocols every client offers, in its order of preference.
	offered = []string{"chat", "superchat"}
	// supported are the subprotocols every server speaks.
	supported = []string{"superchat"}
)

// Payloads of the scenarios.
var (
	smallText  = []byte("hello, wörld: héllo, 世界 ✓")
	allBytes   = byteRange()
	bigText    = textOfSize(1 << 20)
	bigBinary  = randomBytes(1 << 20)
	fragmented = textOfSize(300_000) // over gws's 128 KiB segments, so that gws streams it in several frames too
)

// opcodeText is the opcode of a text frame on the wire.
const opcodeText = 0x1

// byteRange returns the bytes 0 to 255.
func byteRange() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// textOfSize returns exactly n bytes of valid UTF-8, rich in multi-byte
// characters, so that frame and write boundaries fall inside them.
func textOfSize(n int) []byte {
	const pattern = "WebSocket ✓ — héllo wörld, 世界, καλημέρα, привет 👋🏽; "
	var b strings.Builder
	for b.Len()+len(pattern) <= n {
		b.WriteString(pattern)
	}
	for b.Len() < n {
		b.WriteByte('.')
	}
	return []byte(b.String())
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{'i', 'n', 't', 'e', 'r', 'o', 'p'}).Read(b)
	return b
}

// serverMode is what a server under test does with its connection.
type serverMode int

const (
	// modeEcho echoes every message back whole.
	modeEcho serverMode = iota
	// modeEchoFragmented echoes every message back through the library's
	// streaming writer, in several frames.
	modeEchoFragmented
	// modeClose starts the closing handshake, code 4000 reason "bye", as
	// soon as the connection is open.
	modeClose
	// modePing (our server only) pings the client while reading, reports,
	// then reads until the client goes.
	modePing
)

// closeInfo is how a connection ended for one side, as its library told.
type closeInfo struct {
	received bool // a close frame came from the other side
	code     int  // its code and reason
	reason   string
	err      error // the error as the library returned it
}

func (ci closeInfo) String() string {
	if ci.received {
		return fmt.Sprintf("close frame %d %q (error: %v)", ci.code, ci.reason, ci.err)
	}
	return fmt.Sprintf("no close frame (error: %v)", ci.err)
}

// serverResult is what a server under test saw of its connection.
type serverResult struct {
	end      closeInfo // how reading the connection ended
	closeErr error     // modeClose: the outcome of the server's own closing handshake, nil if clean
	pingErr  error     // modePing: the outcome of our server's Ping
	rtt      time.Duration
}

// serverEnv is shared by a test and the server it runs. A server serves
// exactly one connection, reports its subprotocol once the handshake is done
// and its result once the scenario's part of it is over.
type serverEnv struct {
	mode        serverMode
	subprotocol chan string
	result      chan serverResult
	// wg tracks the goroutines a server starts besides its handlers: the
	// test waits for them.
	wg sync.WaitGroup
}

func newServerEnv(mode serverMode) *serverEnv {
	return &serverEnv{mode: mode, subprotocol: make(chan string, 1), result: make(chan serverResult, 1)}
}

func (e *serverEnv) handshakeDone(subprotocol string) {
	select {
	case e.subprotocol <- subprotocol:
	default:
	}
}

func (e *serverEnv) done(r serverResult) {
	select {
	case e.result <- r:
	default:
	}
}

// wait returns the server's result.
func (e *serverEnv) wait(t *testing.T, ctx context.Context, server string) serverResult {
	t.Helper()
	select {
	case r := <-e.result:
		return r
	case <-ctx.Done():
		t.Fatalf("%s: no result: %v", server, ctx.Err())
		panic("unreachable")
	}
}

// endpoint is the client end of a connection, driven through the API of its
// own library.
type endpoint interface {
	Subprotocol() string
	Write(ctx context.Context, typ websocket.MessageType, p []byte) error
	// WriteFragmented sends p as one message through the library's
	// streaming writer, so that it goes out in several frames.
	WriteFragmented(ctx context.Context, typ websocket.MessageType, p []byte) error
	Read(ctx context.Context) (websocket.MessageType, []byte, error)
	// Close runs the closing handshake with code and reason, as far as
	// the library does, and returns nil if the library found it clean.
	Close(ctx context.Context, code int, reason string) error
	// CloseInfo tells what an error returned by Read says of the close.
	CloseInfo(err error) closeInfo
	// CloseNow drops the connection and waits for what the library runs
	// for it to end.
	CloseNow()
}

// peer is a library that ours is checked against.
type peer struct {
	name string
	// server returns the handler of a server written with the library,
	// which upgrades one request and behaves as env.mode says.
	server func(env *serverEnv) http.Handler
	// dial connects the library's client to url, offering the subprotocols
	// "chat" and "superchat".
	dial func(ctx context.Context, url string) (endpoint, error)
}

// harness runs the scenarios in one direction.
type harness struct {
	peer      peer
	ourClient bool // our client against the peer's server; else the peer's client against ours
}

// pair is one connection of a scenario.
type pair struct {
	client     endpoint
	ours       *websocket.Conn // our client, when ourClient
	env        *serverEnv
	tap        *wireTap // frames through our end, client or server
	clientName string   // "our client", "gorilla client", ...
	serverName string
}

func (h *harness) peerName(side string) string {
	return h.peer.name + " " + side
}

// connect starts a server in mode and connects a client to it. Both are
// closed when the test ends, the client first.
func (h *harness) connect(t *testing.T, ctx context.Context, mode serverMode) *pair {
	t.Helper()
	env := newServerEnv(mode)
	tap := &wireTap{}
	p := &pair{env: env, tap: tap}
	if h.ourClient {
		p.clientName, p.serverName = "our client", h.peerName("server")
		srv := startServer(t, env, h.peer.server(env), nil)
		c, resp, err := websocket.Dial(ctx, wsURL(srv), &websocket.DialOptions{
			Subprotocols:   offered,
			NoProxy:        true,
			NetDialContext: tap.dial,
			ConnOptions:    websocket.ConnOptions{WriteBufferSize: ourWriteBufferSize},
		})
		if err != nil {
			t.Fatalf("our Dial to %s: %v", p.serverName, err)
		}
		if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols {
			t.Errorf("our Dial to %s: response %v, want 101", p.serverName, resp)
		}
		t.Cleanup(func() { c.CloseNow() })
		p.ours, p.client = c, ourEndpoint{c}
	} else {
		p.clientName, p.serverName = h.peerName("client"), "our server"
		srv := startServer(t, env, ourServer(env), tap)
		c, err := h.peer.dial(ctx, wsURL(srv))
		if err != nil {
			t.Fatalf("%s dial to our server: %v", p.clientName, err)
		}
		t.Cleanup(c.CloseNow)
		p.client = c
	}
	return p
}

// startServer runs h on 127.0.0.1, its listener tapped when tap is not nil.
// When the test ends, it waits for the handler and the goroutines of env.
func startServer(t *testing.T, env *serverEnv, h http.Handler, tap *wireTap) *httptest.Server {
	t.Helper()
	var handlers sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		h.ServeHTTP(w, r)
	}))
	if tap != nil {
		srv.Listener = tap.listener(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		waitGroup(t, &handlers, "server handler")
		waitGroup(t, &env.wg, "server goroutine")
	})
	return srv
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Errorf("%s still running %v after the test", what, testTimeout)
	}
}

func wsURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// scenarioContext bounds a scenario.
func scenarioContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// checkGoroutines fails t if, once t and its subtests are over, more
// goroutines run than when it started.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("%d goroutines left over (%d before, %d after):\n%s", n-before, before, n, buf)
		}
	})
}

// runOurClient runs the scenarios with our client against the peer's server.
func runOurClient(t *testing.T, p peer) {
	checkGoroutines(t)
	runScenarios(t, &harness{peer: p, ourClient: true})
}

// runPeerClient runs the scenarios with the peer's client against our server.
func runPeerClient(t *testing.T, p peer) {
	checkGoroutines(t)
	runScenarios(t, &harness{peer: p, ourClient: false})
}

func runScenarios(t *testing.T, h *harness) {
	name := h.peer.name
	scenarios := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, h *harness)
	}{
		{"subprotocol", testSubprotocol},
		{"text", func(t *testing.T, ctx context.Context, h *harness) {
			testEcho(t, ctx, h, websocket.MessageText, smallText)
		}},
		{"binary-0-to-255", func(t *testing.T, ctx context.Context, h *harness) {
			testEcho(t, ctx, h, websocket.MessageBinary, allBytes)
		}},
		{"text-1MiB", func(t *testing.T, ctx context.Context, h *harness) {
			testEcho(t, ctx, h, websocket.MessageText, bigText)
		}},
		{"binary-1MiB", func(t *testing.T, ctx context.Context, h *harness) {
			testEcho(t, ctx, h, websocket.MessageBinary, bigBinary)
		}},
		{"100-messages-in-order", testInOrder},
		{"fragmented-ours-to-" + name, testFragmentedFromOurs},
		{"fragmented-" + name + "-to-ours", testFragmentedFromPeer},
		{"ping-from-ours", testPing},
		{"close-started-by-ours", testCloseByOurs},
		{"close-started-by-" + name, testCloseByPeer},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, scenarioContext(t), h)
		})
	}
}

// testSubprotocol: the client offers "chat, superchat", the server speaks
// "superchat": both must agree on "superchat".
func testSubprotocol(t *testing.T, ctx context.Context, h *harness) {
	p := h.connect(t, ctx, modeEcho)
	if got := p.client.Subprotocol(); got != "superchat" {
		t.Errorf("%s: subprotocol %q, want %q", p.clientName, got, "superchat")
	}
	select {
	case got := <-p.env.subprotocol:
		if got != "superchat" {
			t.Errorf("%s: subprotocol %q, want %q", p.serverName, got, "superchat")
		}
	case <-ctx.Done():
		t.Fatalf("%s: no handshake: %v", p.serverName, ctx.Err())
	}
}

// testEcho sends a message to an echo server and expects it back.
func testEcho(t *testing.T, ctx context.Context, h *harness, typ websocket.MessageType, msg []byte) {
	p := h.connect(t, ctx, modeEcho)
	if err := p.client.Write(ctx, typ, msg); err != nil {
		t.Fatalf("%s: Write of %d bytes: %v", p.clientName, len(msg), err)
	}
	p.expectMessage(t, ctx, typ, msg)
}

// expectMessage reads a message on the client and compares it with want.
func (p *pair) expectMessage(t *testing.T, ctx context.Context, typ websocket.MessageType, want []byte) {
	t.Helper()
	gotTyp, got, err := p.client.Read(ctx)
	if err != nil {
		t.Fatalf("%s: Read: %v", p.clientName, err)
	}
	p.compare(t, gotTyp, got, typ, want)
}

func (p *pair) compare(t *testing.T, gotTyp websocket.MessageType, got []byte, typ websocket.MessageType, want []byte) {
	t.Helper()
	if gotTyp != typ {
		t.Errorf("%s: got a %v message, want %v", p.clientName, gotTyp, typ)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: got %s", p.clientName, describeDiff(got, want))
	}
}

// describeDiff tells how got differs from want without printing megabytes.
func describeDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	excerpt := func(b []byte) []byte { return b[i:min(len(b), i+16)] }
	return fmt.Sprintf("%d bytes, want %d; first difference at offset %d: % x, want % x",
		len(got), len(want), i, excerpt(got), excerpt(want))
}

// testInOrder sends 100 small messages, text and binary in turn, before
// reading any echo: they must come back all, in order.
func testInOrder(t *testing.T, ctx context.Context, h *harness) {
	p := h.connect(t, ctx, modeEcho)
	msg := func(i int) (websocket.MessageType, []byte) {
		if i%2 == 0 {
			return websocket.MessageText, fmt.Appendf(nil, "message %03d", i)
		}
		return websocket.MessageBinary, fmt.Appendf(nil, "binary %03d \x00\xff", i)
	}
	const n = 100
	for i := range n {
		typ, b := msg(i)
		if err := p.client.Write(ctx, typ, b); err != nil {
			t.Fatalf("%s: Write of message %d: %v", p.clientName, i, err)
		}
	}
	for i := range n {
		typ, want := msg(i)
		gotTyp, got, err := p.client.Read(ctx)
		if err != nil {
			t.Fatalf("%s: Read of message %d: %v", p.clientName, i, err)
		}
		if gotTyp != typ || !bytes.Equal(got, want) {
			t.Fatalf("%s: message %d is %v %q, want %v %q", p.clientName, i, gotTyp, got, typ, want)
		}
	}
}

// testFragmentedFromOurs: our side sends a message with Writer, whose small
// buffer cuts it into frames; the peer must take it as one message.
func testFragmentedFromOurs(t *testing.T, ctx context.Context, h *harness) {
	var p *pair
	if h.ourClient {
		// Our client streams it; the peer's server echoes it whole.
		p = h.connect(t, ctx, modeEcho)
		if err := p.client.WriteFragmented(ctx, websocket.MessageText, fragmented); err != nil {
			t.Fatalf("%s: Writer: %v", p.clientName, err)
		}
	} else {
		// The peer's client sends it whole; our server streams it back.
		p = h.connect(t, ctx, modeEchoFragmented)
		if err := p.client.Write(ctx, websocket.MessageText, fragmented); err != nil {
			t.Fatalf("%s: Write: %v", p.clientName, err)
		}
	}
	p.expectMessage(t, ctx, websocket.MessageText, fragmented)
	p.tap.out.expectFragmented(t, "sent by our side", opcodeText, len(fragmented))
}

// testFragmentedFromPeer: the peer sends a message with its streaming
// writer, in several frames; our side must take it as one message.
func testFragmentedFromPeer(t *testing.T, ctx context.Context, h *harness) {
	if h.ourClient {
		// Our client sends it whole; the peer's server streams it back,
		// and our client reads it with Reader.
		p := h.connect(t, ctx, modeEchoFragmented)
		if err := p.ours.Write(ctx, websocket.MessageText, fragmented); err != nil {
			t.Fatalf("%s: Write: %v", p.clientName, err)
		}
		typ, r, err := p.ours.Reader(ctx)
		if err != nil {
			t.Fatalf("%s: Reader: %v", p.clientName, err)
		}
		got, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: reading the message from Reader: %v", p.clientName, err)
		}
		p.compare(t, typ, got, websocket.MessageText, fragmented)
		p.tap.in.expectFragmented(t, "sent by "+p.serverName, opcodeText, len(fragmented))
		return
	}
	// The peer's client streams it; our server reads it with Read and
	// echoes it whole.
	p := h.connect(t, ctx, modeEcho)
	if err := p.client.WriteFragmented(ctx, websocket.MessageText, fragmented); err != nil {
		t.Fatalf("%s: streaming writer: %v", p.clientName, err)
	}
	p.expectMessage(t, ctx, websocket.MessageText, fragmented)
	p.tap.in.expectFragmented(t, "sent by "+p.clientName, opcodeText, len(fragmented))
}

// testPing: our side pings while a goroutine reads; the peer's pong must
// come back. Three pings, to see each matched to its pong.
func testPing(t *testing.T, ctx context.Context, h *harness) {
	if !h.ourClient {
		// Our server pings; the peer's client answers while it reads.
		p := h.connect(t, ctx, modePing)
		reading := make(chan error, 1)
		go func() {
			_, _, err := p.client.Read(ctx)
			reading <- err
		}()
		res := p.env.wait(t, ctx, p.serverName)
		if res.pingErr != nil {
			t.Errorf("our server's Ping to %s: %v", p.clientName, res.pingErr)
		} else if res.rtt <= 0 {
			t.Errorf("our server's Ping to %s: round trip %v, want > 0", p.clientName, res.rtt)
		}
		p.client.CloseNow()
		<-reading
		return
	}
	p := h.connect(t, ctx, modeEcho)
	reading := readInBackground(ctx, p.ours)
	for i := range 3 {
		rtt, err := p.ours.Ping(ctx)
		if err != nil {
			t.Fatalf("our client's Ping %d to %s: %v", i+1, p.serverName, err)
		}
		if rtt <= 0 {
			t.Errorf("our client's Ping %d to %s: round trip %v, want > 0", i+1, p.serverName, rtt)
		}
	}
	p.ours.CloseNow()
	<-reading
}

// readInBackground reads c, discarding messages, until an error, which it
// then delivers.
func readInBackground(ctx context.Context, c *websocket.Conn) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			if _, _, err := c.Read(ctx); err != nil {
				errc <- err
				return
			}
		}
	}()
	return errc
}

// testCloseByOurs: our side closes with 4000 "bye". Our Close must return
// nil, our reader must get the peer's close frame, and the peer must see
// 4000 "bye".
func testCloseByOurs(t *testing.T, ctx context.Context, h *harness) {
	if !h.ourClient {
		p := h.connect(t, ctx, modeClose)
		_, _, err := p.client.Read(ctx)
		expectClose(t, p.clientName+" Read", p.client.CloseInfo(err), closeCode, closeReason)
		res := p.env.wait(t, ctx, p.serverName)
		if res.closeErr != nil {
			t.Errorf("our server's Close(%d, %q) = %v, want nil", closeCode, closeReason, res.closeErr)
		}
		expectAnswer(t, "our server's Read", res.end)
		return
	}
	p := h.connect(t, ctx, modeEcho)
	reading := readInBackground(ctx, p.ours)
	if err := p.ours.Close(closeCode, closeReason); err != nil {
		t.Errorf("our client's Close(%d, %q) = %v, want nil", closeCode, closeReason, err)
	}
	expectAnswer(t, "our client's Read", ourCloseInfo(receive(t, ctx, reading)))
	expectDone(t, ctx, p.ours)
	res := p.env.wait(t, ctx, p.serverName)
	expectClose(t, p.serverName, res.end, closeCode, closeReason)
}

// testCloseByPeer: the peer closes with 4000 "bye". Our Read must return a
// *CloseError with 4000 "bye", and the peer must find the close clean.
func testCloseByPeer(t *testing.T, ctx context.Context, h *harness) {
	if !h.ourClient {
		p := h.connect(t, ctx, modeEcho)
		if err := p.client.Close(ctx, closeCode, closeReason); err != nil {
			t.Errorf("%s: Close(%d, %q) = %v, want nil", p.clientName, closeCode, closeReason, err)
		}
		res := p.env.wait(t, ctx, p.serverName)
		expectOurCloseError(t, "our server's Read", res.end.err, closeCode, closeReason)
		return
	}
	p := h.connect(t, ctx, modeClose)
	_, _, err := p.ours.Read(ctx)
	expectOurCloseError(t, "our client's Read", err, closeCode, closeReason)
	expectDone(t, ctx, p.ours)
	res := p.env.wait(t, ctx, p.serverName)
	if res.closeErr != nil {
		t.Errorf("%s: its close handshake: %v, want a clean close", p.serverName, res.closeErr)
	}
}

func receive(t *testing.T, ctx context.Context, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		t.Fatalf("reader still blocked: %v", ctx.Err())
		panic("unreachable")
	}
}

// expectClose checks that a side received a close frame with code and reason.
func expectClose(t *testing.T, who string, got closeInfo, code int, reason string) {
	t.Helper()
	if !got.received || got.code != code || got.reason != reason {
		t.Errorf("%s: %v, want close frame %d %q", who, got, code, reason)
	}
}

// expectAnswer checks that the side that started the closing handshake
// received the answer, with the same code (RFC 6455 section 5.5.1: the
// answer typically echoes the code; all the libraries here do). The reason
// of an answer is the answering side's choice.
func expectAnswer(t *testing.T, who string, got closeInfo) {
	t.Helper()
	if !got.received || got.code != closeCode {
		t.Errorf("%s: %v, want the answering close frame, code %d", who, got, closeCode)
	}
}

// expectOurCloseError checks the error of our Read once the peer closed.
func expectOurCloseError(t *testing.T, who string, err error, code int, reason string) {
	t.Helper()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Errorf("%s: error %v (%T), want a *websocket.CloseError", who, err, err)
		return
	}
	if int(ce.Code) != code || ce.Reason != reason {
		t.Errorf("%s: CloseError %d %q, want %d %q", who, ce.Code, ce.Reason, code, reason)
	}
	if got := websocket.CloseStatus(err); int(got) != code {
		t.Errorf("%s: CloseStatus = %d, want %d", who, got, code)
	}
}

// expectDone checks that our connection's transport was closed.
func expectDone(t *testing.T, ctx context.Context, c *websocket.Conn) {
	t.Helper()
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Errorf("our connection still open after the closing handshake")
	}
}

// ourCloseInfo tells what an error of our Read says of the close.
func ourCloseInfo(err error) closeInfo {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return closeInfo{received: true, code: int(ce.Code), reason: ce.Reason, err: err}
	}
	return closeInfo{err: err}
}

// ourEndpoint is our client as an endpoint.
type ourEndpoint struct{ c *websocket.Conn }

func (e ourEndpoint) Subprotocol() string { return e.c.Subprotocol() }

func (e ourEndpoint) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	return e.c.Write(ctx, typ, p)
}

// WriteFragmented streams p through Writer in uneven pieces that split
// multi-byte characters; the connection's small write buffer cuts frames.
func (e ourEndpoint) WriteFragmented(ctx context.Context, typ websocket.MessageType, p []byte) error {
	return writeStreamed(ctx, e.c, typ, p)
}

func writeStreamed(ctx context.Context, c *websocket.Conn, typ websocket.MessageType, p []byte) error {
	w, err := c.Writer(ctx, typ)
	if err != nil {
		return err
	}
	for len(p) > 0 {
		n := min(len(p), 999)
		if _, err := w.Write(p[:n]); err != nil {
			w.Close()
			return err
		}
		p = p[n:]
	}
	return w.Close()
}

func (e ourEndpoint) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	return e.c.Read(ctx)
}

func (e ourEndpoint) Close(ctx context.Context, code int, reason string) error {
	return e.c.Close(websocket.CloseCode(code), reason)
}

func (e ourEndpoint) CloseInfo(err error) closeInfo { return ourCloseInfo(err) }

func (e ourEndpoint) CloseNow() { e.c.CloseNow() }

// ourServer is the handler of our server: it accepts one connection and
// behaves as env.mode says.
func ourServer(env *serverEnv) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols: supported,
			ConnOptions:  websocket.ConnOptions{WriteBufferSize: ourWriteBufferSize},
		})
		if err != nil {
			env.done(serverResult{end: closeInfo{err: fmt.Errorf("Accept: %w", err)}})
			return
		}
		defer c.CloseNow()
		env.handshakeDone(c.Subprotocol())
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()

		var res serverResult
		switch env.mode {
		case modeEcho:
			res.end = ourCloseInfo(ourEcho(ctx, c, false))
		case modeEchoFragmented:
			res.end = ourCloseInfo(ourEcho(ctx, c, true))
		case modeClose:
			reading := readInBackground(ctx, c)
			res.closeErr = c.Close(closeCode, closeReason)
			res.end = ourCloseInfo(<-reading)
		case modePing:
			reading := readInBackground(ctx, c)
			res.rtt, res.pingErr = c.Ping(ctx)
			env.done(res)
			<-reading // until the client goes
			return
		}
		env.done(res)
	})
}

// ourEcho echoes every message, whole with Write or streamed with Writer,
// until reading fails.
func ourEcho(ctx context.Context, c *websocket.Conn, streamed bool) error {
	for {
		typ, p, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if streamed {
			err = writeStreamed(ctx, c, typ, p)
		} else {
			err = c.Write(ctx, typ, p)
		}
		if err != nil {
			return err
		}
	}
}
