package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

var listeningRE = regexp.MustCompile(`listening on ws://(\S+)\n`)

// startServe runs "ws serve" on a free loopback port with the extra args
// and returns the process and its address.
func startServe(t *testing.T, args ...string) (*proc, string) {
	t.Helper()
	p := start(t, nil, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	addr := waitOutput(t, &p.stderr, listeningRE)[1]
	return p, addr
}

// dial connects to the server at addr, failing the test on error.
func dial(t *testing.T, ctx context.Context, addr string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/echo", opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// roundTrip writes a message and checks that it comes back unchanged.
func roundTrip(t *testing.T, ctx context.Context, c *websocket.Conn, typ websocket.MessageType, data []byte) {
	t.Helper()
	if err := c.Write(ctx, typ, data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	gotType, got, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if gotType != typ || !bytes.Equal(got, data) {
		t.Fatalf("echo: got %v message of %d bytes, want %v message of %d bytes", gotType, len(got), typ, len(data))
	}
}

// readClose reads until the peer's close frame and returns it.
func readClose(t *testing.T, ctx context.Context, c *websocket.Conn) *websocket.CloseError {
	t.Helper()
	for {
		_, _, err := c.Read(ctx)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce
		}
		if err != nil {
			t.Fatalf("Read: %v, want a close frame", err)
		}
	}
}

func TestServeEcho(t *testing.T) {
	_, addr := startServe(t)
	ctx := testContext(t)
	// Any origin is accepted by default.
	c := dial(t, ctx, addr, &websocket.DialOptions{Header: http.Header{"Origin": {"http://elsewhere.example"}}})
	if p := c.Subprotocol(); p != "" {
		t.Errorf("subprotocol %q without --protocols", p)
	}

	big := make([]byte, 1<<20)
	rand.Read(big)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("hello"))
	roundTrip(t, ctx, c, websocket.MessageText, []byte("héllo, 世界"))
	roundTrip(t, ctx, c, websocket.MessageText, []byte{})
	roundTrip(t, ctx, c, websocket.MessageBinary, []byte{0, 1, 2, 0xff})
	roundTrip(t, ctx, c, websocket.MessageBinary, big)

	// Fragmented messages are echoed whole.
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"frag", "men", "ted"} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if typ, got, err := c.Read(ctx); err != nil || typ != websocket.MessageText || string(got) != "fragmented" {
		t.Fatalf("fragmented echo: %v %q %v", typ, got, err)
	}

	if err := c.Close(websocket.CloseNormal, ""); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestServeSubprotocol(t *testing.T) {
	_, addr := startServe(t, "--protocols", "chat, superchat")
	ctx := testContext(t)
	tests := []struct {
		offer []string
		want  string
	}{
		{[]string{"superchat", "chat"}, "superchat"},
		{[]string{"chat", "superchat"}, "chat"},
		{[]string{"other", "superchat"}, "superchat"},
		{nil, ""},
	}
	for _, tt := range tests {
		c := dial(t, ctx, addr, &websocket.DialOptions{Subprotocols: tt.offer})
		if got := c.Subprotocol(); got != tt.want {
			t.Errorf("offering %q: selected %q, want %q", tt.offer, got, tt.want)
		}
		roundTrip(t, ctx, c, websocket.MessageText, []byte("hi"))
		if err := c.Close(websocket.CloseNormal, ""); err != nil {
			t.Errorf("Close: %v", err)
		}
	}

	// With no match the server selects none. Like browsers, the library's
	// client then fails the connection; the response is there to check.
	_, resp, err := websocket.Dial(ctx, "ws://"+addr+"/", &websocket.DialOptions{Subprotocols: []string{"other"}})
	if err == nil {
		t.Fatal("Dial offering only an unsupported subprotocol succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Protocol") != "" {
		t.Errorf("offering only an unsupported subprotocol: response %v, want 101 without Sec-WebSocket-Protocol", resp)
	}
}

func TestServeCloseEcho(t *testing.T) {
	p, addr := startServe(t)
	ctx := testContext(t)
	for _, code := range []websocket.CloseCode{websocket.CloseNormal, websocket.CloseGoingAway, 4321} {
		c := dial(t, ctx, addr, nil)
		roundTrip(t, ctx, c, websocket.MessageText, []byte("before close"))
		if err := c.Close(code, "bye now"); err != nil {
			t.Fatalf("Close(%v): %v", code, err)
		}
		// After Close, Read reports the server's close frame.
		_, _, err := c.Read(ctx)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("Read after Close: %v, want the server's close frame", err)
		}
		if ce.Code != code {
			t.Errorf("server answered close %v with %v", code, ce.Code)
		}
		// The command means to echo the reason too, but the library answers
		// a close frame itself, with the code alone.
		if ce.Reason != "bye now" && ce.Reason != "" {
			t.Errorf("server answered reason %q", ce.Reason)
		}
		want := fmt.Sprintf(`msg=closed .* code=%d reason="bye now"`, code)
		waitOutput(t, &p.stderr, regexp.MustCompile(want))
	}
}

func TestServeReadLimit(t *testing.T) {
	_, addr := startServe(t, "--read-limit", "16")
	ctx := testContext(t)
	c := dial(t, ctx, addr, nil)
	roundTrip(t, ctx, c, websocket.MessageBinary, make([]byte, 16))
	if err := c.Write(ctx, websocket.MessageBinary, make([]byte, 17)); err != nil {
		t.Fatal(err)
	}
	if ce := readClose(t, ctx, c); ce.Code != websocket.CloseMessageTooBig {
		t.Errorf("close code %v, want %v", ce.Code, websocket.CloseMessageTooBig)
	}
}

func TestServeOrigin(t *testing.T) {
	_, addr := startServe(t, "--origin", "example.com", "--origin", "*.example.org")
	ctx := testContext(t)
	for _, origin := range []string{"http://example.com", "https://chat.example.org", "http://" + addr} {
		c := dial(t, ctx, addr, &websocket.DialOptions{Header: http.Header{"Origin": {origin}}})
		roundTrip(t, ctx, c, websocket.MessageText, []byte(origin))
		c.Close(websocket.CloseNormal, "")
	}
	_, resp, err := websocket.Dial(ctx, "ws://"+addr+"/", &websocket.DialOptions{
		Header: http.Header{"Origin": {"http://evil.example"}},
	})
	if err == nil {
		t.Fatal("Dial with a foreign origin succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: response %v, want 403", resp)
	}
}

func TestServePage(t *testing.T) {
	_, addr := startServe(t, "--protocols", "chat")
	client := &http.Client{Timeout: testTimeout}

	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"new WebSocket('ws://" + addr + "')", "ws connect ws://" + addr, "chat"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("page does not contain %q:\n%s", want, body)
		}
	}

	// Elsewhere Accept refuses a plain request as not being an upgrade:
	// RFC 6455 allows 400 or 426.
	resp, err = client.Get("http://" + addr + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("GET /favicon.ico: %s, want 400 or 426", resp.Status)
	}
}

func TestServeShutdown(t *testing.T) {
	p, addr := startServe(t)
	ctx := testContext(t)

	const n = 3
	closes := make(chan *websocket.CloseError, n)
	for range n {
		c := dial(t, ctx, addr, nil)
		roundTrip(t, ctx, c, websocket.MessageText, []byte("hi"))
		go func() {
			var ce *websocket.CloseError
			for {
				_, _, err := c.Read(ctx)
				if err != nil {
					errors.As(err, &ce)
					break
				}
			}
			closes <- ce
		}()
	}
	waitOutput(t, &p.stderr, regexp.MustCompile(`(?s)(msg=open.*){3}`))

	p.signal(t, syscall.SIGTERM)
	for range n {
		select {
		case ce := <-closes:
			if ce == nil || ce.Code != websocket.CloseGoingAway || ce.Reason != "server shutting down" {
				t.Errorf("client got close %v, want 1001 \"server shutting down\"", ce)
			}
		case <-ctx.Done():
			t.Fatal("a client got no close frame")
		}
	}
	if code := p.wait(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if !strings.Contains(p.stderr.String(), "shutdown complete") {
		t.Errorf("no \"shutdown complete\" in the log")
	}
	if _, _, err := websocket.Dial(ctx, "ws://"+addr+"/", nil); err == nil {
		t.Error("Dial succeeded after shutdown")
	}
}

// TestServeShutdownUnresponsive checks that a client that never answers the
// close frame does not hold the shutdown up beyond its bound.
func TestServeShutdownUnresponsive(t *testing.T) {
	p, addr := startServe(t)
	nc, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	nc.SetReadDeadline(time.Now().Add(testTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	waitOutput(t, &p.stderr, regexp.MustCompile(`msg=open`))

	begin := time.Now()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if d := time.Since(begin); d > shutdownTimeout+2*time.Second {
		t.Errorf("shutdown took %v, more than its bound %v", d, shutdownTimeout)
	}
}
