package conformance

import "time"

// Common closing expectations.
var (
	// closeNormal: the tester closes with 1000 once the expected events are
	// in; the close must be clean.
	closeNormal = closeExpect{byTester: true, codes: []int{1000}, requireClean: true}
	// failProtocol: the peer must fail the connection, with 1002 or by
	// dropping TCP.
	failProtocol = closeExpect{codes: []int{1002}}
	// failPayload: the peer must fail the connection, with 1007 or by
	// dropping TCP; if it does not, it never saw the invalid UTF-8, and the
	// case fails whatever the events.
	failPayload = closeExpect{codes: []int{1007}, wrongEndpointFatal: true}
)

// script is the common shape of a case: set what is expected, send frames,
// arm a fallback timer.
type script struct {
	alts   []alternative
	close  closeExpect
	frames []frame
	// killIn drops the connection after this long if still up; closeIn
	// starts the closing handshake instead. One of them is set.
	killIn, closeIn time.Duration
	// preClose sends a close frame with this payload before frames (the
	// cases of section 7 that send after closing); nil for none.
	preClose []byte
	// noAutoClose: the tester does not close when the events are in.
	noAutoClose bool
	// closeAfterFrames sends a close frame with 1000 right after frames.
	closeAfterFrames bool
}

// withCloseAfterFrames makes the script close with 1000 right after its frames.
func (sc script) withCloseAfterFrames() script { sc.closeAfterFrames = true; return sc }

func (sc script) run(s *session) {
	for _, a := range sc.alts {
		s.expectEvents(a.verdict, a.events...)
	}
	s.expectClosing(sc.close)
	if sc.noAutoClose {
		s.noAutoClose()
	}
	if sc.preClose != nil {
		s.sendCloseRaw(sc.preClose, true)
	}
	s.send(sc.frames...)
	if sc.closeAfterFrames {
		s.sendClose(1000)
	}
	switch {
	case sc.killIn > 0:
		s.killAfter(sc.killIn)
	case sc.closeIn > 0:
		s.closeAfter(sc.closeIn)
	}
}

// ok is a single OK alternative.
func ok(evs ...event) []alternative { return []alternative{{OK, evs}} }

// okOrNone accepts the events as OK, and nothing at all as NON-STRICT (the
// peer failed the connection before answering an earlier, valid frame).
func okOrNone(evs ...event) []alternative {
	return []alternative{{OK, evs}, {NonStrict, nil}}
}

// echoScript: send frames, expect the events, close normally; kill after d.
func echoScript(d time.Duration, evs []event, fs ...frame) func(*session) {
	return script{alts: ok(evs...), close: closeNormal, frames: fs, killIn: d}.run
}

// failScript: send frames, expect the events (usually none) and the peer
// to fail the connection with one of the close behaviours of ce.
func failScript(ce closeExpect, alts []alternative, fs ...frame) func(*session) {
	return script{alts: alts, close: ce, frames: fs, killIn: time.Second}.run
}

// repeat returns the string s repeated to n bytes.
func repeat(s string, n int) string { return string(repeatBytes(s, n)) }

// repeatBytes returns s repeated to n bytes (the last repetition cut
// short), in a new slice.
func repeatBytes(s string, n int) []byte {
	b := make([]byte, n)
	if n == 0 || s == "" {
		return b
	}
	k := copy(b, s)
	for k < n {
		k += copy(b[k:], b[:k])
	}
	return b
}
