package websocket

import "context"

// EventDrain is the type of the non-standard drain event: BufferedAmount
// has fallen back to the high-water mark or below after going above it (in
// the manner of uWebSockets' drain). See Options.HighWaterMark.
const EventDrain = "drain"

// URL returns the socket's URL, as parsed by the constructor (API-19).
func (ws *WebSocket) URL() string { return ws.s.url }

// ReadyState returns the socket's state.
func (ws *WebSocket) ReadyState() ReadyState { return ReadyState(ws.s.state.Load()) }

// BufferedAmount returns the number of bytes of application data queued by
// Send and not yet handed to the network (API-50..55); a message counts as
// handed over once its write has started. It rises inside Send, falls only
// between event tasks (so never while a handler runs), and keeps counting
// what Send is given after the closing handshake started, which is never
// sent: it does not go back to 0 when the connection closes.
func (ws *WebSocket) BufferedAmount() uint64 { return ws.s.buffered.Load() }

// Extensions returns the extensions the server accepted, "" until open.
func (ws *WebSocket) Extensions() string {
	if n, ok := any(ws.s).(negotiator); ok {
		_, e := n.negotiated()
		return e
	}
	ws.s.mu.Lock()
	defer ws.s.mu.Unlock()
	return ws.s.extensions
}

// Protocol returns the subprotocol the server chose, "" until open.
func (ws *WebSocket) Protocol() string {
	if n, ok := any(ws.s).(negotiator); ok {
		p, _ := n.negotiated()
		return p
	}
	ws.s.mu.Lock()
	defer ws.s.mu.Unlock()
	return ws.s.protocol
}

// negotiator is a socket that keeps what the handshake agreed apart
// (socketRare), and tells it by this method.
type negotiator interface {
	negotiated() (protocol, extensions string)
}

// BinaryType returns how binary messages are delivered; the default is
// BinaryTypeBlob, as in the standard.
func (ws *WebSocket) BinaryType() BinaryType {
	if ws.s.binary.Load() == 1 {
		return BinaryTypeArrayBuffer
	}
	return BinaryTypeBlob
}

// SetBinaryType sets how binary messages are delivered, from the next
// message event on (API-59). An unknown value changes nothing and returns
// false, as the standard ignores it (API-58).
func (ws *WebSocket) SetBinaryType(t BinaryType) bool {
	switch t {
	case BinaryTypeBlob:
		ws.s.binary.Store(0)
	case BinaryTypeArrayBuffer:
		ws.s.binary.Store(1)
	default:
		return false
	}
	return true
}

// Send queues data for sending and returns at once: a string goes as a
// text message (invalid UTF-8 replaced by U+FFFD, API-66), a []byte or a
// *Blob as a binary message. It returns an error matching ErrInvalidState
// while the socket is CONNECTING, and a *TypeError for any other type of
// data. After the closing handshake has started it sends nothing and
// returns nil, as the standard says; BufferedAmount still grows. The
// caller may reuse a []byte as soon as Send returns.
func (ws *WebSocket) Send(data any) error {
	typ, p, borrowed, err := messageBytes(data)
	if err != nil {
		return err
	}
	return ws.s.sendBytes(typ, p, borrowed)
}

// SendText is Send of a string.
func (ws *WebSocket) SendText(s string) error { return ws.s.send(MessageText, []byte(toUSVString(s))) }

// SendBinary is Send of a []byte.
func (ws *WebSocket) SendBinary(p []byte) error { return ws.s.sendBytes(MessageBinary, p, true) }

// SendBlob is Send of a *Blob.
func (ws *WebSocket) SendBlob(b *Blob) error {
	p, err := b.Bytes()
	if err != nil {
		return err
	}
	return ws.s.send(MessageBinary, p)
}

// SendContext is Send for a producer that must not outrun the network: it
// first waits until BufferedAmount is at or below the high-water mark
// (Options.HighWaterMark, by default DefaultHighWaterMark) or ctx ends. It
// is not part of the standard. Do not call it from a handler of the
// socket's own loop: the room is made between tasks, so it would wait forever.
func (ws *WebSocket) SendContext(ctx context.Context, data any) error {
	typ, p, err := messageData(data)
	if err != nil {
		return err
	}
	if ws.ReadyState() == Connecting {
		return newDOMException("InvalidStateError", "send while CONNECTING")
	}
	if err := ws.s.waitRoom(ctx); err != nil {
		return err
	}
	return ws.s.send(typ, p)
}

// messageData converts Send's argument (API-62, API-65..68) into bytes
// of the socket's own.
func messageData(data any) (MessageType, []byte, error) {
	typ, p, borrowed, err := messageBytes(data)
	if borrowed {
		p = append(make([]byte, 0, len(p)), p...)
	}
	return typ, p, err
}

// messageBytes is messageData without the copy of a []byte: borrowed
// reports that p is the caller's, to be copied if kept after Send returns.
func messageBytes(data any) (typ MessageType, p []byte, borrowed bool, err error) {
	switch d := data.(type) {
	case string:
		return MessageText, []byte(toUSVString(d)), false, nil
	case []byte:
		return MessageBinary, d, true, nil
	case *Blob:
		if d == nil {
			break
		}
		p, err := d.Bytes()
		return MessageBinary, p, false, err
	}
	return 0, nil, false, &TypeError{Message: "Send takes a string, []byte or *Blob"}
}

// borrowSender is a socket that can send bytes it does not own (copying
// them only if it must keep them).
type borrowSender interface {
	sendBorrowed(typ MessageType, p []byte) error
}

// sendBytes sends p, which is the caller's if borrowed.
func (s *socket) sendBytes(typ MessageType, p []byte, borrowed bool) error {
	if b, ok := any(s).(borrowSender); ok && borrowed {
		return b.sendBorrowed(typ, p)
	}
	if borrowed {
		p = append(make([]byte, 0, len(p)), p...)
	}
	return s.send(typ, p)
}

// Close starts closing the socket, as the standard's close() does. With no
// option the close frame has no code; WithCode and WithReason set them. It
// checks its arguments first, in every state: a code other than 1000 or
// 3000-4999 is an error matching ErrInvalidAccess, a reason over 123 bytes
// one matching ErrSyntax; then, while CONNECTING it fails the connection,
// while OPEN it starts the closing handshake after the queued messages, and
// otherwise it does nothing. It never waits for the network: the close
// event (and Done) report the end.
func (ws *WebSocket) Close(opts ...CloseOption) error {
	code, reason, err := checkClose(opts)
	if err != nil {
		return err
	}
	ws.s.close(code, reason)
	return nil
}

// CloseWithStatus is Close(WithCode(code), WithReason(reason)).
func (ws *WebSocket) CloseWithStatus(code int, reason string) error {
	return ws.Close(WithCode(code), WithReason(reason))
}

// Done returns a channel closed after the close event has been dispatched.
// Never wait on it from a handler of the socket's own loop.
func (ws *WebSocket) Done() <-chan struct{} {
	if d, ok := any(ws.s).(doneMaker); ok {
		return d.doneChan()
	}
	return ws.s.done
}

// doneMaker is a socket that makes Done's channel when first asked for.
type doneMaker interface{ doneChan() <-chan struct{} }

// SetOnOpen sets the open event handler; nil clears it (API-95, API-96).
func (ws *WebSocket) SetOnOpen(fn func(*Event)) {
	ws.setHandler(EventOpen, fn, fn == nil)
}

// OnOpen returns the open event handler, or nil.
func (ws *WebSocket) OnOpen() func(*Event) {
	f, _ := ws.s.target.handler(EventOpen).(func(*Event))
	return f
}

// SetOnMessage sets the message event handler; nil clears it.
func (ws *WebSocket) SetOnMessage(fn func(*MessageEvent)) {
	ws.setHandler(EventMessage, fn, fn == nil)
}

// OnMessage returns the message event handler, or nil.
func (ws *WebSocket) OnMessage() func(*MessageEvent) {
	f, _ := ws.s.target.handler(EventMessage).(func(*MessageEvent))
	return f
}

// SetOnError sets the error event handler; nil clears it.
func (ws *WebSocket) SetOnError(fn func(*Event)) {
	ws.setHandler(EventError, fn, fn == nil)
}

// OnError returns the error event handler, or nil.
func (ws *WebSocket) OnError() func(*Event) {
	f, _ := ws.s.target.handler(EventError).(func(*Event))
	return f
}

// SetOnClose sets the close event handler; nil clears it.
func (ws *WebSocket) SetOnClose(fn func(*CloseEvent)) {
	ws.setHandler(EventClose, fn, fn == nil)
}

// OnClose returns the close event handler, or nil.
func (ws *WebSocket) OnClose() func(*CloseEvent) {
	f, _ := ws.s.target.handler(EventClose).(func(*CloseEvent))
	return f
}

// SetOnDrain sets the handler of the non-standard drain event (EventDrain).
func (ws *WebSocket) SetOnDrain(fn func(*Event)) {
	ws.setHandler(EventDrain, fn, fn == nil)
}

// setHandler sets the on<typ> handler to orig, a func(*Event),
// func(*MessageEvent) or func(*CloseEvent), or clears it if isNil (orig is
// then a nil func of one of those types).
func (ws *WebSocket) setHandler(typ string, orig any, isNil bool) {
	if isNil {
		orig = nil
	}
	ws.s.target.setTypedHandler(typ, orig)
	ws.listenersChanged()
}

// AddEventListener adds a listener for events of type typ ("open",
// "message", "error", "close", or "drain"), called after the ones already
// there (API-96). The listener gets the event as an AnyEvent: a *Event, or
// a *MessageEvent or *CloseEvent. Go funcs cannot be compared, so the
// returned function is how a listener is removed; adding the same func
// twice adds it twice.
func (ws *WebSocket) AddEventListener(typ string, fn func(AnyEvent), opts ...ListenerOption) (remove func()) {
	remove = ws.s.target.addEventListener(typ, fn, opts...)
	ws.listenersChanged()
	if r, ok := any(ws.s).(retainer); ok {
		rm := remove // captures the socket, not ws: a kept remove func must not keep the handle alive
		return func() {
			rm()
			r.retain()
		}
	}
	return remove
}

// retainer is a socket that works out by itself, from its state, its
// listeners and its queued data, whether its handle must stay alive
// (API-104) or may be collected and closed (API-105).
type retainer interface{ retain() }

// listenersChanged re-evaluates whether the handle must stay alive after a
// listener was added or removed.
func (ws *WebSocket) listenersChanged() {
	if r, ok := any(ws.s).(retainer); ok {
		r.retain()
		return
	}
	ws.pin()
}

// pin keeps the handle alive while it has listeners (API-104), for a
// socket that is not a retainer.
func (ws *WebSocket) pin() {
	ws.s.mu.Lock()
	if ReadyState(ws.s.state.Load()) != Closed {
		ws.s.pinned = ws
	}
	ws.s.mu.Unlock()
}

// DispatchEvent dispatches a synthetic event to the socket's listeners,
// synchronously, as EventTarget.dispatchEvent does (API-100). It never
// changes the socket's state. It returns false only if a cancelable event
// had its default prevented, and an error matching ErrInvalidState if the
// event is being dispatched already.
func (ws *WebSocket) DispatchEvent(e AnyEvent) (bool, error) {
	return ws.s.target.dispatchEvent(e, ws, ws.s.panicHook)
}
