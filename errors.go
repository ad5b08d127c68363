package websocket

import (
	"errors"
	"net"
	"strconv"

	"github.com/wsstack/websocket/wsproto"
)

// CloseCode is a WebSocket close status code (RFC 6455 section 7.4). The
// constants below name the registered ones.
type CloseCode = wsproto.CloseCode

// Registered close codes.
const (
	CloseNormal          = wsproto.CloseNormal
	CloseGoingAway       = wsproto.CloseGoingAway
	CloseProtocolError   = wsproto.CloseProtocolError
	CloseUnsupportedData = wsproto.CloseUnsupportedData
	CloseNoStatus        = wsproto.CloseNoStatus
	CloseAbnormal        = wsproto.CloseAbnormal
	CloseInvalidPayload  = wsproto.CloseInvalidPayload
	ClosePolicyViolation = wsproto.ClosePolicyViolation
	CloseMessageTooBig   = wsproto.CloseMessageTooBig
	CloseMandatoryExt    = wsproto.CloseMandatoryExt
	CloseInternalError   = wsproto.CloseInternalError
	CloseServiceRestart  = wsproto.CloseServiceRestart
	CloseTryAgainLater   = wsproto.CloseTryAgainLater
	CloseBadGateway      = wsproto.CloseBadGateway
	CloseTLSHandshake    = wsproto.CloseTLSHandshake
)

// CloseError is the close frame the peer sent. Read and the other reading
// methods return it once the peer has closed the connection.
type CloseError struct {
	Code   CloseCode // the peer's code; CloseNoStatus if its frame had none
	Reason string    // the peer's reason, valid UTF-8, at most 123 bytes
}

func (e *CloseError) Error() string {
	s := "websocket: peer closed the connection: " + e.Code.String()
	if e.Reason != "" {
		s += " " + strconv.Quote(e.Reason)
	}
	return s
}

// CloseStatus returns the code of the close frame the peer sent, if err is
// or wraps a *CloseError, and 0 otherwise (no close frame was received: the
// connection failed or is still open).
func CloseStatus(err error) CloseCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// ErrClosed is returned (wrapped) by operations on a connection that is
// already closed. It is net.ErrClosed, so errors.Is(err, net.ErrClosed) holds too.
var ErrClosed = net.ErrClosed

// Errors for the protocol violations of a peer are the core's: test them with
// errors.Is against these class sentinels. The connection has then been failed
// with the matching close code.
var (
	// ErrProtocol matches a peer's protocol violation (close code 1002).
	ErrProtocol = wsproto.ErrProtocol
	// ErrInvalidPayload matches invalid UTF-8 from the peer (close code 1007).
	ErrInvalidPayload = wsproto.ErrInvalidPayload
	// ErrMessageTooBig matches a message over the read limit (close code 1009).
	ErrMessageTooBig = wsproto.ErrMessageTooBig
)

// ErrKeepaliveTimeout is the error of a connection dropped by the keepalive
// because the peer went silent after a ping.
var ErrKeepaliveTimeout = errors.New("websocket: keepalive: peer did not answer the ping in time")

// ErrCloseTimeout is returned by Close when the peer did not complete the
// closing handshake in time.
var ErrCloseTimeout = errors.New("websocket: close: peer did not answer the close frame in time")
