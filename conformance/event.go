package conformance

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// eventKind is what the tester records while a case runs. Only the events
// the Autobahn cases compare are recorded: messages, pongs and the markers
// of waits that passed with the connection still open.
type eventKind uint8

const (
	evMessage eventKind = iota + 1
	evPong
	evTimeout
)

// event is one recorded event. For evMessage, binary tells the message
// type; for evTimeout, payload is the wait's tag.
type event struct {
	kind    eventKind
	binary  bool
	payload []byte
}

func message(binary bool, p []byte) event { return event{kind: evMessage, binary: binary, payload: p} }
func textMsg(p string) event              { return message(false, []byte(p)) }
func binMsg(p string) event               { return message(true, []byte(p)) }
func pong(p string) event                 { return event{kind: evPong, payload: []byte(p)} }
func timeoutMark(tag string) event        { return event{kind: evTimeout, payload: []byte(tag)} }

func (e event) equal(o event) bool {
	return e.kind == o.kind && e.binary == o.binary && bytes.Equal(e.payload, o.payload)
}

func eventsEqual(a, b []event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

// String gives a short readable form: text(13: "Hello, world!"),
// binary(8: 00fffefd...), pong(0), timeout(A).
func (e event) String() string {
	switch e.kind {
	case evMessage:
		if e.binary {
			return "binary(" + showBytes(e.payload, false) + ")"
		}
		return "text(" + showBytes(e.payload, true) + ")"
	case evPong:
		return "pong(" + showBytes(e.payload, true) + ")"
	case evTimeout:
		return "timeout(" + string(e.payload) + ")"
	}
	return "event(?)"
}

func formatEvents(evs []event) string {
	if len(evs) == 0 {
		return "[]"
	}
	parts := make([]string, len(evs))
	for i, e := range evs {
		parts[i] = e.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// showBytes renders a payload's length and a prefix of it: quoted when it
// is printable text, in hex otherwise.
func showBytes(p []byte, asText bool) string {
	const max = 24
	s := strconv.Itoa(len(p))
	if len(p) == 0 {
		return s
	}
	q := p
	more := ""
	if len(q) > max {
		q, more = q[:max], "..."
	}
	if asText && printable(q) {
		return s + ": " + strconv.Quote(string(q)) + more
	}
	return fmt.Sprintf("%s: %x%s", s, q, more)
}

func printable(p []byte) bool {
	for _, c := range p {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
