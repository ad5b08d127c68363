// Package websocket is a WebSocket implementation (RFC 6455) for Go: a
// client (Dial), a server (Accept on net/http, and Server for graceful
// shutdown) and the connection both return (Conn), all driving the
// I/O-free protocol core of package wsproto.
//
// # Reading and writing
//
// Conn.Read returns a whole message; Conn.Reader streams one. Conn.Write
// sends a whole message; Conn.Writer streams one as a fragmented message.
// Every method that may wait takes a context. A Read that ends with its
// context leaves the connection usable: the next Read continues where it
// stopped.
//
// # Concurrency
//
// One goroutine may read at a time; any number may write at once. Messages
// are never interleaved; control frames (pong, ping, close) are sent between
// the frames of a long message. Control frames from the peer are processed
// while the connection is read, so an application always keeps a goroutine
// reading, even one that only sends: it is that goroutine that answers pings,
// sees pongs (for Ping and the keepalive) and receives the peer's close frame.
//
// # Closing
//
// Close runs the closing handshake of RFC 6455: our close frame, the
// peer's, then the TCP close, server first. Read returns a *CloseError once
// the peer's close frame has arrived; CloseStatus extracts its code. When
// the peer breaks the protocol, the connection is failed with the code of
// RFC 6455 (1002, 1007, 1009) and the read returns an error that matches
// ErrProtocol, ErrInvalidPayload or ErrMessageTooBig with errors.Is.
//
// # Limits and timers
//
// Every limit has a safe default (see the Default constants): a 32 MiB
// message limit enforced from the frame header before the payload is read, a
// handshake timeout, a close timeout, and a keepalive that pings a silent
// peer every 30 seconds and drops it 15 seconds after an unanswered ping.
package websocket
