//go:build js

package websocket

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"
	"weak"
)

// This file binds the WebSocket object to the browser's own WebSocket on
// GOOS=js (for a Go program compiled to WebAssembly and run in a page or a
// worker). The exported API is the native one: the same constructor checks
// and errors, states, events, event loop (Run, EventLoop) and Blob. The
// browser makes the connection; this file only moves what it reports onto
// the socket's event loop.
//
// What is the browser's and so may differ from the native socket:
//
//   - The URL and the protocol list are checked by the package, as natively,
//     and then by the browser's constructor, whose exception (a SyntaxError,
//     a SecurityError...) becomes a *DOMException of the same name, so
//     errors.Is(err, ErrSyntax) holds as natively. Without Options.BaseURL, a
//     relative URL resolves against the page's base URL (document.baseURI),
//     as `new WebSocket(url)` does in script; natively it is a SyntaxError.
//     URL() is the browser's serialization of the URL.
//   - BufferedAmount is the browser's own accounting: Send adds the payload
//     size at once (as natively), and between tasks the value is refreshed
//     from the browser's bufferedAmount (on each message event, and on a
//     short timer while it is not zero).
//   - The browser reports no "closing handshake started" step: when the
//     server closes first, ReadyState goes from OPEN to CLOSED with no
//     CLOSING in between.
//   - CloseEvent.Cause only says that the browser reported a failure; the
//     browser gives no detail.
//   - Options that a page cannot control make the constructor fail (see
//     unsupportedOption). Honoured: BaseURL, SecureContext,
//     HandshakeTimeout, HighWaterMark, Loop, Context, OnOpen, OnMessage,
//     OnError, OnClose, OnPanic; MaxMessageSize only as 0 or negative (the
//     browser's own limit).
//   - When Options.Context ends on an open socket, the close frame carries no
//     code: a script may not send 1001 (only the browser does, when the page
//     goes away).

// pollInterval is how often a socket with a non-zero BufferedAmount reads
// the browser's bufferedAmount again.
const pollInterval = 10 * time.Millisecond

// socket is the inner part of a WebSocket on GOOS=js: the browser's
// WebSocket object and what the event loop needs. Like the native socket it
// does not point to the handle, except while the handle must stay alive
// (pinned), so that a forgotten handle can be collected and closed.
type socket struct {
	url    string // the browser's serialization of the URL (API-19)
	opts   Options
	loop   *EventLoop
	target eventTarget
	handle weak.Pointer[WebSocket]
	done   chan struct{}

	state    atomic.Uint32 // ReadyState, as our event loop has seen it
	buffered atomic.Uint64
	binary   atomic.Uint32 // 0: blob, 1: arraybuffer

	mu          sync.Mutex
	pinned      *WebSocket // the handle, kept alive while it must be (API-104)
	orphaned    bool       // the handle was collected while connecting (API-105)
	protocol    string
	extensions  string
	ws          js.Value    // the browser's WebSocket
	stopOwner   func() bool // stops watching Options.Context
	failed      bool        // we failed the connection (Close while CONNECTING, ...)
	cause       error
	aboveHWM    bool
	roomWaiters []chan struct{}
	polling     bool // a goroutine refreshes BufferedAmount
	refreshing  bool // a refresh task is queued

	// Set before the browser can call back, then used by the callbacks
	// only: they never take mu, because a callback that the browser would
	// run synchronously inside one of our calls (made under mu) runs on
	// the calling goroutine, and would deadlock.
	listeners []jsListen  // removed and released on the close event
	timer     *time.Timer // Options.HandshakeTimeout
	jsError   atomic.Bool // the browser fired error: an error event goes first
	jsClosed  atomic.Bool // the browser fired close
}

// jsListen is an event listener registered on the browser's object.
type jsListen struct {
	typ string
	fn  js.Func
}

// WebSocket is the WHATWG WebSocket interface in Go: the object that MDN
// documents, with the standard's states, attributes, events and errors.
// See the package documentation for the event model.
//
// On GOOS=js the object is backed by the browser's WebSocket (see the
// comment at the top of socket_js.go for what the browser decides).
type WebSocket struct {
	s *socket
}

// New opens a WebSocket to url, offering the given subprotocols, exactly as
// `new WebSocket(url, protocols)` does: it checks its arguments at once
// (a *DOMException matching ErrSyntax for a bad URL or protocol list) and
// returns a socket in the CONNECTING state; the connection is made in the
// background and reported by events. It never fails because of the network.
func New(url string, protocols ...string) (*WebSocket, error) {
	return NewWithOptions(url, protocols, nil)
}

// NewWithOptions is New with options beyond the standard's. On GOOS=js an
// option that the browser does not let a page control (Origin, Header, Jar,
// TLSConfig, Proxy, NetDialContext, MaxBufferedAmount, CloseTimeout,
// PingInterval, PingTimeout, AllowBadPorts, a positive MaxMessageSize) makes
// it return an error, rather than being silently ignored.
func NewWithOptions(rawURL string, protocols []string, opts *Options) (*WebSocket, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if name := unsupportedOption(&o); name != "" {
		return nil, errors.New("websocket: Options." + name + " cannot apply in a browser (GOOS=js)")
	}
	ctor := js.Global().Get("WebSocket")
	if ctor.Type() != js.TypeFunction {
		return nil, errors.New("websocket: this JavaScript environment has no WebSocket")
	}
	// The standard's checks first, with the package's own URL parser, so
	// that a URL or protocol list is refused exactly as natively (browsers
	// differ here and there: Chromium takes "ws://foo bar.com/" as a host
	// with %20 in it). The browser's constructor checks again.
	var base string
	if o.BaseURL != nil {
		base = o.BaseURL.String()
	} else {
		base = pageBaseURL()
	}
	u, err := parseWebSocketAPIURL(rawURL, base)
	if err != nil {
		return nil, newDOMException("SyntaxError", "%v", err)
	}
	if o.SecureContext && !u.Secure() {
		return nil, newDOMException("SecurityError", "insecure ws: URL %q from a secure context", u.String())
	}
	if err := validateProtocols(protocols); err != nil {
		return nil, newDOMException("SyntaxError", "%v", err)
	}
	list := make([]any, len(protocols))
	for i, p := range protocols {
		list[i] = p
	}
	var jsws js.Value
	if err := jsTry(func() { jsws = ctor.New(u.String(), list) }); err != nil {
		return nil, err
	}
	jsws.Set("binaryType", "arraybuffer")

	loop := o.Loop
	if loop == nil {
		loop = currentLoop()
	}
	if loop == nil {
		loop = NewEventLoop()
	}
	s := &socket{
		url:  jsws.Get("url").String(),
		opts: o,
		loop: loop,
		done: make(chan struct{}),
		ws:   jsws,
	}
	ws := &WebSocket{s: s}
	s.handle = weak.Make(ws)
	if o.OnOpen != nil {
		ws.SetOnOpen(o.OnOpen)
	}
	if o.OnMessage != nil {
		ws.SetOnMessage(o.OnMessage)
	}
	if o.OnError != nil {
		ws.SetOnError(o.OnError)
	}
	if o.OnClose != nil {
		ws.SetOnClose(o.OnClose)
	}
	runtime.AddCleanup(ws, (*socket).forgotten, s)
	loop.ref()
	if d := o.HandshakeTimeout; d > 0 {
		s.timer = time.AfterFunc(d, s.handshakeTimeout)
	}
	// No event is lost: the browser dispatches them in later tasks of its
	// own loop, after this call has returned to it.
	s.listen()
	if o.Context != nil {
		s.mu.Lock()
		s.stopOwner = context.AfterFunc(o.Context, s.ownerGone)
		s.mu.Unlock()
	}
	return ws, nil
}

// unsupportedOption returns the name of the first option set in o that a
// page cannot apply to the browser's WebSocket, or "" (decision 6).
func unsupportedOption(o *Options) string {
	switch {
	case o.Origin != "":
		return "Origin"
	case len(o.Header) > 0:
		return "Header"
	case o.Jar != nil:
		return "Jar"
	case o.TLSConfig != nil:
		return "TLSConfig"
	case o.Proxy != nil:
		return "Proxy"
	case o.NetDialContext != nil:
		return "NetDialContext"
	case o.MaxMessageSize > 0:
		return "MaxMessageSize"
	case o.MaxBufferedAmount != 0:
		return "MaxBufferedAmount"
	case o.CloseTimeout != 0:
		return "CloseTimeout"
	case o.PingInterval != 0:
		return "PingInterval"
	case o.PingTimeout != 0:
		return "PingTimeout"
	case o.AllowBadPorts:
		return "AllowBadPorts"
	case o.DisableCompression:
		return "DisableCompression" // a page cannot turn the browser's offer off
	}
	return ""
}

// pageBaseURL returns the base URL of the page (document.baseURI), or of
// the worker (location.href), or "" where there is neither.
func pageBaseURL() string {
	g := js.Global()
	if doc := g.Get("document"); doc.Type() == js.TypeObject {
		if b := doc.Get("baseURI"); b.Type() == js.TypeString {
			return b.String()
		}
	}
	if loc := g.Get("location"); loc.Type() == js.TypeObject {
		if h := loc.Get("href"); h.Type() == js.TypeString {
			return h.String()
		}
	}
	return ""
}

// jsTry runs f and returns the JavaScript exception it threw, if any, as an
// error: a *DOMException with the exception's name, or a *TypeError.
// Panics that are not JavaScript exceptions go on.
func jsTry(f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			jerr, ok := v.(js.Error)
			if !ok {
				panic(v)
			}
			err = exceptionError(jerr.Value)
		}
	}()
	f()
	return nil
}

// exceptionError converts a thrown JavaScript value.
func exceptionError(v js.Value) error {
	name, msg := "Error", ""
	if v.Type() == js.TypeObject {
		if n := v.Get("name"); n.Type() == js.TypeString {
			name = n.String()
		}
		if m := v.Get("message"); m.Type() == js.TypeString {
			msg = m.String()
		}
	} else {
		msg = v.String()
	}
	if name == "TypeError" {
		return &TypeError{Message: msg}
	}
	return &DOMException{Name: name, Message: msg}
}

// listen registers the listeners on the browser's object. Each one only
// copies what the browser reports and queues a task on our loop: a handler
// must never run inside a JavaScript callback, where blocking would block
// the browser's own event loop.
func (s *socket) listen() {
	add := func(typ string, fn func(ev js.Value)) {
		f := js.FuncOf(func(_ js.Value, args []js.Value) any {
			ev := js.Undefined()
			if len(args) > 0 {
				ev = args[0]
			}
			fn(ev)
			return nil
		})
		s.ws.Call("addEventListener", typ, f)
		s.listeners = append(s.listeners, jsListen{typ, f})
	}
	add("open", func(js.Value) {
		protocol := s.ws.Get("protocol").String()
		extensions := s.ws.Get("extensions").String()
		s.loop.post(func() { s.openTask(protocol, extensions) })
	})
	add("message", func(ev js.Value) {
		origin := ev.Get("origin").String()
		data := ev.Get("data")
		if data.Type() == js.TypeString {
			text := data.String()
			s.loop.post(func() { s.messageTask(MessageText, text, nil, origin) })
			return
		}
		u := js.Global().Get("Uint8Array").New(data)
		p := make([]byte, u.Get("length").Int())
		js.CopyBytesToGo(p, u)
		s.loop.post(func() { s.messageTask(MessageBinary, "", p, origin) })
	})
	add("error", func(js.Value) { s.jsError.Store(true) })
	add("close", func(ev js.Value) {
		out := closeOutcome{
			wasClean: ev.Get("wasClean").Truthy(),
			code:     CloseCode(ev.Get("code").Int()),
			reason:   ev.Get("reason").String(),
		}
		if s.jsError.Load() {
			out.failed = true
			out.cause = errors.New("websocket: the browser failed the connection (it gives no detail)")
		}
		s.jsClosed.Store(true)
		s.unlisten()
		s.loop.post(func() { s.closedTask(out) })
	})
}

// unlisten removes and releases the browser listeners, from the close
// callback: the close event is the last one the browser fires.
func (s *socket) unlisten() {
	for _, l := range s.listeners {
		s.ws.Call("removeEventListener", l.typ, l.fn)
		l.fn.Release()
	}
	s.listeners = nil
	if s.timer != nil {
		s.timer.Stop()
	}
}

// closeOutcome is what the close event will say.
type closeOutcome struct {
	wasClean bool
	code     CloseCode
	reason   string
	failed   bool // an error event goes first
	cause    error
}

// openTask is the "connection established" task (API-83).
func (s *socket) openTask(protocol, extensions string) {
	s.mu.Lock()
	if ReadyState(s.state.Load()) != Connecting { // API-45 guard: Close won
		s.mu.Unlock()
		return
	}
	s.protocol, s.extensions = protocol, extensions
	s.state.Store(uint32(Open))
	if s.orphaned {
		// Nobody can see this socket any more: close it as a collected
		// open socket is closed (API-105).
		s.state.Store(uint32(Closing))
		_ = jsTry(func() { s.ws.Call("close") })
	}
	s.retainLocked()
	s.mu.Unlock()
	s.dispatch(newTrustedEvent(EventOpen))
}

// messageTask is the "message received" task (API-84): dropped unless OPEN.
func (s *socket) messageTask(typ MessageType, text string, p []byte, origin string) {
	s.refresh()
	if ReadyState(s.state.Load()) != Open {
		return
	}
	var v any
	switch {
	case typ == MessageText:
		v = text
	case s.binary.Load() == 1:
		v = p
	default:
		v = newBlobNoCopy(p)
	}
	s.dispatch(newTrustedMessageEvent(v, origin))
}

// closedTask is the "connection closed" task: CLOSED, then error if the
// connection was failed, then close, the last event (API-87, API-93).
func (s *socket) closedTask(out closeOutcome) {
	s.mu.Lock()
	s.state.Store(uint32(Closed))
	if s.failed {
		// We failed it (Close while CONNECTING, Context, HandshakeTimeout):
		// as natively, whatever the browser managed in the meantime.
		out = closeOutcome{code: CloseAbnormal, failed: true, cause: s.cause}
	}
	s.buffered.Store(s.bufferedAmountLocked())
	s.mu.Unlock()
	if out.failed {
		s.dispatch(newTrustedEvent(EventError))
	}
	s.dispatch(newTrustedCloseEvent(out.wasClean, uint16(out.code), out.reason, out.cause))
	s.mu.Lock()
	s.pinned = nil
	waiters := s.roomWaiters
	s.roomWaiters = nil
	stopOwner := s.stopOwner
	s.mu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	if stopOwner != nil {
		stopOwner()
	}
	close(s.done)
	s.loop.unref()
}

// dispatch fires an event at the socket's handle.
func (s *socket) dispatch(e AnyEvent) {
	s.target.dispatch(e, any(s.handle.Value()), s.panicHook)
}

// panicHook reports a listener's panic through Options.OnPanic, or prints it.
func (s *socket) panicHook(typ string, v any) { reportPanic(s.opts.OnPanic, typ, v) }

// jsReadyState returns the browser's readyState.
func (s *socket) jsReadyState() ReadyState {
	return ReadyState(s.ws.Get("readyState").Int())
}

// bufferedAmountLocked reads the browser's bufferedAmount.
func (s *socket) bufferedAmountLocked() uint64 {
	return uint64(s.ws.Get("bufferedAmount").Float())
}

// failLocked fails a socket that our loop still sees CONNECTING: CLOSING
// now; error and close (1006) events later, as natively (API-77).
func (s *socket) failLocked(cause error) {
	s.state.Store(uint32(Closing))
	s.retainLocked()
	if s.jsClosed.Load() { // too late: the close task already has its outcome
		return
	}
	s.failed = true
	s.cause = cause
	_ = jsTry(func() { s.ws.Call("close") })
}

// handshakeTimeout fails a socket the browser has not opened in time.
func (s *socket) handshakeTimeout() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ReadyState(s.state.Load()) == Connecting && s.jsReadyState() == Connecting {
		s.failLocked(errors.New("websocket: opening handshake timed out (Options.HandshakeTimeout)"))
	}
}

// ownerGone is "make disappear" (API-106): the owner's context ended.
func (s *socket) ownerGone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.failLocked(errors.New("websocket: owner's context ended while connecting"))
	case Open:
		// A script may not send 1001: close with no code.
		s.state.Store(uint32(Closing))
		s.retainLocked()
		_ = jsTry(func() { s.ws.Call("close") })
	}
}

// forgotten runs when the handle is collected while the socket lives
// (API-105): an open socket starts the closing handshake with no code; a
// connecting one does so as soon as it opens.
func (s *socket) forgotten() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.orphaned = true
	case Open:
		s.state.Store(uint32(Closing))
		_ = jsTry(func() { s.ws.Call("close") })
	}
}

// retain re-evaluates whether the handle must be kept alive, after a
// listener was added or removed.
func (s *socket) retain() {
	s.mu.Lock()
	s.retainLocked()
	s.mu.Unlock()
}

// retainLocked keeps the handle alive while the standard says the object
// must not be collected (API-104): while CONNECTING with any listener, OPEN
// with message, error, close (or drain) listeners, CLOSING with error or
// close listeners. Data queued by Send needs no pin here: the browser keeps
// its own object, and sends what it queued before the close frame that a
// collected handle causes. The JavaScript callbacks and the loop hold only
// the socket, never the handle.
func (s *socket) retainLocked() {
	var types []string
	switch ReadyState(s.state.Load()) {
	case Connecting:
		types = []string{EventOpen, EventMessage, EventError, EventClose, EventDrain}
	case Open:
		types = []string{EventMessage, EventError, EventClose, EventDrain}
	case Closing:
		types = []string{EventError, EventClose}
	}
	for _, typ := range types {
		if s.target.hasListeners(typ) {
			if s.pinned == nil {
				s.pinned = s.handle.Value() // nil if already collected
			}
			return
		}
	}
	s.pinned = nil
}

// send is the standard's send() once the data is bytes (API-61..70). The
// browser queues the data; while CLOSING or CLOSED it only counts it.
func (s *socket) send(typ MessageType, p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ReadyState(s.state.Load()) == Connecting {
		// Our loop has not run the open task yet, even if the browser
		// has opened: as natively, the state the program sees decides.
		return newDOMException("InvalidStateError", "send while CONNECTING")
	}
	var arg any
	if typ == MessageText {
		arg = string(p) // already a USVString: converts exactly
	} else {
		u := js.Global().Get("Uint8Array").New(len(p))
		js.CopyBytesToJS(u, p)
		arg = u
	}
	if err := jsTry(func() { s.ws.Call("send", arg) }); err != nil {
		return err
	}
	b := s.buffered.Add(uint64(len(p)))
	if b > s.highWaterMark() {
		s.aboveHWM = true
	}
	s.pollLocked()
	return nil
}

// pollLocked starts the goroutine that refreshes BufferedAmount from the
// browser's value while it is not zero, so that it falls even when no event
// comes (API-52), and SendContext and drain see it fall.
func (s *socket) pollLocked() {
	if s.polling || ReadyState(s.state.Load()) == Closed {
		return
	}
	s.polling = true
	go func() {
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-s.done:
				s.mu.Lock()
				s.polling = false
				s.mu.Unlock()
				return
			}
			s.mu.Lock()
			if s.buffered.Load() == 0 {
				s.polling = false
				s.mu.Unlock()
				return
			}
			if !s.refreshing {
				s.refreshing = true
				s.loop.post(func() {
					s.mu.Lock()
					s.refreshing = false
					s.mu.Unlock()
					s.refresh()
				})
			}
			s.mu.Unlock()
		}
	}()
}

// refresh takes BufferedAmount from the browser, between tasks, and wakes
// producers waiting for room; it fires drain when the value falls back to
// the high-water mark.
func (s *socket) refresh() {
	s.mu.Lock()
	if ReadyState(s.state.Load()) == Closed {
		s.mu.Unlock()
		return
	}
	b := s.bufferedAmountLocked()
	s.buffered.Store(b)
	var waiters []chan struct{}
	drained := false
	if b <= s.highWaterMark() {
		waiters, s.roomWaiters = s.roomWaiters, nil
		drained, s.aboveHWM = s.aboveHWM, false
	}
	s.mu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	if drained && ReadyState(s.state.Load()) == Open {
		s.dispatch(newTrustedEvent(EventDrain))
	}
}

// DefaultHighWaterMark is the high-water mark SendContext uses when
// Options.HighWaterMark is zero.
const DefaultHighWaterMark = 1 << 20

func (s *socket) highWaterMark() uint64 {
	if s.opts.HighWaterMark > 0 {
		return s.opts.HighWaterMark
	}
	return DefaultHighWaterMark
}

// waitRoom waits until BufferedAmount is at or below the high-water mark.
func (s *socket) waitRoom(ctx context.Context) error {
	for {
		s.mu.Lock()
		st := ReadyState(s.state.Load())
		if s.buffered.Load() <= s.highWaterMark() || st == Closing || st == Closed {
			s.mu.Unlock()
			return nil
		}
		ch := make(chan struct{})
		s.roomWaiters = append(s.roomWaiters, ch)
		s.pollLocked()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close is the standard's close() after validation (API-76..79).
func (s *socket) close(code CloseCode, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.failLocked(errors.New("websocket: Close called while connecting"))
	case Open:
		s.state.Store(uint32(Closing))
		s.retainLocked()
		if code == CloseNoStatus {
			_ = jsTry(func() { s.ws.Call("close") })
			return
		}
		_ = jsTry(func() { s.ws.Call("close", int(code), reason) })
	}
}
