package websocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// maxErrorBody is how much of the body of a refused handshake's response
// Dial keeps for the caller, and errorBodyWait how long it waits for it.
const (
	maxErrorBody  = 4 << 10
	errorBodyWait = time.Second
)

// HandshakeError is the error Dial returns when the server's answer to the
// opening handshake was not a valid acceptance: a status other than 101
// Switching Protocols (an authentication challenge, an error, a redirect,
// which Dial never follows), a 101 response that breaks a rule of RFC 6455
// (a wrong Sec-WebSocket-Accept, a subprotocol or extension that was not
// offered), or a response that is not HTTP or is too large.
//
// Network failures and timeouts are not HandshakeErrors: they are returned
// as they are, wrapped with the URL.
type HandshakeError struct {
	// StatusCode is the status of the server's response: 101 when the
	// response agreed to switch protocols but broke a rule of the handshake,
	// and 0 when no HTTP response could be read.
	StatusCode int

	// Response is the server's response, nil when none could be read. It is
	// also Dial's second result. The body of a response other than 101 has
	// been read ahead (its first 4 KiB, what arrives within a second) and
	// the connection closed, so Body can be read, and need not be closed.
	Response *http.Response

	// Reason says what was wrong with the response.
	Reason string

	url string // the URL dialed, without its password
	err error  // the cause, such as a *wsproto.HandshakeError
}

func (e *HandshakeError) Error() string {
	return "websocket: handshake with " + e.url + " failed: " + e.Reason
}

// Unwrap returns the cause of the failure, a *wsproto.HandshakeError when
// the response broke a rule of the protocol.
func (e *HandshakeError) Unwrap() error { return e.err }

// Dial opens a WebSocket connection to rawURL, a ws:// or wss:// URL (http://
// and https:// are accepted as their equivalents), and runs the opening
// handshake of RFC 6455 over HTTP/1.1.
//
// The connection goes through the proxy that opts.Proxy chooses (by default
// the one named by the environment, as http.ProxyFromEnvironment reads it),
// with an HTTP CONNECT tunnel; wss:// connections then run TLS with the
// target host inside that tunnel, with ALPN restricted to http/1.1. User
// information in rawURL is sent as Basic credentials in an Authorization
// header, unless opts.Header holds one. The URL may not have a fragment.
//
// The context and opts.HandshakeTimeout bound the whole set-up: name
// resolution, TCP, proxy, TLS and the HTTP exchange; a negative
// HandshakeTimeout leaves the context alone to do it. Once Dial has
// returned, the context no longer has any effect on the connection.
//
// Dial returns the server's response even when the handshake fails, for
// instance to inspect a 401 or 403; the error is then a *HandshakeError.
// Redirects are not followed: a 3xx response is a failed handshake. On
// success the response's Body is empty: the bytes after the response
// belong to the returned Conn.
func Dial(ctx context.Context, rawURL string, opts *DialOptions) (*Conn, *http.Response, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	u, err := parseWebSocketURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	return dialTarget(ctx, targetOfURL(u), opts)
}

// handshakeTarget is what the opening handshake needs to know about the URL
// it connects to, worked out once by the parser that read the URL: net/url
// for Dial, the URL Standard's parser for the WebSocket object, whose
// request line and Host header must be exactly those of its parsed URL
// (a WHATWG URL that net/url refuses or would escape differently still
// goes out as parsed).
type handshakeTarget struct {
	url        *url.URL      // scheme and host, for the proxy choice and Response.Request; no user
	secure     bool          // wss: TLS with the server
	addr       string        // host:port to connect to
	host       string        // the Host header
	resource   string        // the request target of the request line
	serverName string        // the name the TLS certificate is checked against
	redacted   string        // the URL for error messages, without a password
	user       *url.Userinfo // Basic credentials, nil for none
}

// targetOfURL returns the handshake target of a URL checked by
// parseWebSocketURL.
func targetOfURL(u *url.URL) *handshakeTarget {
	ru := *u
	ru.User = nil
	return &handshakeTarget{
		url:        &ru,
		secure:     u.Scheme == "wss",
		addr:       hostAddr(u),
		host:       hostHeader(u),
		resource:   resourceName(u),
		serverName: tlsServerName(u),
		redacted:   u.Redacted(),
		user:       u.User,
	}
}

// targetOfWSURL returns the handshake target of a URL parsed by the
// WebSocket constructor (API-26): the request line carries exactly its
// resource name and the Host header exactly its host.
func targetOfWSURL(u *wsURL) *handshakeTarget {
	host, resource := u.Host(), u.ResourceName()
	ru := &url.URL{Scheme: u.Scheme(), Host: host}
	if pu, err := url.ParseRequestURI(resource); err == nil {
		ru.Path, ru.RawPath, ru.RawQuery, ru.ForceQuery = pu.Path, pu.RawPath, pu.RawQuery, pu.ForceQuery
	} else {
		ru.Opaque = "//" + host + resource // kept verbatim by url.URL.String
	}
	t := &handshakeTarget{
		url:        ru,
		secure:     u.Secure(),
		addr:       u.DialAddr(),
		host:       host,
		resource:   resource,
		serverName: strings.TrimSuffix(strings.TrimPrefix(u.Hostname(), "["), "]"),
		redacted:   u.Scheme() + "://" + host + resource,
	}
	if u.HasCredentials() {
		t.user = url.UserPassword(u.Username(), u.Password())
	}
	return t
}

// dialTarget is Dial once the URL has been parsed.
func dialTarget(ctx context.Context, t *handshakeTarget, opts *DialOptions) (*Conn, *http.Response, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	if opts.Compression != nil {
		if err := opts.Compression.Check(); err != nil {
			return nil, nil, fmt.Errorf("websocket: dial %s: DialOptions.Compression: %w", t.redacted, err)
		}
	}
	h, err := newClientHandshake(t, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("websocket: dial %s: %w", t.redacted, err)
	}
	if d := orDefault(opts.HandshakeTimeout, DefaultHandshakeTimeout); d > 0 {
		var cancel context.CancelFunc
		cause := fmt.Errorf("opening handshake took longer than its timeout of %v: %w", d, context.DeadlineExceeded)
		ctx, cancel = context.WithTimeoutCause(ctx, d, cause)
		defer cancel()
	}
	res, err := h.run(ctx, opts)
	if err != nil {
		var he *HandshakeError
		var pe *ProxyError
		if !errors.As(err, &he) && !errors.As(err, &pe) {
			err = fmt.Errorf("websocket: dial %s: %w", t.redacted, err)
		}
		return nil, res.resp, err
	}
	c := newConn(res.nc, res.br, wsproto.Client, opts.config(), res.protocol, res.extensions)
	if res.deflate != nil {
		c.enableDeflate(*res.deflate, *opts.Compression)
	}
	return c, res.resp, nil
}

// parseWebSocketURL parses and checks a URL for Dial (P-1, P-2). It returns
// a copy whose scheme is ws or wss.
func parseWebSocketURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("websocket: invalid URL: %w", err)
	}
	if strings.Contains(rawURL, "#") {
		// net/url cannot tell an empty fragment from none: look for the #.
		return nil, errors.New("websocket: URL " + strconv.Quote(u.Redacted()) + " has a fragment, which WebSocket URLs may not have (write a literal # as %23)")
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return nil, errors.New("websocket: URL " + strconv.Quote(u.Redacted()) + " does not have the scheme ws, wss, http or https")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, errors.New("websocket: URL " + strconv.Quote(u.Redacted()) + " has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("websocket: URL " + strconv.Quote(u.Redacted()) + " has an invalid port")
		}
	}
	return u, nil
}

// defaultPort returns the port a scheme implies.
func defaultPort(scheme string) string {
	switch scheme {
	case "wss", "https":
		return "443"
	}
	return "80"
}

// httpScheme maps a WebSocket scheme to the HTTP one of the same transport.
func httpScheme(scheme string) string {
	if scheme == "wss" {
		return "https"
	}
	return "http"
}

// port returns u's port, normalized, or the scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p) // checked by parseWebSocketURL
		return strconv.Itoa(n)
	}
	return defaultPort(u.Scheme)
}

// hostAddr returns the host:port to connect to for u. An IPv6 zone stays:
// it matters to the dialer.
func hostAddr(u *url.URL) string { return net.JoinHostPort(u.Hostname(), port(u)) }

// hostHeader returns the Host header for u (P-3): the host, bracketed if it
// is an IPv6 literal (without its zone, which means nothing to the server),
// and the port unless it is the scheme's default.
func hostHeader(u *url.URL) string {
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host, _, _ = strings.Cut(host, "%")
		host = "[" + host + "]"
	}
	if p := port(u); p != defaultPort(u.Scheme) {
		host += ":" + p
	}
	return host
}

// tlsServerName returns the name to verify the server's certificate
// against: u's host without brackets or zone. crypto/tls sends no SNI for
// an IP literal and checks the certificate against the address (P-90).
func tlsServerName(u *url.URL) string {
	host, _, _ := strings.Cut(u.Hostname(), "%")
	return host
}

// resourceName returns the request target for u: the escaped path, "/" if
// empty, and the query if u has one (P-1, P-6).
func resourceName(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		p += "?" + escapeQuery(u.RawQuery)
	}
	return p
}

// escapeQuery percent-encodes the bytes of a raw query that may not appear
// in a request line: controls, space and non-ASCII.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c > ' ' && c < 0x7F {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(q)+8), q[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&0xF])
	}
	if b == nil {
		return q
	}
	return string(b)
}

// reservedRequestHeaders are the headers DialOptions.Header may not set,
// with what to do instead.
var reservedRequestHeaders = map[string]string{
	"Upgrade":                  "it belongs to the handshake",
	"Connection":               "it belongs to the handshake",
	"Sec-Websocket-Key":        "it belongs to the handshake",
	"Sec-Websocket-Version":    "it belongs to the handshake",
	"Sec-Websocket-Accept":     "it belongs to the handshake",
	"Sec-Websocket-Protocol":   "use DialOptions.Subprotocols",
	"Sec-Websocket-Extensions": "extensions are negotiated by the package",
	"Content-Length":           "a handshake request has no body",
	"Transfer-Encoding":        "a handshake request has no body",
}

// checkExtraHeader checks the extra headers an application adds to a
// handshake message: none of reserved (whose values say what to use
// instead), names that are tokens, values without control characters, so
// that nothing can split or inject lines (P-96). field names the option.
func checkExtraHeader(h http.Header, reserved map[string]string, field string) error {
	for name, values := range h {
		canon := http.CanonicalHeaderKey(name)
		if why, ok := reserved[canon]; ok {
			return fmt.Errorf("%s may not set the header %q: %s", field, name, why)
		}
		if !wsproto.IsToken(name) {
			return fmt.Errorf("%s has an invalid header name %q", field, name)
		}
		for _, v := range values {
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < ' ' && c != '\t' || c == 0x7F {
					return fmt.Errorf("%s has a control character in the value of %q", field, name)
				}
			}
		}
	}
	return nil
}

// clientHandshake is an opening handshake request, ready to send.
type clientHandshake struct {
	target    *handshakeTarget
	key       string
	protocols []string
	offers    []wsproto.Extension // extensions offered, in preference order
	req       *http.Request       // the request as sent, for Response.Request
	wire      []byte              // the request's bytes
}

// newClientHandshake checks the options and builds the request (P-6..P-11).
// Nothing touches the network yet.
func newClientHandshake(t *handshakeTarget, opts *DialOptions) (*clientHandshake, error) {
	for i, p := range opts.Subprotocols {
		if !wsproto.IsToken(p) {
			return nil, fmt.Errorf("subprotocol %q is not a valid token (RFC 6455 section 4.1)", p)
		}
		if slices.Contains(opts.Subprotocols[:i], p) {
			return nil, fmt.Errorf("subprotocol %q is offered twice", p)
		}
	}
	if err := checkExtraHeader(opts.Header, reservedRequestHeaders, "DialOptions.Header"); err != nil {
		return nil, err
	}
	extra := opts.Header.Clone()
	if extra == nil {
		extra = make(http.Header)
	}
	host := t.host
	for name, v := range extra {
		if http.CanonicalHeaderKey(name) == "Host" {
			if len(v) != 1 || v[0] == "" {
				return nil, errors.New("DialOptions.Header must have exactly one non-empty Host value, if any")
			}
			host = v[0]
			delete(extra, name)
		}
	}
	if t.user != nil && extra.Get("Authorization") == "" {
		pass, _ := t.user.Password()
		cred := base64.StdEncoding.EncodeToString([]byte(t.user.Username() + ":" + pass))
		extra.Set("Authorization", "Basic "+cred)
	}

	h := &clientHandshake{
		target:    t,
		key:       wsproto.NewKey(),
		protocols: opts.Subprotocols,
		offers:    extensionOffers(opts),
	}
	target := t.resource
	var b bytes.Buffer
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	sent := extra.Clone()
	add := func(name, value string) { // in RFC 6455's spelling on the wire
		b.WriteString(name + ": " + value + "\r\n")
		sent.Set(name, value)
	}
	add("Upgrade", "websocket")
	add("Connection", "Upgrade")
	add("Sec-WebSocket-Key", h.key)
	add("Sec-WebSocket-Version", wsproto.Version)
	if len(h.protocols) > 0 {
		add("Sec-WebSocket-Protocol", strings.Join(h.protocols, ", "))
	}
	if len(h.offers) > 0 {
		add("Sec-WebSocket-Extensions", wsproto.FormatExtensions(h.offers))
	}
	extra.Write(&b)
	b.WriteString("\r\n")
	h.wire = b.Bytes()

	ru := *t.url
	ru.Scheme = httpScheme(t.url.Scheme)
	h.req = &http.Request{
		Method:     "GET",
		URL:        &ru,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     sent,
		Host:       host,
		RequestURI: target,
	}
	return h, nil
}

// extensionOffers returns the extensions Dial offers: permessage-deflate
// when opts.Compression is set.
func extensionOffers(opts *DialOptions) []wsproto.Extension {
	if opts.Compression == nil {
		return nil
	}
	return wsproto.DeflateOffer(*opts.Compression)
}

// acceptedExtensions returns the extensions the server accepted, for the
// Conn, and the permessage-deflate agreement if there is one.
// wsproto.CheckResponse has checked their names against the offers; the
// checks of their parameters, which each extension defines (P-35, P-77),
// are here.
func acceptedExtensions(offers, accepted []wsproto.Extension) (string, *wsproto.DeflateAgreement, error) {
	agreed, found, err := wsproto.NegotiatedDeflate(offers, accepted)
	if err != nil {
		return "", nil, err
	}
	if !found {
		return wsproto.FormatExtensions(accepted), nil, nil
	}
	return wsproto.FormatExtensions(accepted), &agreed, nil
}

// dialResult is the outcome of a handshake: the connection when it
// succeeded, and the server's response whenever there was one.
type dialResult struct {
	nc         net.Conn
	br         *bufio.Reader // holds the bytes read after the response
	resp       *http.Response
	protocol   string
	extensions string
	deflate    *wsproto.DeflateAgreement // permessage-deflate, if agreed
}

// run connects and runs the handshake. resp is set whenever the server
// answered, even on failure.
func (h *clientHandshake) run(ctx context.Context, opts *DialOptions) (res dialResult, err error) {
	proxy, err := proxyFor(opts, h.target.url)
	if err != nil {
		return res, err
	}
	addr := h.target.addr
	dialAddr := addr
	if proxy != nil {
		dialAddr = proxyAddr(proxy)
	}
	dial := opts.NetDialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	raw, err := dial(ctx, "tcp", dialAddr)
	if err != nil {
		return res, ctxCause(ctx, err)
	}
	// From here on, the end of ctx interrupts whatever I/O is blocked.
	release := deadlineFor(ctx, raw.SetDeadline)
	defer func() {
		if release != nil && release() && err == nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			raw.Close()
		}
	}()

	nc := raw
	if proxy != nil {
		if nc, err = tunnel(ctx, nc, proxy, addr, opts); err != nil {
			return res, ctxCause(ctx, err)
		}
	}
	if h.target.secure {
		if nc, err = tlsClient(ctx, nc, h.target.serverName, opts.TLSConfig); err != nil {
			return res, ctxCause(ctx, err)
		}
	}
	if _, err := nc.Write(h.wire); err != nil {
		return res, ctxCause(ctx, fmt.Errorf("sending the handshake request: %w", err))
	}

	lr := &headerLimitReader{r: nc, n: orDefault(opts.MaxHeaderBytes, DefaultMaxHeaderBytes)}
	br := bufio.NewReader(lr)
	resp, err := readResponse(br, h.req, lr)
	if err != nil {
		var he *HandshakeError
		if errors.As(err, &he) {
			he.url = h.target.redacted
			return res, he
		}
		return res, ctxCause(ctx, fmt.Errorf("reading the handshake response: %w", err))
	}
	lr.n = -1 // the limit is for the header only, not for the frames after it
	res.resp = resp

	checked, err := wsproto.CheckResponse(resp.StatusCode, resp.Header, h.key, h.protocols, extensionNames(h.offers))
	if err == nil {
		res.extensions, res.deflate, err = acceptedExtensions(h.offers, checked.Extensions)
	}
	if err != nil {
		he := &HandshakeError{StatusCode: resp.StatusCode, Response: resp, Reason: err.Error(), url: h.target.redacted, err: err}
		var pe *wsproto.HandshakeError
		if errors.As(err, &pe) {
			he.Reason = pe.Msg
		}
		if resp.StatusCode/100 == 3 {
			if loc := resp.Header.Get("Location"); loc != "" {
				he.Reason += "; it redirects to " + strconv.Quote(loc) + ", and redirects are not followed"
			}
		}
		if resp.StatusCode != http.StatusSwitchingProtocols {
			readErrorBody(ctx, resp, raw)
		}
		return res, he
	}
	res.nc, res.br, res.protocol = nc, br, checked.Protocol
	return res, nil
}

// extensionNames returns the names of offers.
func extensionNames(offers []wsproto.Extension) []string {
	names := make([]string, len(offers))
	for i, e := range offers {
		names[i] = e.Name
	}
	return names
}

// ctxCause returns ctx's cause, wrapped with err's context, if ctx has ended
// (an I/O error then only says that a deadline in the past interrupted it),
// and err otherwise.
func ctxCause(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return context.Cause(ctx)
}

// errHeaderTooLarge is the error of headerLimitReader at its limit.
var errHeaderTooLarge = errors.New("header too large")

// headerLimitReader reads from r until n bytes have been read, then fails
// with errHeaderTooLarge; a negative n means no limit.
type headerLimitReader struct {
	r io.Reader
	n int
}

func (l *headerLimitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.r.Read(p)
	}
	if l.n == 0 {
		return 0, errHeaderTooLarge
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= n
	return n, err
}

// errNotHTTP marks a response that is not HTTP/1.x.
var errNotHTTP = errors.New("not an HTTP/1.x response")

// readResponse reads the response to req from br, skipping informational
// responses (1xx) other than 101. A response that is too large or not HTTP
// at all is a *HandshakeError wrapping errHeaderTooLarge or errNotHTTP.
func readResponse(br *bufio.Reader, req *http.Request, lr *headerLimitReader) (*http.Response, error) {
	for {
		resp, err := http.ReadResponse(br, req)
		switch {
		case err != nil && (errors.Is(err, errHeaderTooLarge) || lr.n == 0):
			return nil, &HandshakeError{Reason: "the response header is larger than MaxHeaderBytes", err: errHeaderTooLarge}
		case err != nil:
			var ne net.Error
			if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
				return nil, err // the connection failed: not the server's answer
			}
			return nil, &HandshakeError{Reason: "the server's answer is not an HTTP response: " + err.Error(), err: fmt.Errorf("%w: %w", errNotHTTP, err)}
		case resp.ProtoMajor != 1:
			return nil, &HandshakeError{Reason: "the server answered with " + resp.Proto + ", not HTTP/1.x", err: errNotHTTP}
		case resp.StatusCode/100 == 1 && resp.StatusCode != http.StatusSwitchingProtocols:
			continue // 100 Continue, 103 Early Hints: the answer follows
		}
		return resp, nil
	}
}

// readErrorBody reads ahead the start of the body of a refused handshake's
// response, so that the caller can read it after the connection is closed.
func readErrorBody(ctx context.Context, resp *http.Response, nc net.Conn) {
	ctx, cancel := context.WithTimeout(ctx, errorBodyWait)
	defer cancel()
	release := deadlineFor(ctx, nc.SetDeadline)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if release != nil {
		release()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
}

// tlsClient runs the TLS handshake over nc for serverName with a copy of
// base (P-90): ServerName set from the host when base leaves it empty, and
// ALPN restricted to http/1.1, since the upgrade needs HTTP/1.1 (P-91).
func tlsClient(ctx context.Context, nc net.Conn, serverName string, base *tls.Config) (net.Conn, error) {
	cfg := base.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = serverName
	}
	cfg.NextProtos = []string{"http/1.1"}
	tc := tls.Client(nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("TLS handshake with %s: %w", serverName, err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "" && p != "http/1.1" {
		return nil, fmt.Errorf("TLS handshake with %s: server chose the protocol %q by ALPN, not http/1.1", serverName, p)
	}
	return tc, nil
}
