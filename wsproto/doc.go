// Package wsproto is the WebSocket protocol (RFC 6455) without any I/O: no
// sockets, no goroutines, no clocks. It holds every rule of the wire format
// in one place, and everything else in this module drives it: the blocking
// Conn of package websocket, the WHATWG WebSocket object, the server, the
// command-line tool and the WebAssembly binding.
//
// The pieces:
//
//   - frame.go: frame headers, encoded with the minimal length and decoded
//     with the checks a header alone decides.
//   - mask.go: masking, eight bytes at a time.
//   - utf8.go: a streaming UTF-8 validator that fails fast inside fragments.
//   - close.go: close codes and close-frame payloads.
//   - reader.go: the receiving state machine. Bytes in, events out: data
//     pieces, pings, pongs, close frames. It streams payloads, so a message
//     is never held whole unless the caller wants it so.
//   - writer.go: the sending state machine. Frames into the caller's buffer,
//     masked for a client, with the sending rules enforced.
//   - handshake.go, token.go, extension.go: the opening handshake as pure
//     functions over header maps (key and accept, request and response
//     checks, token lists, the extension grammar).
//
// Errors found in the peer's input are *Error values carrying the close code
// the connection must be failed with; errors.Is matches them against the
// class sentinels ErrProtocol (1002), ErrInvalidPayload (1007) and
// ErrMessageTooBig (1009) as well as against the specific errors.
package wsproto
