package websocket

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// ProxyError is the error Dial returns when the HTTP proxy refused to open
// a tunnel: its answer to the CONNECT request was not a 2xx status. A 407
// status means that the proxy wants credentials, which Dial takes from the
// user information of the proxy URL.
type ProxyError struct {
	Proxy      string // the proxy's URL, without its password
	Target     string // the host:port the tunnel was asked for
	StatusCode int    // the proxy's status, such as 407
	Status     string // the proxy's status line, such as "407 Proxy Authentication Required"
}

func (e *ProxyError) Error() string {
	return "websocket: proxy " + e.Proxy + " refused to connect to " + e.Target + ": " + e.Status
}

// proxyFor returns the proxy through which to reach u, or nil to connect
// directly: the answer of opts.Proxy, http.ProxyFromEnvironment by default,
// which is asked about the http:// or https:// equivalent of u (so that
// HTTP_PROXY and HTTPS_PROXY apply to ws:// and wss://, and NO_PROXY too).
func proxyFor(opts *DialOptions, u *url.URL) (*url.URL, error) {
	if opts.NoProxy {
		return nil, nil
	}
	choose := opts.Proxy
	if choose == nil {
		choose = http.ProxyFromEnvironment
	}
	hu := *u
	hu.Scheme = httpScheme(u.Scheme)
	hu.User = nil
	proxy, err := choose(&http.Request{Method: "GET", URL: &hu, Host: hu.Host, Header: make(http.Header)})
	if err != nil {
		return nil, fmt.Errorf("choosing a proxy: %w", err)
	}
	if proxy == nil {
		return nil, nil
	}
	switch proxy.Scheme {
	case "http", "https":
	default:
		return nil, fmt.Errorf("proxy %s: unsupported scheme %q (only http and https proxies are supported)", proxy.Redacted(), proxy.Scheme)
	}
	if proxy.Hostname() == "" {
		return nil, fmt.Errorf("proxy %s has no host", proxy.Redacted())
	}
	if p := proxy.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("proxy %s has an invalid port", proxy.Redacted())
		}
	}
	return proxy, nil
}

// proxyAddr returns the host:port of a proxy, 80 or 443 by default.
func proxyAddr(proxy *url.URL) string {
	p := proxy.Port()
	if p == "" {
		p = defaultPort(proxy.Scheme)
	}
	return net.JoinHostPort(proxy.Hostname(), p)
}

// tunnel opens a tunnel to addr through the proxy connected on nc: TLS
// with the proxy first for an https proxy (with a copy of opts.TLSConfig, as
// http.Transport does), then an HTTP CONNECT request, with the proxy URL's
// user information as Basic credentials (P-4). The returned connection
// carries the bytes to and from addr.
func tunnel(ctx context.Context, nc net.Conn, proxy *url.URL, addr string, opts *DialOptions) (net.Conn, error) {
	if proxy.Scheme == "https" {
		cfg := opts.TLSConfig.Clone()
		if cfg != nil {
			cfg.ServerName = "" // the target's name; the proxy has its own
		}
		var err error
		if nc, err = tlsClient(ctx, nc, tlsServerName(proxy), cfg); err != nil {
			return nil, fmt.Errorf("proxy %s: %w", proxy.Redacted(), err)
		}
	}

	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	hdr := make(http.Header)
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		cred := "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass))
		req += "Proxy-Authorization: " + cred + "\r\n"
		hdr.Set("Proxy-Authorization", cred)
	}
	req += "\r\n"
	if _, err := nc.Write([]byte(req)); err != nil {
		return nil, fmt.Errorf("proxy %s: sending CONNECT: %w", proxy.Redacted(), err)
	}

	lr := &headerLimitReader{r: nc, n: orDefault(opts.MaxHeaderBytes, DefaultMaxHeaderBytes)}
	br := bufio.NewReader(lr)
	connect := &http.Request{Method: "CONNECT", URL: &url.URL{Opaque: addr}, Host: addr, Header: hdr}
	resp, err := http.ReadResponse(br, connect)
	if err != nil {
		if errors.Is(err, errHeaderTooLarge) || lr.n == 0 {
			err = errors.New("response header larger than MaxHeaderBytes")
		}
		return nil, fmt.Errorf("proxy %s: reading the answer to CONNECT: %w", proxy.Redacted(), err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, &ProxyError{Proxy: proxy.Redacted(), Target: addr, StatusCode: resp.StatusCode, Status: resp.Status}
	}
	lr.n = -1
	if br.Buffered() > 0 {
		// Nothing should come from the target before we speak, but if it
		// did, it must not be lost.
		return &bufferedConn{Conn: nc, r: br}, nil
	}
	return nc, nil
}

// bufferedConn is a net.Conn whose reads come from a bufio.Reader that
// holds bytes already read from it.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
