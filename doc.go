// Package websocket is a WebSocket implementation for Go: the protocol of
// RFC 6455 with permessage-deflate (RFC 7692), client and server, and on top
// of it the WebSocket interface of the WHATWG standard, the object MDN
// documents, with the standard's states, events, errors and close codes.
// Everything drives the I/O-free protocol core of package wsproto.
//
// It offers two APIs over the same connection machinery:
//
//   - Conn, the blocking connection in Go's idiom, from Dial (client),
//     Accept (server, on net/http) or Pipe (in memory, for tests): Read and
//     Write whole messages, or stream them with Reader and Writer, with a
//     context on every call that may wait.
//   - WebSocket, the browser's API: New(url, protocols...) returns at once in
//     the CONNECTING state, and the connection is reported by open, message,
//     error and close events; Send and Close never wait. AcceptWebSocket
//     gives a server the same object.
//
// # The event model of WebSocket
//
// Every WebSocket belongs to an EventLoop, which runs its events one at a
// time, in order, as tasks: handlers of one socket never overlap, never
// re-enter, and see the states the standard describes (OPEN inside the open
// handler, CLOSED inside error and close handlers). The events of all the
// sockets of one loop never overlap either, as in a browser page.
//
// In a page, a script sets its handlers right after `new WebSocket(...)`
// and cannot miss an event, because the script finishes before any event
// runs. The Go form of that guarantee is Run: it runs a function as the
// first task of a new loop, and every socket created in it (or in any
// handler of the loop) belongs to that loop, so no event of theirs can be
// dispatched before the function returns. Run returns when every socket of
// the loop has dispatched its close event:
//
//	websocket.Run(func() {
//		ws, err := websocket.New("ws://localhost:8080")
//		if err != nil {
//			log.Fatal(err)
//		}
//		ws.SetOnOpen(func(*websocket.Event) { ws.Send("Coucou le serveur !") })
//		ws.SetOnMessage(func(e *websocket.MessageEvent) { fmt.Println(e.Data) })
//	})
//
// A socket created outside any loop task gets a loop of its own, which may
// dispatch its first events before the creating goroutine sets handlers:
// pass such a socket its handlers in Options (OnOpen, OnMessage, OnError,
// OnClose), which are in place before it starts connecting. Options.Loop
// shares one loop among sockets created anywhere. A handler given in
// Options cannot use the variable New's result is assigned to, since the
// open event may run before the assignment: it reaches the socket as
// e.Target().(*websocket.WebSocket).
//
// BufferedAmount rises inside Send and falls only between tasks, never
// while a handler runs; a message counts as handed to the network once its
// write has started. It keeps counting what Send is given after closing has
// started, as the standard says, and counts uncompressed bytes.
//
// Every method is safe to call from any goroutine, handlers included. A
// handler must not wait for something that needs its own loop to go on,
// such as the Done channel of a socket of the same loop, or
// SendContext on a socket of the same loop: that deadlocks, as a blocking
// wait would in a browser. A panic in a handler is recovered and reported
// (Options.OnPanic, or standard error), and dispatch goes on.
//
// Errors that the standard throws are *DOMException values, which match
// ErrSyntax, ErrInvalidState, ErrInvalidAccess and ErrSecurity with
// errors.Is. Network failures never make New fail: they are reported by an
// error event and a close event with code 1006, whose non-standard Cause
// field tells a Go program what went wrong.
//
// Beyond the standard, a producer can avoid outrunning the network with
// SendContext, which waits until BufferedAmount is at or below a high-water
// mark, or with the drain event (SetOnDrain).
//
// # Concurrency of Conn
//
// One goroutine may read at a time; any number may write at once. Messages
// are never interleaved; control frames (pong, ping, close) are sent between
// the frames of a long message. Control frames from the peer are processed
// while the connection is read, so an application keeps a goroutine reading,
// even one that only sends: it is that goroutine that answers pings, sees
// pongs (for Ping and the keepalive) and receives the peer's close frame.
//
// # Closing
//
// Close runs the closing handshake of RFC 6455: our close frame, the
// peer's, then the TCP close, server first. Read returns a *CloseError once
// the peer's close frame has arrived; CloseStatus extracts its code. When
// the peer breaks the protocol, the connection is failed with the code of
// RFC 6455 (1002, 1007, 1009) and the read returns an error that matches
// ErrProtocol, ErrInvalidPayload or ErrMessageTooBig with errors.Is. A
// server closes all its connections with 1001 in one call with
// Server.Shutdown.
//
// # Compression
//
// permessage-deflate is negotiated when ConnOptions.Compression is set
// (the WebSocket object offers it by default, as browsers do), with every
// parameter of RFC 7692 in both roles, both context-takeover modes and any
// window size: the compressor is the package's own (internal/flate), which,
// unlike compress/flate's, can compress within a window smaller than 32 KiB.
// The size limit applies to the inflated message, while it is inflated.
//
// # Limits, timers and memory
//
// Every limit has a safe default (see the Default constants): a 32 MiB
// message limit enforced from the frame header before the payload is read,
// a handshake timeout, a close timeout, and a keepalive that pings a silent
// peer every 30 seconds and drops it 15 seconds after an unanswered ping.
// Buffers are lent to a connection only while a message is in flight, and
// on a plain TCP connection a waiting read holds none, so an idle connection
// costs little more than its goroutine, whose stack the runtime keeps at its
// smallest size while the read waits. Reading with ReadInto or Reader and
// writing with Write allocate nothing per message. Messages that a WebSocket
// has queued (sent while an earlier one was still being written) go out
// together, in one write, as far as they fit in the write buffer. A server
// with many connections should serve each one on a goroutine of its own
// and return from the HTTP handler: net/http then lets go of the request's
// buffers and of its own goroutine, about half the memory of an idle
// connection. AcceptWebSocket does so by itself. On Linux, a WebSocket given
// Options.Poller (NewPoller) goes further: its connection is read by an
// epoll loop, with no goroutine and no buffer while it is idle.
package websocket
