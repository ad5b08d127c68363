// Command ws is a WebSocket tool built on github.com/wsstack/websocket: an
// echo server to test clients against and a client to test servers with.
//
// Usage:
//
//	ws <command> [flags] [arguments]
//
// The commands are:
//
//	serve    run a WebSocket echo server
//	connect  connect to a WebSocket server
//	version  print the version of ws
//	help     print help for a command
//
// Flags may be written with one dash or two (-addr or --addr) and take their
// value after a space or an equals sign.
//
// # ws serve
//
//	ws serve [--addr :8080] [--echo] [--protocols chat,superchat]
//	         [--origin PATTERN]... [--read-limit BYTES]
//
// Serve listens on --addr (default :8080, so that a browser's
// new WebSocket('ws://localhost:8080') reaches it) and upgrades requests on
// any path. It echoes every text and binary message back unchanged; echo is
// the only mode so far, and --echo is accepted to say so explicitly. When the
// client closes, the server answers with the same close code.
//
// --protocols lists the subprotocols the server speaks, separated by commas;
// of those the client offers, the first one (in the client's order) that is
// in the list is selected. Without it no subprotocol is selected.
//
// Serve is a development tool: it accepts a handshake from any Origin unless
// --origin is given. Each --origin adds a pattern, such as example.com,
// *.example.com or https://example.com:8443, and then only requests from the
// server's own host or a matching origin are accepted.
//
// --read-limit sets the largest message accepted, in bytes (0, the default,
// means the library's default of 32 MiB; -1 means no limit). A larger
// message closes the connection with 1009.
//
// A plain HTTP GET on / (without an upgrade) returns a short page that says
// how to connect.
//
// Serve prints "listening on ws://ADDR" on standard error once it listens,
// with the actual address (useful with --addr 127.0.0.1:0), and logs each
// connection's opening and closing there. On SIGINT or SIGTERM it stops
// accepting connections, closes every open connection with 1001 "server
// shutting down", waits for their closing handshakes for a few seconds and
// exits 0. A second signal exits at once.
//
// # ws connect
//
//	ws connect [--echo] [--protocol P]... [--header 'K: V']... URL
//
// Connect opens a WebSocket connection to URL (ws:// or wss://).
// Each --protocol offers a subprotocol, in preference order; each --header
// adds a request header to the handshake, such as 'Origin: http://example.com'.
//
// Without --echo it is a minimal interactive client: every line read from
// standard input is sent as a text message, and every message received is
// printed on standard output after "< " (text as is, binary in hexadecimal).
// At the end of standard input it closes the connection with 1000 and exits
// once the closing handshake is done.
//
// With --echo it sends every message it receives back unchanged until the
// server closes the connection.
//
// How a connection ended is printed on standard error.
//
// # Exit status
//
//	0  serve: shut down by a signal; connect: the connection was closed with
//	   a complete closing handshake (whichever side started it, and whatever
//	   the close code)
//	1  an error: the server could not listen, the handshake failed, or the
//	   connection was lost without a complete closing handshake
//	2  bad usage: unknown command or flag, missing or invalid argument
//	130  connect was interrupted by SIGINT or SIGTERM
//
// # ws version, ws help
//
// Version prints the version of ws and of Go it was built with. Help prints
// the list of commands, or with a command's name, that command's flags.
package main
