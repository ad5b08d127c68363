// Package interop checks github.com/wsstack/websocket against other Go
// WebSocket libraries: github.com/gorilla/websocket, github.com/coder/websocket
// and github.com/lxzan/gws.
//
// Everything is in the tests. For each library and each direction (our client
// against a server written with the other library, and that library's client
// against our server) they open real TCP connections on 127.0.0.1 and run the
// same scenarios: subprotocol selection, text and binary messages small and
// large, many messages in order, fragmented messages, a ping from our side,
// and the closing handshake started by either side.
//
// The package is a module of its own, so that the core module does not depend
// on the libraries it is compared with. From the repository root, where go.work
// includes it:
//
//	go test -race ./interop/...
//
// or from this directory, without the workspace (go.mod replaces the core module
// with the parent directory):
//
//	GOWORK=off go test -race ./...
package interop
