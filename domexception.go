package websocket

import "fmt"

// DOMException is the Go form of the DOMException a browser throws from the
// WebSocket interface. Where the WHATWG WebSockets Standard says "throw a
// SyntaxError DOMException", the method returns a *DOMException with Name
// "SyntaxError" and no side effect has happened.
//
// Test an error with errors.Is against the sentinels ErrSyntax,
// ErrInvalidState, ErrInvalidAccess and ErrSecurity: a *DOMException matches
// every *DOMException with the same Name, whatever its Message.
type DOMException struct {
	Name    string // the DOM name, such as "SyntaxError" or "InvalidStateError"
	Message string // what went wrong, for people; may be empty
}

// Error returns "websocket: <Name>: <Message>", or "websocket: <Name>"
// when there is no message.
func (e *DOMException) Error() string {
	if e.Message == "" {
		return "websocket: " + e.Name
	}
	return "websocket: " + e.Name + ": " + e.Message
}

// Is reports whether target is a *DOMException with the same Name as e. The
// messages are not compared, so errors.Is(err, ErrSyntax) holds for every
// SyntaxError.
func (e *DOMException) Is(target error) bool {
	t, ok := target.(*DOMException)
	return ok && t != nil && e != nil && t.Name == e.Name
}

// Sentinels for the DOMException names the WebSocket interface throws. Use
// them with errors.Is; do not modify them.
var (
	// ErrSyntax matches a SyntaxError: an invalid URL or subprotocol list
	// given to the constructor, or a close reason over 123 bytes.
	ErrSyntax = &DOMException{Name: "SyntaxError"}

	// ErrInvalidState matches an InvalidStateError: Send while the socket is
	// CONNECTING, or dispatching an event that is already being dispatched.
	ErrInvalidState = &DOMException{Name: "InvalidStateError"}

	// ErrInvalidAccess matches an InvalidAccessError: a close code that is
	// neither 1000 nor in 3000-4999.
	ErrInvalidAccess = &DOMException{Name: "InvalidAccessError"}

	// ErrSecurity matches a SecurityError: a ws: URL from a secure context
	// (Options.SecureContext).
	ErrSecurity = &DOMException{Name: "SecurityError"}
)

// newDOMException returns a *DOMException named name whose message is
// format formatted with args, as fmt.Sprintf does.
func newDOMException(name, format string, args ...any) *DOMException {
	return &DOMException{Name: name, Message: fmt.Sprintf(format, args...)}
}

// TypeError is the Go form of a JavaScript TypeError: an argument of a type
// the method does not take, such as an int passed to Send, or a nil event
// passed to DispatchEvent. It is not a DOMException and matches none of the
// DOMException sentinels.
type TypeError struct {
	Message string // what went wrong, for people
}

// Error returns "websocket: TypeError: <Message>", or "websocket: TypeError"
// when there is no message.
func (e *TypeError) Error() string {
	if e.Message == "" {
		return "websocket: TypeError"
	}
	return "websocket: TypeError: " + e.Message
}
