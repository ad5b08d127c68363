package websocket

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"time"
)

// ReadyState is the state of a WebSocket, with the standard's numeric
// values (API-44).
type ReadyState uint16

// The four ready states.
const (
	Connecting ReadyState = 0 // the opening handshake is under way
	Open       ReadyState = 1 // messages flow
	Closing    ReadyState = 2 // the closing handshake has started
	Closed     ReadyState = 3 // the connection is closed, or never opened
)

func (s ReadyState) String() string {
	switch s {
	case Connecting:
		return "CONNECTING"
	case Open:
		return "OPEN"
	case Closing:
		return "CLOSING"
	case Closed:
		return "CLOSED"
	}
	return "ReadyState(" + strconv.Itoa(int(s)) + ")"
}

// BinaryType says how binary messages are handed to message listeners:
// as a *Blob or as a []byte (the standard's ArrayBuffer).
type BinaryType string

// The two binary types (API-58).
const (
	BinaryTypeBlob        BinaryType = "blob"
	BinaryTypeArrayBuffer BinaryType = "arraybuffer"
)

// Options configure a WebSocket beyond what the standard's constructor
// takes. The zero value (or nil) gives the standard's behavior.
type Options struct {
	// BaseURL resolves a relative URL, as a document's base URL does in a
	// browser. Without it, a relative URL is a SyntaxError.
	BaseURL *url.URL

	// Origin, if set, is sent as the Origin header (a browser always sends
	// its page's origin; a Go program has none unless it says so).
	Origin string

	// Header holds extra handshake headers (User-Agent, Authorization, ...).
	// The handshake's own headers may not be set; the constructor refuses
	// them with a SyntaxError (API-109).
	Header http.Header

	// Jar, if set, supplies cookies for the handshake and stores the ones
	// the server sets (API-31). Without a jar no cookie is sent or kept.
	Jar http.CookieJar

	// TLSConfig, Proxy, NetDialContext and HandshakeTimeout are as in
	// DialOptions.
	TLSConfig        *tls.Config
	Proxy            func(*http.Request) (*url.URL, error)
	NetDialContext   func(ctx context.Context, network, addr string) (net.Conn, error)
	HandshakeTimeout time.Duration

	// DisableCompression turns off the permessage-deflate offer (RFC 7692)
	// that the socket makes by default, as a browser does (API-27). The
	// offer is the package's default one (CompressionOptions' zero value);
	// Extensions reports what the server accepted.
	DisableCompression bool

	// MaxMessageSize is the largest message accepted; a bigger one fails
	// the connection (close code 1009 to the peer, 1006 locally). Zero means
	// DefaultReadLimit; negative, no limit.
	MaxMessageSize int64

	// MaxBufferedAmount, if not zero, is the most bytes Send may queue: a
	// Send that would go over it "flags the socket as full", which closes
	// the connection at once, as the standard describes (API-69). For a
	// producer that should wait for room instead, see SendContext.
	MaxBufferedAmount uint64

	// HighWaterMark, if not zero, is the BufferedAmount above which the
	// socket reports backpressure: SendContext waits until BufferedAmount
	// is at or below it, and a "drain" happens (OnDrain) each time
	// BufferedAmount falls back to it or below after having been above.
	HighWaterMark uint64

	// CloseTimeout bounds the closing handshake (see ConnOptions).
	CloseTimeout time.Duration

	// PingInterval and PingTimeout set the keepalive (see ConnOptions).
	PingInterval, PingTimeout time.Duration

	// AllowBadPorts lets the socket connect to the ports the Fetch standard
	// blocks (API-39), which otherwise fail the connection.
	AllowBadPorts bool

	// SecureContext makes ws:// URLs a SecurityError, as in a page served
	// over https (API-41).
	SecureContext bool

	// Poller, if not nil, runs the socket in event-loop mode: its
	// connection waits for input in the poller, with no goroutine and no
	// buffer of its own while idle, instead of in a goroutine of its own.
	// It is for servers with very many connections (AcceptWebSocket); see
	// Poller. The events, methods and limits are the same in both modes. A
	// connection that is not plain TCP (TLS in this process) runs in the
	// default mode.
	Poller *Poller

	// Loop is the event loop that runs the socket's events; sockets that
	// share one get a browser-like global order. Nil means the loop of the
	// calling task (inside Run or a handler), or else a loop of the socket's own.
	Loop *EventLoop

	// Context is the lifetime of the socket's owner: when it ends, a
	// connecting socket fails and an open one closes with 1001 (going
	// away), as when a browser leaves the page (API-106).
	Context context.Context

	// OnOpen, OnMessage, OnError and OnClose are set as the socket's
	// handlers before it starts connecting, so that a socket created
	// outside any event loop task misses no event.
	//
	// They matter because of when events can be dispatched (API-2, API-83).
	// Every event is a task of the socket's event loop. A socket created in
	// a task of a loop (inside Run's setup, or inside a handler) belongs to
	// that loop, and none of its events can be dispatched before that task
	// returns: handlers set with SetOnOpen and friends, or listeners added
	// with AddEventListener, right after New in the same task see every
	// event, as in a browser. A socket created outside any task (say, in
	// main, with no Options.Loop) gets a loop of its own, which starts
	// dispatching as soon as events come: a handler set after New returns
	// then sees only the events that had not been dispatched yet, and may
	// miss open, or even error and close for a fast failure. Pass such a
	// socket's handlers here instead, or create it inside Run.
	//
	// A handler given here cannot use the variable New's result is
	// assigned to (the open event may run before the assignment); it gets
	// the socket as its event's Target, or can signal another goroutine.
	OnOpen    func(*Event)
	OnMessage func(*MessageEvent)
	OnError   func(*Event)
	OnClose   func(*CloseEvent)

	// OnPanic receives what a handler or listener panicked with; dispatch
	// goes on with the next listener, as a browser reports an exception and
	// continues. Nil means: print it with a stack trace to standard error.
	OnPanic func(eventType string, v any)
}

// reportPanic hands a recovered panic to the hook, or prints it.
func reportPanic(hook func(string, any), typ string, v any) {
	if hook != nil {
		hook(typ, v)
		return
	}
	os.Stderr.WriteString("websocket: panic in " + typ + " listener: " + panicString(v) + "\n" + string(debug.Stack()))
}

func panicString(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case string:
		return x
	}
	return "(non-string panic value)"
}

// closeArgs are the arguments of WebSocket.Close.
type closeArgs struct {
	code      int
	hasCode   bool
	reason    string
	hasReason bool
}

// CloseOption is an argument of WebSocket.Close.
type CloseOption func(*closeArgs)

// WithCode sets the close code: 1000, or 3000 to 4999 (API-71). It takes an
// int, as JavaScript's number does, so that an out-of-range value is
// refused rather than wrapped.
func WithCode(code int) CloseOption {
	return func(a *closeArgs) { a.code, a.hasCode = code, true }
}

// WithReason sets the close reason, at most 123 bytes of UTF-8 (API-72).
// A reason without a code closes with 1000 (API-75).
func WithReason(reason string) CloseOption {
	return func(a *closeArgs) { a.reason, a.hasReason = reason, true }
}

// checkClose validates close arguments as the standard does, code first,
// then reason, and returns the code to send (CloseNoStatus for none) and
// the reason.
func checkClose(opts []CloseOption) (CloseCode, string, error) {
	var a closeArgs
	for _, o := range opts {
		o(&a)
	}
	if a.hasCode && a.code != 1000 && (a.code < 3000 || a.code > 4999) {
		return 0, "", newDOMException("InvalidAccessError", "close code %d is neither 1000 nor in 3000-4999", a.code)
	}
	reason := toUSVString(a.reason)
	if len(reason) > 123 {
		return 0, "", newDOMException("SyntaxError", "close reason is %d bytes of UTF-8, more than 123", len(reason))
	}
	switch {
	case a.hasCode:
		return CloseCode(a.code), reason, nil
	case reason != "":
		return CloseNormal, reason, nil
	}
	return CloseNoStatus, "", nil
}
