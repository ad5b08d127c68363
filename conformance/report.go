package conformance

import (
	"slices"
	"time"
)

// Result is the outcome of one case.
type Result struct {
	ID          string // Autobahn case id
	Description string // what the tester did
	Expectation string // what the peer had to do

	// Verdict is the case's verdict: Behavior, failed by a failed Close
	// (and made NON-STRICT by a wrong close code).
	Verdict Verdict
	// Behavior judges the peer's messages and pongs against the case.
	Behavior Verdict
	// Close judges how the connection ended.
	Close CloseVerdict

	Observed      string   // what the peer did, in words
	CloseObserved string   // how the connection ended, in words
	Received      string   // the recorded events, e.g. [text(13: "Hello, world!"), pong(0)]
	Expected      []string // the acceptable event sequences with their verdicts

	RemoteCloseCode   int           // code of the peer's close frame: -1 if none came, 0 if it had no code
	RemoteCloseReason string        // reason of the peer's close frame
	ClosedByTester    bool          // the tester sent the first close frame
	DroppedByTester   bool          // the tester dropped the TCP connection
	Clean             bool          // close frames went both ways and the TCP close came from the right side
	Duration          time.Duration // how long the case took, opening handshake included
}

// Report is the result of a run of the suite against one peer.
type Report struct {
	// Agent names the implementation under test.
	Agent string
	// Target is what was tested: the server's URL, or "client" for a
	// FuzzingServer run.
	Target string
	// Mode is "server" when a server was tested (RunServer) and "client"
	// when a client was (FuzzingServer).
	Mode string
	// Started is when the first case started; Duration is how long the
	// run took, until the last case ended.
	Started  time.Time
	Duration time.Duration
	// Results holds one result per case that ran, in case order.
	Results []Result
}

// Counts holds how many cases got each verdict.
type Counts struct {
	OK            int // cases with verdict OK
	NonStrict     int // NON-STRICT
	Informational int // INFORMATIONAL
	Unimplemented int // UNIMPLEMENTED
	Failed        int // FAILED
}

// Total is the number of cases counted.
func (c Counts) Total() int {
	return c.OK + c.NonStrict + c.Informational + c.Unimplemented + c.Failed
}

func (c *Counts) add(v Verdict) {
	switch v {
	case OK:
		c.OK++
	case NonStrict:
		c.NonStrict++
	case Informational:
		c.Informational++
	case Unimplemented:
		c.Unimplemented++
	default:
		c.Failed++
	}
}

// SectionCounts is the tally of one top-level section.
type SectionCounts struct {
	Section string // "1", "2", ..., "10"
	Title   string // e.g. "Framing"
	Counts
}

// Failed returns the number of FAILED cases.
func (r *Report) Failed() int { return r.Totals().Failed }

// Totals counts the verdicts of all cases.
func (r *Report) Totals() Counts {
	var c Counts
	for _, res := range r.Results {
		c.add(res.Verdict)
	}
	return c
}

// Sections counts the verdicts per top-level section, in case order.
func (r *Report) Sections() []SectionCounts {
	var out []SectionCounts
	for _, res := range r.Results {
		sec := sectionOf(res.ID)
		i := slices.IndexFunc(out, func(s SectionCounts) bool { return s.Section == sec })
		if i < 0 {
			out = append(out, SectionCounts{Section: sec, Title: SectionTitle(sec)})
			i = len(out) - 1
		}
		out[i].add(res.Verdict)
	}
	return out
}

// Result returns the result of the case with the given id, or nil.
func (r *Report) Result(id string) *Result {
	for i := range r.Results {
		if r.Results[i].ID == id {
			return &r.Results[i]
		}
	}
	return nil
}

// FailedResults returns the FAILED cases.
func (r *Report) FailedResults() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Verdict == Failed {
			out = append(out, res)
		}
	}
	return out
}
