package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wsstack/websocket"
)

// shutdownTimeout bounds the wait for the closing handshakes at shutdown;
// connections still open then are dropped.
const shutdownTimeout = 10 * time.Second

var serveCommand = &command{
	name: "serve",
	args: "[--addr :8080] [--chat] [--dir DIR] [--cert FILE --key FILE | --tls-self-signed]\n" +
		"                [--protocols chat,superchat] [--origin PATTERN]... [--read-limit BYTES] [--no-compress]\n" +
		"                [--log-format text|json] [--log-level debug|info|warn|error]",
	summary: "run a WebSocket echo or chat server",
	help: `
Serve runs a WebSocket server on --addr. Every request that asks for a
WebSocket upgrade is accepted, on any path. What the server does with a
connection depends on its mode:

  echo (the default)  every text and binary message is sent back unchanged
  --chat              every message is sent to every connected client (the
                      sender included); a plain GET of / returns a chat page
                      that uses the browser's own WebSocket

Plain HTTP requests (without an upgrade) are answered as follows:

  /metrics  the server's counters, in a text format (see below)
  /         the chat page with --chat; else, without --dir, a page that
            says how to connect
  anything  with --dir, the files of that directory

--cert and --key serve TLS (wss:// and https://) with a certificate and its
key in PEM files. --tls-self-signed makes a certificate for localhost,
127.0.0.1 and ::1 in memory instead, valid for 30 days, and prints its
SHA-256 fingerprint; clients must be told to trust it (ws connect --insecure,
or accept it in the browser at https://localhost:PORT/ first).

permessage-deflate compression is accepted when a client offers it;
--no-compress declines it. --read-limit caps the size of a message a client
may send (a larger one closes its connection with 1009).

This is a development tool: it accepts handshakes from any Origin unless
--origin patterns are given. Do not expose it to untrusted networks.

It prints "listening on ws://ADDR" (wss:// with TLS) on standard error with
the actual address, then logs there with log/slog: connections opening and
closing at level info, each message at level debug. On SIGINT or SIGTERM it
stops accepting, closes every connection with 1001 "server shutting down",
waits up to 10s for the closing handshakes, and exits 0. A second signal
exits at once.

/metrics holds one counter a line, "name value", after "# HELP" and "# TYPE"
comment lines (the Prometheus text format): ws_connections_current,
ws_connections_total, ws_handshake_failures_total, ws_messages_in_total,
ws_messages_out_total, ws_bytes_in_total and ws_bytes_out_total (bytes are
message payloads, before compression).
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &serveConfig{}
		fs.StringVar(&cfg.addr, "addr", ":8080", "listen on `host:port`; port 0 picks a free port")
		fs.BoolVar(&cfg.echo, "echo", true, "echo every message back (the default mode)")
		fs.BoolVar(&cfg.chat, "chat", false, "chat mode: send every message to every client, and serve a chat page at /")
		fs.StringVar(&cfg.dir, "dir", "", "serve the files of `directory` to plain HTTP requests")
		fs.StringVar(&cfg.certFile, "cert", "", "serve TLS with the certificate (chain) in PEM `file`; needs --key")
		fs.StringVar(&cfg.keyFile, "key", "", "the private key of --cert, in PEM `file`")
		fs.BoolVar(&cfg.selfSigned, "tls-self-signed", false, "serve TLS with a self-signed certificate for localhost, made at start")
		fs.Var(&cfg.protocols, "protocols", "comma-separated `list` of subprotocols to support; the first one the client offers that is in the list is selected")
		fs.Var(&cfg.origins, "origin", "accept only the server's own host and origins matching `pattern` (example.com, *.example.com, https://example.com:8443); repeatable; default: any origin")
		fs.Int64Var(&cfg.readLimit, "read-limit", 0, "largest message accepted, in `bytes`; 0 means the library default (32 MiB), -1 no limit")
		fs.BoolVar(&cfg.noCompress, "no-compress", false, "decline permessage-deflate compression")
		fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format`: text or json")
		fs.StringVar(&cfg.logLevel, "log-level", "info", "log `level`: debug (every message), info, warn or error")
		return cfg.run
	},
}

// serveConfig holds the flags of "ws serve".
type serveConfig struct {
	addr              string
	echo, chat        bool
	dir               string
	certFile, keyFile string
	selfSigned        bool
	protocols         commaList
	origins           stringList
	readLimit         int64
	noCompress        bool
	logFormat         string
	logLevel          string
	tlsConfig         *tls.Config // from the TLS flags, nil without TLS
}

// check validates the flags and loads the TLS certificate. It returns a
// message for the user, or "".
func (cfg *serveConfig) check() string {
	switch {
	case !cfg.echo && !cfg.chat:
		return "--echo=false: nothing to do without --chat"
	case cfg.logFormat != "text" && cfg.logFormat != "json":
		return fmt.Sprintf("--log-format %q: want text or json", cfg.logFormat)
	case (cfg.certFile == "") != (cfg.keyFile == ""):
		return "--cert and --key go together"
	case cfg.certFile != "" && cfg.selfSigned:
		return "--tls-self-signed and --cert exclude each other"
	}
	if _, err := parseLevel(cfg.logLevel); err != nil {
		return err.Error()
	}
	if cfg.dir != "" {
		if st, err := os.Stat(cfg.dir); err != nil || !st.IsDir() {
			return fmt.Sprintf("--dir %q: not a directory", cfg.dir)
		}
	}
	return ""
}

// parseLevel reads a --log-level.
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// newLogger returns the logger the flags ask for, writing to w.
func (cfg *serveConfig) newLogger(w interface{ Write([]byte) (int, error) }) *slog.Logger {
	level, _ := parseLevel(cfg.logLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadTLS sets cfg.tlsConfig from the TLS flags.
func (cfg *serveConfig) loadTLS() error {
	var cert tls.Certificate
	switch {
	case cfg.certFile != "":
		var err error
		cert, err = tls.LoadX509KeyPair(cfg.certFile, cfg.keyFile)
		if err != nil {
			return err
		}
	case cfg.selfSigned:
		var err error
		cert, err = selfSignedCert(time.Now())
		if err != nil {
			return fmt.Errorf("generating a certificate: %w", err)
		}
	default:
		return nil
	}
	cfg.tlsConfig = &tls.Config{
		Certificates: []tls.Certificate{cert},
		// WebSocket needs HTTP/1.1: offering h2 would make browsers load
		// the pages over HTTP/2, where this server has no WebSocket.
		NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12,
	}
	return nil
}

func (cfg *serveConfig) run(args []string, s stdio) int {
	if len(args) > 0 {
		fmt.Fprintf(s.err, "ws serve: unexpected argument %q\nRun 'ws help serve' for usage.\n", args[0])
		return exitUsage
	}
	if msg := cfg.check(); msg != "" {
		fmt.Fprintf(s.err, "ws serve: %s\nRun 'ws help serve' for usage.\n", msg)
		return exitUsage
	}
	if err := cfg.loadTLS(); err != nil {
		fmt.Fprintf(s.err, "ws serve: TLS: %v\n", err)
		return exitFailure
	}
	log := cfg.newLogger(s.err)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(s.err, "ws serve: %v\n", err)
		return exitFailure
	}
	srv := newServer(cfg, log)
	var fresh freshConns
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ConnState:         fresh.track,
	}
	scheme, httpScheme := "ws", "http"
	if cfg.tlsConfig != nil {
		scheme, httpScheme = "wss", "https"
		hs.TLSConfig = cfg.tlsConfig
		hs.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){} // no HTTP/2
		ln = tls.NewListener(ln, cfg.tlsConfig)
		if cfg.selfSigned {
			leaf := cfg.tlsConfig.Certificates[0].Leaf
			fmt.Fprintf(s.err, "TLS: self-signed certificate for localhost, 127.0.0.1 and ::1, valid until %s\n", leaf.NotAfter.UTC().Format(time.DateOnly))
			fmt.Fprintf(s.err, "TLS: SHA-256 fingerprint %s\n", fingerprint(leaf.Raw))
		}
	}
	fmt.Fprintf(s.err, "listening on %s://%s\n", scheme, ln.Addr())
	if cfg.chat {
		fmt.Fprintf(s.err, "chat page: %s://%s/\n", httpScheme, displayAddr(ln.Addr()))
	}
	log.Info("listening", "addr", ln.Addr().String(), "mode", srv.mode(), "tls", cfg.tlsConfig != nil,
		"compression", !cfg.noCompress, "protocols", cfg.protocols.String(), "origins", cfg.origins.String(), "dir", cfg.dir)

	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	select {
	case err := <-serveErr:
		log.Error("server failed", "err", err)
		return exitFailure
	case <-ctx.Done():
	}
	stop() // from now on a second signal ends the process at once

	log.Info("shutting down", "open", srv.wss.Len())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// Stop accepting and finish the plain HTTP requests (hijacked
	// connections are not waited for), while every WebSocket gets its
	// close frame; Server.Accept refuses any handshake still under way.
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Shutdown(sctx) }()
	// Shutdown waits 5s for connections that never sent a request, such
	// as the ones browsers open ahead: they have nothing in progress.
	fresh.closeAll()
	if err := srv.wss.Shutdown(sctx); err != nil {
		log.Warn("connections dropped: closing handshakes did not finish in time", "timeout", shutdownTimeout)
	}
	if err := <-httpDone; err != nil {
		log.Warn("HTTP shutdown", "err", err)
		hs.Close()
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve", "err", err)
	}
	// No handler can start any more: wait for those still running (their
	// connections are closed, so they end at once).
	if !waitTimeout(&srv.handlers, 5*time.Second) {
		log.Warn("handlers still running after shutdown")
	}
	log.Info("shutdown complete")
	return exitOK
}

// freshConns tracks the HTTP connections that have not sent a request yet.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the http.Server's ConnState hook.
func (f *freshConns) track(c net.Conn, st http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st == http.StateNew {
		if f.conns == nil {
			f.conns = make(map[net.Conn]struct{})
		}
		f.conns[c] = struct{}{}
	} else {
		delete(f.conns, c)
	}
}

// closeAll closes the connections that have not sent a request yet.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
}

// displayAddr returns addr for a URL to print: "localhost:PORT" when it
// listens on every interface.
func displayAddr(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return addr.String()
	}
	return fmt.Sprintf("localhost:%d", ta.Port)
}

// waitTimeout waits for wg for at most d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// server is the HTTP handler of "ws serve".
type server struct {
	log      *slog.Logger
	opts     *websocket.AcceptOptions
	wss      websocket.Server // tracks the connections, for Shutdown
	handlers sync.WaitGroup   // WebSocket handlers running
	metrics  metrics
	chat     *chatRoom    // nil in echo mode
	files    http.Handler // nil without --dir
	page     pageInfo
	nextID   atomic.Uint64
}

func newServer(cfg *serveConfig, log *slog.Logger) *server {
	srv := &server{log: log, page: pageInfo{Protocols: strings.Join(cfg.protocols, ", ")}}
	protocols := slices.Clone([]string(cfg.protocols))
	srv.opts = &websocket.AcceptOptions{
		SelectSubprotocol: func(_ *http.Request, offered []string) string {
			return selectSubprotocol(protocols, offered)
		},
		OriginPatterns:          cfg.origins,
		InsecureSkipOriginCheck: len(cfg.origins) == 0,
		ConnOptions:             websocket.ConnOptions{ReadLimit: cfg.readLimit},
	}
	if !cfg.noCompress {
		srv.opts.Compression = &websocket.CompressionOptions{}
	}
	if cfg.chat {
		srv.chat = newChatRoom()
	}
	if cfg.dir != "" {
		srv.files = http.FileServer(http.Dir(cfg.dir))
	}
	return srv
}

func (srv *server) mode() string {
	if srv.chat != nil {
		return "chat"
	}
	return "echo"
}

// selectSubprotocol picks the first subprotocol the client offers that the
// server supports.
func selectSubprotocol(supported, offered []string) string {
	for _, p := range offered {
		if slices.Contains(supported, p) {
			return p
		}
	}
	return ""
}

// ServeHTTP serves plain HTTP requests (metrics, pages, files) and upgrades
// the others.
func (srv *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) {
		get := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case r.URL.Path == "/metrics" && get:
			srv.metrics.serveHTTP(w, r)
			return
		case r.URL.Path == "/" && get && srv.chat != nil:
			serveChatPage(w, r)
			return
		case srv.files != nil:
			srv.files.ServeHTTP(w, r)
			return
		case r.URL.Path == "/" && get:
			servePage(w, r, srv.page)
			return
		}
		// Anything else goes to Accept, which explains that it is no
		// WebSocket handshake.
	}
	srv.handlers.Add(1)
	defer srv.handlers.Done()

	id := srv.nextID.Add(1)
	log := srv.log.With("conn", id, "remote", r.RemoteAddr)
	c, err := srv.wss.Accept(w, r, srv.opts)
	if err != nil {
		srv.metrics.handshakeFailures.Add(1)
		level := slog.LevelWarn
		if !isUpgrade(r) || errors.Is(err, websocket.ErrServerClosed) {
			level = slog.LevelInfo // a plain HTTP request, such as for /favicon.ico
		}
		log.Log(r.Context(), level, "handshake refused", "method", r.Method, "path", r.URL.Path, "err", err)
		return // Accept has answered the request
	}
	defer c.CloseNow()
	srv.metrics.open()
	defer srv.metrics.closed()
	log.Info("open", "path", r.URL.Path, "subprotocol", c.Subprotocol(), "extensions", c.Extensions(), "origin", r.Header.Get("Origin"))

	if srv.chat != nil {
		err = srv.chat.serve(c, log, &srv.metrics)
	} else {
		err = srv.echo(c, log)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		log.Info("closed", "code", int(ce.Code), "reason", ce.Reason)
	} else {
		log.Warn("connection failed", "code", int(websocket.CloseAbnormal), "err", err)
	}
}

// echo sends every message received on c back until reading fails, and
// returns the error that ended it: a *websocket.CloseError once the peer
// has closed.
func (srv *server) echo(c *websocket.Conn, log *slog.Logger) error {
	ctx := context.Background() // Close and CloseNow end a blocked Read or Write
	debug := log.Enabled(ctx, slog.LevelDebug)
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		srv.metrics.received(len(data))
		if debug {
			log.Debug("message", "type", typ.String(), "bytes", len(data))
		}
		if err := c.Write(ctx, typ, data); err != nil {
			// The peer's close frame may be waiting behind the failed write.
			_, _, rerr := c.Read(ctx)
			if websocket.CloseStatus(rerr) != 0 {
				return rerr
			}
			return err
		}
		srv.metrics.sent(len(data))
	}
}
