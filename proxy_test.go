package websocket

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// testProxy is a tiny HTTP CONNECT proxy.
type testProxy struct {
	addr string
	cred string // the Proxy-Authorization it requires, "" for none

	mu      sync.Mutex
	targets []string // the CONNECT targets asked for
}

// startTestProxy starts a proxy requiring user:pass (none if user is
// empty), over TLS if cfg is not nil.
func startTestProxy(t *testing.T, user, pass string, cfg *tls.Config) *testProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	p := &testProxy{addr: ln.Addr().String()}
	if user != "" {
		p.cred = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	serveTCP(t, ln, p.serve)
	return p
}

func (p *testProxy) serve(c net.Conn) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != "CONNECT" {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.targets = append(p.targets, req.Host)
	p.mu.Unlock()
	if p.cred != "" && req.Header.Get("Proxy-Authorization") != p.cred {
		io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
		return
	}
	target, err := net.Dial("tcp", req.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	defer target.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	done := make(chan struct{})
	go func() {
		io.Copy(target, br) // br first: it may hold bytes already
		target.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, target)
	c.Close()
	<-done
}

func (p *testProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

// proxyURL returns a DialOptions.Proxy that always answers rawURL, and
// records the request it was asked about.
func proxyURL(t *testing.T, rawURL string, asked **http.Request) func(*http.Request) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return func(r *http.Request) (*url.URL, error) {
		if asked != nil {
			*asked = r
		}
		return u, nil
	}
}

// TestP4_ProxyConnect dials ws:// and wss:// through a CONNECT proxy with
// basic authentication, the proxy over plain TCP and over TLS.
func TestP4_ProxyConnect(t *testing.T) {
	plain := httptest.NewServer(echoHandler(t, nil))
	t.Cleanup(plain.Close)
	var hello tlsHello
	secure, trust := startTLSEchoServer(t, &hello)
	// The proxy over TLS uses the test certificate too, which the client
	// trusts through the same TLSConfig.
	proxyTLS := &tls.Config{Certificates: secure.TLS.Certificates}

	tests := []struct {
		name, target string
		proxyTLS     *tls.Config
		scheme       string
	}{
		{"ws via http proxy", "ws://" + plain.Listener.Addr().String() + "/echo", nil, "http"},
		{"wss via http proxy", "wss://" + secure.Listener.Addr().String() + "/echo", nil, "http"},
		{"ws via https proxy", "ws://" + plain.Listener.Addr().String() + "/echo", proxyTLS, "https"},
		{"wss via https proxy", "wss://" + secure.Listener.Addr().String() + "/echo", proxyTLS, "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := startTestProxy(t, "alice", "s3cret:pw", tt.proxyTLS)
			var asked *http.Request
			opts := &DialOptions{
				Proxy:     proxyURL(t, tt.scheme+"://alice:s3cret%3Apw@"+proxy.addr, &asked),
				TLSConfig: trust,
			}
			c, _ := mustDial(t, tt.target, opts)
			roundTrip(t, c, "through the tunnel")
			u, _ := url.Parse(tt.target)
			if got := proxy.seen(); len(got) != 1 || got[0] != u.Host {
				t.Errorf("proxy saw CONNECT %q, want %q", got, u.Host)
			}
			if want := httpScheme(u.Scheme); asked == nil || asked.URL.Scheme != want || asked.URL.Host != u.Host {
				t.Errorf("Proxy was asked about %v, want a %s URL to %s", asked.URL, want, u.Host)
			}
		})
	}
}

func TestProxyRefused(t *testing.T) {
	target := startHSServer(t, nil)
	proxy := startTestProxy(t, "alice", "right", nil)
	for _, userinfo := range []string{"", "alice:wrong@"} {
		_, resp, err := Dial(ctxT(t), "ws://"+target.addr+"/", &DialOptions{
			Proxy: proxyURL(t, "http://"+userinfo+proxy.addr, nil),
		})
		var pe *ProxyError
		if !errors.As(err, &pe) || pe.StatusCode != 407 || resp != nil {
			t.Fatalf("userinfo %q: err = %v, want a *ProxyError with status 407", userinfo, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "407 Proxy Authentication Required") || !strings.Contains(msg, target.addr) || strings.Contains(msg, "wrong") {
			t.Errorf("error %q: want the status and target, and no password", msg)
		}
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the target got %d requests", n)
	}
}

func TestProxyChoice(t *testing.T) {
	target := startHSServer(t, nil)
	wsURL := "ws://" + target.addr + "/"

	// NoProxy wins over Proxy.
	mustDial(t, wsURL, &DialOptions{NoProxy: true, Proxy: func(*http.Request) (*url.URL, error) {
		t.Error("Proxy called despite NoProxy")
		return nil, nil
	}})
	// A nil proxy URL means a direct connection.
	mustDial(t, wsURL, &DialOptions{Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }})
	// The default, http.ProxyFromEnvironment, never proxies 127.0.0.1.
	c, _, err := Dial(ctxT(t), wsURL, nil)
	if err != nil {
		t.Fatalf("Dial with the environment's proxy: %v", err)
	}
	c.CloseNow()

	for _, tt := range []struct {
		proxy func(*http.Request) (*url.URL, error)
		err   string
	}{
		{func(*http.Request) (*url.URL, error) { return nil, errors.New("no proxy for you") }, "no proxy for you"},
		{func(*http.Request) (*url.URL, error) { return url.Parse("socks5://127.0.0.1:1080") }, "unsupported scheme"},
		{func(*http.Request) (*url.URL, error) { return url.Parse("http://:8080") }, "no host"},
	} {
		_, _, err := Dial(ctxT(t), wsURL, &DialOptions{Proxy: tt.proxy, NetDialContext: noNetwork(t)})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("err = %v, want %q", err, tt.err)
		}
	}
}
