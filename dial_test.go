package websocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// hsServer is a raw TCP server for handshake tests: for every connection
// it reads one request and lets handle answer it with whatever bytes.
type hsServer struct {
	addr string
	mu   sync.Mutex
	reqs []hsRequest
}

// hsRequest is a request the server received.
type hsRequest struct {
	raw string // the request's bytes
	req *http.Request
}

// serveTCP serves the connections ln accepts, each with handle in its own
// goroutine, until the end of the test, which closes ln and the
// connections and waits for the handlers.
func serveTCP(t *testing.T, ln net.Listener, handle func(c net.Conn)) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
}

// startHSServer starts an hsServer. handle may be nil: the server then
// answers with a valid 101 response.
func startHSServer(t *testing.T, handle func(c net.Conn, req *http.Request)) *hsServer {
	t.Helper()
	if handle == nil {
		handle = func(c net.Conn, req *http.Request) { io.WriteString(c, hsAccept(req, "")) }
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hsServer{addr: ln.Addr().String()}
	serveTCP(t, ln, func(c net.Conn) {
		var raw bytes.Buffer
		req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(c, &raw)))
		if err != nil {
			return
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, hsRequest{raw: raw.String(), req: req})
		s.mu.Unlock()
		handle(c, req)
		// Hold the connection until the client closes it.
		io.Copy(io.Discard, c)
	})
	return s
}

// requests returns the requests received so far.
func (s *hsServer) requests() []hsRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// last returns the last request received.
func (s *hsServer) last(t *testing.T) hsRequest {
	t.Helper()
	reqs := s.requests()
	if len(reqs) == 0 {
		t.Fatal("the server received no request")
	}
	return reqs[len(reqs)-1]
}

// hsAccept returns a valid 101 response to req, with the extra header
// lines in extra (each ending in CRLF).
func hsAccept(req *http.Request, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + wsproto.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
}

// serverFrame returns an unmasked frame, as a server sends it.
func serverFrame(op wsproto.Opcode, payload []byte) []byte {
	h := wsproto.Header{Fin: true, Opcode: op, Length: int64(len(payload))}
	return append(wsproto.AppendHeader(nil, h), payload...)
}

// noNetwork returns a NetDialContext that fails the test if it is called.
func noNetwork(t *testing.T) func(context.Context, string, string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) {
		t.Error("Dial touched the network")
		return nil, errors.New("no network in this test")
	}
}

// dialTo returns a NetDialContext that connects to addr whatever it is
// asked for, and records what it was asked for in *asked.
func dialTo(addr string, asked *string) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, a string) (net.Conn, error) {
		if asked != nil {
			*asked = a
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// mustDial dials and fails the test on error; the connection is closed at
// the end of the test.
func mustDial(t *testing.T, rawURL string, opts *DialOptions) (*Conn, *http.Response) {
	t.Helper()
	if opts == nil {
		opts = &DialOptions{}
	}
	opts.NoProxy = opts.NoProxy || opts.Proxy == nil
	c, resp, err := Dial(ctxT(t), rawURL, opts)
	if err != nil {
		t.Fatalf("Dial(%q): %v", rawURL, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c, resp
}

func TestP1_ResourceName(t *testing.T) {
	s := startHSServer(t, nil)
	h := s.addr
	tests := []struct{ url, target string }{
		{"ws://" + h + "/", "/"},
		{"ws://" + h, "/"},
		{"ws://" + h + "/chat", "/chat"},
		{"ws://" + h + "/a/b?x=1&y=2", "/a/b?x=1&y=2"},
		{"ws://" + h + "?x", "/?x"},
		{"ws://" + h + "/p?", "/p?"},
		{"ws://" + h + "/a%2Fb", "/a%2Fb"},
		{"ws://" + h + "/%23not-a-fragment", "/%23not-a-fragment"},
		{"ws://" + h + "/a b?c d", "/a%20b?c%20d"},
		{"ws://" + h + "/caf\u00e9?q=\u00e9", "/caf%C3%A9?q=%C3%A9"},
		{"WS://" + h + "/upper", "/upper"},
		{"http://" + h + "/http", "/http"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			mustDial(t, tt.url, nil)
			line, _, _ := strings.Cut(s.last(t).raw, "\r\n")
			if want := "GET " + tt.target + " HTTP/1.1"; line != want {
				t.Errorf("request line %q, want %q", line, want)
			}
		})
	}
}

func TestP1_P2_InvalidURLs(t *testing.T) {
	tests := []struct{ url, errPart string }{
		{"ws://example.com/#", "fragment"},
		{"ws://example.com/#frag", "fragment"},
		{"ws://example.com/?q#", "fragment"},
		{"ftp://example.com/", "scheme"},
		{"example.com/chat", "scheme"},
		{"ws:///chat", "no host"},
		{"ws:example.com", "no host"},
		{"ws://:80/", "no host"},
		{"ws://example.com:0/", "port"},
		{"ws://example.com:65536/", "port"},
		{"ws://exa mple.com/", "invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, resp, err := Dial(ctxT(t), tt.url, &DialOptions{NetDialContext: noNetwork(t), NoProxy: true})
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Fatalf("Dial(%q) = %v, want an error about %q", tt.url, err, tt.errPart)
			}
			if resp != nil {
				t.Errorf("response %v for an invalid URL", resp.Status)
			}
		})
	}
}

func TestP3_HostHeader(t *testing.T) {
	s := startHSServer(t, nil)
	tests := []struct {
		url, host, addr string
		header          http.Header
	}{
		{url: "ws://example.com/", host: "example.com", addr: "example.com:80"},
		{url: "ws://example.com:80/", host: "example.com", addr: "example.com:80"},
		{url: "ws://example.com:0080/", host: "example.com", addr: "example.com:80"},
		{url: "ws://example.com:8080/", host: "example.com:8080", addr: "example.com:8080"},
		{url: "ws://example.com:443/", host: "example.com:443", addr: "example.com:443"},
		{url: "ws://127.0.0.1:9000/", host: "127.0.0.1:9000", addr: "127.0.0.1:9000"},
		{url: "ws://[::1]/", host: "[::1]", addr: "[::1]:80"},
		{url: "ws://[::1]:8080/", host: "[::1]:8080", addr: "[::1]:8080"},
		{url: "ws://[fe80::1%25eth0]:81/", host: "[fe80::1]:81", addr: "[fe80::1%eth0]:81"},
		{url: "ws://example.com/", host: "virtual.example", addr: "example.com:80",
			header: http.Header{"Host": {"virtual.example"}}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			var asked string
			mustDial(t, tt.url, &DialOptions{NetDialContext: dialTo(s.addr, &asked), Header: tt.header})
			r := s.last(t)
			if got := r.req.Host; got != tt.host {
				t.Errorf("Host %q, want %q", got, tt.host)
			}
			if strings.Count(r.raw, "\r\nHost:") != 1 {
				t.Errorf("not exactly one Host header in\n%s", r.raw)
			}
			if asked != tt.addr {
				t.Errorf("dialed %q, want %q", asked, tt.addr)
			}
		})
	}
	// wss: 443 is the default port.
	for in, want := range map[string]string{
		"wss://example.com/": "example.com", "wss://example.com:443/": "example.com",
		"wss://example.com:80/": "example.com:80", "wss://[::1]:443/": "[::1]",
	} {
		u, err := parseWebSocketURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := hostHeader(u); got != want {
			t.Errorf("hostHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestP6_P9_RequestHeaders(t *testing.T) {
	s := startHSServer(t, nil)
	var keys []string
	for range 2 {
		mustDial(t, "ws://"+s.addr+"/chat", nil)
		r := s.last(t)
		if r.req.Method != "GET" || r.req.Proto != "HTTP/1.1" {
			t.Errorf("request %s %s, want GET over HTTP/1.1", r.req.Method, r.req.Proto)
		}
		h := r.req.Header
		for name, want := range map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-Websocket-Version": "13"} {
			if got := h[name]; len(got) != 1 || got[0] != want {
				t.Errorf("%s: %q, want exactly %q", name, got, want)
			}
		}
		key := h["Sec-Websocket-Key"]
		if len(key) != 1 {
			t.Fatalf("Sec-WebSocket-Key: %q, want exactly one", key)
		}
		if b, err := base64.StdEncoding.DecodeString(key[0]); err != nil || len(b) != 16 {
			t.Errorf("Sec-WebSocket-Key %q is not the base64 of 16 bytes", key[0])
		}
		keys = append(keys, key[0])
		for _, absent := range []string{"Sec-Websocket-Protocol", "Sec-Websocket-Extensions", "Origin", "Authorization", "Cookie"} {
			if v, ok := h[absent]; ok {
				t.Errorf("unexpected %s: %q", absent, v)
			}
		}
	}
	if keys[0] == keys[1] {
		t.Errorf("two handshakes used the same key %q (P-8, P-94)", keys[0])
	}
}

func TestP11_Subprotocols(t *testing.T) {
	s := startHSServer(t, func(c net.Conn, req *http.Request) {
		io.WriteString(c, hsAccept(req, "Sec-WebSocket-Protocol: chat\r\n"))
	})
	c, resp := mustDial(t, "ws://"+s.addr+"/", &DialOptions{Subprotocols: []string{"chat.v2", "chat", "eCho", "echo"}})
	if got := s.last(t).req.Header["Sec-Websocket-Protocol"]; len(got) != 1 || got[0] != "chat.v2, chat, eCho, echo" {
		t.Errorf("Sec-WebSocket-Protocol %q, want one header \"chat.v2, chat, eCho, echo\"", got)
	}
	if c.Subprotocol() != "chat" {
		t.Errorf("Subprotocol() = %q, want chat", c.Subprotocol())
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "chat" {
		t.Errorf("response header %q", resp.Header.Get("Sec-WebSocket-Protocol"))
	}

	for _, bad := range [][]string{{""}, {"a b"}, {"a,b"}, {"/echo"}, {"a\x00b"}, {"caf\u00e9"}, {"a\x7fb"}, {"echo", "echo"}} {
		_, _, err := Dial(ctxT(t), "ws://example.com/", &DialOptions{Subprotocols: bad, NetDialContext: noNetwork(t), NoProxy: true})
		if err == nil || !strings.Contains(err.Error(), "subprotocol") {
			t.Errorf("Subprotocols %q: err = %v, want a subprotocol error", bad, err)
		}
	}
}

func TestP11_ExtraHeaders(t *testing.T) {
	s := startHSServer(t, nil)
	mustDial(t, "ws://"+s.addr+"/", &DialOptions{Header: http.Header{
		"Origin":       {"https://app.example"},
		"Cookie":       {"session=abc"},
		"User-Agent":   {"test-agent/1"},
		"x-lower-case": {"kept"},
		"X-Multi":      {"1", "2"},
	}})
	h := s.last(t).req.Header
	for name, want := range map[string][]string{
		"Origin": {"https://app.example"}, "Cookie": {"session=abc"}, "User-Agent": {"test-agent/1"},
		"X-Lower-Case": {"kept"}, "X-Multi": {"1", "2"},
	} {
		if got := h[name]; !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}

	for _, bad := range []http.Header{
		{"Upgrade": {"websocket"}},
		{"Connection": {"close"}},
		{"Sec-WebSocket-Key": {"AAAAAAAAAAAAAAAAAAAAAA=="}},
		{"sec-websocket-version": {"13"}},
		{"Sec-WebSocket-Accept": {"x"}},
		{"Sec-WebSocket-Protocol": {"chat"}},
		{"Sec-WebSocket-Extensions": {"permessage-deflate"}},
		{"Content-Length": {"3"}},
		{"Transfer-Encoding": {"chunked"}},
		{"X-Injected": {"a\r\nX-Evil: 1"}},
		{"X-Nul": {"a\x00"}},
		{"Bad Name": {"x"}},
		{"Host": {"a", "b"}},
		{"Host": {"a\r\nX-Evil: 1"}},
	} {
		_, _, err := Dial(ctxT(t), "ws://example.com/", &DialOptions{Header: bad, NetDialContext: noNetwork(t), NoProxy: true})
		if err == nil || !strings.Contains(err.Error(), "DialOptions.Header") {
			t.Errorf("Header %q: err = %v, want an error naming DialOptions.Header", bad, err)
		}
	}
}

// TestAPI33_BasicAuthFromUserinfo: URL credentials become an Authorization
// header, unless the options carry one; they never appear in errors.
func TestAPI33_BasicAuthFromUserinfo(t *testing.T) {
	s := startHSServer(t, nil)
	mustDial(t, "ws://foo:bar@"+s.addr+"/", nil)
	if got := s.last(t).req.Header.Get("Authorization"); got != "Basic Zm9vOmJhcg==" {
		t.Errorf("Authorization %q, want Basic Zm9vOmJhcg==", got)
	}
	mustDial(t, "ws://foo:bar@"+s.addr+"/", &DialOptions{Header: http.Header{"Authorization": {"Bearer t0ken"}}})
	if got := s.last(t).req.Header["Authorization"]; !slices.Equal(got, []string{"Bearer t0ken"}) {
		t.Errorf("Authorization %q, want only the configured one", got)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	_, _, err = Dial(ctxT(t), "ws://foo:s3cret@"+addr+"/", &DialOptions{NoProxy: true})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v, want a connection error without the password", err)
	}
}

// TestP13_Non101 checks the answers that are not 101: the handshake fails
// with a *HandshakeError that carries the response and its body, and a
// redirect is not followed.
func TestP13_Non101(t *testing.T) {
	big := strings.Repeat("x", 10000)
	tests := []struct {
		name, response string
		status         int
		body, reason   string
	}{
		{"404", "HTTP/1.1 404 Not Found\r\nContent-Length: 16\r\n\r\nno such endpoint", 404, "no such endpoint", "404"},
		{"401", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"ws\"\r\nContent-Length: 0\r\n\r\n", 401, "", "401"},
		{"302", "HTTP/1.1 302 Found\r\nLocation: ws://elsewhere.example/\r\nContent-Length: 0\r\n\r\n", 302, "", "redirects are not followed"},
		{"200", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", "200"},
		{"503 chunked", "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nbusy!\r\n0\r\n\r\n", 503, "busy!", "503"},
		{"403 big body", "HTTP/1.1 403 Forbidden\r\nContent-Length: 10000\r\n\r\n" + big, 403, big[:maxErrorBody], "403"},
		{"400 unbounded body", "HTTP/1.1 400 Bad Request\r\n\r\nsee you", 400, "see you", "400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startHSServer(t, func(c net.Conn, req *http.Request) { io.WriteString(c, tt.response) })
			start := time.Now()
			c, resp, err := Dial(ctxT(t), "ws://"+s.addr+"/", &DialOptions{NoProxy: true})
			if c != nil {
				t.Fatal("Dial returned a connection")
			}
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want a *HandshakeError", err)
			}
			if he.StatusCode != tt.status || resp == nil || resp.StatusCode != tt.status || he.Response != resp {
				t.Fatalf("StatusCode %d, response %v; want %d and the response", he.StatusCode, resp, tt.status)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), s.addr) {
				t.Errorf("error %q does not mention %q and the URL", err, tt.reason)
			}
			var pe *wsproto.HandshakeError
			if !errors.As(err, &pe) {
				t.Errorf("error does not wrap a *wsproto.HandshakeError")
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || string(body) != tt.body {
				t.Errorf("body %q (%v), want %q", body, err, tt.body)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("Dial took %v", time.Since(start))
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("the server got %d requests, want 1", n)
			}
		})
	}
	t.Run("401 header", func(t *testing.T) {
		s := startHSServer(t, func(c net.Conn, req *http.Request) { io.WriteString(c, tests[1].response) })
		_, resp, _ := Dial(ctxT(t), "ws://"+s.addr+"/", &DialOptions{NoProxy: true})
		if resp == nil || resp.Header.Get("WWW-Authenticate") != `Basic realm="ws"` {
			t.Errorf("WWW-Authenticate of the response not available: %v", resp)
		}
	})
}

// TestP14_P18_InvalidUpgradeResponse checks 101 responses that break the
// handshake's rules, and variants that are valid.
func TestP14_P18_InvalidUpgradeResponse(t *testing.T) {
	const okUC = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	accept := func(req *http.Request) string {
		return "Sec-WebSocket-Accept: " + wsproto.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n"
	}
	tests := []struct {
		name      string
		protocols []string
		head      func(req *http.Request) string // the header lines after the status line
		ok        bool
	}{
		{"valid", nil, func(r *http.Request) string { return okUC + accept(r) }, true},
		{"P14 Upgrade case", nil, func(r *http.Request) string { return "Upgrade: WebSocket\r\nConnection: upgrade\r\n" + accept(r) }, true},
		{"P15 Connection list", nil, func(r *http.Request) string {
			return "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" + accept(r)
		}, true},
		{"P16 Accept with spaces", nil, func(r *http.Request) string {
			return okUC + "Sec-WebSocket-Accept:   " + wsproto.AcceptKey(r.Header.Get("Sec-WebSocket-Key")) + "  \r\n"
		}, true},
		{"P14 no Upgrade", nil, func(r *http.Request) string { return "Connection: Upgrade\r\n" + accept(r) }, false},
		{"P14 Upgrade h2c", nil, func(r *http.Request) string { return "Upgrade: h2c\r\nConnection: Upgrade\r\n" + accept(r) }, false},
		{"P15 no Connection", nil, func(r *http.Request) string { return "Upgrade: websocket\r\n" + accept(r) }, false},
		{"P15 Connection close", nil, func(r *http.Request) string { return "Upgrade: websocket\r\nConnection: close\r\n" + accept(r) }, false},
		{"P16 no Accept", nil, func(r *http.Request) string { return okUC }, false},
		{"P16 wrong Accept", nil, func(r *http.Request) string { return okUC + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" }, false},
		{"P16 two Accepts", nil, func(r *http.Request) string { return okUC + accept(r) + accept(r) }, false},
		{"P16 Accept case", nil, func(r *http.Request) string {
			return okUC + "Sec-WebSocket-Accept: " + strings.ToLower(wsproto.AcceptKey(r.Header.Get("Sec-WebSocket-Key"))) + "\r\n"
		}, false},
		{"P18 protocol not offered", nil, func(r *http.Request) string { return okUC + accept(r) + "Sec-WebSocket-Protocol: chat\r\n" }, false},
		{"P18 protocol case", []string{"chat"}, func(r *http.Request) string { return okUC + accept(r) + "Sec-WebSocket-Protocol: Chat\r\n" }, false},
		{"P18 no protocol chosen", []string{"chat"}, func(r *http.Request) string { return okUC + accept(r) }, false},
		{"P18 two protocols", []string{"a", "b"}, func(r *http.Request) string {
			return okUC + accept(r) + "Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n"
		}, false},
		{"P18 protocol list", []string{"a", "b"}, func(r *http.Request) string { return okUC + accept(r) + "Sec-WebSocket-Protocol: a, b\r\n" }, false},
		{"P18 protocol chosen", []string{"a", "b"}, func(r *http.Request) string { return okUC + accept(r) + "Sec-WebSocket-Protocol: b\r\n" }, true},
		{"P17 extension not offered", nil, func(r *http.Request) string {
			return okUC + accept(r) + "Sec-WebSocket-Extensions: permessage-deflate\r\n"
		}, false},
		{"P17 malformed extensions", nil, func(r *http.Request) string { return okUC + accept(r) + "Sec-WebSocket-Extensions: ;;\r\n" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startHSServer(t, func(c net.Conn, req *http.Request) {
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\n"+tt.head(req)+"\r\n")
			})
			c, resp, err := Dial(ctxT(t), "ws://"+s.addr+"/", &DialOptions{NoProxy: true, Subprotocols: tt.protocols})
			if tt.ok {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				c.CloseNow()
				return
			}
			var he *HandshakeError
			if !errors.As(err, &he) || he.StatusCode != 101 || resp == nil || resp.StatusCode != 101 || c != nil {
				t.Fatalf("Dial = %v, %v, %v; want a *HandshakeError with status 101 and the response", c, resp, err)
			}
			t.Log(err)
		})
	}
}

// TestAPI38_StatusLineAndNon101Informational: the reason phrase is not
// checked, and informational responses before the 101 are skipped.
func TestAPI38_StatusLineAndInformational(t *testing.T) {
	for name, prefix := range map[string]string{
		"odd reason phrase": "",
		"100 Continue":      "HTTP/1.1 100 Continue\r\n\r\n",
		"103 Early Hints":   "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			s := startHSServer(t, func(c net.Conn, req *http.Request) {
				resp := strings.Replace(hsAccept(req, ""), "Switching Protocols", "Switching Protocols:", 1)
				io.WriteString(c, prefix+resp)
			})
			mustDial(t, "ws://"+s.addr+"/", nil)
		})
	}
}

func TestDial_NotHTTP(t *testing.T) {
	for name, answer := range map[string]string{
		"garbage":  "FOO BAR BAZ\r\n\r\n",
		"HTTP/2.0": "HTTP/2.0 101 Switching Protocols\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			s := startHSServer(t, func(c net.Conn, req *http.Request) { io.WriteString(c, answer) })
			_, _, err := Dial(ctxT(t), "ws://"+s.addr+"/", &DialOptions{NoProxy: true})
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want a *HandshakeError", err)
			}
			t.Log(err)
		})
	}
	t.Run("closed", func(t *testing.T) {
		s := startHSServer(t, func(c net.Conn, req *http.Request) { c.Close() })
		_, _, err := Dial(ctxT(t), "ws://"+s.addr+"/", &DialOptions{NoProxy: true})
		var he *HandshakeError
		if err == nil || errors.As(err, &he) {
			t.Fatalf("err = %v, want a connection error, not a *HandshakeError", err)
		}
		t.Log(err)
	})
}

// TestP19_FramesAfter101NotLost: frames sent in the same write as the 101
// response reach the Conn (API-38: a close frame glued to the response
// gives a clean close).
func TestP19_FramesAfter101NotLost(t *testing.T) {
	s := startHSServer(t, func(c net.Conn, req *http.Request) {
		var b []byte
		b = append(b, hsAccept(req, "")...)
		b = append(b, serverFrame(wsproto.OpText, []byte("hello"))...)
		b = append(b, serverFrame(wsproto.OpBinary, []byte{1, 2, 3})...)
		b = append(b, serverFrame(wsproto.OpClose, closePayload(CloseGoingAway, "PASS"))...)
		c.Write(b)
		c.Read(make([]byte, 64)) // the client's close frame
		c.Close()                // the server closes TCP first
	})
	c, _ := mustDial(t, "ws://"+s.addr+"/", nil)
	ctx := ctxT(t)
	for _, want := range []struct {
		typ  MessageType
		data string
	}{{MessageText, "hello"}, {MessageBinary, "\x01\x02\x03"}} {
		typ, data, err := c.Read(ctx)
		if err != nil || typ != want.typ || string(data) != want.data {
			t.Fatalf("Read = %v %q %v, want %v %q", typ, data, err, want.typ, want.data)
		}
	}
	_, _, err := c.Read(ctx)
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != CloseGoingAway || ce.Reason != "PASS" {
		t.Fatalf("Read = %v, want the close frame 1001 PASS", err)
	}
}

// TestP20_HeaderSizeLimit: the response header is limited to MaxHeaderBytes;
// the frames after it are not.
func TestP20_HeaderSizeLimit(t *testing.T) {
	pad := func(n int) string { return "X-Pad: " + strings.Repeat("p", n) + "\r\n" }
	payload := bytes.Repeat([]byte("f"), 8000)
	s := startHSServer(t, func(c net.Conn, req *http.Request) {
		switch req.URL.Path {
		case "/big":
			io.WriteString(c, hsAccept(req, pad(2000)))
		case "/huge":
			io.WriteString(c, hsAccept(req, pad(DefaultMaxHeaderBytes)))
		case "/fits":
			c.Write(append([]byte(hsAccept(req, pad(700))), serverFrame(wsproto.OpBinary, payload)...))
		}
	})
	for _, path := range []string{"/big", "/huge"} {
		opts := &DialOptions{NoProxy: true}
		if path == "/big" {
			opts.MaxHeaderBytes = 1024
		}
		_, resp, err := Dial(ctxT(t), "ws://"+s.addr+path, opts)
		var he *HandshakeError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), "MaxHeaderBytes") || resp != nil {
			t.Errorf("%s: err = %v, response %v; want a *HandshakeError about MaxHeaderBytes", path, err, resp)
		}
	}
	c, _ := mustDial(t, "ws://"+s.addr+"/fits", &DialOptions{MaxHeaderBytes: 1024})
	_, data, err := c.Read(ctxT(t))
	if err != nil || !bytes.Equal(data, payload) {
		t.Fatalf("Read: %d bytes, %v; want the %d bytes sent after the 101", len(data), err, len(payload))
	}
}

// TestP20_HandshakeTimeout: the handshake timeout and the context stop a
// handshake blocked anywhere, promptly.
func TestP20_HandshakeTimeout(t *testing.T) {
	silent := startHSServer(t, func(c net.Conn, req *http.Request) {})
	partial := startHSServer(t, func(c net.Conn, req *http.Request) { io.WriteString(c, "HTTP/1.1 101 Switching") })
	ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts (in the backlog) and never speaks
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	mute := ln.Addr().String()
	blockedDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	mutePproxy := func(*http.Request) (*url.URL, error) { return &url.URL{Scheme: "http", Host: mute}, nil }

	const short = 150 * time.Millisecond
	type ctxMaker func() (context.Context, context.CancelFunc)
	timeoutCtx := func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), short) }
	cancelCtx := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(short, cancel)
		return ctx, cancel
	}
	noCtx := func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }
	tests := []struct {
		name string
		url  string
		opts DialOptions
		ctx  ctxMaker
		want error
	}{
		{"HandshakeTimeout, silent server", "ws://" + silent.addr + "/", DialOptions{HandshakeTimeout: short}, noCtx, context.DeadlineExceeded},
		{"ctx deadline, silent server", "ws://" + silent.addr + "/", DialOptions{}, timeoutCtx, context.DeadlineExceeded},
		{"ctx cancel, silent server", "ws://" + silent.addr + "/", DialOptions{}, cancelCtx, context.Canceled},
		{"ctx cancel, partial response", "ws://" + partial.addr + "/", DialOptions{}, cancelCtx, context.Canceled},
		{"HandshakeTimeout, blocked TCP dial", "ws://" + silent.addr + "/", DialOptions{HandshakeTimeout: short, NetDialContext: blockedDial}, noCtx, context.DeadlineExceeded},
		{"ctx cancel, blocked TCP dial", "ws://" + silent.addr + "/", DialOptions{NetDialContext: blockedDial}, cancelCtx, context.Canceled},
		{"HandshakeTimeout, blocked TLS handshake", "wss://" + mute + "/", DialOptions{HandshakeTimeout: short}, noCtx, context.DeadlineExceeded},
		{"ctx cancel, blocked TLS handshake", "wss://" + mute + "/", DialOptions{}, cancelCtx, context.Canceled},
		{"ctx deadline, blocked proxy", "ws://" + silent.addr + "/", DialOptions{Proxy: mutePproxy}, timeoutCtx, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			opts := tt.opts
			opts.NoProxy = opts.Proxy == nil
			start := time.Now()
			c, _, err := Dial(ctx, tt.url, &opts)
			elapsed := time.Since(start)
			if c != nil {
				c.CloseNow()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if elapsed > 3*time.Second {
				t.Errorf("Dial returned after %v", elapsed)
			}
			if tt.opts.HandshakeTimeout != 0 && !strings.Contains(err.Error(), "timeout") {
				t.Errorf("error %q does not say the handshake timed out", err)
			}
		})
	}
}

// tlsHello records what a TLS client offered.
type tlsHello struct {
	mu         sync.Mutex
	serverName string
	protos     []string
}

// startTLSEchoServer starts an echo server over TLS that records the
// client's hello and offers h2 by ALPN (so that a client offering h2 would
// get it). It returns the server and a client TLS config trusting it.
func startTLSEchoServer(t *testing.T, hello *tlsHello) (*httptest.Server, *tls.Config) {
	t.Helper()
	ts := httptest.NewUnstartedServer(echoHandler(t, nil))
	ts.EnableHTTP2 = true
	ts.TLS = &tls.Config{
		NextProtos: []string{"h2", "http/1.1"},
		GetConfigForClient: func(chi *tls.ClientHelloInfo) (*tls.Config, error) {
			hello.mu.Lock()
			hello.serverName, hello.protos = chi.ServerName, slices.Clone(chi.SupportedProtos)
			hello.mu.Unlock()
			return nil, nil
		},
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return ts, &tls.Config{RootCAs: pool}
}

// roundTrip writes a message on c and checks that it comes back.
func roundTrip(t *testing.T, c *Conn, msg string) {
	t.Helper()
	ctx := ctxT(t)
	if err := c.Write(ctx, MessageText, []byte(msg)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	typ, data, err := c.Read(ctx)
	if err != nil || typ != MessageText || string(data) != msg {
		t.Fatalf("Read = %v %q %v, want the echo of %q", typ, data, err, msg)
	}
}

func TestP90_TLS(t *testing.T) {
	var hello tlsHello
	ts, trust := startTLSEchoServer(t, &hello)
	port := ts.Listener.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name, url, sni string
		cfg            func() *tls.Config
		dial           func(context.Context, string, string) (net.Conn, error)
	}{
		{"IP literal: no SNI", fmt.Sprintf("wss://127.0.0.1:%d/", port), "", trust.Clone, nil},
		{"https scheme", fmt.Sprintf("https://127.0.0.1:%d/", port), "", trust.Clone, nil},
		{"host name: SNI", fmt.Sprintf("wss://example.com:%d/", port), "example.com", trust.Clone,
			dialTo(ts.Listener.Addr().String(), nil)},
		{"ServerName kept", fmt.Sprintf("wss://127.0.0.1:%d/", port), "example.com", func() *tls.Config {
			c := trust.Clone()
			c.ServerName = "example.com"
			return c
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg()
			c, _ := mustDial(t, tt.url, &DialOptions{TLSConfig: cfg, NetDialContext: tt.dial})
			roundTrip(t, c, "over TLS")
			if _, ok := c.NetConn().(*tls.Conn); !ok {
				t.Errorf("NetConn() is a %T, want a *tls.Conn", c.NetConn())
			}
			hello.mu.Lock()
			sni := hello.serverName
			hello.mu.Unlock()
			if sni != tt.sni {
				t.Errorf("SNI %q, want %q", sni, tt.sni)
			}
		})
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		_, resp, err := Dial(ctxT(t), fmt.Sprintf("wss://127.0.0.1:%d/", port), &DialOptions{NoProxy: true})
		var ve *tls.CertificateVerificationError
		var he *HandshakeError
		if !errors.As(err, &ve) || errors.As(err, &he) || resp != nil {
			t.Fatalf("err = %v, want a certificate verification error", err)
		}
	})
	t.Run("wrong host name", func(t *testing.T) {
		_, _, err := Dial(ctxT(t), fmt.Sprintf("wss://wrong.example:%d/", port),
			&DialOptions{NoProxy: true, TLSConfig: trust, NetDialContext: dialTo(ts.Listener.Addr().String(), nil)})
		var ve *tls.CertificateVerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v, want a certificate verification error", err)
		}
	})
}

// TestP91_NoH2ALPN: Dial offers only http/1.1 by ALPN, even when the
// caller's TLS config lists h2 and the server prefers it, and leaves the
// caller's config alone.
func TestP91_NoH2ALPN(t *testing.T) {
	var hello tlsHello
	ts, trust := startTLSEchoServer(t, &hello)
	for _, protos := range [][]string{nil, {"h2", "http/1.1"}, {"h2"}} {
		cfg := trust.Clone()
		cfg.NextProtos = slices.Clone(protos)
		c, _ := mustDial(t, "wss://"+ts.Listener.Addr().String()+"/", &DialOptions{TLSConfig: cfg})
		roundTrip(t, c, "h1")
		hello.mu.Lock()
		offered := hello.protos
		hello.mu.Unlock()
		if !slices.Equal(offered, []string{"http/1.1"}) {
			t.Errorf("with NextProtos %q: offered %q by ALPN, want only http/1.1", protos, offered)
		}
		if state := c.NetConn().(*tls.Conn).ConnectionState(); state.NegotiatedProtocol != "http/1.1" {
			t.Errorf("negotiated %q", state.NegotiatedProtocol)
		}
		if !slices.Equal(cfg.NextProtos, protos) || cfg.ServerName != "" {
			t.Errorf("the caller's config was changed: %q %q", cfg.NextProtos, cfg.ServerName)
		}
	}
}
