package websocket

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// etTarget stands for the socket a dispatch passes as the target.
type etTarget struct{ name string }

// etRecorder collects the order listeners ran in; dispatch is synchronous,
// so a plain slice suffices.
type etRecorder struct{ got []string }

func (r *etRecorder) fn(name string) func(AnyEvent) {
	return func(AnyEvent) { r.got = append(r.got, name) }
}

func (r *etRecorder) take() []string {
	got := r.got
	r.got = nil
	return got
}

// etNoPanic fails the test if a listener panics.
func etNoPanic(t *testing.T) func(string, any) {
	return func(typ string, v any) {
		t.Helper()
		t.Errorf("unexpected panic in %s listener: %v", typ, v)
	}
}

func etDispatch(t *testing.T, et *eventTarget, e AnyEvent, target any) bool {
	t.Helper()
	ok, err := et.dispatch(e, target, etNoPanic(t))
	if err != nil {
		t.Fatalf("dispatch(%q): %v", e.BaseEvent().Type(), err)
	}
	return ok
}

// TestAPI96_ListenerOrder: WPT events/016 — addEventListener, onX,
// addEventListener run in the order 1, 2, 3 for each type; listeners of
// other types are not called.
func TestAPI96_ListenerOrder(t *testing.T) {
	tgt := &etTarget{"ws"}
	for _, typ := range []string{EventOpen, EventMessage, EventError, EventClose} {
		t.Run(typ, func(t *testing.T) {
			var et eventTarget // the zero value is ready
			var r etRecorder
			et.addEventListener(typ, r.fn("1"))
			et.setHandler(typ, r.fn("2"), "orig")
			et.addEventListener(typ, r.fn("3"))
			et.addEventListener("other", r.fn("other"))
			etDispatch(t, &et, newTrustedEvent(typ), tgt)
			if got := r.take(); !slices.Equal(got, []string{"1", "2", "3"}) {
				t.Errorf("order = %v, want [1 2 3]", got)
			}
		})
	}
}

func TestAPI96_HandlerPositionKept(t *testing.T) {
	tests := []struct {
		name  string
		steps func(et *eventTarget, r *etRecorder)
		want  []string
	}{
		{"replaced handler keeps its place", func(et *eventTarget, r *etRecorder) {
			et.addEventListener(EventMessage, r.fn("A"))
			et.setHandler(EventMessage, r.fn("H1"), "h1")
			et.addEventListener(EventMessage, r.fn("B"))
			et.setHandler(EventMessage, r.fn("H2"), "h2")
		}, []string{"A", "H2", "B"}},
		{"cleared then set again goes to the end", func(et *eventTarget, r *etRecorder) {
			et.addEventListener(EventMessage, r.fn("A"))
			et.setHandler(EventMessage, r.fn("H1"), "h1")
			et.addEventListener(EventMessage, r.fn("B"))
			et.setHandler(EventMessage, nil, nil)
			et.setHandler(EventMessage, r.fn("H3"), "h3")
		}, []string{"A", "B", "H3"}},
		{"handler first", func(et *eventTarget, r *etRecorder) {
			et.setHandler(EventMessage, r.fn("H"), "h")
			et.addEventListener(EventMessage, r.fn("A"))
		}, []string{"H", "A"}},
		{"cleared handler runs no more", func(et *eventTarget, r *etRecorder) {
			et.setHandler(EventMessage, r.fn("H"), "h")
			et.addEventListener(EventMessage, r.fn("A"))
			et.setHandler(EventMessage, nil, "ignored")
		}, []string{"A"}},
		{"clearing an unset handler does nothing", func(et *eventTarget, r *etRecorder) {
			et.setHandler(EventMessage, nil, nil)
			et.addEventListener(EventMessage, r.fn("A"))
			et.setHandler(EventMessage, nil, nil)
		}, []string{"A"}},
		{"handlers of different types are independent", func(et *eventTarget, r *etRecorder) {
			et.setHandler(EventOpen, r.fn("open"), "o")
			et.setHandler(EventMessage, r.fn("H"), "h")
			et.setHandler(EventOpen, nil, nil)
		}, []string{"H"}},
		{"same func added twice runs twice", func(et *eventTarget, r *etRecorder) {
			f := r.fn("F")
			et.addEventListener(EventMessage, f)
			et.addEventListener(EventMessage, f)
		}, []string{"F", "F"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var et eventTarget
			var r etRecorder
			tt.steps(&et, &r)
			etDispatch(t, &et, newTrustedMessageEvent("x", ""), &etTarget{})
			if got := r.take(); !slices.Equal(got, tt.want) {
				t.Errorf("order = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAPI95_HandlerGetter: the getter returns the func the user set, nil
// before and after clearing (WPT events/001, events/010, events/014).
func TestAPI95_HandlerGetter(t *testing.T) {
	var et eventTarget
	if h := et.handler(EventOpen); h != nil {
		t.Fatalf("initial handler = %v", h)
	}
	var calls int
	orig := func(*Event) { calls++ }
	et.setHandler(EventOpen, func(e AnyEvent) { orig(e.BaseEvent()) }, orig)
	f, ok := et.handler(EventOpen).(func(*Event))
	if !ok || f == nil {
		t.Fatalf("handler = %T, want func(*Event)", et.handler(EventOpen))
	}
	f(nil)
	if calls != 1 {
		t.Error("getter did not return the func that was set")
	}
	if et.handler(EventClose) != nil {
		t.Error("setting onopen set onclose")
	}
	orig2 := func(*Event) {}
	et.setHandler(EventOpen, func(AnyEvent) {}, orig2)
	if f2, _ := et.handler(EventOpen).(func(*Event)); f2 == nil || fmt.Sprintf("%p", f2) != fmt.Sprintf("%p", orig2) {
		t.Error("getter does not return the replacement")
	}
	et.setHandler(EventOpen, nil, orig2)
	if h := et.handler(EventOpen); h != nil {
		t.Errorf("handler after clearing = %v", h)
	}
}

// TestAPI97_RemovedListenerNotCalled: WPT events/019 — a removed listener
// is not called for later events, synthetic ones included.
func TestAPI97_RemovedListenerNotCalled(t *testing.T) {
	var et eventTarget
	var r etRecorder
	removeA := et.addEventListener(EventOpen, r.fn("A"))
	et.addEventListener(EventOpen, r.fn("B"))
	removeC := et.addEventListener(EventOpen, r.fn("C"))
	removeA()
	removeA() // idempotent: does not remove anything else
	etDispatch(t, &et, newTrustedEvent(EventOpen), &etTarget{})
	if got := r.take(); !slices.Equal(got, []string{"B", "C"}) {
		t.Errorf("after remove: %v, want [B C]", got)
	}
	removeC()
	ok, err := et.dispatchEvent(NewEvent(EventOpen), &etTarget{}, etNoPanic(t))
	if !ok || err != nil {
		t.Fatalf("dispatchEvent = %v, %v", ok, err)
	}
	if got := r.take(); !slices.Equal(got, []string{"B"}) {
		t.Errorf("synthetic after remove: %v, want [B]", got)
	}
	// A nil listener is not added; its remove func is harmless.
	rm := et.addEventListener(EventOpen, nil)
	rm()
	etDispatch(t, &et, newTrustedEvent(EventOpen), &etTarget{})
	if got := r.take(); !slices.Equal(got, []string{"B"}) {
		t.Errorf("after nil listener: %v, want [B]", got)
	}
}

// TestAPI97_RemovedDuringDispatchSkipped: a listener removed (or a
// handler cleared) during a dispatch, before its turn, is skipped.
func TestAPI97_RemovedDuringDispatchSkipped(t *testing.T) {
	var et eventTarget
	var r etRecorder
	var removeB func()
	et.addEventListener(EventMessage, func(e AnyEvent) {
		r.got = append(r.got, "A")
		removeB()
		et.setHandler(EventMessage, nil, nil)
	})
	removeB = et.addEventListener(EventMessage, r.fn("B"))
	et.setHandler(EventMessage, r.fn("H"), "h")
	et.addEventListener(EventMessage, r.fn("D"))
	etDispatch(t, &et, newTrustedMessageEvent("x", ""), &etTarget{})
	if got := r.take(); !slices.Equal(got, []string{"A", "D"}) {
		t.Errorf("order = %v, want [A D]", got)
	}
	// A listener that removes itself and one that already ran.
	var et2 eventTarget
	var removeSelf, removeFirst func()
	removeFirst = et2.addEventListener(EventMessage, r.fn("first"))
	removeSelf = et2.addEventListener(EventMessage, func(AnyEvent) {
		r.got = append(r.got, "self")
		removeSelf()
		removeFirst()
	})
	et2.addEventListener(EventMessage, r.fn("last"))
	etDispatch(t, &et2, newTrustedMessageEvent("x", ""), nil)
	etDispatch(t, &et2, newTrustedMessageEvent("x", ""), nil)
	if got := r.take(); !slices.Equal(got, []string{"first", "self", "last", "last"}) {
		t.Errorf("order = %v, want [first self last last]", got)
	}
}

// TestAPI97_AddedDuringDispatchNotCalled: a listener added, or a handler
// set from nil, during a dispatch is not called for that event, only for
// the next.
func TestAPI97_AddedDuringDispatchNotCalled(t *testing.T) {
	var et eventTarget
	var r etRecorder
	added := false
	et.addEventListener(EventMessage, func(AnyEvent) {
		r.got = append(r.got, "A")
		if !added {
			added = true
			et.addEventListener(EventMessage, r.fn("new"))
			et.setHandler(EventMessage, r.fn("H"), "h")
		}
	})
	et.addEventListener(EventMessage, r.fn("B"))
	etDispatch(t, &et, newTrustedMessageEvent("1", ""), nil)
	if got := r.take(); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("first dispatch = %v, want [A B]", got)
	}
	etDispatch(t, &et, newTrustedMessageEvent("2", ""), nil)
	if got := r.take(); !slices.Equal(got, []string{"A", "B", "new", "H"}) {
		t.Errorf("second dispatch = %v, want [A B new H]", got)
	}
}

// TestAPI97_HandlerReplacedDuringDispatch: HTML's event handler listener
// calls the handler's current value, so replacing it before its turn runs
// the replacement, in the old position.
func TestAPI97_HandlerReplacedDuringDispatch(t *testing.T) {
	var et eventTarget
	var r etRecorder
	et.addEventListener(EventClose, func(AnyEvent) {
		r.got = append(r.got, "A")
		et.setHandler(EventClose, r.fn("H2"), "h2")
	})
	et.setHandler(EventClose, r.fn("H1"), "h1")
	et.addEventListener(EventClose, r.fn("B"))
	etDispatch(t, &et, newTrustedCloseEvent(true, 1000, "", nil), nil)
	if got := r.take(); !slices.Equal(got, []string{"A", "H2", "B"}) {
		t.Errorf("order = %v, want [A H2 B]", got)
	}
}

// TestAPI98_EventFieldsDuringAndAfterDispatch: WPT events/017, 018 —
// inside a listener Target and CurrentTarget are the socket, EventPhase is
// AT_TARGET, Bubbles and Cancelable false, IsTrusted true for the
// implementation's events; afterwards CurrentTarget is nil and EventPhase
// NONE while Target stays.
func TestAPI98_EventFieldsDuringAndAfterDispatch(t *testing.T) {
	tgt := &etTarget{"socket"}
	tests := []struct {
		name      string
		e         AnyEvent
		synthetic bool
	}{
		{"open", newTrustedEvent(EventOpen), false},
		{"message", newTrustedMessageEvent("hi", "ws://h"), false},
		{"error", newTrustedEvent(EventError), false},
		{"close", newTrustedCloseEvent(false, 1006, "", nil), false},
		{"synthetic event", NewEvent(EventOpen), true},
		{"synthetic message", NewMessageEvent(EventMessage, []byte("x"), ""), true},
		{"synthetic close", NewCloseEvent(EventClose, CloseEventInit{Code: 3000}), true},
		{"trusted event re-dispatched by the program", newTrustedEvent(EventError), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var et eventTarget
			e := tt.e.BaseEvent()
			typ := e.Type()
			calls := 0
			check := func(got AnyEvent) {
				calls++
				if got != tt.e {
					t.Errorf("listener got %T %p, want the dispatched %T %p", got, got, tt.e, tt.e)
				}
				if e.Target() != tgt || e.CurrentTarget() != tgt {
					t.Errorf("during: Target %v CurrentTarget %v, want %v", e.Target(), e.CurrentTarget(), tgt)
				}
				if e.EventPhase() != EventPhaseAtTarget {
					t.Errorf("during: EventPhase %v, want AT_TARGET", e.EventPhase())
				}
				if e.Bubbles() || e.Cancelable() {
					t.Errorf("during: Bubbles %v Cancelable %v", e.Bubbles(), e.Cancelable())
				}
				if e.IsTrusted() != !tt.synthetic {
					t.Errorf("during: IsTrusted %v, want %v", e.IsTrusted(), !tt.synthetic)
				}
			}
			et.addEventListener(typ, check)
			et.setHandler(typ, check, check)
			var ok bool
			var err error
			if tt.synthetic {
				ok, err = et.dispatchEvent(tt.e, tgt, etNoPanic(t))
			} else {
				ok, err = et.dispatch(tt.e, tgt, etNoPanic(t))
			}
			if !ok || err != nil {
				t.Fatalf("dispatch = %v, %v", ok, err)
			}
			if calls != 2 {
				t.Errorf("%d calls, want 2", calls)
			}
			if e.Target() != tgt || e.CurrentTarget() != nil || e.EventPhase() != EventPhaseNone {
				t.Errorf("after: Target %v CurrentTarget %v EventPhase %v; want %v, nil, NONE",
					e.Target(), e.CurrentTarget(), e.EventPhase(), tgt)
			}
			if e.IsTrusted() != !tt.synthetic {
				t.Errorf("after: IsTrusted %v, want %v", e.IsTrusted(), !tt.synthetic)
			}
		})
	}
}

// TestAPI98_ListenerGetsConcreteEvent: listeners can reach the fields of
// *MessageEvent and *CloseEvent through the AnyEvent.
func TestAPI98_ListenerGetsConcreteEvent(t *testing.T) {
	var et eventTarget
	var got []string
	listen := func(e AnyEvent) {
		switch e := e.(type) {
		case *MessageEvent:
			got = append(got, "message:"+e.Text())
		case *CloseEvent:
			got = append(got, fmt.Sprintf("close:%d:%s:%v", e.Code, e.Reason, e.WasClean))
		case *Event:
			got = append(got, "event:"+e.Type())
		}
	}
	for _, typ := range []string{EventOpen, EventMessage, EventError, EventClose} {
		et.addEventListener(typ, listen)
	}
	etDispatch(t, &et, newTrustedEvent(EventOpen), nil)
	etDispatch(t, &et, newTrustedMessageEvent("hello", ""), nil)
	etDispatch(t, &et, newTrustedEvent(EventError), nil)
	etDispatch(t, &et, newTrustedCloseEvent(true, 4000, "done", nil), nil)
	want := []string{"event:open", "message:hello", "event:error", "close:4000:done:true"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestAPI99_PanicRecoveredAndDispatchContinues: decision 5 — a panic is
// recovered, reported with the event type, and the next listener runs;
// later events are dispatched normally.
func TestAPI99_PanicRecoveredAndDispatchContinues(t *testing.T) {
	var et eventTarget
	var r etRecorder
	type report struct {
		typ string
		v   any
	}
	var reports []report
	var stackHasListener bool
	onPanic := func(typ string, v any) {
		reports = append(reports, report{typ, v})
		stackHasListener = stackHasListener || strings.Contains(string(stackOf()), "panickingListener")
	}
	boomErr := errors.New("boom error")
	et.addEventListener(EventMessage, panickingListener)
	et.addEventListener(EventMessage, r.fn("after string panic"))
	et.setHandler(EventMessage, func(AnyEvent) { panic(boomErr) }, "h")
	et.addEventListener(EventMessage, func(AnyEvent) { var p *Event; _ = p.typ }) // runtime error
	et.addEventListener(EventMessage, func(AnyEvent) { panic(nil) })
	et.addEventListener(EventMessage, r.fn("last"))

	for i := range 2 {
		e := newTrustedMessageEvent("x", "")
		ok, err := et.dispatch(e, "target", onPanic)
		if !ok || err != nil {
			t.Fatalf("dispatch %d = %v, %v", i, ok, err)
		}
		if got := r.take(); !slices.Equal(got, []string{"after string panic", "last"}) {
			t.Errorf("dispatch %d ran %v", i, got)
		}
		if e.CurrentTarget() != nil || e.EventPhase() != EventPhaseNone {
			t.Errorf("dispatch %d: event not reset after panics", i)
		}
	}
	if len(reports) != 8 {
		t.Fatalf("%d reports, want 8: %v", len(reports), reports)
	}
	for _, rp := range reports {
		if rp.typ != EventMessage {
			t.Errorf("report type %q", rp.typ)
		}
	}
	if reports[0].v != "string panic" || reports[1].v != boomErr {
		t.Errorf("reports = %v", reports[:2])
	}
	if re, ok := reports[2].v.(runtime.Error); !ok {
		t.Errorf("report 2 = %T %v, want a runtime.Error", reports[2].v, re)
	}
	if _, ok := reports[3].v.(*runtime.PanicNilError); !ok {
		t.Errorf("report 3 = %T, want *runtime.PanicNilError", reports[3].v)
	}
	if !stackHasListener {
		t.Error("onPanic's stack does not show the panicking listener")
	}
}

func panickingListener(AnyEvent) { panic("string panic") }

func stackOf() []byte {
	buf := make([]byte, 1<<16)
	return buf[:runtime.Stack(buf, false)]
}

// TestAPI99_PanicInOnPanicLeavesEventUsable: if the hook itself panics, the
// panic propagates, but the event is not left marked as being dispatched.
func TestAPI99_PanicInOnPanicLeavesEventUsable(t *testing.T) {
	var et eventTarget
	et.addEventListener(EventOpen, func(AnyEvent) { panic("listener") })
	e := newTrustedEvent(EventOpen)
	func() {
		defer func() {
			if v := recover(); v != "hook" {
				t.Errorf("recovered %v, want the hook's panic", v)
			}
		}()
		et.dispatch(e, "t", func(string, any) { panic("hook") })
	}()
	if e.EventPhase() != EventPhaseNone || e.CurrentTarget() != nil {
		t.Error("event left in dispatch state")
	}
	if _, err := et.dispatch(e, "t", func(string, any) {}); err != nil {
		t.Errorf("redispatch after hook panic: %v", err)
	}
}

// TestAPI99_DefaultPanicReport runs in a child process: with a nil onPanic
// the panic is printed to standard error with a stack, and the process goes
// on.
func TestAPI99_DefaultPanicReport(t *testing.T) {
	if os.Getenv("WEBSOCKET_ET_CHILD") == "1" {
		var et eventTarget
		et.addEventListener(EventError, panickingListener)
		et.addEventListener(EventError, func(AnyEvent) { fmt.Println("next listener ran") })
		et.dispatch(newTrustedEvent(EventError), nil, nil)
		fmt.Println("dispatch returned")
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestAPI99_DefaultPanicReport$", "-test.count=1")
	cmd.Env = append(os.Environ(), "WEBSOCKET_ET_CHILD=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run the test binary as a child (%v): %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "next listener ran") || !strings.Contains(stdout.String(), "dispatch returned") {
		t.Errorf("child stdout: %q", stdout.String())
	}
	if s := stderr.String(); !strings.Contains(s, "websocket: panic in error listener: string panic") || !strings.Contains(s, "panickingListener") {
		t.Errorf("child stderr: %q", s)
	}
}

// TestAPI100_DispatchWhileDispatchingIsInvalidState: dispatching an event
// that is being dispatched returns an error matching ErrInvalidState and
// changes nothing; once the dispatch ended the event can be dispatched
// again.
func TestAPI100_DispatchWhileDispatchingIsInvalidState(t *testing.T) {
	tgt, other := &etTarget{"a"}, &etTarget{"b"}
	var et, et2 eventTarget
	e := newTrustedMessageEvent("x", "")
	calls, otherCalls := 0, 0
	et2.addEventListener(EventMessage, func(AnyEvent) { otherCalls++ })
	et.addEventListener(EventMessage, func(AnyEvent) {
		calls++
		for _, f := range []func() (bool, error){
			func() (bool, error) { return et.dispatch(e, tgt, etNoPanic(t)) },
			func() (bool, error) { return et.dispatchEvent(e, tgt, etNoPanic(t)) },
			func() (bool, error) { return et2.dispatch(e, other, etNoPanic(t)) },
		} {
			ok, err := f()
			if ok || !errors.Is(err, ErrInvalidState) {
				t.Errorf("nested dispatch = %v, %v; want false, InvalidStateError", ok, err)
			}
			var de *DOMException
			if !errors.As(err, &de) || de.Message == "" {
				t.Errorf("error %v is not a *DOMException with a message", err)
			}
		}
		// Nothing changed: same target, still at target, still trusted.
		if e.Target() != tgt || e.CurrentTarget() != tgt || e.EventPhase() != EventPhaseAtTarget || !e.IsTrusted() {
			t.Errorf("failed nested dispatch changed the event: %v %v %v %v", e.Target(), e.CurrentTarget(), e.EventPhase(), e.IsTrusted())
		}
	})
	etDispatch(t, &et, e, tgt)
	if calls != 1 || otherCalls != 0 {
		t.Errorf("calls = %d, other target calls = %d; want 1, 0", calls, otherCalls)
	}
	// Dispatching it again afterwards is allowed (to another target too).
	etDispatch(t, &et2, e, other)
	if otherCalls != 1 || e.Target() != other {
		t.Errorf("re-dispatch: other calls %d, target %v", otherCalls, e.Target())
	}
}

// TestAPI100_NestedDispatchOfAnotherEvent: a listener may dispatch a
// different event (DOM allows it); each dispatch has its own snapshot.
func TestAPI100_NestedDispatchOfAnotherEvent(t *testing.T) {
	var et eventTarget
	var r etRecorder
	outer, inner := NewEvent("x"), NewEvent("x")
	et.addEventListener("x", func(e AnyEvent) {
		if e == outer {
			r.got = append(r.got, "A-outer")
			etDispatch(t, &et, inner, "t")
			if outer.EventPhase() != EventPhaseAtTarget || outer.CurrentTarget() != "t" {
				t.Error("inner dispatch reset the outer event")
			}
			return
		}
		r.got = append(r.got, "A-inner")
	})
	et.addEventListener("x", func(e AnyEvent) {
		if e == outer {
			r.got = append(r.got, "B-outer")
		} else {
			r.got = append(r.got, "B-inner")
		}
	})
	etDispatch(t, &et, outer, "t")
	if got := r.take(); !slices.Equal(got, []string{"A-outer", "A-inner", "B-inner", "B-outer"}) {
		t.Errorf("order = %v", got)
	}
}

// TestAPI100_ReturnValue: dispatch returns false only for a cancelable
// event whose default was prevented.
func TestAPI100_ReturnValue(t *testing.T) {
	tests := []struct {
		name       string
		cancelable bool
		prevent    bool
		want       bool
	}{
		{"not cancelable, not prevented", false, false, true},
		{"not cancelable, PreventDefault ignored", false, true, true},
		{"cancelable, not prevented", true, false, true},
		{"cancelable, prevented", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var et eventTarget
			e := NewEvent("x")
			e.cancelable = tt.cancelable
			et.addEventListener("x", func(e AnyEvent) {
				if tt.prevent {
					e.BaseEvent().PreventDefault()
				}
			})
			ok, err := et.dispatchEvent(e, nil, etNoPanic(t))
			if ok != tt.want || err != nil {
				t.Errorf("dispatch = %v, %v; want %v, nil", ok, err, tt.want)
			}
			if e.DefaultPrevented() != !tt.want {
				t.Errorf("DefaultPrevented = %v", e.DefaultPrevented())
			}
		})
	}
}

// TestAPI100_NilEventIsTypeError: dispatchEvent(null) is a TypeError in JS.
func TestAPI100_NilEventIsTypeError(t *testing.T) {
	var et eventTarget
	et.addEventListener(EventMessage, func(AnyEvent) { t.Error("listener called for a nil event") })
	var nilMsg *MessageEvent
	var nilClose *CloseEvent
	var nilEvent *Event
	for _, e := range []AnyEvent{nil, nilMsg, nilClose, nilEvent} {
		ok, err := et.dispatch(e, nil, etNoPanic(t))
		var te *TypeError
		if ok || !errors.As(err, &te) {
			t.Errorf("dispatch(%T nil) = %v, %v; want false, *TypeError", e, ok, err)
		}
	}
}

func TestOnce_ListenerRunsOnce(t *testing.T) {
	var et eventTarget
	var r etRecorder
	remove := et.addEventListener(EventOpen, r.fn("once"), Once())
	et.addEventListener(EventOpen, r.fn("always"), nil) // a nil option is ignored
	if !et.hasListeners(EventOpen) {
		t.Fatal("hasListeners false")
	}
	etDispatch(t, &et, newTrustedEvent(EventOpen), nil)
	etDispatch(t, &et, newTrustedEvent(EventOpen), nil)
	remove() // already removed: no effect
	etDispatch(t, &et, newTrustedEvent(EventOpen), nil)
	if got := r.take(); !slices.Equal(got, []string{"once", "always", "always", "always"}) {
		t.Errorf("got %v", got)
	}

	// A once listener is removed before it is called: a nested dispatch of
	// another event from inside it does not call it again.
	var et2 eventTarget
	n := 0
	et2.addEventListener("x", func(AnyEvent) {
		n++
		etDispatch(t, &et2, NewEvent("x"), nil)
	}, Once())
	etDispatch(t, &et2, NewEvent("x"), nil)
	if n != 1 || et2.hasListeners("x") {
		t.Errorf("once listener ran %d times; hasListeners %v", n, et2.hasListeners("x"))
	}
}

func TestEventTarget_HasListeners(t *testing.T) {
	var et eventTarget
	if et.hasListeners(EventClose) {
		t.Error("zero value has listeners")
	}
	rm := et.addEventListener(EventClose, func(AnyEvent) {})
	et.setHandler(EventClose, func(AnyEvent) {}, "h")
	if !et.hasListeners(EventClose) || et.hasListeners(EventOpen) {
		t.Error("hasListeners wrong after registration")
	}
	rm()
	if !et.hasListeners(EventClose) {
		t.Error("handler not counted")
	}
	et.setHandler(EventClose, nil, nil)
	if et.hasListeners(EventClose) {
		t.Error("hasListeners after everything was removed")
	}
}

// TestEvent_StopImmediatePropagation: the DOM's flags, on a single target.
func TestEvent_StopImmediatePropagation(t *testing.T) {
	var et eventTarget
	var r etRecorder
	stop := true
	et.addEventListener("x", r.fn("A"))
	et.addEventListener("x", func(e AnyEvent) {
		r.got = append(r.got, "B")
		e.BaseEvent().StopPropagation() // no parents: no effect here
		if stop {
			e.BaseEvent().StopImmediatePropagation()
		}
	})
	et.setHandler("x", r.fn("H"), "h")
	e := NewEvent("x")
	etDispatch(t, &et, e, nil)
	if got := r.take(); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("with stopImmediatePropagation: %v, want [A B]", got)
	}
	// The flags are cleared when the dispatch ends.
	stop = false
	etDispatch(t, &et, e, nil)
	if got := r.take(); !slices.Equal(got, []string{"A", "B", "H"}) {
		t.Errorf("re-dispatch: %v, want [A B H]", got)
	}
	// Propagation stopped before the dispatch: no listener runs.
	e2 := NewEvent("x")
	e2.StopPropagation()
	etDispatch(t, &et, e2, nil)
	if got := r.take(); len(got) != 0 {
		t.Errorf("stopped before dispatch: %v ran", got)
	}
}

// TestEventTarget_ConcurrentRegistration: the event loop dispatches while
// other goroutines add and remove listeners, set and clear handlers, and
// read the events handed to them; listeners register too. Run with -race.
func TestEventTarget_ConcurrentRegistration(t *testing.T) {
	var et eventTarget
	const events = 1000
	var permanent1, permanent2 atomic.Int64
	var orderBroken atomic.Bool
	et.addEventListener(EventMessage, func(AnyEvent) { permanent1.Add(1) })
	et.addEventListener(EventMessage, func(AnyEvent) {
		if permanent2.Add(1) != permanent1.Load() {
			orderBroken.Store(true)
		}
	})
	handed := make(chan AnyEvent, events)
	et.addEventListener(EventMessage, func(e AnyEvent) {
		// From inside a listener: register and remove.
		rm := et.addEventListener(EventMessage, func(AnyEvent) {})
		rm()
		et.addEventListener(EventMessage, func(AnyEvent) {}, Once())
		handed <- e
	})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				rm := et.addEventListener(EventMessage, func(AnyEvent) {}, Once())
				if i%2 == 0 {
					rm()
				}
				if g%2 == 0 {
					et.setHandler(EventMessage, func(AnyEvent) {}, i)
				} else {
					et.setHandler(EventMessage, nil, nil)
				}
				_ = et.handler(EventMessage)
				_ = et.hasListeners(EventMessage)
				runtime.Gosched()
			}
		})
	}
	// Readers of events handed off by a listener, racing with the end of
	// their dispatch.
	wg.Go(func() {
		for e := range handed {
			b := e.BaseEvent()
			_, _, _, _ = b.Target(), b.CurrentTarget(), b.EventPhase(), b.IsTrusted()
			_ = e.(*MessageEvent).Text()
		}
	})

	tgt := &etTarget{"loop"}
	for i := range events {
		e := newTrustedMessageEvent(fmt.Sprint(i), "")
		if ok, err := et.dispatch(e, tgt, etNoPanic(t)); !ok || err != nil {
			t.Fatalf("dispatch %d: %v, %v", i, ok, err)
		}
	}
	close(stop)
	close(handed)
	wg.Wait()
	if permanent1.Load() != events || permanent2.Load() != events || orderBroken.Load() {
		t.Errorf("permanent listeners ran %d and %d times (want %d), order broken: %v",
			permanent1.Load(), permanent2.Load(), events, orderBroken.Load())
	}
}

// TestEventTarget_ConcurrentDispatchOfOneEvent: two goroutines dispatch the
// same event at once (a program calling DispatchEvent from two
// goroutines): exactly one wins, the other gets InvalidStateError, or they
// run one after the other. Never both at once.
func TestEventTarget_ConcurrentDispatchOfOneEvent(t *testing.T) {
	var et eventTarget
	var inside, overlap atomic.Int32
	et.addEventListener("x", func(AnyEvent) {
		if inside.Add(1) > 1 {
			overlap.Store(1)
		}
		runtime.Gosched()
		inside.Add(-1)
	})
	for range 200 {
		e := NewEvent("x")
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if _, err := et.dispatchEvent(e, nil, etNoPanic(t)); err != nil && !errors.Is(err, ErrInvalidState) {
					t.Errorf("dispatch: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if overlap.Load() != 0 {
		t.Error("one event was dispatched twice at the same time")
	}
}

func BenchmarkDispatch(b *testing.B) {
	var et eventTarget
	n := 0
	et.setHandler(EventMessage, func(AnyEvent) { n++ }, "h")
	et.addEventListener(EventMessage, func(AnyEvent) { n++ })
	tgt := &etTarget{}
	e := newTrustedMessageEvent("x", "")
	b.ReportAllocs()
	for b.Loop() {
		et.dispatch(e, tgt, nil)
	}
}
