package wsproto

import "fmt"

// Error is a violation of the protocol found in the peer's input (or in a
// value handed to the core for sending). Code is the close code the
// connection must be failed with (RFC 6455 section 7.1.7).
//
// Callers test for a class of errors with errors.Is against the sentinels of
// this package, which compare by close code: errors.Is(err, ErrProtocol)
// holds for every violation that fails the connection with 1002.
type Error struct {
	Code CloseCode // close code to fail the connection with
	Msg  string    // what was wrong, for logs and for the close reason
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("websocket: %v", e.Code)
	}
	return "websocket: " + e.Msg
}

// Is reports whether target is an *Error of the same code whose Msg is empty
// (a class sentinel such as ErrProtocol) or equal to e's.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t == nil {
		return false
	}
	return t.Code == e.Code && (t.Msg == "" || t.Msg == e.Msg)
}

func protoErr(msg string) *Error { return &Error{Code: CloseProtocolError, Msg: msg} }

// Class sentinels, for errors.Is.
var (
	// ErrProtocol matches every violation that fails the connection with 1002.
	ErrProtocol = &Error{Code: CloseProtocolError}
	// ErrInvalidPayload matches invalid UTF-8 in text and close reasons (1007).
	ErrInvalidPayload = &Error{Code: CloseInvalidPayload}
	// ErrMessageTooBig matches a frame or message over the configured limit (1009).
	ErrMessageTooBig = &Error{Code: CloseMessageTooBig}
)

// Specific violations. Each also matches its class sentinel.
var (
	ErrReservedOpcode     = protoErr("reserved opcode")
	ErrReservedBits       = protoErr("reserved bits set without a negotiated extension")
	ErrNonMinimalLength   = protoErr("payload length not minimally encoded")
	ErrLengthTopBit       = protoErr("64-bit payload length has its top bit set")
	ErrFragmentedControl  = protoErr("fragmented control frame")
	ErrControlTooLong     = protoErr("control frame payload over 125 bytes")
	ErrUnexpectedCont     = protoErr("continuation frame with no message in progress")
	ErrExpectedCont       = protoErr("new data frame while a fragmented message is in progress")
	ErrUnmaskedFrame      = protoErr("client frame not masked")
	ErrMaskedFrame        = protoErr("server frame masked")
	ErrCloseTooShort      = protoErr("close frame payload of 1 byte")
	ErrInvalidCloseCode   = protoErr("invalid close code")
	ErrDataAfterClose     = protoErr("frame after close frame")
	ErrInvalidUTF8        = &Error{Code: CloseInvalidPayload, Msg: "invalid UTF-8 in text message"}
	ErrInvalidCloseReason = &Error{Code: CloseInvalidPayload, Msg: "invalid UTF-8 in close reason"}
	ErrFrameTooBig        = &Error{Code: CloseMessageTooBig, Msg: "message exceeds the size limit"}
)
