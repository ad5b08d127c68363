package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wsstack/websocket"
)

var connectCommand = &command{
	name: "connect",
	args: "[--pipe | --echo] [--raw] [--protocol P]... [--header 'K: V']... [--origin ORIGIN]\n" +
		"                  [--no-compress] [--insecure] [--proxy URL] URL",
	summary: "connect to a WebSocket server",
	help: `
Connect opens a WebSocket connection to URL (ws:// or wss://) and, by
default, is an interactive client: each line typed is sent as a text
message, and each message received is printed on standard output after "< "
(text as is, binary in hexadecimal, or as raw bytes with --raw). On a
terminal a "> " prompt shows where to type. Information (the connection,
pongs, how it ended) goes to standard error.

A line that starts with "/" is a command:

  /ping                  send a ping and print the round-trip time
  /binary HEX            send a binary message, e.g. /binary 00ff 10
                         (spaces between the hex digits are ignored)
  /close [CODE [REASON]] close with CODE (default 1000) and REASON, then exit
                         once the server has answered
  /quit                  close with 1000 and exit (as the end of input does)
  /help                  list the commands

A line that starts with "//" sends the rest after one "/" as text: "//ping"
sends "/ping". At the end of standard input (Ctrl-D) the connection is closed
with 1000.

--pipe is for scripts: every line of standard input is sent as it is (no
commands), every message is printed raw, followed by a newline, with no
marker, and nothing is printed on standard error but errors. At the end of
input the connection is closed with 1000, after the messages the server sent
before its answer have been printed.

--echo sends every message received back unchanged until the server closes.

permessage-deflate compression is offered unless --no-compress is given.
--insecure skips the verification of the server's TLS certificate (for
wss:// to a development server, such as ws serve --tls-self-signed).
--proxy connects through an HTTP proxy with CONNECT (default: the one the
HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables name).

On SIGINT or SIGTERM it closes the connection with 1001 and exits 130.
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &connectConfig{}
		fs.BoolVar(&cfg.echo, "echo", false, "send every message received back to the server")
		fs.BoolVar(&cfg.pipe, "pipe", false, "for scripts: send each input line as is, print each message raw on its own line, no prompt, no commands")
		fs.BoolVar(&cfg.raw, "raw", false, "print binary messages as raw bytes instead of hexadecimal")
		fs.Var(&cfg.protocols, "protocol", "offer subprotocol `p`; repeatable, in preference order")
		fs.Var(&cfg.headers, "header", "add the request header `'Name: value'` to the handshake; repeatable")
		fs.StringVar(&cfg.origin, "origin", "", "send the Origin header `origin`, such as http://localhost:8080")
		fs.BoolVar(&cfg.noCompress, "no-compress", false, "do not offer permessage-deflate compression")
		fs.BoolVar(&cfg.insecure, "insecure", false, "do not verify the server's TLS certificate")
		fs.StringVar(&cfg.proxy, "proxy", "", "connect through the HTTP proxy at `URL` (http://[user:password@]host:port)")
		return cfg.run
	},
}

// connectConfig holds the flags of "ws connect".
type connectConfig struct {
	echo, pipe, raw bool
	protocols       stringList
	headers         stringList
	origin          string
	noCompress      bool
	insecure        bool
	proxy           string
}

// dialOptions returns the options of Dial for the flags, or a message for
// the user.
func (cfg *connectConfig) dialOptions() (*websocket.DialOptions, string) {
	header, err := parseHeaders(cfg.headers)
	if err != nil {
		return nil, err.Error()
	}
	if cfg.origin != "" {
		header.Set("Origin", cfg.origin)
	}
	opts := &websocket.DialOptions{Header: header, Subprotocols: cfg.protocols}
	if !cfg.noCompress {
		opts.Compression = &websocket.CompressionOptions{}
	}
	if cfg.insecure {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	if cfg.proxy != "" {
		u, err := url.Parse(cfg.proxy)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Sprintf("invalid --proxy %q: want http://host:port", cfg.proxy)
		}
		opts.Proxy = http.ProxyURL(u)
	}
	return opts, ""
}

func (cfg *connectConfig) run(args []string, s stdio) int {
	if len(args) != 1 {
		fmt.Fprintln(s.err, "ws connect: want exactly one URL\nRun 'ws help connect' for usage.")
		return exitUsage
	}
	if cfg.echo && cfg.pipe {
		fmt.Fprintln(s.err, "ws connect: --echo and --pipe exclude each other")
		return exitUsage
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		fmt.Fprintf(s.err, "ws connect: invalid URL %q: want ws://host[:port]/path or wss://...\n", args[0])
		return exitUsage
	}
	opts, msg := cfg.dialOptions()
	if msg != "" {
		fmt.Fprintf(s.err, "ws connect: %s\n", msg)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c, resp, err := websocket.Dial(ctx, u.String(), opts)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(s.err, "ws connect: interrupted")
			return exitInterrupted
		}
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			fmt.Fprintf(s.err, "ws connect: handshake refused: server answered %s: %v\n", resp.Status, err)
		} else {
			fmt.Fprintf(s.err, "ws connect: %v\n", err)
		}
		return exitFailure
	}
	if !cfg.pipe {
		var details []string
		if p := c.Subprotocol(); p != "" {
			details = append(details, fmt.Sprintf("subprotocol %q", p))
		}
		if e := c.Extensions(); e != "" {
			details = append(details, fmt.Sprintf("extensions %q", e))
		}
		if len(details) > 0 {
			fmt.Fprintf(s.err, "connected to %s (%s)\n", u, strings.Join(details, ", "))
		} else {
			fmt.Fprintf(s.err, "connected to %s\n", u)
		}
	}

	switch {
	case cfg.echo:
		err = echoClient(ctx, c)
	default:
		err = newSession(c, cfg, s).run(ctx)
	}
	return finish(ctx, c, err, s, cfg.pipe)
}

// echoClient sends every message received on c back until reading fails or
// ctx ends, and returns the error that ended it.
func echoClient(ctx context.Context, c *websocket.Conn) error {
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if err := c.Write(ctx, typ, data); err != nil {
			return err
		}
	}
}

// errClosedByUs reports that the client started the closing handshake
// itself (end of input, /quit or /close); done is the result of its Close.
type errClosedByUs struct {
	code websocket.CloseCode
	done error
}

func (e *errClosedByUs) Error() string { return "closed by the client" }

// describeClose returns "CODE (name) "reason"".
func describeClose(code websocket.CloseCode, reason string) string {
	s := code.String()
	if reason != "" {
		s += fmt.Sprintf(" %q", reason)
	}
	return s
}

// finish ends the connection after the error err stopped the session, prints
// how it ended (errors only when quiet) and returns the exit code.
func finish(ctx context.Context, c *websocket.Conn, err error, s stdio, quiet bool) int {
	var ce *websocket.CloseError
	var us *errClosedByUs
	switch {
	case errors.As(err, &us):
		if us.done != nil {
			fmt.Fprintf(s.err, "ws connect: connection lost: the closing handshake failed: %v\n", us.done)
			return exitLost
		}
		if !quiet {
			fmt.Fprintf(s.err, "closed: %s\n", us.code)
		}
		return exitOK
	case errors.As(err, &ce):
		// The library has answered the close frame; Close reports whether
		// that completed the handshake.
		if err := c.Close(ce.Code, ""); err != nil {
			fmt.Fprintf(s.err, "ws connect: closed by server: %s, but the closing handshake failed: %v\n", describeClose(ce.Code, ce.Reason), err)
			return exitLost
		}
		switch ce.Code {
		case websocket.CloseNormal, websocket.CloseGoingAway, websocket.CloseNoStatus:
			if !quiet {
				fmt.Fprintf(s.err, "closed by server: %s\n", describeClose(ce.Code, ce.Reason))
			}
			return exitOK
		}
		fmt.Fprintf(s.err, "closed by server: %s\n", describeClose(ce.Code, ce.Reason))
		return exitCloseCode
	case ctx.Err() != nil:
		fmt.Fprintln(s.err, "ws connect: interrupted")
		c.Close(websocket.CloseGoingAway, "")
		return exitInterrupted
	default:
		c.CloseNow()
		fmt.Fprintf(s.err, "ws connect: connection lost: %v\n", err)
		return exitLost
	}
}
