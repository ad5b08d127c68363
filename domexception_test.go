package websocket

import (
	"errors"
	"fmt"
	"testing"
)

func TestDOMException_Error(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{newDOMException("SyntaxError", "bad URL %q", "ws://a b/"), `websocket: SyntaxError: bad URL "ws://a b/"`},
		{newDOMException("InvalidStateError", "send while CONNECTING"), "websocket: InvalidStateError: send while CONNECTING"},
		{ErrSyntax, "websocket: SyntaxError"},
		{ErrInvalidAccess, "websocket: InvalidAccessError"},
		{&TypeError{Message: "Send takes a string, []byte or *Blob"}, "websocket: TypeError: Send takes a string, []byte or *Blob"},
		{&TypeError{}, "websocket: TypeError"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestDOMException_Is: section 0 — thrown exceptions are errors matching
// the sentinels by DOM name, through wrapping too.
func TestDOMException_Is(t *testing.T) {
	sentinels := []*DOMException{ErrSyntax, ErrInvalidState, ErrInvalidAccess, ErrSecurity}
	names := []string{"SyntaxError", "InvalidStateError", "InvalidAccessError", "SecurityError"}
	for i, s := range sentinels {
		if s.Name != names[i] {
			t.Errorf("sentinel %d Name = %q, want %q", i, s.Name, names[i])
		}
		err := newDOMException(names[i], "some message %d", i)
		wrapped := fmt.Errorf("context: %w", err)
		for j, other := range sentinels {
			if got, want := errors.Is(err, other), i == j; got != want {
				t.Errorf("errors.Is(%v, %v) = %v, want %v", err, other, got, want)
			}
			if got, want := errors.Is(wrapped, other), i == j; got != want {
				t.Errorf("errors.Is(wrapped %v, %v) = %v, want %v", err, other, got, want)
			}
		}
		var de *DOMException
		if !errors.As(wrapped, &de) || de.Name != names[i] || de.Message != fmt.Sprintf("some message %d", i) {
			t.Errorf("errors.As(%v) = %v", wrapped, de)
		}
	}
	// The message is ignored; the name must match exactly.
	if !errors.Is(&DOMException{Name: "SyntaxError", Message: "x"}, &DOMException{Name: "SyntaxError", Message: "y"}) {
		t.Error("same name, different messages: not matched")
	}
	if errors.Is(&DOMException{Name: "syntaxerror"}, ErrSyntax) {
		t.Error("name comparison is not exact")
	}
	var nilDE *DOMException
	if (&DOMException{Name: "SyntaxError"}).Is(nilDE) {
		t.Error("matched a nil *DOMException")
	}
	// A TypeError is no DOMException.
	te := error(&TypeError{Message: "x"})
	for _, s := range sentinels {
		if errors.Is(te, s) {
			t.Errorf("TypeError matches %v", s)
		}
	}
	var tp *TypeError
	if !errors.As(fmt.Errorf("w: %w", te), &tp) {
		t.Error("errors.As does not find the *TypeError")
	}
	if errors.Is(ErrSyntax, errors.New("websocket: SyntaxError")) {
		t.Error("matched a plain error with the same text")
	}
}
