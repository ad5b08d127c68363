package websocket

import (
	"strconv"
	"sync"
	"time"
)

// EventPhase is the phase of an event's dispatch, as the DOM's
// Event.eventPhase reports it. A WebSocket has no parents, so its events are
// only ever AtTarget while dispatched and None otherwise.
type EventPhase uint16

// The DOM event phases.
const (
	EventPhaseNone      EventPhase = 0 // not being dispatched
	EventPhaseCapturing EventPhase = 1 // never used by a WebSocket
	EventPhaseAtTarget  EventPhase = 2 // being dispatched to its target
	EventPhaseBubbling  EventPhase = 3 // never used by a WebSocket
)

// String returns the DOM constant name: "NONE", "CAPTURING_PHASE",
// "AT_TARGET" or "BUBBLING_PHASE".
func (p EventPhase) String() string {
	switch p {
	case EventPhaseNone:
		return "NONE"
	case EventPhaseCapturing:
		return "CAPTURING_PHASE"
	case EventPhaseAtTarget:
		return "AT_TARGET"
	case EventPhaseBubbling:
		return "BUBBLING_PHASE"
	}
	return "EventPhase(" + strconv.Itoa(int(p)) + ")"
}

// The event types a WebSocket fires.
const (
	EventOpen    = "open"    // the connection is established; a plain *Event
	EventMessage = "message" // a message arrived; a *MessageEvent
	EventError   = "error"   // the connection failed; a plain *Event, no details
	EventClose   = "close"   // the connection is closed; a *CloseEvent, always the last event
)

// eventMu guards the dispatch state of every Event (the fields marked
// below). The critical sections are a few loads and stores, so one lock for
// all events costs less than a lock per event and keeps Event copyable.
var eventMu sync.Mutex

// Event is the DOM Event: what the open and error handlers receive, and
// the base of MessageEvent and CloseEvent. Its methods are safe for
// concurrent use; a listener may hand the event to another goroutine.
type Event struct {
	typ        string
	timeStamp  time.Time
	bubbles    bool
	cancelable bool

	// Guarded by eventMu.
	trusted         bool
	target          any
	currentTarget   any
	phase           EventPhase
	dispatching     bool
	canceled        bool // default prevented
	stopPropagation bool
	stopImmediate   bool
}

// NewEvent returns a synthetic event of type typ, for DispatchEvent: it is
// not trusted, does not bubble and is not cancelable.
func NewEvent(typ string) *Event {
	return &Event{typ: typ, timeStamp: time.Now()}
}

// newTrustedEvent returns an event fired by the implementation
// (IsTrusted true), such as open and error.
func newTrustedEvent(typ string) *Event {
	return &Event{typ: typ, timeStamp: time.Now(), trusted: true}
}

// BaseEvent returns e itself. It makes *Event an AnyEvent, and gives
// MessageEvent and CloseEvent, which embed Event, access to their base.
func (e *Event) BaseEvent() *Event { return e }

// Type returns the event's type, such as "open" or "message".
func (e *Event) Type() string { return e.typ }

// Target returns the object the event was dispatched to (the *WebSocket),
// or nil if the event has never been dispatched. It stays set after the
// dispatch ends.
func (e *Event) Target() any {
	eventMu.Lock()
	defer eventMu.Unlock()
	return e.target
}

// CurrentTarget returns the object whose listeners are being called (the
// *WebSocket) while the event is dispatched, and nil otherwise.
func (e *Event) CurrentTarget() any {
	eventMu.Lock()
	defer eventMu.Unlock()
	return e.currentTarget
}

// TimeStamp returns the time the event was created.
func (e *Event) TimeStamp() time.Time { return e.timeStamp }

// Bubbles reports whether the event bubbles. A WebSocket's events never do.
func (e *Event) Bubbles() bool { return e.bubbles }

// Cancelable reports whether PreventDefault has an effect. A WebSocket's
// events never are.
func (e *Event) Cancelable() bool { return e.cancelable }

// EventPhase returns EventPhaseAtTarget while the event is dispatched and
// EventPhaseNone otherwise.
func (e *Event) EventPhase() EventPhase {
	eventMu.Lock()
	defer eventMu.Unlock()
	return e.phase
}

// IsTrusted reports whether the implementation fired the event: true for
// the events of a connection, false for events made with NewEvent,
// NewMessageEvent or NewCloseEvent and for any event dispatched with
// DispatchEvent.
func (e *Event) IsTrusted() bool {
	eventMu.Lock()
	defer eventMu.Unlock()
	return e.trusted
}

// DefaultPrevented reports whether PreventDefault was called on a
// cancelable event.
func (e *Event) DefaultPrevented() bool {
	eventMu.Lock()
	defer eventMu.Unlock()
	return e.canceled
}

// PreventDefault cancels the event if it is cancelable, and does nothing
// otherwise. A WebSocket's events are never cancelable.
func (e *Event) PreventDefault() {
	if !e.cancelable {
		return
	}
	eventMu.Lock()
	e.canceled = true
	eventMu.Unlock()
}

// StopPropagation is the DOM's stopPropagation. A WebSocket has no parents
// for an event to propagate to, so it has no effect on the listeners of the
// socket itself.
func (e *Event) StopPropagation() {
	eventMu.Lock()
	e.stopPropagation = true
	eventMu.Unlock()
}

// StopImmediatePropagation stops the dispatch: the listeners after the
// current one (handlers included) are not called for this event.
func (e *Event) StopImmediatePropagation() {
	eventMu.Lock()
	e.stopPropagation = true
	e.stopImmediate = true
	eventMu.Unlock()
}

// AnyEvent is any event a WebSocket dispatches: *Event, *MessageEvent and
// *CloseEvent implement it. Listeners added with AddEventListener receive
// one; use a type switch to reach the specific fields.
type AnyEvent interface {
	// BaseEvent returns the embedded *Event.
	BaseEvent() *Event
}

// MessageEvent is the event of a received message.
type MessageEvent struct {
	Event

	// Data is the message: a string for a text message; for a binary
	// message, a *Blob or a []byte (the standard's ArrayBuffer) according
	// to the socket's BinaryType when the event was dispatched. A []byte
	// belongs to the receiver.
	Data any

	// Origin is the serialized origin of the socket's URL, such as
	// "ws://example.com:8080" (no default port).
	Origin string

	// LastEventID is always "" for a WebSocket.
	LastEventID string
}

// NewMessageEvent returns a synthetic message event (not trusted, not
// cancelable) of type typ, for DispatchEvent.
func NewMessageEvent(typ string, data any, origin string) *MessageEvent {
	return &MessageEvent{Event: Event{typ: typ, timeStamp: time.Now()}, Data: data, Origin: origin}
}

// newTrustedMessageEvent returns the message event of a received message.
func newTrustedMessageEvent(data any, origin string) *MessageEvent {
	m := NewMessageEvent(EventMessage, data, origin)
	m.trusted = true
	return m
}

// Bytes returns the data as bytes, whatever its form: the UTF-8 bytes of a
// string, the []byte itself (not a copy), or the contents of a *Blob. It
// returns nil for any other Data.
func (m *MessageEvent) Bytes() []byte {
	switch d := m.Data.(type) {
	case string:
		return []byte(d)
	case []byte:
		return d
	case *Blob:
		p, _ := d.Bytes()
		return p
	}
	return nil
}

// Text returns the data as a string: a text message as it is; binary data
// (a []byte or a *Blob) decoded as a browser's blob.text() and TextDecoder
// do: a leading UTF-8 byte order mark is dropped and each ill-formed
// sequence is replaced by U+FFFD. Use string(m.Bytes()) for the raw bytes.
// It returns "" for any other Data.
func (m *MessageEvent) Text() string {
	switch d := m.Data.(type) {
	case string:
		return d
	case []byte:
		return utf8Decode(d)
	case *Blob:
		s, _ := d.Text()
		return s
	}
	return ""
}

// CloseEvent is the event of a closed connection: always the last event of
// a WebSocket.
type CloseEvent struct {
	Event

	// WasClean reports whether the connection closed after a completed
	// closing handshake.
	WasClean bool

	// Code is the code of the first close frame received; 1005 if that
	// frame had no code; 1006 if no close frame was received.
	Code uint16

	// Reason is the reason of the first close frame received, or "".
	Reason string

	// Cause is not in the standard: why the connection closed, for Go
	// programs (a browser hides it). It is nil for a clean close. It never
	// changes Code: a failure reports 1006 whatever its cause.
	Cause error
}

// CloseEventInit holds the fields of a synthetic CloseEvent, as the
// standard's CloseEventInit dictionary. The zero value gives the defaults:
// WasClean false, Code 0, Reason "".
type CloseEventInit struct {
	WasClean bool
	Code     uint16
	Reason   string
}

// NewCloseEvent returns a synthetic close event (not trusted, not
// cancelable) of type typ, for DispatchEvent, as new CloseEvent(type, init)
// does.
func NewCloseEvent(typ string, init CloseEventInit) *CloseEvent {
	return &CloseEvent{
		Event:    Event{typ: typ, timeStamp: time.Now()},
		WasClean: init.WasClean,
		Code:     init.Code,
		Reason:   init.Reason,
	}
}

// newTrustedCloseEvent returns the close event of a connection.
func newTrustedCloseEvent(wasClean bool, code uint16, reason string, cause error) *CloseEvent {
	c := NewCloseEvent(EventClose, CloseEventInit{WasClean: wasClean, Code: code, Reason: reason})
	c.trusted = true
	c.Cause = cause
	return c
}
