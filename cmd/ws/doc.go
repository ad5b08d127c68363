// Command ws is a WebSocket tool built on github.com/wsstack/websocket: an
// echo and chat server to test clients against, an interactive client to
// test servers with, a load generator and a conformance checker.
//
// Usage:
//
//	ws <command> [flags] [arguments]
//
// The commands are:
//
//	serve    run a WebSocket echo or chat server
//	connect  connect to a WebSocket server
//	bench    measure an echo server's throughput and latency
//	check    run the conformance suite against a server or a client
//	version  print the version of ws
//	help     print help for a command
//
// Flags may be written with one dash or two (-addr or --addr) and take their
// value after a space or an equals sign. "ws help COMMAND" prints a command's
// help and flags.
//
// # ws serve
//
//	ws serve [--addr :8080] [--chat] [--dir DIR] [--cert FILE --key FILE | --tls-self-signed]
//	         [--protocols chat,superchat] [--origin PATTERN]... [--read-limit BYTES]
//	         [--no-compress] [--log-format text|json] [--log-level debug|info|warn|error]
//
// Serve listens on --addr (default :8080, so that a browser's
// new WebSocket('ws://localhost:8080') reaches it) and accepts a WebSocket
// handshake on any path. By default it echoes every text and binary message
// back unchanged. With --chat it sends every message to every connected
// client, the sender included, and serves at / a chat page (plain HTML and
// JavaScript, embedded in the binary) that uses the browser's own WebSocket:
// run ws serve --chat and open http://localhost:8080 in two browser windows.
// A client that falls 256 messages behind is closed with 1008.
//
// Plain HTTP requests (without an upgrade) get: /metrics, the counters
// (below); /, the chat page with --chat, or without --dir a page that says how
// to connect; with --dir DIR, the files of DIR for every other path.
//
// --cert and --key serve TLS (wss:// and https://) with a certificate and its
// key in PEM files. --tls-self-signed generates in memory a certificate for
// localhost, 127.0.0.1 and ::1 (ECDSA P-256, valid 30 days) and prints its
// SHA-256 fingerprint, to compare with what a browser or client shows; clients
// must be told to trust it (ws connect --insecure). Only HTTP/1.1 is offered,
// since WebSocket runs over it.
//
// --protocols lists the subprotocols the server speaks; of those the client
// offers, the first one (in the client's order) that is in the list is
// selected. permessage-deflate compression is accepted when a client offers
// it; --no-compress declines it. --read-limit sets the largest message
// accepted, in bytes (0 means the library's default of 32 MiB, -1 no limit);
// a larger message closes the connection with 1009.
//
// Serve is a development tool: it accepts a handshake from any Origin unless
// --origin is given. Each --origin adds a pattern, such as example.com,
// *.example.com or https://example.com:8443, and then only requests from the
// server's own host or a matching origin are accepted.
//
// Serve prints "listening on ws://ADDR" (wss:// with TLS) on standard error
// once it listens, with the actual address (useful with --addr 127.0.0.1:0),
// then logs there with log/slog, as text or JSON (--log-format): the
// connections opening and closing at level info, every message at level
// debug (--log-level). On SIGINT or SIGTERM it stops accepting connections,
// closes every open connection with 1001 "server shutting down"
// (websocket.Server.Shutdown), waits for their closing handshakes for up to
// 10 seconds and exits 0. A second signal exits at once.
//
// /metrics serves the counters in the Prometheus text format: a "# HELP" and
// a "# TYPE" line, then "name value", for each of
//
//	ws_connections_current       connections open now
//	ws_connections_total         connections accepted since the start
//	ws_handshake_failures_total  requests refused by the opening handshake
//	ws_messages_in_total         messages received from clients
//	ws_messages_out_total        messages sent to clients
//	ws_bytes_in_total            payload bytes received (after decompression)
//	ws_bytes_out_total           payload bytes sent (before compression)
//
// # ws connect
//
//	ws connect [--pipe | --echo] [--raw] [--protocol P]... [--header 'K: V']...
//	           [--origin ORIGIN] [--no-compress] [--insecure] [--proxy URL] URL
//
// Connect opens a WebSocket connection to URL (ws:// or wss://). Each
// --protocol offers a subprotocol, in preference order; each --header adds a
// request header, and --origin sets the Origin header. permessage-deflate is
// offered unless --no-compress is given. --insecure skips the verification of
// the server's certificate. --proxy goes through an HTTP proxy with CONNECT
// (by default the proxy the environment names, as HTTPS_PROXY and NO_PROXY).
//
// By default it is an interactive client, in the manner of wscat: every line
// read from standard input is sent as a text message, and every message
// received is printed on standard output after "< " (text as is, binary in
// hexadecimal, or raw with --raw). When standard input and output are a
// terminal, a "> " prompt shows where to type. Information goes to standard
// error. A line that starts with "/" is a command:
//
//	/ping                   send a ping; print the round-trip time of its pong
//	/binary HEX             send a binary message (spaces between digits ignored)
//	/close [CODE [REASON]]  close with CODE (default 1000) and REASON, and exit
//	                        once the server has answered
//	/quit                   close with 1000 and exit, as the end of input does
//	/help                   list the commands
//
// A line that starts with "//" sends the text after its first "/": "//ping"
// sends "/ping". At the end of standard input (Ctrl-D) the connection is
// closed with 1000.
//
// --pipe is for scripts: every line is sent as it is (no commands), every
// message is printed raw with a newline after it and no marker, and nothing
// but errors goes to standard error. At the end of input the connection is
// closed with 1000 after the messages the server sent before its answer have
// been printed, so that
//
//	printf 'one\ntwo\n' | ws connect --pipe ws://localhost:8080
//
// prints the two echoes. --echo sends every message received back unchanged
// until the server closes the connection.
//
// # ws bench
//
//	ws bench [--conns 10] [--duration 10s] [--count N] [--size 128] [--rate R]
//	         [--text] [--compress] [--protocol P]... [--header 'K: V']... [--insecure] [--json] URL
//
// Bench opens --conns connections to an echo server (such as ws serve) and
// sends --size-byte messages for --duration, or until each connection has
// sent --count messages, whichever comes first. With --rate 0 (the default)
// each connection sends its next message when the previous echo is back;
// with --rate R it sends R messages a second on a schedule. Every echo is
// compared with what was sent. While it runs, a progress line is updated on
// standard error when that is a terminal, or printed every second otherwise.
// The report gives messages a second, MB a second of payload each way (1 MB
// = 10^6 bytes), the latency from sending a message to its echo (p50, p90,
// p99, p99.9, max; within about 3%) and the errors; --json prints it as JSON.
// Send it only to servers you run: it is a load generator.
//
// # ws check
//
//	ws check [--cases 1,2,6.4] [--exclude 9] [--html FILE] [--markdown FILE] [--agent NAME] URL
//	ws check --serve ADDR [--cases ...] [--html FILE]
//
// Check runs the Autobahn-style conformance suite of package conformance
// against the echo server at URL and prints a readable report: the verdicts
// per section, then each case that is not OK with what was observed. --html
// and --markdown also write it to a file. --cases selects cases by id or
// prefix, --exclude leaves some out (section 9 needs 16 MiB messages).
//
// With --serve it runs the suite's fuzzing server for testing a client: it
// prints the URL to give an Autobahn client driver (/getCaseCount,
// /runCase?case=N&agent=NAME, /updateReports?agent=NAME), prints each
// agent's report when the driver calls /updateReports (and writes --html),
// and runs until SIGINT or SIGTERM.
//
// # Exit status
//
//	0    success: serve was shut down by a signal; connect's connection was
//	     closed cleanly (a complete closing handshake that the client started,
//	     or that the server started with 1000, 1001 or no code); bench ran
//	     without errors; check found no FAILED case
//	1    an error: the server could not listen, the connection or its opening
//	     handshake failed (refused, TLS, proxy, HTTP status), or a file could
//	     not be written
//	2    bad usage: unknown command or flag, missing or invalid argument
//	3    connect: the server closed cleanly with another code (such as 1008,
//	     1011 or 4000, printed on standard error); bench: some connections or
//	     messages failed; check: some case FAILED
//	4    connect: the connection was lost without a complete closing
//	     handshake (1006): dropped, a protocol error, a keepalive timeout
//	130  interrupted by SIGINT or SIGTERM (connect, bench, check)
//
// # ws version, ws help
//
// Version prints the version of ws and of Go it was built with. Help prints
// the list of commands, or with a command's name, that command's flags.
package main
