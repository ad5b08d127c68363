package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wsstack/websocket"
)

// shutdownTimeout bounds the wait for the closing handshakes at shutdown;
// connections still open then are dropped.
const shutdownTimeout = 10 * time.Second

// shutdownReason is the close reason sent to every client at shutdown.
const shutdownReason = "server shutting down"

var serveCommand = &command{
	name:    "serve",
	args:    "[--addr :8080] [--echo] [--protocols chat,superchat] [--origin PATTERN]... [--read-limit BYTES]",
	summary: "run a WebSocket echo server",
	help: `
Serve runs a WebSocket server that echoes every text and binary message back
unchanged, on any path. Echo is the only mode so far; --echo says so
explicitly. A client's close frame is answered with the same close code.
A plain HTTP GET on / returns a page that says how to connect.

This is a development tool: it accepts handshakes from any Origin unless
--origin patterns are given. Do not expose it to untrusted networks.

It prints "listening on ws://ADDR" on standard error with the actual address,
and logs connections there. On SIGINT or SIGTERM it stops accepting, closes
every connection with 1001 "server shutting down", waits up to 10s for the
closing handshakes, and exits 0. A second signal exits at once.
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &serveConfig{}
		fs.StringVar(&cfg.addr, "addr", ":8080", "listen on `host:port`; port 0 picks a free port")
		fs.BoolVar(&cfg.echo, "echo", true, "echo every message back (the only mode so far)")
		fs.Var(&cfg.protocols, "protocols", "comma-separated `list` of subprotocols to support; the first one the client offers that is in the list is selected")
		fs.Var(&cfg.origins, "origin", "accept only the server's own host and origins matching `pattern` (example.com, *.example.com, https://example.com:8443); repeatable; default: any origin")
		fs.Int64Var(&cfg.readLimit, "read-limit", 0, "largest message accepted, in `bytes`; 0 means the library default (32 MiB), -1 no limit")
		return cfg.run
	},
}

// serveConfig holds the flags of "ws serve".
type serveConfig struct {
	addr      string
	echo      bool
	protocols commaList
	origins   stringList
	readLimit int64
}

func (cfg *serveConfig) run(args []string, s stdio) int {
	if len(args) > 0 {
		fmt.Fprintf(s.err, "ws serve: unexpected argument %q\nRun 'ws help serve' for usage.\n", args[0])
		return exitUsage
	}
	if !cfg.echo {
		fmt.Fprintln(s.err, "ws serve: --echo=false: echo is the only mode so far")
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(s.err, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(s.err, "ws serve: %v\n", err)
		return exitFailure
	}
	es := newEchoServer(cfg, log)
	srv := &http.Server{
		Handler:           es,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(s.err, "listening on ws://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "protocols", cfg.protocols.String(), "origins", cfg.origins.String())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		log.Error("server failed", "err", err)
		return exitFailure
	case <-ctx.Done():
	}
	stop() // from now on a second signal ends the process at once

	log.Info("shutting down", "open", es.conns.len())
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Shutdown(sctx) }() // stops accepting; hijacked connections are ours
	if err := es.conns.shutdown(sctx, websocket.CloseGoingAway, shutdownReason); err != nil {
		log.Warn("connections dropped: closing handshakes did not finish in time", "timeout", shutdownTimeout)
	}
	if err := <-httpDone; err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve", "err", err)
	}
	log.Info("shutdown complete")
	return exitOK
}

// echoServer is the HTTP handler of "ws serve".
type echoServer struct {
	log       *slog.Logger
	opts      *websocket.AcceptOptions
	protocols []string
	conns     connSet
	nextID    atomic.Uint64
}

func newEchoServer(cfg *serveConfig, log *slog.Logger) *echoServer {
	es := &echoServer{log: log, protocols: cfg.protocols}
	es.opts = &websocket.AcceptOptions{
		SelectSubprotocol:       es.selectSubprotocol,
		OriginPatterns:          cfg.origins,
		InsecureSkipOriginCheck: len(cfg.origins) == 0,
		ConnOptions:             websocket.ConnOptions{ReadLimit: cfg.readLimit},
	}
	return es
}

// selectSubprotocol picks the first subprotocol the client offers that the
// server supports.
func (es *echoServer) selectSubprotocol(_ *http.Request, offered []string) string {
	for _, p := range offered {
		if slices.Contains(es.protocols, p) {
			return p
		}
	}
	return ""
}

// ServeHTTP serves the page on a plain GET of / and upgrades every other
// request, echoing on the connection until it closes.
func (es *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) && r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		servePage(w, r, es.protocols)
		return
	}
	if !es.conns.begin() {
		http.Error(w, shutdownReason, http.StatusServiceUnavailable)
		return
	}
	var c *websocket.Conn
	defer func() { es.conns.end(c) }()

	id := es.nextID.Add(1)
	log := es.log.With("conn", id, "remote", r.RemoteAddr)
	c, err := websocket.Accept(w, r, es.opts)
	if err != nil {
		level := slog.LevelWarn
		if !isUpgrade(r) {
			level = slog.LevelInfo // a plain HTTP request, such as for /favicon.ico
		}
		log.Log(r.Context(), level, "handshake refused", "method", r.Method, "path", r.URL.Path, "err", err)
		return // Accept has answered the request
	}
	es.conns.add(c)
	log.Info("open", "path", r.URL.Path, "subprotocol", c.Subprotocol(), "origin", r.Header.Get("Origin"))
	err = echo(c)
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
func echo(c *websocket.Conn) error {
	ctx := context.Background() // Close and CloseNow end a blocked Read or Write
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if err := c.Write(ctx, typ, data); err != nil {
			// The peer's close frame may be waiting behind the failed write.
			_, _, rerr := c.Read(ctx)
			if websocket.CloseStatus(rerr) != 0 {
				return rerr
			}
			return err
		}
	}
}
