package websocket

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestP5_OneConnectingHandshakePerEndpoint (P-5) checks RFC 6455 section 4.1 step 2
// on the WebSocket object: two sockets to one endpoint, created together,
// connect one after the other. The server holds the first handshake (for a
// grace period long enough for a second connection to show up if nothing
// stopped it), and the order of the server's events shows that the second
// TCP connection only came after the first handshake was answered, whether
// it succeeded or failed.
func TestP5_OneConnectingHandshakePerEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name      string
		firstFail bool // the server refuses the first handshake with 403
	}{
		{"first succeeds", false},
		{"first fails", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			type result struct {
				opened bool
				code   uint16
			}
			results := make(chan result, 8)
			var sockets []*WebSocket
			for range 2 {
				ws, err := NewWithOptions(srv.url(), nil, &Options{
					CloseTimeout: 2 * time.Second,
					OnOpen:       func(*Event) { results <- result{opened: true} },
					OnClose:      func(e *CloseEvent) { results <- result{code: e.Code} },
				})
				if err != nil {
					t.Fatal(err)
				}
				sockets = append(sockets, ws)
			}

			// The first connection: hold its handshake.
			pWait(t, srv.acceptCh, 10*time.Second, "the first connection")
			first := srv.next(t)
			select {
			case <-srv.acceptCh:
				t.Fatalf("a second connection arrived while the first was connecting; server events: %v", srv.events())
			case <-time.After(300 * time.Millisecond):
			}
			if tc.firstFail {
				srv.logf("answer 1")
				io.WriteString(first.nc, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				first.nc.Close()
			} else {
				srv.logf("answer 1")
				first.serveEcho(t)
			}
			if r := pWait(t, results, 10*time.Second, "the first socket's event"); r.opened == tc.firstFail {
				t.Fatalf("first socket: %+v", r)
			}

			// Only now may the second connect.
			pWait(t, srv.acceptCh, 10*time.Second, "the second connection")
			second := srv.next(t)
			srv.logf("answer 2")
			second.serveEcho(t)
			if r := pWait(t, results, 10*time.Second, "the second socket's open event"); !r.opened {
				t.Fatalf("second socket: %+v", r)
			}

			want := []string{"accept 1", "request 1", "answer 1", "accept 2", "request 2", "answer 2"}
			if got := srv.events(); !slices.Equal(got, want) {
				t.Fatalf("server events:\n got %v\nwant %v", got, want)
			}
			for _, ws := range sockets {
				ws.Close()
			}
			for _, ws := range sockets {
				pWait(t, ws.Done(), 10*time.Second, "the socket to close")
			}
		})
	}
}

// TestP7_P10_P12_ClientRequest (P-7, P-10, P-12) captures the handshake request of Dial and
// of the WebSocket object on a raw server: Host, Upgrade: websocket and
// Connection: Upgrade are there (P-7); Origin only when the application set
// one (P-10); and nothing follows the request until the 101 response has
// arrived (P-12): the server waits before answering and sees no byte, and
// the client's first frame comes after the response.
func TestP7_P10_P12_ClientRequest(t *testing.T) {
	const origin = "https://app.example"
	for _, tc := range []struct {
		name       string
		wantOrigin string
		// open connects to url, sends "hello" once open, and returns a
		// function that closes the connection.
		open func(t *testing.T, url string) (closeIt func())
	}{
		{"Dial", "", func(t *testing.T, url string) func() {
			return pDialHello(t, url, nil)
		}},
		{"Dial with Origin", origin, func(t *testing.T, url string) func() {
			return pDialHello(t, url, http.Header{"Origin": {origin}})
		}},
		{"WebSocket", "", func(t *testing.T, url string) func() {
			return pNewHello(t, url, "")
		}},
		{"WebSocket with Origin", origin, func(t *testing.T, url string) func() {
			return pNewHello(t, url, origin)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			closed := make(chan func(), 1)
			go func() { closed <- tc.open(t, srv.url()) }()
			sc := srv.next(t)

			// P-7: the request's headers.
			req := sc.req
			if !strings.Contains(sc.raw, "\r\nHost: "+srv.addr+"\r\n") || req.Host != srv.addr {
				t.Errorf("Host: %q; request:\n%s", req.Host, sc.raw)
			}
			if !wsproto.HeaderHasToken(req.Header["Upgrade"], "websocket") || len(req.Header["Upgrade"]) != 1 {
				t.Errorf("Upgrade: %q", req.Header["Upgrade"])
			}
			if !wsproto.HeaderHasToken(req.Header["Connection"], "Upgrade") {
				t.Errorf("Connection: %q", req.Header["Connection"])
			}
			if req.Method != http.MethodGet || req.ProtoMajor != 1 || req.ProtoMinor != 1 {
				t.Errorf("request line: %s %s", req.Method, req.Proto)
			}
			// P-10: Origin only if set.
			if got := req.Header["Origin"]; tc.wantOrigin == "" && got != nil || tc.wantOrigin != "" && !slices.Equal(got, []string{tc.wantOrigin}) {
				t.Errorf("Origin: %q, want %q", got, tc.wantOrigin)
			}

			// P-12: no byte follows the request before the response.
			if sc.br.Buffered() > 0 {
				t.Fatalf("%d bytes sent right after the request", sc.br.Buffered())
			}
			sc.nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			if b, err := sc.br.Peek(1); len(b) > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("before the 101 response, the client sent % x (%v)", b, err)
			}
			sc.nc.SetReadDeadline(time.Time{})
			peer := sc.respond101(t, "")
			h, p := peer.recv()
			if h.Opcode != wsproto.OpText || !h.Masked || string(p) != "hello" {
				t.Fatalf("first frame after the 101: %v masked=%v %q", h.Opcode, h.Masked, p)
			}
			closeIt := pWait(t, closed, 10*time.Second, "the client to open")
			peer.nc.Close()
			closeIt()
		})
	}
}

// pDialHello dials url and sends "hello"; it returns CloseNow.
func pDialHello(t *testing.T, url string, h http.Header) func() {
	c, _, err := Dial(context.Background(), url, &DialOptions{Header: h, NoProxy: true, HandshakeTimeout: 10 * time.Second})
	if err != nil {
		t.Errorf("Dial: %v", err)
		return func() {}
	}
	if err := c.Write(context.Background(), MessageText, []byte("hello")); err != nil {
		t.Errorf("Write: %v", err)
	}
	return func() { c.CloseNow() }
}

// pNewHello opens a WebSocket object to url that sends "hello" when open;
// it returns a function that closes it and waits for its end.
func pNewHello(t *testing.T, url, origin string) func() {
	opened := make(chan struct{})
	ws, err := NewWithOptions(url, nil, &Options{
		Origin:       origin,
		CloseTimeout: 100 * time.Millisecond,
		OnOpen: func(e *Event) {
			e.Target().(*WebSocket).SendText("hello")
			close(opened)
		},
	})
	if err != nil {
		t.Errorf("New: %v", err)
		return func() {}
	}
	select {
	case <-opened:
	case <-time.After(10 * time.Second):
		t.Error("the WebSocket did not open")
	}
	return func() {
		ws.Close()
		select {
		case <-ws.Done():
		case <-time.After(10 * time.Second):
			t.Error("the WebSocket did not close")
		}
	}
}

// TestP27_AuthenticationBeforeUpgrade (P-27) has a handler answer before Accept,
// as RFC 6455 section 4.2.2 allows: 401 with a WWW-Authenticate challenge
// until the client authenticates, 503 when overloaded, a redirect. Dial
// returns a *HandshakeError with the status and the whole response
// (headers and the start of the body), and follows no redirect.
func TestP27_AuthenticationBeforeUpgrade(t *testing.T) {
	var hits sync.Map // path -> *atomic.Int32
	count := func(path string) *atomic.Int32 {
		v, _ := hits.LoadOrStore(path, new(atomic.Int32))
		return v.(*atomic.Int32)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count(r.URL.Path).Add(1)
		switch r.URL.Path {
		case "/auth":
			if r.Header.Get("Authorization") != "Bearer letmein" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ws"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		case "/busy":
			w.Header().Set("Retry-After", "7")
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		case "/moved":
			http.Redirect(w, r, "/auth", http.StatusFound)
			return
		}
		c, err := Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		echo(c)
	}))
	t.Cleanup(srv.Close)
	base := pWSURL(srv)

	for _, tc := range []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int // 0: success
		wantHeader [2]string
		wantBody   string
	}{
		{"challenge", "/auth", nil, 401, [2]string{"WWW-Authenticate", `Bearer realm="ws"`}, "authentication required"},
		{"wrong credentials", "/auth", http.Header{"Authorization": {"Bearer nope"}}, 401, [2]string{"WWW-Authenticate", `Bearer realm="ws"`}, "authentication required"},
		{"authenticated", "/auth", http.Header{"Authorization": {"Bearer letmein"}}, 0, [2]string{}, ""},
		{"overloaded", "/busy", nil, 503, [2]string{"Retry-After", "7"}, "overloaded"},
		{"redirect not followed", "/moved", nil, 302, [2]string{"Location", "/auth"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			authHits := count("/auth").Load()
			c, resp, err := Dial(ctxT(t), base+tc.path, &DialOptions{Header: tc.header, NoProxy: true})
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				defer c.CloseNow()
				ctx := ctxT(t)
				if err := c.Write(ctx, MessageText, []byte("in")); err != nil {
					t.Fatal(err)
				}
				if _, p, err := c.Read(ctx); err != nil || string(p) != "in" {
					t.Fatalf("echo: %q %v", p, err)
				}
				return
			}
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("Dial: %T %v, want a *HandshakeError", err, err)
			}
			if c != nil || resp == nil || he.Response != resp || he.StatusCode != tc.wantStatus || resp.StatusCode != tc.wantStatus {
				t.Fatalf("Dial: conn %v, resp %v, error status %d; want status %d", c, resp, he.StatusCode, tc.wantStatus)
			}
			if got := resp.Header.Get(tc.wantHeader[0]); got != tc.wantHeader[1] {
				t.Errorf("%s: %q, want %q", tc.wantHeader[0], got, tc.wantHeader[1])
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("body %q, want it to contain %q", body, tc.wantBody)
			}
			if got := count("/auth").Load(); tc.path == "/moved" && got != authHits {
				t.Errorf("the redirect was followed: /auth got %d more requests", got-authHits)
			}
		})
	}
}

// TestP35_ExtensionNotOffered (P-35) checks that the client fails the handshake
// when the server accepts an extension it did not offer (Dial offers none),
// or sends a malformed Sec-WebSocket-Extensions header, and that without
// the header the connection has no extension in use. A failed handshake
// sends no frame: the client just closes the TCP connection.
func TestP35_ExtensionNotOffered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string // Sec-WebSocket-Extensions value; "" for none
		ok     bool
	}{
		{"none", "", true},
		{"unknown extension", "foo", false},
		{"unknown extension with parameters", "foo; bar=1", false},
		{"permessage-deflate not offered", "permessage-deflate", false},
		{"two extensions", "foo, bar", false},
		{"malformed", "foo;;", false},
		{"malformed value", `foo; a="b c"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			type dialed struct {
				c   *Conn
				err error
			}
			res := make(chan dialed, 1)
			go func() {
				c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 10 * time.Second})
				res <- dialed{c, err}
			}()
			sc := srv.next(t)
			if got := sc.req.Header["Sec-Websocket-Extensions"]; got != nil {
				t.Fatalf("Dial offered extensions %q", got)
			}
			extra := ""
			if tc.header != "" {
				extra = "Sec-WebSocket-Extensions: " + tc.header + "\r\n"
			}
			peer := sc.respond101(t, extra)
			d := pWait(t, res, 10*time.Second, "Dial")
			if tc.ok {
				if d.err != nil {
					t.Fatalf("Dial: %v", d.err)
				}
				defer d.c.CloseNow()
				if d.c.Extensions() != "" {
					t.Fatalf("Extensions() = %q", d.c.Extensions())
				}
				return
			}
			var he *HandshakeError
			if !errors.As(d.err, &he) || he.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("Dial: %v, want a *HandshakeError with status 101", d.err)
			}
			if d.c != nil {
				t.Fatal("Dial returned a connection")
			}
			peer.expectOnlyEOF()
		})
	}
}

// TestP88_HandshakeSizeLimit (P-88) checks that Dial bounds the server's handshake
// response (DialOptions.MaxHeaderBytes, default DefaultMaxHeaderBytes) and
// the time an idle handshake may take.
func TestP88_HandshakeSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		name           string
		maxHeaderBytes int
		pad            int // bytes of extra header lines in the 101 response
		ok             bool
	}{
		{"default, small response", 0, 1 << 10, true},
		{"default, 32 KiB response", 0, 32 << 10, true},
		{"default, 100 KiB response", 0, 100 << 10, false},
		{"1 KiB limit, 2 KiB response", 1 << 10, 2 << 10, false},
		{"256 KiB limit, 100 KiB response", 256 << 10, 100 << 10, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			type dialed struct {
				c   *Conn
				err error
			}
			res := make(chan dialed, 1)
			go func() {
				c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, MaxHeaderBytes: tc.maxHeaderBytes, HandshakeTimeout: 10 * time.Second})
				res <- dialed{c, err}
			}()
			sc := srv.next(t)
			var pad strings.Builder
			for i := 0; pad.Len() < tc.pad; i++ {
				pad.WriteString("X-Pad-" + strconv.Itoa(i) + ": " + strings.Repeat("p", 1000) + "\r\n")
			}
			go io.WriteString(sc.nc, pResponse101(sc.req, pad.String())) // may block once the client stops reading
			d := pWait(t, res, 10*time.Second, "Dial")
			if tc.ok {
				if d.err != nil {
					t.Fatalf("Dial: %v", d.err)
				}
				d.c.CloseNow()
				return
			}
			var he *HandshakeError
			if !errors.As(d.err, &he) || !errors.Is(d.err, errHeaderTooLarge) || he.StatusCode != 0 {
				t.Fatalf("Dial: %v, want a *HandshakeError for a response over MaxHeaderBytes", d.err)
			}
		})
	}

	t.Run("idle handshake", func(t *testing.T) {
		srv := startPServer(t) // reads the request and never answers
		start := time.Now()
		_, _, err := Dial(ctxT(t), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 200 * time.Millisecond})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Dial: %v, want a timeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Dial took %v", d)
		}
	})
}

// recordingListener records what the clients of its connections send.
type recordingListener struct {
	net.Listener
	conns chan *recordingConn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &recordingConn{Conn: c, done: make(chan struct{})}
	l.conns <- rc
	return rc, nil
}

// recordingConn keeps the bytes read from it; done is closed at the first
// read error (the client is gone).
type recordingConn struct {
	net.Conn
	mu   sync.Mutex
	got  []byte
	once sync.Once
	done chan struct{}
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.got = append(c.got, p[:n]...)
	c.mu.Unlock()
	if err != nil {
		c.once.Do(func() { close(c.done) })
	}
	return n, err
}

func (c *recordingConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return c.Conn.Close()
}

func (c *recordingConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.got...)
}

// tlsRecordTypes returns the content types of the TLS records in b.
func tlsRecordTypes(t *testing.T, b []byte) []byte {
	var types []byte
	for len(b) > 0 {
		if len(b) < 5 {
			t.Fatalf("truncated TLS record header % x", b)
		}
		n := int(b[3])<<8 | int(b[4])
		if len(b) < 5+n {
			t.Fatalf("truncated TLS record of type %d", b[0])
		}
		types = append(types, b[0])
		b = b[5+n:]
	}
	return types
}

// TestP92_TLSFailureNever1015 (P-92) fails the TLS handshake of wss:// connections
// in several ways. Dial returns the TLS error (no *HandshakeError, no
// response, CloseStatus 0: no close code, and certainly not 1015), the
// server never sees an HTTP request, and, over TLS 1.2 where the client's
// alert is in the clear, the client sent nothing but handshake and alert
// records: no application data, so no close frame. The WebSocket object
// reports 1006 (abnormal closure), never 1015.
func TestP92_TLSFailureNever1015(t *testing.T) {
	var handled atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		c, err := Accept(w, r, nil)
		if err == nil {
			c.CloseNow()
		}
	})
	startTLS := func(t *testing.T, maxVersion uint16) (*httptest.Server, *recordingListener) {
		srv := httptest.NewUnstartedServer(handler)
		rl := &recordingListener{Listener: srv.Listener, conns: make(chan *recordingConn, 16)}
		srv.Listener = rl
		srv.TLS = &tls.Config{MaxVersion: maxVersion}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed TLS handshakes
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv, rl
	}
	trusted := func(srv *httptest.Server) *x509.CertPool {
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		return pool
	}

	for _, tc := range []struct {
		name       string
		maxVersion uint16
		cfg        func(srv *httptest.Server) *tls.Config
		check      func(err error) bool
	}{
		{"unknown authority, TLS 1.2", tls.VersionTLS12, func(*httptest.Server) *tls.Config { return nil }, func(err error) bool {
			var ce *tls.CertificateVerificationError
			var ua x509.UnknownAuthorityError
			return errors.As(err, &ce) && errors.As(err, &ua)
		}},
		{"unknown authority, TLS 1.3", tls.VersionTLS13, func(*httptest.Server) *tls.Config { return nil }, func(err error) bool {
			var ce *tls.CertificateVerificationError
			return errors.As(err, &ce)
		}},
		{"wrong host name, TLS 1.2", tls.VersionTLS12, func(srv *httptest.Server) *tls.Config {
			return &tls.Config{RootCAs: trusted(srv), ServerName: "not-the-server.example"}
		}, func(err error) bool {
			var he x509.HostnameError
			return errors.As(err, &he)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rl := startTLS(t, tc.maxVersion)
			url := "wss://" + srv.Listener.Addr().String() + "/"
			c, resp, err := Dial(ctxT(t), url, &DialOptions{NoProxy: true, TLSConfig: tc.cfg(srv)})
			if err == nil {
				c.CloseNow()
				t.Fatal("Dial succeeded")
			}
			if !tc.check(err) {
				t.Errorf("Dial: %T %v, not the expected TLS error", err, err)
			}
			var he *HandshakeError
			if errors.As(err, &he) || resp != nil {
				t.Errorf("Dial: %v, resp %v: the TLS failure was taken for a handshake answer", err, resp)
			}
			if code := CloseStatus(err); code != 0 {
				t.Errorf("CloseStatus = %v, want 0", code)
			}
			rc := pWait(t, rl.conns, 5*time.Second, "the server's connection")
			pWait(t, rc.done, 5*time.Second, "the end of the server's connection")
			if n := handled.Load(); n != 0 {
				t.Errorf("the handler ran %d times", n)
			}
			if tc.maxVersion == tls.VersionTLS12 {
				for _, typ := range tlsRecordTypes(t, rc.bytes()) {
					if typ != 22 && typ != 21 { // handshake, alert
						t.Errorf("the client sent a TLS record of type %d after the failure", typ)
					}
				}
			}
		})
	}

	t.Run("WebSocket reports 1006", func(t *testing.T) {
		srv, _ := startTLS(t, tls.VersionTLS13)
		var events []string
		var mu sync.Mutex
		closed := make(chan *CloseEvent, 1)
		ws, err := NewWithOptions("wss://"+srv.Listener.Addr().String()+"/", nil, &Options{
			OnError: func(*Event) { mu.Lock(); events = append(events, "error"); mu.Unlock() },
			OnClose: func(e *CloseEvent) { mu.Lock(); events = append(events, "close"); mu.Unlock(); closed <- e },
		})
		if err != nil {
			t.Fatal(err)
		}
		e := pWait(t, closed, 10*time.Second, "the close event")
		pWait(t, ws.Done(), 10*time.Second, "the socket's end")
		if e.Code != uint16(CloseAbnormal) || e.WasClean {
			t.Fatalf("close event: code %d clean %v, want 1006 not clean", e.Code, e.WasClean)
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(events, []string{"error", "close"}) {
			t.Fatalf("events %v", events)
		}
	})

	t.Run("server not speaking TLS", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		served := make(chan struct{})
		go func() {
			defer close(served)
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
			io.WriteString(nc, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, nc)
		}()
		c, resp, err := Dial(ctxT(t), "wss://"+ln.Addr().String()+"/", &DialOptions{NoProxy: true})
		if err == nil {
			c.CloseNow()
			t.Fatal("Dial succeeded")
		}
		var re tls.RecordHeaderError
		var he *HandshakeError
		if !errors.As(err, &re) || errors.As(err, &he) || resp != nil || CloseStatus(err) != 0 {
			t.Fatalf("Dial: %T %v, resp %v", err, err, resp)
		}
		pWait(t, served, 5*time.Second, "the server to finish")
	})
}

// TestP93_HTTP2ServerKeepsWebSocketOnHTTP1 (P-93) runs Accept on an httptest TLS
// server with HTTP/2 enabled, with the ALPN list httptest uses (h2 alone)
// and the one of http.Server.ListenAndServeTLS (h2, http/1.1): our Dial
// never negotiates h2 (it offers http/1.1 alone, whatever its TLSConfig
// says) and upgrades; a request that does come over HTTP/2 gets 505 HTTP
// Version Not Supported from Accept, and an error saying why.
func TestP93_HTTP2ServerKeepsWebSocketOnHTTP1(t *testing.T) {
	for _, tc := range []struct {
		name       string
		nextProtos []string // nil: httptest's choice
		wantALPN   string
	}{
		{"httptest ALPN", nil, ""},
		{"h2 and http/1.1", []string{"h2", "http/1.1"}, "http/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acceptErrs := make(chan error, 4)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := Accept(w, r, nil)
				acceptErrs <- err
				if err != nil {
					return
				}
				defer c.CloseNow()
				echo(c)
			}))
			srv.EnableHTTP2 = true
			if tc.nextProtos != nil {
				srv.TLS = &tls.Config{NextProtos: tc.nextProtos}
			}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			if !slices.Contains(srv.TLS.NextProtos, "h2") {
				t.Fatalf("the server does not offer h2: %q", srv.TLS.NextProtos)
			}
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())

			// Dial, even when its TLSConfig asks for h2.
			c, _, err := Dial(ctxT(t), "wss"+strings.TrimPrefix(srv.URL, "https"), &DialOptions{NoProxy: true, TLSConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer c.CloseNow()
			if err := pWait(t, acceptErrs, 5*time.Second, "Accept"); err != nil {
				t.Fatalf("Accept: %v", err)
			}
			if p := c.NetConn().(*tls.Conn).ConnectionState().NegotiatedProtocol; p != tc.wantALPN {
				t.Fatalf("ALPN negotiated %q, want %q", p, tc.wantALPN)
			}
			ctx := ctxT(t)
			if err := c.Write(ctx, MessageText, []byte("over h1")); err != nil {
				t.Fatal(err)
			}
			if _, p, err := c.Read(ctx); err != nil || string(p) != "over h1" {
				t.Fatalf("echo: %q %v", p, err)
			}

			// A request over HTTP/2.
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Sec-WebSocket-Key", pKey)
			req.Header.Set("Sec-WebSocket-Version", "13")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				t.Fatalf("the request went over %s, not HTTP/2", resp.Proto)
			}
			if resp.StatusCode != http.StatusHTTPVersionNotSupported || !strings.Contains(string(body), "HTTP/1.1") {
				t.Fatalf("status %d, body %q; want 505 and a reason", resp.StatusCode, body)
			}
			err = pWait(t, acceptErrs, 5*time.Second, "Accept")
			var ae *AcceptError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusHTTPVersionNotSupported || !errors.Is(err, ErrBadHandshake) {
				t.Fatalf("Accept: %v", err)
			}
		})
	}
}
