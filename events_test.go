package websocket

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestAPI95_EventTypeConstants(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{EventOpen, "open"}, {EventMessage, "message"}, {EventError, "error"}, {EventClose, "close"},
	} {
		if c.got != c.want {
			t.Errorf("constant = %q, want %q", c.got, c.want)
		}
	}
}

func TestEventPhase_Values(t *testing.T) {
	tests := []struct {
		p    EventPhase
		n    uint16
		name string
	}{
		{EventPhaseNone, 0, "NONE"},
		{EventPhaseCapturing, 1, "CAPTURING_PHASE"},
		{EventPhaseAtTarget, 2, "AT_TARGET"},
		{EventPhaseBubbling, 3, "BUBBLING_PHASE"},
		{EventPhase(7), 7, "EventPhase(7)"},
	}
	for _, tt := range tests {
		if uint16(tt.p) != tt.n || tt.p.String() != tt.name {
			t.Errorf("phase %d: value %d, String %q; want %d, %q", tt.p, uint16(tt.p), tt.p.String(), tt.n, tt.name)
		}
	}
}

// TestAPI101_EventDefaults checks the state of every kind of event before
// any dispatch.
func TestAPI101_EventDefaults(t *testing.T) {
	before := time.Now()
	tests := []struct {
		name    string
		e       AnyEvent
		typ     string
		trusted bool
	}{
		{"NewEvent", NewEvent("custom"), "custom", false},
		{"NewEvent empty type", NewEvent(""), "", false},
		{"NewMessageEvent", NewMessageEvent("message", "x", "ws://h"), "message", false},
		{"NewCloseEvent", NewCloseEvent("close", CloseEventInit{}), "close", false},
		{"trusted open", newTrustedEvent(EventOpen), "open", true},
		{"trusted error", newTrustedEvent(EventError), "error", true},
		{"trusted message", newTrustedMessageEvent("x", "ws://h"), "message", true},
		{"trusted close", newTrustedCloseEvent(true, 1000, "", nil), "close", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e.BaseEvent()
			if e.Type() != tt.typ {
				t.Errorf("Type() = %q, want %q", e.Type(), tt.typ)
			}
			if e.IsTrusted() != tt.trusted {
				t.Errorf("IsTrusted() = %v, want %v", e.IsTrusted(), tt.trusted)
			}
			if e.Target() != nil || e.CurrentTarget() != nil {
				t.Errorf("Target/CurrentTarget = %v/%v before dispatch, want nil", e.Target(), e.CurrentTarget())
			}
			if e.EventPhase() != EventPhaseNone {
				t.Errorf("EventPhase() = %v, want NONE", e.EventPhase())
			}
			if e.Bubbles() || e.Cancelable() {
				t.Errorf("Bubbles/Cancelable = %v/%v, want false/false", e.Bubbles(), e.Cancelable())
			}
			if ts := e.TimeStamp(); ts.Before(before) || ts.After(time.Now()) {
				t.Errorf("TimeStamp() = %v, not the creation time", ts)
			}
			e.PreventDefault() // not cancelable: no effect
			if e.DefaultPrevented() {
				t.Error("PreventDefault took effect on a non-cancelable event")
			}
			if e.BaseEvent() != e {
				t.Error("(*Event).BaseEvent() is not itself")
			}
		})
	}
}

func TestAPI101_AnyEventBase(t *testing.T) {
	m := NewMessageEvent("message", "x", "")
	c := NewCloseEvent("close", CloseEventInit{})
	if AnyEvent(m).BaseEvent() != &m.Event {
		t.Error("MessageEvent's BaseEvent is not its embedded Event")
	}
	if AnyEvent(c).BaseEvent() != &c.Event {
		t.Error("CloseEvent's BaseEvent is not its embedded Event")
	}
}

func TestAPI102_MessageEventFields(t *testing.T) {
	m := newTrustedMessageEvent("hi", "ws://example.com:8080")
	if m.Type() != EventMessage || m.Data != "hi" || m.Origin != "ws://example.com:8080" || m.LastEventID != "" {
		t.Errorf("message event = %q %v %q %q", m.Type(), m.Data, m.Origin, m.LastEventID)
	}
	s := NewMessageEvent("custom", []byte{1}, "o")
	if s.Type() != "custom" || s.IsTrusted() || s.Origin != "o" {
		t.Errorf("synthetic message event = %q trusted=%v origin=%q", s.Type(), s.IsTrusted(), s.Origin)
	}
}

func TestAPI60_MessageEventBytesAndText(t *testing.T) {
	raw := []byte("r\xC3\xA5w")
	tests := []struct {
		name      string
		data      any
		wantBytes []byte
		wantText  string
	}{
		{"string", "tëxt", []byte("tëxt"), "tëxt"},
		{"empty string", "", []byte{}, ""},
		{"[]byte", raw, raw, "råw"},
		{"empty []byte", []byte{}, []byte{}, ""},
		{"*Blob", NewBlob([]byte("bl"), []byte("ob")), []byte("blob"), "blob"},
		{"empty *Blob", NewBlob(), []byte{}, ""},
		{"binary with invalid UTF-8", []byte("a\xF0\x9F\x98b"), []byte("a\xF0\x9F\x98b"), "a\uFFFDb"},
		{"binary with BOM", []byte("\xEF\xBB\xBFx"), []byte("\xEF\xBB\xBFx"), "x"},
		{"blob with invalid UTF-8", NewBlob([]byte("\xFF")), []byte("\xFF"), "\uFFFD"},
		{"nil", nil, nil, ""},
		{"unsupported", 42, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMessageEvent("message", tt.data, "")
			if got := m.Bytes(); !bytes.Equal(got, tt.wantBytes) || (got == nil) != (tt.wantBytes == nil) {
				t.Errorf("Bytes() = %q, want %q", got, tt.wantBytes)
			}
			if got := m.Text(); got != tt.wantText {
				t.Errorf("Text() = %q, want %q", got, tt.wantText)
			}
		})
	}
	// []byte data is returned as it is, not copied.
	m := NewMessageEvent("message", raw, "")
	if b := m.Bytes(); &b[0] != &raw[0] {
		t.Error("Bytes() copied the []byte data")
	}
	// A *Blob's bytes are a copy: changing them leaves the blob intact.
	bl := NewBlob([]byte("abc"))
	m = NewMessageEvent("message", bl, "")
	m.Bytes()[0] = 'X'
	if got, _ := bl.Text(); got != "abc" {
		t.Errorf("blob changed through Bytes(): %q", got)
	}
}

// TestAPI103_CloseEventDefaults: new CloseEvent(type) has wasClean false,
// code 0, reason "" (WPT CloseEvent/constructor); init values are kept.
func TestAPI103_CloseEventDefaults(t *testing.T) {
	tests := []struct {
		name string
		init CloseEventInit
	}{
		{"defaults", CloseEventInit{}},
		{"all set", CloseEventInit{WasClean: true, Code: 4000, Reason: "bye"}},
		{"code only", CloseEventInit{Code: 1006}},
		{"max code", CloseEventInit{Code: 65535}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCloseEvent("close", tt.init)
			if c.WasClean != tt.init.WasClean || c.Code != tt.init.Code || c.Reason != tt.init.Reason || c.Cause != nil {
				t.Errorf("NewCloseEvent(%+v) = %v %d %q %v", tt.init, c.WasClean, c.Code, c.Reason, c.Cause)
			}
			if c.IsTrusted() || c.Bubbles() || c.Cancelable() || c.Type() != "close" {
				t.Errorf("trusted=%v bubbles=%v cancelable=%v type=%q", c.IsTrusted(), c.Bubbles(), c.Cancelable(), c.Type())
			}
		})
	}
	if c := NewCloseEvent("other", CloseEventInit{}); c.Type() != "other" {
		t.Errorf("Type() = %q", c.Type())
	}
}

// TestAPI92_TrustedCloseEventCause: Cause is carried and never changes Code.
func TestAPI92_TrustedCloseEventCause(t *testing.T) {
	cause := errors.New("connection reset")
	c := newTrustedCloseEvent(false, 1006, "", cause)
	if !c.IsTrusted() || c.Type() != EventClose || c.WasClean || c.Code != 1006 || c.Reason != "" || c.Cause != cause {
		t.Errorf("close event = trusted %v, %q, %v %d %q %v", c.IsTrusted(), c.Type(), c.WasClean, c.Code, c.Reason, c.Cause)
	}
	c = newTrustedCloseEvent(true, 1005, "", nil)
	if !c.WasClean || c.Code != 1005 || c.Cause != nil {
		t.Errorf("clean close event = %v %d %v", c.WasClean, c.Code, c.Cause)
	}
}
