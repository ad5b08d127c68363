//go:build !js

package websocket

// The WebSocket object is what a connection served by a Poller hands its
// input to (pollOwner): what readLoop does in the default mode.

// message queues the message task, as readLoop does.
func (s *socket) message(typ MessageType, data []byte) {
	s.postMessage(typ, data)
}

// ended queues the "connection closed" task, as readLoop does.
func (s *socket) ended(c *Conn, err error) { s.finish(c, err) }
