package conformance

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// RunServer tests the WebSocket server at url (ws:// or wss://) by playing
// the selected cases against it as Autobahn's fuzzing client does: one
// connection per case, opened with its own client handshake, masked frames
// written straight to TCP. The server must echo every text and binary
// message it receives, unchanged, and accept messages of at least 16 MiB.
//
// The run is bounded by ctx and by each case's limit. RunServer returns a
// report of every case that ran; the error is non-nil only when the run
// could not be done as asked (a bad URL or selection, or ctx ending before
// all cases ran, in which case the report holds the cases that finished).
// Failing cases are not errors: see Report.Failed.
func RunServer(ctx context.Context, url string, opts *Options) (*Report, error) {
	if opts == nil {
		opts = &Options{}
	}
	t, err := parseTarget(url, opts)
	if err != nil {
		return nil, err
	}
	cases, err := selectCases(opts.Cases, opts.Exclude)
	if err != nil {
		return nil, err
	}
	agent := opts.Agent
	if agent == "" {
		agent = t.host
	}
	rep := &Report{Agent: agent, Target: url, Mode: "server", Started: time.Now()}
	results := make([]*Result, len(cases))
	var progressMu sync.Mutex
	runOne := func(i int) {
		r := runClientCase(ctx, t, &cases[i], opts)
		if ctx.Err() != nil {
			return // cut short by the caller: no verdict
		}
		results[i] = &r
		if opts.Progress != nil {
			progressMu.Lock()
			opts.Progress(r)
			progressMu.Unlock()
		}
	}

	// Light cases run a few at a time; heavy ones alone, afterwards.
	sem := make(chan struct{}, opts.concurrency())
	var wg sync.WaitGroup
	for i := range cases {
		if opts.heavy(&cases[i]) || ctx.Err() != nil {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			runOne(i)
		}()
	}
	wg.Wait()
	for i := range cases {
		if opts.heavy(&cases[i]) && ctx.Err() == nil {
			runOne(i)
		}
	}

	for _, r := range results {
		if r != nil {
			rep.Results = append(rep.Results, *r)
		}
	}
	rep.Duration = time.Since(rep.Started)
	if len(rep.Results) < len(cases) {
		return rep, fmt.Errorf("conformance: run stopped after %d of %d cases: %w", len(rep.Results), len(cases), ctx.Err())
	}
	return rep, nil
}

// target is a parsed ws:// or wss:// URL.
type target struct {
	addr      string // host:port to dial
	host      string // Host header
	path      string // request target
	tls       bool
	tlsConfig *tls.Config
	header    http.Header
}

func parseTarget(raw string, opts *Options) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("conformance: bad URL: %w", err)
	}
	t := &target{host: u.Host, path: u.RequestURI(), header: opts.Header}
	port := u.Port()
	switch u.Scheme {
	case "ws":
		if port == "" {
			port = "80"
		}
	case "wss":
		t.tls = true
		if port == "" {
			port = "443"
		}
		t.tlsConfig = opts.TLSConfig
		if t.tlsConfig == nil {
			t.tlsConfig = &tls.Config{}
		}
		if t.tlsConfig.ServerName == "" {
			t.tlsConfig = t.tlsConfig.Clone()
			t.tlsConfig.ServerName = u.Hostname()
		}
	default:
		return nil, fmt.Errorf("conformance: URL scheme must be ws or wss, not %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("conformance: URL has no host")
	}
	t.addr = net.JoinHostPort(u.Hostname(), port)
	return t, nil
}

// runClientCase plays one case as the client.
func runClientCase(ctx context.Context, t *target, c *Case, opts *Options) Result {
	start := time.Now()
	limit := opts.limit(c)
	// The session's own timer ends the case at its limit and says so;
	// the context, a little later, is the backstop.
	ctx, cancel := context.WithTimeout(ctx, limit+2*time.Second)
	defer cancel()
	var offers []wsproto.Extension
	if c.deflate != nil {
		offers = c.deflate.clientOffers()
	}
	conn, br, pmd, err := dialWebSocket(ctx, t, offers)
	if err != nil {
		r := judge(c, outcome{client: true, handshakeErr: err.Error()})
		r.Duration = time.Since(start)
		return r
	}
	// Ending ctx (the caller's, or the limit) drops the connection.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	s := newSession(c, true, conn, br, max(limit-time.Since(start), time.Second))
	s.pmd, s.deflateBudget = pmd, opts.budget()
	r := judge(c, s.play())
	r.Duration = time.Since(start)
	return r
}

// dialWebSocket opens a TCP (or TLS) connection and performs the client's
// opening handshake, checking the server's answer as RFC 6455 section 4.1
// requires. offers are the permessage-deflate offers to make (none for
// most cases); the tester's deflate session is nil unless the server
// accepted one.
func dialWebSocket(ctx context.Context, t *target, offers []wsproto.Extension) (net.Conn, *bufio.Reader, *deflateSession, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, nil, nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if t.tls {
		tc := tls.Client(conn, t.tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, nil, err
		}
		conn = tc
	}
	key := wsproto.NewKey()
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n", t.path, t.host)
	fmt.Fprintf(&b, "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\nUser-Agent: wsstack-conformance\r\n", key, wsproto.Version)
	if len(offers) > 0 {
		fmt.Fprintf(&b, "Sec-WebSocket-Extensions: %s\r\n", wsproto.FormatExtensions(offers))
	}
	for k, vs := range t.header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := conn.Write([]byte(b.String())); err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, nil, nil, fmt.Errorf("reading the handshake response: %w", err)
	}
	if err := checkHandshake(resp, key); err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	pmd, err := acceptResponse(offers, resp.Header.Values("Sec-WebSocket-Extensions"))
	if err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	conn.SetDeadline(time.Time{})
	return conn, br, pmd, nil
}

func checkHandshake(resp *http.Response, key string) error {
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		return fmt.Errorf("the server answered %q, not 101 Switching Protocols", resp.Status)
	case !hasToken(resp.Header, "Upgrade", "websocket"):
		return errors.New(`the response lacks "Upgrade: websocket"`)
	case !hasToken(resp.Header, "Connection", "upgrade"):
		return errors.New(`the response lacks "Connection: Upgrade"`)
	case resp.Header.Get("Sec-WebSocket-Accept") != wsproto.AcceptKey(key):
		return fmt.Errorf("wrong Sec-WebSocket-Accept %q", resp.Header.Get("Sec-WebSocket-Accept"))
	case resp.Header.Get("Sec-WebSocket-Protocol") != "":
		return fmt.Errorf("the server chose a subprotocol that was not offered: %q", resp.Header.Get("Sec-WebSocket-Protocol"))
	}
	return nil
}

// hasToken reports whether a comma-separated header holds token (any case).
func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
