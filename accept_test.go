package websocket

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// echoHandler returns a handler that accepts with opts and echoes every
// message back.
func echoHandler(t *testing.T, opts *AcceptOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, opts)
		if err != nil {
			t.Logf("Accept: %v", err)
			return
		}
		defer c.CloseNow()
		echo(c)
	})
}

// acceptServer is an httptest server whose handler calls Accept and
// reports the error it returned.
type acceptServer struct {
	*httptest.Server
	errs chan error
}

// startAcceptServer starts an acceptServer; onConn, if not nil, serves the
// accepted connections, which are otherwise closed at once.
func startAcceptServer(t *testing.T, opts *AcceptOptions, onConn func(c *Conn)) *acceptServer {
	t.Helper()
	s := &acceptServer{errs: make(chan error, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, opts)
		s.errs <- err
		if err != nil {
			return
		}
		defer c.CloseNow()
		if onConn != nil {
			onConn(c)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// acceptErr returns the error of the last Accept.
func (s *acceptServer) acceptErr(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.errs:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not run")
		return nil
	}
}

func (s *acceptServer) addr() string { return s.Listener.Addr().String() }

// sampleKey is RFC 6455's example key, whose accept value is sampleAccept.
const (
	sampleKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	sampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// stdLines are the header lines of a valid handshake request, after Host.
var stdLines = []string{
	"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + sampleKey, "Sec-WebSocket-Version: 13",
}

// replace returns lines without those whose name is name, followed by add.
func replace(lines []string, name string, add ...string) []string {
	var out []string
	for _, l := range lines {
		if n, _, _ := strings.Cut(l, ":"); !strings.EqualFold(n, name) {
			out = append(out, l)
		}
	}
	return append(out, add...)
}

// rawRequest builds a request with the given request line and header
// lines (Host first).
func rawRequest(line, host string, lines []string) string {
	return line + "\r\nHost: " + host + "\r\n" + strings.Join(lines, "\r\n") + "\r\n\r\n"
}

// exchange sends a raw request to addr and returns the response, with its
// body read unless it is a 101, and the connection, which is closed at the
// end of the test.
func exchange(t *testing.T, addr, request string) (*http.Response, string, net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(nc, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	var body []byte
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ = io.ReadAll(resp.Body)
	}
	return resp, string(body), nc, br
}

// TestP21_P23_BadRequests checks the answer to each kind of invalid
// handshake request: status, headers, a plain-text body saying what was
// wrong, and the error Accept returns.
func TestP21_P23_BadRequests(t *testing.T) {
	s := startAcceptServer(t, nil, nil)
	h := s.addr()
	get := "GET /ws HTTP/1.1"
	upgradeHeaders := map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-Websocket-Version": "13"}
	tests := []struct {
		name       string
		request    string
		status     int
		header     map[string]string
		bodyPart   string
		connection string
	}{
		{"P21 POST", rawRequest("POST /ws HTTP/1.1", h, stdLines), 405, map[string]string{"Allow": "GET"}, "GET", ""},
		{"P21 HTTP/1.0", rawRequest("GET /ws HTTP/1.0", h, stdLines), 400, nil, "HTTP/1.1", ""},
		{"P22 no Upgrade", rawRequest(get, h, replace(stdLines, "Upgrade")), 400, nil, "Upgrade: websocket", ""},
		{"P22 Upgrade h2c", rawRequest(get, h, replace(stdLines, "Upgrade", "Upgrade: h2c")), 400, nil, "Upgrade: websocket", ""},
		{"P22 Connection keep-alive", rawRequest(get, h, replace(stdLines, "Connection", "Connection: keep-alive")), 400, nil, "Connection: Upgrade", ""},
		{"P22 no key", rawRequest(get, h, replace(stdLines, "Sec-WebSocket-Key")), 400, nil, "Sec-WebSocket-Key", ""},
		{"P22 short key", rawRequest(get, h, replace(stdLines, "Sec-WebSocket-Key", "Sec-WebSocket-Key: dGVzdA==")), 400, nil, "16 bytes", ""},
		{"P29 two keys", rawRequest(get, h, append(slices.Clone(stdLines), "Sec-WebSocket-Key: "+sampleKey)), 400, nil, "more than one", ""},
		{"P22 malformed protocols", rawRequest(get, h, append(slices.Clone(stdLines), "Sec-WebSocket-Protocol: a b")), 400, nil, "Sec-WebSocket-Protocol", ""},
		{"P33 malformed extensions", rawRequest(get, h, append(slices.Clone(stdLines), "Sec-WebSocket-Extensions: x; =")), 400, nil, "Sec-WebSocket-Extensions", ""},
		{"GET with a body", rawRequest(get, h, append(slices.Clone(stdLines), "Content-Length: 5")) + "hello", 400, nil, "no body", ""},
		{"GET with a chunked body", rawRequest(get, h, append(slices.Clone(stdLines), "Transfer-Encoding: chunked")) + "0\r\n\r\n", 400, nil, "no body", ""},
		{"P23 version 8", rawRequest(get, h, replace(stdLines, "Sec-WebSocket-Version", "Sec-WebSocket-Version: 8")), 426, upgradeHeaders, "13", ""},
		{"P23 no version", rawRequest(get, h, replace(stdLines, "Sec-WebSocket-Version")), 426, upgradeHeaders, "Sec-WebSocket-Version", ""},
		{"P23 two versions", rawRequest(get, h, append(slices.Clone(stdLines), "Sec-WebSocket-Version: 8")), 426, upgradeHeaders, "13", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body, _, _ := exchange(t, h, tt.request)
			err := s.acceptErr(t)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %s, want %d; body %q", resp.Status, tt.status, body)
			}
			for name, want := range tt.header {
				if got := resp.Header.Get(name); !strings.EqualFold(got, want) {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			if !strings.Contains(body, tt.bodyPart) || !strings.HasPrefix(body, "websocket: ") {
				t.Errorf("body %q does not explain (%q)", body, tt.bodyPart)
			}
			var ae *AcceptError
			if !errors.Is(err, ErrBadHandshake) || !errors.As(err, &ae) || ae.StatusCode != tt.status {
				t.Fatalf("Accept returned %v, want an *AcceptError of class ErrBadHandshake with status %d", err, tt.status)
			}
			var he *wsproto.HandshakeError
			if !errors.As(err, &he) && !strings.HasPrefix(tt.name, "GET with") || errors.Is(err, ErrOriginNotAllowed) {
				t.Errorf("Accept's error %v does not wrap the core's *HandshakeError only", err)
			}
		})
	}
}

// TestP21_P22_ValidVariants checks requests that must be accepted.
func TestP21_P22_ValidVariants(t *testing.T) {
	s := startAcceptServer(t, nil, nil)
	h := s.addr()
	tests := []struct{ name, request string }{
		{"plain", rawRequest("GET /ws HTTP/1.1", h, stdLines)},
		{"P21 absolute-form target", rawRequest("GET http://"+h+"/ws?x=1 HTTP/1.1", h, stdLines)},
		{"P22 Connection list (Firefox)", rawRequest("GET / HTTP/1.1", h, replace(stdLines, "Connection", "Connection: keep-alive, Upgrade"))},
		{"P22 Upgrade case", rawRequest("GET / HTTP/1.1", h, replace(stdLines, "Upgrade", "Upgrade: WebSocket"))},
		{"P22 Upgrade list", rawRequest("GET / HTTP/1.1", h, replace(stdLines, "Upgrade", "Upgrade: foo/2, websocket"))},
		{"P32 empty protocol list elements", rawRequest("GET / HTTP/1.1", h, append(slices.Clone(stdLines), "Sec-WebSocket-Protocol: a,,b,"))},
		{"P22 lower-case names", rawRequest("GET / HTTP/1.1", h, []string{"upgrade: websocket", "connection: upgrade", "sec-websocket-key: " + sampleKey, "sec-websocket-version: 13"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body, _, _ := exchange(t, h, tt.request)
			err := s.acceptErr(t)
			if resp.StatusCode != 101 {
				t.Fatalf("status %s, body %q; want 101", resp.Status, body)
			}
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
		})
	}
}

// TestP25_101Response checks the 101 response byte for byte where it
// matters: status line, the handshake's headers, the extra headers, and
// nothing that is not asked for (no extension accepted, P-34).
func TestP25_101Response(t *testing.T) {
	s := startAcceptServer(t, &AcceptOptions{ResponseHeader: http.Header{
		"Set-Cookie": {"session=1; HttpOnly"}, "X-Server": {"test"},
	}}, nil)
	req := rawRequest("GET / HTTP/1.1", s.addr(), append(slices.Clone(stdLines),
		"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-unknown"))
	nc, err := net.Dial("tcp", s.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, req)
	br := bufio.NewReader(nc)
	var lines []string
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
		lines = append(lines, strings.TrimSuffix(l, "\r\n"))
	}
	if lines[0] != "HTTP/1.1 101 Switching Protocols" {
		t.Errorf("status line %q", lines[0])
	}
	want := []string{
		"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + sampleAccept,
		"Set-Cookie: session=1; HttpOnly", "X-Server: test",
	}
	if got := lines[1:]; !slices.Equal(got, want) {
		t.Errorf("headers\n%q\nwant\n%q", got, want)
	}
	if err := s.acceptErr(t); err != nil {
		t.Fatal(err)
	}
}

func TestAccept_ResponseHeaderRefused(t *testing.T) {
	for _, bad := range []http.Header{
		{"Sec-WebSocket-Protocol": {"chat"}},
		{"sec-websocket-accept": {"x"}},
		{"Upgrade": {"websocket"}},
		{"Connection": {"keep-alive"}},
		{"Content-Length": {"0"}},
		{"X-Injected": {"a\r\nX-Evil: 1"}},
		{"Bad Name": {"x"}},
	} {
		s := startAcceptServer(t, &AcceptOptions{ResponseHeader: bad}, nil)
		resp, body, _, _ := exchange(t, s.addr(), rawRequest("GET / HTTP/1.1", s.addr(), stdLines))
		if resp.StatusCode != 500 || strings.Contains(body, "X-Evil") {
			t.Errorf("%q: status %s, body %q; want 500", bad, resp.Status, body)
		}
		err := s.acceptErr(t)
		if err == nil || errors.Is(err, ErrBadHandshake) || !strings.Contains(err.Error(), "ResponseHeader") {
			t.Errorf("%q: Accept returned %v, want an error about ResponseHeader", bad, err)
		}
	}
}

func TestP31_SubprotocolSelection(t *testing.T) {
	var gotOffers []string
	tests := []struct {
		name    string
		offers  []string // Sec-WebSocket-Protocol header lines
		opts    AcceptOptions
		want    string // "" for no header at all
		offered []string
	}{
		{name: "server preference", offers: []string{"a, b"}, opts: AcceptOptions{Subprotocols: []string{"b", "a"}}, want: "b"},
		{name: "first match", offers: []string{"a, b, c"}, opts: AcceptOptions{Subprotocols: []string{"x", "c", "a"}}, want: "c"},
		{name: "P32 several lines", offers: []string{"a", " b ,c"}, opts: AcceptOptions{Subprotocols: []string{"c"}}, want: "c"},
		{name: "no match", offers: []string{"a"}, opts: AcceptOptions{Subprotocols: []string{"x"}}},
		{name: "exact match only", offers: []string{"chat"}, opts: AcceptOptions{Subprotocols: []string{"Chat"}}},
		{name: "server speaks none", offers: []string{"a"}},
		{name: "client offers none", opts: AcceptOptions{Subprotocols: []string{"a"}}},
		{name: "SelectSubprotocol", offers: []string{"a, b, c"}, want: "b", offered: []string{"a", "b", "c"},
			opts: AcceptOptions{Subprotocols: []string{"a"}, SelectSubprotocol: func(r *http.Request, offered []string) string {
				gotOffers = offered
				return offered[1]
			}}},
		{name: "SelectSubprotocol not offered", offers: []string{"a"},
			opts: AcceptOptions{SelectSubprotocol: func(*http.Request, []string) string { return "x\r\nX-Evil: 1" }}},
		{name: "SelectSubprotocol none", offers: []string{"a"},
			opts: AcceptOptions{SelectSubprotocol: func(*http.Request, []string) string { return "" }}},
		{name: "SelectSubprotocol without offers", opts: AcceptOptions{SelectSubprotocol: func(*http.Request, []string) string {
			panic("called without offers")
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotOffers = nil
			s := startAcceptServer(t, &tt.opts, nil)
			lines := slices.Clone(stdLines)
			for _, o := range tt.offers {
				lines = append(lines, "Sec-WebSocket-Protocol: "+o)
			}
			resp, body, _, _ := exchange(t, s.addr(), rawRequest("GET / HTTP/1.1", s.addr(), lines))
			if resp.StatusCode != 101 {
				t.Fatalf("status %s, body %q", resp.Status, body)
			}
			got, present := resp.Header["Sec-Websocket-Protocol"]
			switch {
			case tt.want == "" && present:
				t.Errorf("Sec-WebSocket-Protocol %q, want no header (P-31)", got)
			case tt.want != "" && !slices.Equal(got, []string{tt.want}):
				t.Errorf("Sec-WebSocket-Protocol %q, want %q", got, tt.want)
			}
			if tt.offered != nil && !slices.Equal(gotOffers, tt.offered) {
				t.Errorf("SelectSubprotocol got %q, want %q", gotOffers, tt.offered)
			}
			if err := s.acceptErr(t); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestP28_ClientBytesBufferedAtHijack: a frame sent in the same write as
// the request, which http.Server may have buffered, reaches the Conn.
func TestP28_ClientBytesBufferedAtHijack(t *testing.T) {
	s := startAcceptServer(t, nil, func(c *Conn) { echo(c) })
	h := wsproto.Header{Fin: true, Opcode: wsproto.OpText, Length: 5, Masked: true, Mask: [4]byte{9, 8, 7, 6}}
	frame := append(wsproto.AppendHeader(nil, h), "early"...)
	wsproto.Mask(h.Mask, 0, frame[len(frame)-5:])
	resp, _, _, br := exchange(t, s.addr(), rawRequest("GET / HTTP/1.1", s.addr(), stdLines)+string(frame))
	if resp.StatusCode != 101 {
		t.Fatalf("status %s", resp.Status)
	}
	echoed := make([]byte, 7)
	if _, err := io.ReadFull(br, echoed); err != nil {
		t.Fatal(err)
	}
	if want := string(serverFrame(wsproto.OpText, []byte("early"))); string(echoed) != want {
		t.Errorf("echo %q, want %q", echoed, want)
	}
}

// TestP26_P28_ServerTimeoutsCleared: the http.Server's read and write
// timeouts do not apply to the WebSocket connection, and the server may
// speak first, right after the 101.
func TestP26_P28_ServerTimeoutsCleared(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		if err := c.Write(ctx, MessageText, []byte("welcome")); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(300 * time.Millisecond) // longer than the server's timeouts
		echo(c)
	}))
	ts.Config.ReadTimeout = 100 * time.Millisecond
	ts.Config.WriteTimeout = 100 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)

	c, _ := mustDial(t, ts.URL, nil)
	typ, data, err := c.Read(ctxT(t))
	if err != nil || typ != MessageText || string(data) != "welcome" {
		t.Fatalf("Read = %v %q %v, want the server's welcome", typ, data, err)
	}
	time.Sleep(300 * time.Millisecond)
	roundTrip(t, c, "still there")
}

// TestAccept_HTTP2 checks the answer to a request over HTTP/2: 505, so that
// the client retries over HTTP/1.1.
func TestAccept_HTTP2(t *testing.T) {
	errs := make(chan error, 1)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := Accept(w, r, nil)
		errs <- err
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	req, _ := http.NewRequest("GET", ts.URL, nil)
	req.Header.Set("Sec-WebSocket-Key", sampleKey)
	req.Header.Set("Sec-WebSocket-Version", "13")
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusHTTPVersionNotSupported || !strings.Contains(string(body), "HTTP/2") {
		t.Errorf("%s %s %q, want HTTP/2 505 and a body that says why", resp.Proto, resp.Status, body)
	}
	if err := <-errs; !errors.Is(err, ErrBadHandshake) {
		t.Errorf("Accept returned %v, want ErrBadHandshake", err)
	}
}

func TestAccept_NotHijackable(t *testing.T) {
	r := httptest.NewRequest("GET", "http://example.com/ws", nil)
	for _, l := range stdLines {
		name, value, _ := strings.Cut(l, ": ")
		r.Header.Set(name, value)
	}
	w := httptest.NewRecorder()
	_, err := Accept(w, r, nil)
	if !errors.Is(err, http.ErrNotSupported) || w.Code != 500 {
		t.Errorf("Accept = %v with status %d, want http.ErrNotSupported and 500", err, w.Code)
	}
}

// TestDialAccept_EndToEnd runs Dial against Accept: subprotocol, extra
// headers both ways, messages, clean close.
func TestDialAccept_EndToEnd(t *testing.T) {
	gotHeader := make(chan http.Header, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader <- r.Header.Clone()
		c, err := Accept(w, r, &AcceptOptions{
			Subprotocols:   []string{"v2", "v1"},
			ResponseHeader: http.Header{"Set-Cookie": {"id=42"}},
		})
		if err != nil {
			t.Error(err)
			return
		}
		if c.Subprotocol() != "v2" {
			t.Errorf("server: Subprotocol() = %q", c.Subprotocol())
		}
		echo(c)
	}))
	t.Cleanup(ts.Close)
	c, resp := mustDial(t, ts.URL+"/chat?room=1", &DialOptions{
		Subprotocols: []string{"v1", "v2"},
		Header:       http.Header{"Cookie": {"token=abc"}},
	})
	if c.Subprotocol() != "v2" || c.Extensions() != "" {
		t.Errorf("client: Subprotocol() = %q, Extensions() = %q", c.Subprotocol(), c.Extensions())
	}
	if cookies := resp.Cookies(); len(cookies) != 1 || cookies[0].Value != "42" {
		t.Errorf("cookies of the 101: %v", cookies)
	}
	if resp.Request == nil || resp.Request.URL.Scheme != "http" || resp.Request.Header.Get("Sec-WebSocket-Version") != "13" {
		t.Errorf("Response.Request does not describe the request sent: %+v", resp.Request)
	}
	if h := <-gotHeader; h.Get("Cookie") != "token=abc" {
		t.Errorf("server saw Cookie %q", h.Get("Cookie"))
	}
	for _, msg := range []string{"", "hello", strings.Repeat("long ", 20000)} {
		roundTrip(t, c, msg)
	}
	ctx := ctxT(t)
	if err := c.Write(ctx, MessageBinary, []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if typ, data, err := c.Read(ctx); err != nil || typ != MessageBinary || string(data) != "\x00\x01\x02" {
		t.Fatalf("binary echo: %v %q %v", typ, data, err)
	}
	if err := c.Close(CloseNormal, "bye"); err != nil {
		t.Errorf("Close: %v", err)
	}
}
