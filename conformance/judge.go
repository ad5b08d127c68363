package conformance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// outcome is everything the tester saw of one case's connection: the
// input to judge, kept apart from the I/O so the judging rules can be
// tested alone.
type outcome struct {
	client       bool   // the tester played the client
	opened       bool   // the opening handshake completed
	handshakeErr string // why it did not

	expect   []alternative
	expClose closeExpect
	custom   bool // behaviour and result were set by the case itself
	behavior Verdict
	result   string
	received []event

	closeSent, closeRecv bool
	closedByTester       bool
	droppedByTester      bool
	killed               bool // a timer of the tester dropped the connection
	timedOut             bool // the case limit dropped it
	clean                bool
	notClean             string
	remoteCode           int // -1: no close frame received, 0: one without a code
	remoteReason         []byte
	violation            string
}

// outcome collects the session's state once the connection is gone.
func (s *session) outcome() outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return outcome{
		client: s.client, opened: true,
		expect: s.expect, expClose: s.expClose,
		custom: s.custom, behavior: s.behavior, result: s.result,
		received:  s.received,
		closeSent: s.closeSent, closeRecv: s.closeRecv,
		closedByTester: s.closedByTester, droppedByTester: s.droppedByTester,
		killed: s.killed, timedOut: s.timedOut,
		clean:    s.closeSent && s.closeRecv && !s.droppedByTester,
		notClean: s.notClean, remoteCode: s.remoteCode, remoteReason: s.remoteReason,
		violation: s.violation,
	}
}

// judge turns an outcome into the case's result, following the rules of
// the Autobahn TestSuite:
//
//   - behaviour: the recorded events (messages, pongs, wait markers) must
//     equal one of the case's acceptable sequences, whose verdict it gets;
//     otherwise FAILED. Cases of section 9 judge their messages themselves.
//   - closing: the expected endpoint must start the close (the tester, or
//     the peer failing the connection); a clean close where the case
//     requires one; a close code among the expected ones (or none); and, when
//     the tester is the client, the server must close TCP itself.
//
// On top of Autobahn, any protocol violation by the peer (a masked server
// frame, invalid UTF-8 in its text, a close code that must not be sent, ...)
// fails the case, and so does a peer that never fails a connection it must
// fail (Autobahn's fuzzing server lets that pass when it tests a client).
func judge(c *Case, o outcome) Result {
	r := Result{
		ID: c.ID, Description: c.Description, Expectation: c.Expectation,
		Received: formatEvents(o.received), RemoteCloseCode: -1,
	}
	for _, alt := range o.expect {
		r.Expected = append(r.Expected, string(alt.verdict)+": "+formatEvents(alt.events))
	}
	if !o.opened {
		r.Behavior, r.Close, r.Verdict = Failed, CloseFailed, Failed
		r.Observed = "The opening handshake failed: " + o.handshakeErr
		r.CloseObserved = "The WebSocket connection was never open."
		return r
	}
	r.RemoteCloseCode, r.RemoteCloseReason = o.remoteCode, string(o.remoteReason)
	r.ClosedByTester, r.DroppedByTester, r.Clean = o.closedByTester, o.droppedByTester, o.clean

	r.Behavior, r.Observed = judgeEvents(o)
	r.Close, r.CloseObserved = judgeClose(o)

	if o.expClose.wrongEndpointFatal && o.closedByTester != o.expClose.byTester {
		r.Behavior = Failed
	}
	if c.wrongCodeFails && r.Close == CloseWrongCode {
		r.Behavior, r.Observed = Failed, r.CloseObserved
	}
	switch {
	case c.informational:
		r.Behavior, r.Close = Informational, CloseInformational
		r.Observed = "The RFC leaves this undefined; the peer sent " + r.Received + "."
	case o.violation != "":
		r.Behavior = Failed
		r.Observed = "Protocol violation: " + o.violation + "."
	case o.timedOut:
		r.Behavior = Failed
		r.Observed = o.notClean + ". " + r.Observed
	}
	r.Verdict = overall(r.Behavior, r.Close)
	return r
}

func judgeEvents(o outcome) (Verdict, string) {
	if o.custom {
		return o.behavior, o.result
	}
	for _, alt := range o.expect {
		if eventsEqual(o.received, alt.events) {
			return alt.verdict, "The events match an expected sequence: " + formatEvents(o.received) + "."
		}
	}
	return Failed, "The events " + formatEvents(o.received) + " differ from every expected sequence."
}

func judgeClose(o outcome) (CloseVerdict, string) {
	ce := o.expClose
	end := describeEnd(o)
	switch {
	case o.closedByTester != ce.byTester:
		switch {
		case !ce.byTester:
			return CloseFailed, "The tester had to start the closing handshake: the peer never failed the connection (" + end + ")."
		case o.closeRecv:
			return CloseFailed, "The peer started the closing handshake; the tester was to start it (" + end + ")."
		default:
			return CloseFailed, "No closing handshake took place (" + end + ")."
		}
	case !ce.byTester && o.killed && !o.closeRecv:
		return CloseFailed, "The peer did not fail the connection: " + o.notClean + "."
	case ce.requireClean && !o.clean:
		return CloseUnclean, "The case requires a clean close, but " + end + "."
	case o.remoteCode > 0 && !slices.Contains(ce.codes, o.remoteCode):
		return CloseWrongCode, fmt.Sprintf("The peer closed with code %d; expected %s or no code.", o.remoteCode, codeList(ce.codes))
	case o.client && o.droppedByTester:
		return CloseFailedByClient, "The server should close the TCP connection: " + o.notClean + "."
	}
	return CloseOK, "The connection was closed properly (" + end + ")."
}

// describeEnd says in words how the connection ended.
func describeEnd(o outcome) string {
	var parts []string
	switch {
	case o.closedByTester:
		parts = append(parts, "the tester sent the first close frame")
	case o.closeRecv:
		parts = append(parts, "the peer sent the first close frame")
	default:
		parts = append(parts, "no close frame was exchanged")
	}
	switch {
	case o.closeRecv && o.remoteCode > 0:
		s := "the peer's close code was " + strconv.Itoa(o.remoteCode)
		if len(o.remoteReason) > 0 {
			s += " (reason " + strconv.Quote(string(o.remoteReason)) + ")"
		}
		parts = append(parts, s)
	case o.closeRecv:
		parts = append(parts, "the peer's close frame had no code")
	}
	switch {
	case o.droppedByTester && o.notClean != "":
		parts = append(parts, o.notClean)
	case o.clean:
		parts = append(parts, "the close was clean")
	default:
		parts = append(parts, "the peer dropped the TCP connection")
	}
	return strings.Join(parts, "; ")
}

func codeList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, " or ")
}
