//go:build !js

package websocket

// Section 3 of the checklist: establishing the connection, as the
// WebSocket object's user and its server see it (API-25..API-42), and the
// security-flavoured rules of section 12 (API-109..API-111).

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// dialAddr returns a NetDialContext that connects to addr whatever the URL
// names, counting its calls in n (if not nil).
func dialAddr(addr string, n *atomic.Int32) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		if n != nil {
			n.Add(1)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
}

// dialLoopback is a NetDialContext that connects to 127.0.0.1 on the port
// asked for, whatever the host, so that tests can use host names.
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
}

// newTLSEchoServer starts a TLS server whose handler accepts with Accept
// and echoes, recording the Cookie header of each request; it returns the
// server and a client TLS config that trusts it.
func newTLSEchoServer(t *testing.T, cookies *recorder) (*httptest.Server, *tls.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cookies != nil {
			cookies.add("%s", r.Header.Get("Cookie"))
		}
		c, err := Accept(w, r, &AcceptOptions{InsecureSkipOriginCheck: true})
		if err != nil {
			return
		}
		echo(c)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes of the tests
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, &tls.Config{RootCAs: pool}
}

// TestAPI26_API28_API32_API34_RequestOnTheWire: the handshake request is
// GET with Upgrade, Connection, a fresh 16-byte key, version 13 and the
// protocols joined with ", " (API-26); its request line carries exactly the
// URL's resource name and its Host header exactly the URL's host, as the URL
// Standard serialized them, even where net/url would refuse or re-escape
// them; there is no Referer (API-28), the cache headers of mode "no-store"
// are there (API-32), and no Origin unless one is set (API-34). The URLs
// also show the URL rules end to end: relative URLs against the base
// (API-11), case (API-12), missing slashes (API-13), default ports
// (API-14), percent-encoding (API-15), controls (API-16) and IDNA (API-17).
func TestAPI26_API28_API32_API34_RequestOnTheWire(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.echoClose()
	})
	cases := []struct {
		url        string
		protocols  []string
		wantTarget string
		wantHost   string
		base       string
	}{
		{"ws://127.0.0.1:%s", nil, "/", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/chat", []string{"chat", "superchat"}, "/chat", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/%%zz", nil, "/%zz", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/a|b^c[d]", nil, "/a|b%5Ec[d]", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/%%2F?%%zz", nil, "/%2F?%zz", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/ü", nil, "/%C3%BC", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/a b?c d", nil, "/a%20b?c%20d", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/p?'x'", nil, "/p?%27x%27", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/?", nil, "/?", "127.0.0.1:%s", ""},
		{"ws://127.0.0.1:%s/x?a\x00b", nil, "/x?a%00b", "127.0.0.1:%s", ""},
		{"WS://Example.TEST:80/Path", nil, "/Path", "example.test", ""},
		{"ws://example.test:8080", nil, "/", "example.test:8080", ""},
		{"ws://bücher.example/", nil, "/", "xn--bcher-kva.example", ""},
		{"ws://[::1]:9000/v6", nil, "/v6", "[::1]:9000", ""},
		{"ws:127.0.0.1:%s/echo", nil, "/echo", "127.0.0.1:%s", ""},
		{"ws:/127.0.0.1:%s/echo", nil, "/echo", "127.0.0.1:%s", ""},
		{"test?x", nil, "/a/test?x", "127.0.0.1:%s", "http://127.0.0.1:%s/a/b"},
		{"?", nil, "/a/b?", "127.0.0.1:%s", "http://127.0.0.1:%s/a/b"},
		{"wss://example.test:443/", nil, "/", "example.test", ""}, // fails in TLS: only the constructor matters
	}
	_, port, _ := net.SplitHostPort(srv.addr)
	var keys []string
	for _, tc := range cases {
		rawURL := tc.url
		if strings.Contains(rawURL, "%s") {
			rawURL = fmt.Sprintf(rawURL, port)
		}
		wantHost := tc.wantHost
		if strings.Contains(wantHost, "%s") {
			wantHost = fmt.Sprintf(wantHost, port)
		}
		opts := &Options{NetDialContext: dialAddr(srv.addr, nil)}
		if tc.base != "" {
			opts.BaseURL, _ = url.Parse(fmt.Sprintf(tc.base, port))
		}
		n := len(srv.requests())
		var opened bool
		runWithin(t, apiTimeout, func() {
			ws, err := NewWithOptions(rawURL, tc.protocols, opts)
			if err != nil {
				t.Errorf("New(%q): %v", rawURL, err)
				return
			}
			ws.SetOnOpen(func(*Event) { opened = true; ws.Close() })
		})
		if strings.HasPrefix(rawURL, "wss:") {
			continue
		}
		reqs := srv.requests()
		if len(reqs) != n+1 || !opened {
			t.Errorf("%q: %d requests, opened %v", rawURL, len(reqs)-n, opened)
			continue
		}
		p := reqs[n]
		line, _, _ := strings.Cut(p.raw, "\r\n")
		if want := "GET " + tc.wantTarget + " HTTP/1.1"; line != want {
			t.Errorf("%q: request line %q, want %q", rawURL, line, want)
		}
		h := p.req.Header
		if got := h.Values("Host"); len(got) != 1 || got[0] != wantHost {
			t.Errorf("%q: Host %q, want %q", rawURL, got, wantHost)
		}
		for name, want := range map[string]string{
			"Upgrade":                "websocket",
			"Connection":             "Upgrade",
			"Sec-WebSocket-Version":  "13",
			"Sec-WebSocket-Protocol": strings.Join(tc.protocols, ", "),
			"Cache-Control":          "no-cache", // API-32
			"Pragma":                 "no-cache",
			"Referer":                "", // API-28
			"Origin":                 "", // API-34
			"Cookie":                 "", // API-111
			"Authorization":          "",
		} {
			if got := strings.Join(h.Values(name), ","); got != want {
				t.Errorf("%q: %s %q, want %q", rawURL, name, got, want)
			}
		}
		key := h.Get("Sec-WebSocket-Key")
		if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
			t.Errorf("%q: Sec-WebSocket-Key %q is not 16 bytes of base64", rawURL, key)
		}
		for _, k := range keys {
			if k == key {
				t.Errorf("%q: Sec-WebSocket-Key %q used twice", rawURL, key)
			}
		}
		keys = append(keys, key)
	}
}

// countingConn counts the bytes written through it.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// TestAPI27_API54_API56_Compression: the client offers permessage-deflate
// by default, and not with DisableCompression (API-27); Extensions is the
// server's acceptance, "" when it declines (API-56); a compressed message
// still counts its uncompressed size in BufferedAmount (API-54).
func TestAPI27_API54_API56_Compression(t *testing.T) {
	raw := startAPIServer(t, func(p *apiPeer) { p.accept(); p.echoClose() })
	for _, disable := range []bool{false, true} {
		n := len(raw.requests())
		runWithin(t, apiTimeout, func() {
			ws, _ := NewWithOptions(raw.url, nil, &Options{DisableCompression: disable})
			ws.SetOnOpen(func(*Event) { ws.Close() })
		})
		offer := raw.requests()[n].req.Header.Values("Sec-WebSocket-Extensions")
		if disable && offer != nil || !disable && (len(offer) != 1 || !strings.HasPrefix(offer[0], "permessage-deflate")) {
			t.Errorf("DisableCompression %v: offer %q", disable, offer)
		}
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o AcceptOptions
		if r.URL.Path == "/deflate" {
			o.Compression = &CompressionOptions{}
		}
		c, err := Accept(w, r, &o)
		if err != nil {
			return
		}
		echo(c)
	}))
	t.Cleanup(srv.Close)
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	msg := strings.Repeat("compressible ", 10000)
	for _, tc := range []struct {
		path       string
		compressed bool
	}{{"/deflate", true}, {"/plain", false}} {
		var written atomic.Int64
		var extensions string
		var buffered uint64
		var echoed bool
		runWithin(t, apiTimeout, func() {
			ws, _ := NewWithOptions(base+tc.path, nil, &Options{
				NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return countingConn{c, &written}, nil
				},
			})
			ws.SetOnOpen(func(*Event) {
				extensions = ws.Extensions()
				ws.Send(msg)
				buffered = ws.BufferedAmount()
			})
			ws.SetOnMessage(func(e *MessageEvent) { echoed = e.Data == msg; ws.Close() })
		})
		if !echoed || buffered != uint64(len(msg)) {
			t.Errorf("%s: echoed %v, BufferedAmount %d, want %d", tc.path, echoed, buffered, len(msg))
		}
		if got := strings.HasPrefix(extensions, "permessage-deflate"); got != tc.compressed || !tc.compressed && extensions != "" {
			t.Errorf("%s: Extensions %q", tc.path, extensions)
		}
		if small := written.Load() < int64(len(msg))/10; small != tc.compressed {
			t.Errorf("%s: %d bytes written for a %d-byte message", tc.path, written.Load(), len(msg))
		}
	}
}

// TestAPI31_CookieJar: with a jar, the cookies of the http-mapped URL go in
// one Cookie header (after the application's own), path-matched against the
// URL's path; Set-Cookie on the 101 response is stored before the open event
// is queued, so a socket opened inside OnOpen already carries it; Secure
// cookies go only over wss. The host is example.com (dialed on the
// loopback), a name the test server's certificate covers: for loopback
// addresses, the jar sends Secure cookies over http too, as browsers do.
func TestAPI31_CookieJar(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		if p.req.RequestURI == "/first" {
			p.write([]byte(p.response101("Set-Cookie: session=abc; Path=/; HttpOnly\r\nSet-Cookie: scoped=1; Path=/chat\r\n")))
		} else {
			p.accept()
		}
		p.echoClose()
	})
	var tlsCookies recorder
	tlsSrv, tlsConf := newTLSEchoServer(t, &tlsCookies)
	_, tlsPort, _ := net.SplitHostPort(tlsSrv.Listener.Addr().String())
	_, port, _ := net.SplitHostPort(srv.addr)
	wsURL, tlsURL := "ws://example.com:"+port, "wss://example.com:"+tlsPort
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(&url.URL{Scheme: "https", Host: "example.com", Path: "/"},
		[]*http.Cookie{{Name: "sec", Value: "1", Secure: true, Path: "/"}})

	opts := func(h http.Header) *Options {
		return &Options{Jar: jar, Header: h, TLSConfig: tlsConf, NetDialContext: dialLoopback}
	}
	runWithin(t, apiTimeout, func() {
		first, err := NewWithOptions(wsURL+"/first", nil, opts(nil))
		if err != nil {
			t.Fatal(err)
		}
		first.SetOnOpen(func(*Event) {
			for _, next := range []struct {
				url string
				h   http.Header
			}{
				{wsURL + "/chat/room", nil},
				{wsURL + "/other", http.Header{"Cookie": {"mine=1"}}},
				{tlsURL + "/", nil},
			} {
				ws, err := NewWithOptions(next.url, nil, opts(next.h))
				if err != nil {
					t.Error(err)
					continue
				}
				ws.SetOnOpen(func(*Event) { ws.Close() })
			}
			first.Close()
		})
	})
	got := map[string][]string{}
	for _, p := range srv.requests() {
		got[p.req.RequestURI] = p.req.Header.Values("Cookie")
	}
	want := map[string][]string{
		"/first":     nil,
		"/chat/room": {"scoped=1; session=abc"},
		"/other":     {"mine=1; session=abc"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Cookie headers %q, want %q", got, want)
	}
	// The secure cookie went over wss only; the others are host-only
	// cookies of example.com, whatever the port.
	if got := tlsCookies.String(); got != "sec=1; session=abc" {
		t.Errorf("wss Cookie %q", got)
	}
}

// TestAPI33_BasicAuthFromUserinfo: user information in the URL becomes
// Basic credentials, percent-decoded (WPT basic-auth: foo:bar@ →
// Basic Zm9vOmJhcg==); a 401 answer fails (see the failure table). The
// user information stays in URL() (API-18).
func TestAPI33_WebSocketBasicAuthFromUserinfo(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.echoClose()
	})
	_, port, _ := net.SplitHostPort(srv.addr)
	for _, tc := range []struct{ userinfo, want string }{
		{"foo:bar@", "Basic Zm9vOmJhcg=="},
		{"us%20er:p%40ss@", "Basic " + base64.StdEncoding.EncodeToString([]byte("us er:p@ss"))},
		{"user@", "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"))},
		{"", ""},
	} {
		n := len(srv.requests())
		rawURL := "ws://" + tc.userinfo + "127.0.0.1:" + port + "/"
		runWithin(t, apiTimeout, func() {
			ws, err := New(rawURL)
			if err != nil {
				t.Fatal(err)
			}
			if ws.URL() != rawURL {
				t.Errorf("URL() = %q, want %q", ws.URL(), rawURL)
			}
			ws.SetOnOpen(func(*Event) { ws.Close() })
		})
		if got := srv.requests()[n].req.Header.Get("Authorization"); got != tc.want {
			t.Errorf("%q: Authorization %q, want %q", tc.userinfo, got, tc.want)
		}
	}
}

// TestAPI34_OriginOnlyWhenSet: Options.Origin is sent as it is; without it
// there is no Origin header.
func TestAPI34_OriginOnlyWhenSet(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.echoClose()
	})
	for _, origin := range []string{"https://example.test", ""} {
		n := len(srv.requests())
		runWithin(t, apiTimeout, func() {
			ws, _ := NewWithOptions(srv.url, nil, &Options{Origin: origin})
			ws.SetOnOpen(func(*Event) { ws.Close() })
		})
		if got := srv.requests()[n].req.Header.Values("Origin"); strings.Join(got, ",") != origin {
			t.Errorf("Origin %q sent as %q", origin, got)
		}
	}
}

// TestAPI38_FramesGluedToResponse: a close frame in the same segment as the
// 101 response (whose reason phrase is odd and whose header values differ
// in case) is processed normally: a clean close with 1001 "PASS"
// (WPT opening-handshake/005).
func TestAPI38_FramesGluedToResponse(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		resp := "HTTP/1.1 101 Switching Protocols:\r\nUpgrade: WebSocket\r\nConnection: UPGRADE\r\n" +
			"Sec-WebSocket-Accept: " + wsproto.AcceptKey(p.req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		p.write(append([]byte(resp), apiFrame(wsproto.OpClose, apiClosePayload(1001, "PASS"))...))
		p.readUntilClose()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
	})
	if got, want := rec.String(), "open@OPEN close:true:1001:PASS@CLOSED"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestAPI92_HandshakeFailuresLookAlike: every failure before open, whatever
// its cause, is reported the same way: the constructor succeeds (API-25),
// then an error event and a close event with 1006, not clean, in CLOSED
// (API-49), with a Cause for Go programs (API-92); never an open or a
// message, and Protocol and Extensions stay "" (API-57). The causes: a
// redirect, never followed (API-29), a non-101 or non-HTTP answer (API-30),
// 401 (API-33), a missing, empty, unasked-for or case-changed subprotocol
// (API-35, API-36), an extension that was not offered, a wrong accept key
// with a message glued after it, never delivered (API-37), a bad port
// (API-39), a refused port, an unresolvable name, TLS failures that never
// report 1015 (API-91).
func TestAPI92_HandshakeFailuresLookAlike(t *testing.T) {
	target := startAPIServer(t, func(p *apiPeer) { p.accept(); p.echoClose() })
	srv := startAPIServer(t, func(p *apiPeer) {
		ok := p.response101("")
		switch p.req.RequestURI {
		case "/redirect":
			p.write([]byte("HTTP/1.1 301 Moved Permanently\r\nLocation: " + target.url + "/\r\nContent-Length: 0\r\n\r\n"))
		case "/foo":
			p.write([]byte("FOO BAR BAZ\r\n\r\n"))
		case "/200":
			p.write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))
		case "/401":
			p.write([]byte("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n"))
		case "/badkey":
			bad := strings.Replace(ok, wsproto.AcceptKey(p.req.Header.Get("Sec-WebSocket-Key")), wsproto.AcceptKey("x"), 1)
			p.write(append([]byte(bad), apiFrame(wsproto.OpText, []byte("secret"))...))
		case "/noproto":
			p.write([]byte(ok))
		case "/emptyproto":
			p.write([]byte(p.response101("Sec-WebSocket-Protocol: \r\n")))
		case "/unasked", "/case":
			p.write([]byte(p.response101("Sec-WebSocket-Protocol: foobar\r\n")))
		case "/ext":
			p.write([]byte(p.response101("Sec-WebSocket-Extensions: x-unknown\r\n")))
		}
		p.waitEOF()
	})
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	garbage, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := garbage.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n")
			c.Close()
		}
	}()
	t.Cleanup(func() { garbage.Close() })
	tlsSrv, _ := newTLSEchoServer(t, nil)

	for _, tc := range []struct {
		id, url   string
		protocols []string
	}{
		{"API-29/redirect", srv.url + "/redirect", nil},
		{"API-30/not-http", srv.url + "/foo", nil},
		{"API-30/200", srv.url + "/200", nil},
		{"API-33/401", srv.url + "/401", nil},
		{"API-35/no-protocol", srv.url + "/noproto", []string{"chat"}},
		{"API-35/empty-protocol", srv.url + "/emptyproto", []string{"chat"}},
		{"API-35/unasked-protocol", srv.url + "/unasked", nil},
		{"API-36/protocol-case", srv.url + "/case", []string{"FOOBAR"}},
		{"API-37/bad-accept", srv.url + "/badkey", nil},
		{"API-26/unoffered-extension", srv.url + "/ext", nil},
		{"API-39/bad-port", "ws://127.0.0.1:1/", nil},
		{"API-25/refused", "ws://" + refused + "/", nil},
		{"API-25/unresolvable", "ws://nonexistent.invalid/", nil},
		{"API-91/tls-untrusted", "wss" + strings.TrimPrefix(tlsSrv.URL, "https") + "/", nil},
		{"API-91/tls-to-plain", "wss://" + garbage.Addr().String() + "/", nil},
	} {
		t.Run(tc.id, func(t *testing.T) {
			var rec recorder
			var cause error
			var protocol, extensions string
			runWithin(t, apiTimeout, func() {
				ws, err := NewWithOptions(tc.url, tc.protocols, &Options{HandshakeTimeout: 3 * time.Second})
				if err != nil {
					t.Fatalf("the constructor failed: %v", err)
				}
				recordAll(ws, &rec)
				ws.SetOnClose(func(e *CloseEvent) {
					cause = e.Cause
					protocol, extensions = ws.Protocol(), ws.Extensions()
				})
			})
			if got, want := rec.String(), "error@CLOSED close:false:1006:@CLOSED"; got != want {
				t.Errorf("events %s, want %s", got, want)
			}
			if cause == nil {
				t.Error("no Cause")
			}
			if protocol != "" || extensions != "" {
				t.Errorf("API-57: Protocol %q, Extensions %q after a failed handshake", protocol, extensions)
			}
		})
	}
	if n := target.accepted(); n != 0 {
		t.Errorf("API-29: the redirect was followed (%d connections)", n)
	}
}

// TestAPI39_BadPortsFailThroughEvents: a Fetch bad port is never an
// exception: the constructor succeeds, nothing connects, error and close
// 1006 follow; AllowBadPorts lets the connection through.
func TestAPI39_BadPortsFailThroughEvents(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:10080") // on the list, and above 1023
	if err != nil {
		t.Skipf("cannot listen on the bad port 10080: %v", err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				p := &apiPeer{t: t, nc: c, br: br, req: req}
				p.accept()
				p.echoClose()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	for _, allow := range []bool{false, true} {
		var rec recorder
		runWithin(t, apiTimeout, func() {
			ws, err := NewWithOptions("ws://127.0.0.1:10080/", nil, &Options{AllowBadPorts: allow})
			if err != nil {
				t.Fatalf("the constructor failed: %v", err)
			}
			recordAll(ws, &rec)
			ws.SetOnOpen(func(*Event) { ws.Close() })
		})
		want := "error@CLOSED close:false:1006:@CLOSED"
		if allow {
			want = "open@OPEN close:true:1005:@CLOSED"
		}
		if got := rec.String(); got != want {
			t.Errorf("AllowBadPorts %v: events %s, want %s", allow, got, want)
		}
		if !allow && accepted.Load() != 0 {
			t.Errorf("a blocked port was connected to")
		}
	}
}

// TestAPI40_OneConnectingPerEndpoint: two sockets to one endpoint: the
// second handshake starts only after the first one ended (the two
// exchanges never interleave, even when the first one is slow); a socket
// waiting for its turn is closed at once by Close, without touching the
// network.
func TestAPI40_OneConnectingPerEndpoint(t *testing.T) {
	var order recorder
	var first atomic.Bool
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		path := p.req.RequestURI
		order.add("req%s", path)
		switch {
		case path == "/held":
			arrived <- struct{}{}
			<-release
		case first.CompareAndSwap(false, true):
			time.Sleep(100 * time.Millisecond) // a slow handshake: the other one must wait
		}
		order.add("resp%s", path)
		p.accept()
		p.echoClose()
	})

	t.Run("order", func(t *testing.T) {
		runWithin(t, apiTimeout, func() {
			for _, path := range []string{"/a", "/b"} {
				ws, _ := New(srv.url + path)
				ws.SetOnOpen(func(*Event) { ws.Close() })
			}
		})
		got := order.apiEvents()
		if len(got) != 4 || got[0] != "req"+got[1][4:] || got[2] != "req"+got[3][4:] || got[0] == got[2] {
			t.Fatalf("the handshakes interleaved: %q", got)
		}
	})

	t.Run("close-while-waiting", func(t *testing.T) {
		var rec1, rec2 recorder
		var ws1 *WebSocket
		opts1 := recordingOptions(&rec1)
		opts1.OnOpen = func(*Event) { rec1.add("open"); ws1.Close() }
		ws1, _ = NewWithOptions(srv.url+"/held", nil, opts1)
		waitFor(t, arrived, "the first handshake")
		conns := srv.accepted()
		ws2, _ := NewWithOptions(srv.url+"/second", nil, recordingOptions(&rec2))
		ws2.Close()
		waitDone(t, ws2) // while the first handshake is still held
		if got, want := rec2.String(), "error close:false:1006:"; got != want {
			t.Errorf("waiting socket: %s, want %s", got, want)
		}
		if srv.accepted() != conns {
			t.Errorf("the closed waiting socket connected")
		}
		close(release)
		waitDone(t, ws1)
		if got, want := rec1.String(), "open close:true:1005:"; got != want {
			t.Errorf("first socket: %s, want %s", got, want)
		}
	})
}

// TestAPI41_SecureContext: with SecureContext, a ws: URL is a
// SecurityError at once and wss: is fine; the default allows ws:.
func TestAPI41_SecureContext(t *testing.T) {
	for _, tc := range []struct {
		url    string
		secure bool
		want   error
	}{
		{"ws://example.test/", true, ErrSecurity},
		{"http://example.test/", true, ErrSecurity},
		{"wss://example.test/", true, nil},
		{"https://example.test/", true, nil},
		{"ws://example.test/", false, nil},
	} {
		ws, err := NewWithOptions(tc.url, nil, &Options{SecureContext: tc.secure, NetDialContext: noDial})
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("%q, SecureContext %v: %v, want %v", tc.url, tc.secure, err, tc.want)
		}
		if ws != nil {
			waitDone(t, ws) // fails in the dialer
		}
	}
}

// connectProxy starts an HTTP CONNECT proxy on the loopback; it records the
// targets it was asked for.
func connectProxy(t *testing.T, targets *recorder) *url.URL {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Method != http.MethodConnect {
					return
				}
				targets.add("%s", req.RequestURI)
				up, err := net.Dial("tcp", req.RequestURI)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
					return
				}
				defer up.Close()
				io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				done := make(chan struct{})
				go func() {
					io.Copy(up, br)
					up.(*net.TCPConn).CloseWrite()
					close(done)
				}()
				io.Copy(c, up)
				c.(*net.TCPConn).CloseWrite()
				<-done
			}()
		}
	}()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

// TestAPI42_TLSProxyDialer: wss runs TLS with certificate verification
// (TLSConfig supplies the roots; without them the handshake fails, see the
// failure table), through an HTTP CONNECT proxy when Proxy names one, over
// the application's NetDialContext when set.
func TestAPI42_TLSProxyDialer(t *testing.T) {
	srv, conf := newTLSEchoServer(t, nil)
	wssURL := "wss" + strings.TrimPrefix(srv.URL, "https")
	var targets recorder
	proxy := connectProxy(t, &targets)
	var dials atomic.Int32
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"tls", Options{TLSConfig: conf}},
		{"proxy", Options{TLSConfig: conf, Proxy: http.ProxyURL(proxy)}},
		{"dialer", Options{TLSConfig: conf, NetDialContext: dialAddr(srv.Listener.Addr().String(), &dials)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			runWithin(t, apiTimeout, func() {
				ws, err := NewWithOptions(wssURL, nil, &tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				ws.SetOnOpen(func(*Event) { ws.Send("over TLS") })
				ws.SetOnMessage(func(e *MessageEvent) { rec.add("%v", e.Data); ws.Close(WithCode(1000)) })
				ws.SetOnClose(func(e *CloseEvent) { rec.add("close:%v:%d", e.WasClean, e.Code) })
			})
			if got, want := rec.String(), "over TLS close:true:1000"; got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		})
	}
	if got, want := targets.String(), srv.Listener.Addr().String(); got != want {
		t.Errorf("proxy targets %q, want %q", got, want)
	}
	if dials.Load() != 1 {
		t.Errorf("NetDialContext called %d times", dials.Load())
	}
}

// TestAPI109_HandshakeHeadersRefused: Options.Header may not set the
// handshake's own headers, in any spelling: the constructor returns a
// SyntaxError; other headers reach the server.
func TestAPI109_HandshakeHeadersRefused(t *testing.T) {
	for _, name := range []string{
		"Sec-WebSocket-Key", "sec-websocket-key", "Sec-WebSocket-Version", "Sec-WebSocket-Accept",
		"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Upgrade", "Connection", "Host", "host",
		"Content-Length", "Transfer-Encoding",
	} {
		ws, err := NewWithOptions("ws://example.test/", nil, &Options{Header: http.Header{name: {"x"}}})
		if !errors.Is(err, ErrSyntax) || ws != nil {
			t.Errorf("Header %q: %v, want a SyntaxError", name, err)
		}
	}
	srv := startAPIServer(t, func(p *apiPeer) { p.accept(); p.echoClose() })
	runWithin(t, apiTimeout, func() {
		ws, err := NewWithOptions(srv.url, nil, &Options{Header: http.Header{
			"User-Agent": {"api-test/1"}, "X-Custom": {"a", "b"}, "Authorization": {"Bearer t"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		ws.SetOnOpen(func(*Event) { ws.Close() })
	})
	h := srv.requests()[0].req.Header
	if h.Get("User-Agent") != "api-test/1" || strings.Join(h.Values("X-Custom"), ",") != "a,b" || h.Get("Authorization") != "Bearer t" {
		t.Errorf("extra headers: %q", h)
	}
}

// TestAPI110_OriginIsTheApplicationsChoice: the Origin header is whatever
// the application set, so a server's origin check applies to it: our
// Accept, with its default same-origin policy, refuses a foreign Origin
// (the socket sees error and close 1006) and lets a client without Origin
// in (a non-browser client; absence proves nothing about same-origin).
func TestAPI110_OriginIsTheApplicationsChoice(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, nil)
		if err != nil {
			return
		}
		echo(c)
	}))
	t.Cleanup(srv.Close)
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	for _, tc := range []struct{ origin, want string }{
		{"https://evil.example", "error close:false:1006"},
		{"", "open close:true:1005"},
		{srv.URL, "open close:true:1005"},
	} {
		var rec recorder
		runWithin(t, apiTimeout, func() {
			ws, _ := NewWithOptions(url, nil, &Options{Origin: tc.origin})
			ws.SetOnOpen(func(*Event) { rec.add("open"); ws.Close() })
			ws.SetOnError(func(*Event) { rec.add("error") })
			ws.SetOnClose(func(e *CloseEvent) { rec.add("close:%v:%d", e.WasClean, e.Code) })
		})
		if got := rec.String(); got != tc.want {
			t.Errorf("Origin %q: %s, want %s", tc.origin, got, tc.want)
		}
	}
}

// TestAPI111_NoJarNoCookies: without a jar, no cookie is sent or kept,
// even one the server sets.
func TestAPI111_NoJarNoCookies(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.write([]byte(p.response101("Set-Cookie: session=abc; Path=/\r\n")))
		p.echoClose()
	})
	for range 2 {
		runWithin(t, apiTimeout, func() {
			ws, _ := New(srv.url)
			ws.SetOnOpen(func(*Event) { ws.Close() })
		})
	}
	for _, p := range srv.requests() {
		if c := p.req.Header.Values("Cookie"); c != nil {
			t.Errorf("Cookie %q sent without a jar", c)
		}
	}
}
