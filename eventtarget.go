package websocket

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// A ListenerOption configures a listener added with AddEventListener.
type ListenerOption func(*listenerOptions)

type listenerOptions struct {
	once bool
}

// Once makes the listener run at most once: it is removed just before its
// first call, as the DOM's {once: true} does.
func Once() ListenerOption {
	return func(o *listenerOptions) { o.once = true }
}

// listener is one entry of the event listener list. Its fn, orig and
// removed fields are guarded by the eventTarget's mu.
type listener struct {
	typ string
	// fn is what the listener calls; nil for an on<type> handler set with
	// setTypedHandler, which calls orig (callTyped).
	fn func(AnyEvent)
	// orig is the func the user gave for an on<type> handler (for the
	// getters); nil for a plain listener.
	orig    any
	handler bool // an on<type> event handler (API-95)
	once    bool
	removed bool
}

// eventTarget is the DOM EventTarget of a socket: an ordered list of
// listeners, each for one event type, some of which are the on<type>
// handlers. The zero value has no listeners and is ready to use.
//
// Registration (setHandler, addEventListener, the remove funcs) is safe from
// any goroutine, including from a listener during a dispatch. The lock is
// never held while a listener runs.
//
// The list is copy-on-write: it is never modified in place below its
// length (appending writes past it, removing allocates a new slice), so
// dispatch takes its snapshot without copying. One list for all the types,
// rather than a map of lists, costs a socket a few bytes instead of a few
// hundred: a socket has a handful of listeners, and a dispatch skips the
// ones of other types.
type eventTarget struct {
	mu   sync.Mutex
	list []*listener
}

// setHandler sets the on<typ> event handler (API-95, API-96). The first
// non-nil fn appends a listener at the end of the list; a later non-nil fn
// replaces the handler in place, keeping its position; a nil fn removes it,
// and setting one again afterwards appends at the end. orig is the func the
// user passed, returned by handler; it is ignored when fn is nil.
//
// Replacing the handler during a dispatch takes effect at once: the
// handler's listener calls the current fn when its turn comes, as HTML's
// event handler processing does.
func (t *eventTarget) setHandler(typ string, fn func(AnyEvent), orig any) {
	if fn == nil {
		orig = nil
	}
	t.set(typ, fn, orig)
}

// setTypedHandler is setHandler for a handler of the socket's own form
// (func(*Event), func(*MessageEvent) or func(*CloseEvent)), called
// without a wrapper: see callTyped. A nil orig removes the handler.
func (t *eventTarget) setTypedHandler(typ string, orig any) {
	t.set(typ, nil, orig)
}

// set sets the handler of typ to fn, or to orig if fn is nil; both nil
// remove it.
func (t *eventTarget) set(typ string, fn func(AnyEvent), orig any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.handlerLocked(typ)
	switch {
	case fn == nil && orig == nil:
		if h != nil {
			t.removeLocked(h)
		}
	case h != nil:
		h.fn = fn
		h.orig = orig
	default:
		t.list = append(t.list, &listener{typ: typ, fn: fn, orig: orig, handler: true})
	}
}

func (t *eventTarget) handlerLocked(typ string) *listener {
	for _, l := range t.list {
		if l.handler && l.typ == typ {
			return l
		}
	}
	return nil
}

// handler returns the orig func of the on<typ> handler, or nil.
func (t *eventTarget) handler(typ string) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h := t.handlerLocked(typ); h != nil {
		return h.orig
	}
	return nil
}

// addEventListener appends fn to the listeners of typ (API-96) and returns
// the func that removes it; calling remove again does nothing. A nil fn adds
// nothing, as the DOM ignores a null callback. The same fn added twice is
// called twice: funcs cannot be compared, so there is no deduplication.
func (t *eventTarget) addEventListener(typ string, fn func(AnyEvent), opts ...ListenerOption) (remove func()) {
	if fn == nil {
		return func() {}
	}
	var o listenerOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	l := &listener{typ: typ, fn: fn, once: o.once}
	t.mu.Lock()
	t.list = append(t.list, l)
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		t.removeLocked(l)
		t.mu.Unlock()
	}
}

// hasListeners reports whether typ has any listener, handler included.
func (t *eventTarget) hasListeners(typ string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range t.list {
		if l.typ == typ {
			return true
		}
	}
	return false
}

// removeLocked flags l as removed, so that a dispatch in progress skips it,
// and takes it out of the list (into a new slice: snapshots stay intact).
func (t *eventTarget) removeLocked(l *listener) {
	if l.removed {
		return
	}
	l.removed = true
	if len(t.list) == 1 {
		t.list = nil
		return
	}
	list := make([]*listener, 0, len(t.list)-1)
	for _, x := range t.list {
		if x != l {
			list = append(list, x)
		}
	}
	t.list = list
}

// dispatch dispatches e to target's listeners of e's type, in order
// (API-97, API-98), keeping e's IsTrusted as it is: the socket's event loop
// uses it for the events of the connection.
//
// The listeners are those registered when dispatch starts: one added during
// the dispatch is not called for e; one removed during the dispatch before
// its turn is skipped. While a listener runs, e's Target and CurrentTarget
// are target and its EventPhase is AtTarget; afterwards CurrentTarget is nil
// and EventPhase None, while Target stays.
//
// A panic in a listener is recovered and passed to onPanic with the event's
// type, and dispatch goes on with the next listener (API-99). onPanic runs
// in the deferred recovery, so runtime/debug.Stack shows the listener's
// stack. A nil onPanic prints the panic and the stack to standard error.
//
// dispatch returns false if e is cancelable and its default was prevented,
// and true otherwise. If e is already being dispatched it returns an error
// matching ErrInvalidState and does nothing (API-100); if e is nil, a
// *TypeError.
func (t *eventTarget) dispatch(e AnyEvent, target any, onPanic func(typ string, v any)) (bool, error) {
	return t.dispatchAs(e, target, onPanic, false)
}

// dispatchEvent is dispatch for EventTarget.dispatchEvent, that is for the
// socket's DispatchEvent: as the DOM says, once the checks passed, the
// event's IsTrusted becomes false, so an event of the connection dispatched
// again by the program is no longer trusted.
func (t *eventTarget) dispatchEvent(e AnyEvent, target any, onPanic func(typ string, v any)) (bool, error) {
	return t.dispatchAs(e, target, onPanic, true)
}

func (t *eventTarget) dispatchAs(e AnyEvent, target any, onPanic func(typ string, v any), untrust bool) (bool, error) {
	ev := baseEvent(e)
	if ev == nil {
		return false, &TypeError{Message: "dispatch of a nil event"}
	}

	eventMu.Lock()
	if ev.dispatching {
		eventMu.Unlock()
		return false, newDOMException("InvalidStateError", "the %q event is already being dispatched", ev.typ)
	}
	ev.dispatching = true
	if untrust {
		ev.trusted = false
	}
	ev.target = target
	ev.currentTarget = target
	ev.phase = EventPhaseAtTarget
	eventMu.Unlock()

	// Reset in a defer, so that the event is consistent even if onPanic
	// itself panics.
	defer func() {
		eventMu.Lock()
		ev.dispatching = false
		ev.currentTarget = nil
		ev.phase = EventPhaseNone
		ev.stopPropagation = false
		ev.stopImmediate = false
		eventMu.Unlock()
	}()

	t.mu.Lock()
	snapshot := t.list
	t.mu.Unlock()

	// As the DOM's invoke: a propagation stopped before the dispatch calls
	// no listener; a stopped immediate propagation calls no further one.
	eventMu.Lock()
	stop := ev.stopPropagation
	eventMu.Unlock()
	for _, l := range snapshot {
		if stop {
			break
		}
		if l.typ != ev.typ { // set once: no lock needed
			continue
		}
		t.mu.Lock()
		if l.removed {
			t.mu.Unlock()
			continue
		}
		if l.once {
			t.removeLocked(l)
		}
		fn, orig := l.fn, l.orig
		t.mu.Unlock()
		if fn != nil {
			callListener(fn, e, ev.typ, onPanic)
		} else {
			callTyped(orig, e, ev.typ, onPanic)
		}
		eventMu.Lock()
		stop = ev.stopImmediate
		eventMu.Unlock()
	}

	eventMu.Lock()
	canceled := ev.canceled
	eventMu.Unlock()
	return !canceled, nil
}

// callListener calls fn(e), recovering a panic into onPanic.
func callListener(fn func(AnyEvent), e AnyEvent, typ string, onPanic func(string, any)) {
	defer recoverListener(typ, onPanic)
	fn(e)
}

// recoverListener, deferred by a listener's caller, recovers the
// listener's panic into onPanic, or prints it.
func recoverListener(typ string, onPanic func(string, any)) {
	if v := recover(); v != nil {
		if onPanic != nil {
			onPanic(typ, v)
			return
		}
		printListenerPanic(typ, v)
	}
}

// callTyped calls a handler set with setTypedHandler, as callListener
// does: with e if it has the handler's type (an event of another type,
// dispatched by the program under the handler's name, is not passed).
func callTyped(orig any, e AnyEvent, typ string, onPanic func(string, any)) {
	defer recoverListener(typ, onPanic)
	switch f := orig.(type) {
	case func(*Event):
		f(e.BaseEvent())
	case func(*MessageEvent):
		if m, ok := e.(*MessageEvent); ok {
			f(m)
		}
	case func(*CloseEvent):
		if c, ok := e.(*CloseEvent); ok {
			f(c)
		}
	}
}

// printListenerPanic is the default report of a listener's panic, as a
// browser reports an exception to the console.
func printListenerPanic(typ string, v any) {
	os.Stderr.WriteString("websocket: panic in " + typ + " listener: " + fmt.Sprint(v) + "\n" + string(debug.Stack()))
}

// baseEvent returns e's *Event, or nil for a nil event, including a nil
// *MessageEvent or *CloseEvent (whose promoted BaseEvent would panic).
func baseEvent(e AnyEvent) *Event {
	switch x := e.(type) {
	case nil:
		return nil
	case *Event:
		return x
	case *MessageEvent:
		if x == nil {
			return nil
		}
		return &x.Event
	case *CloseEvent:
		if x == nil {
			return nil
		}
		return &x.Event
	}
	return e.BaseEvent()
}
