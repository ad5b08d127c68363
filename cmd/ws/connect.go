package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/wsstack/websocket"
)

var connectCommand = &command{
	name:    "connect",
	args:    "[--echo] [--protocol P]... [--header 'K: V']... URL",
	summary: "connect to a WebSocket server",
	help: `
Connect opens a WebSocket connection to URL (ws:// or wss://).

Without --echo it is a minimal interactive client: each line of standard
input is sent as a text message, and each message received is printed on
standard output after "< " (text as is, binary in hexadecimal). At the end of
standard input it closes the connection with 1000 and waits for the closing
handshake.

With --echo it sends every message it receives back unchanged until the
server closes the connection.

How the connection ended is printed on standard error. On SIGINT or SIGTERM
it closes the connection with 1001 and exits 130.
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &connectConfig{}
		fs.BoolVar(&cfg.echo, "echo", false, "send every message received back to the server")
		fs.Var(&cfg.protocols, "protocol", "offer subprotocol `p`; repeatable, in preference order")
		fs.Var(&cfg.headers, "header", "add the request header `'Name: value'` to the handshake; repeatable")
		return cfg.run
	},
}

// connectConfig holds the flags of "ws connect".
type connectConfig struct {
	echo      bool
	protocols stringList
	headers   stringList
}

func (cfg *connectConfig) run(args []string, s stdio) int {
	if len(args) != 1 {
		fmt.Fprintln(s.err, "ws connect: want exactly one URL\nRun 'ws help connect' for usage.")
		return exitUsage
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		fmt.Fprintf(s.err, "ws connect: invalid URL %q: want ws://host[:port]/path or wss://...\n", args[0])
		return exitUsage
	}
	header, err := parseHeaders(cfg.headers)
	if err != nil {
		fmt.Fprintf(s.err, "ws connect: %v\n", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	c, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{
		Header:       header,
		Subprotocols: cfg.protocols,
	})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(s.err, "ws connect: interrupted")
			return exitInterrupted
		}
		if resp != nil && resp.StatusCode != 101 {
			fmt.Fprintf(s.err, "ws connect: handshake refused: server answered %s: %v\n", resp.Status, err)
		} else {
			fmt.Fprintf(s.err, "ws connect: %v\n", err)
		}
		return exitFailure
	}
	if p := c.Subprotocol(); p != "" {
		fmt.Fprintf(s.err, "connected to %s (subprotocol %q)\n", u, p)
	} else {
		fmt.Fprintf(s.err, "connected to %s\n", u)
	}

	if cfg.echo {
		err = echoClient(ctx, c)
	} else {
		err = interact(ctx, c, s)
	}
	return finish(ctx, c, err, s)
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

// errStdinClosed reports that the interactive client closed the connection
// itself at the end of its input; done is the result of that Close.
type errStdinClosed struct{ done error }

func (e *errStdinClosed) Error() string { return "end of input" }

// finish ends the connection after the error err stopped the session, prints
// how it ended and returns the exit code.
func finish(ctx context.Context, c *websocket.Conn, err error, s stdio) int {
	var ce *websocket.CloseError
	var sc *errStdinClosed
	switch {
	case errors.As(err, &sc):
		if sc.done != nil {
			fmt.Fprintf(s.err, "ws connect: closing handshake failed: %v\n", sc.done)
			return exitFailure
		}
		fmt.Fprintln(s.err, "closed: 1000 (normal closure)")
		return exitOK
	case errors.As(err, &ce):
		// The library has answered the close frame; Close reports whether
		// that completed the handshake.
		msg := "closed by server: " + ce.Code.String()
		if ce.Reason != "" {
			msg += fmt.Sprintf(" %q", ce.Reason)
		}
		fmt.Fprintln(s.err, msg)
		if err := c.Close(ce.Code, ""); err != nil {
			fmt.Fprintf(s.err, "ws connect: closing handshake failed: %v\n", err)
			return exitFailure
		}
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintln(s.err, "ws connect: interrupted")
		c.Close(websocket.CloseGoingAway, "")
		return exitInterrupted
	default:
		c.CloseNow()
		fmt.Fprintf(s.err, "ws connect: %v\n", err)
		return exitFailure
	}
}
