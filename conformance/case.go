package conformance

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Case is one case of the suite: an Autobahn TestSuite case, with its id,
// what the tester does and what it expects of the peer. The tester plays the
// case against a server (RunServer) or a client (FuzzingServer) in the same
// way; only the masking of frames changes with the role.
type Case struct {
	// ID is the Autobahn case id, e.g. "1.1.1", "6.4.3" or "7.13.2".
	ID string
	// Description says what the tester sends and how it is fragmented and
	// written to the TCP connection.
	Description string
	// Expectation says what the peer must do: what it echoes, whether and
	// with which code it closes, which outcomes count as OK, NON-STRICT or
	// INFORMATIONAL. Anything else is FAILED.
	Expectation string

	run   func(s *session) // plays the case
	heavy bool             // moves a megabyte or more: run alone, with the longer limit
	// wrongCodeFails turns a wrong close code into a failed case (section
	// 7, where the close code is what the case tests).
	wrongCodeFails bool
	// informational cases report what happened without judging it.
	informational bool

	// deflate is set for the cases of sections 12 and 13: the
	// permessage-deflate offers and answers of the case, and its messages.
	deflate *deflateSpec
	msg     compressionMessages

	// payload makes the message of a case that sends megabytes (section
	// 9), when the case runs: the table holds its size and pattern, not
	// its bytes. Nil for the other cases.
	payload func() []byte
}

// Section returns the top-level section of the case id, e.g. "6" for "6.4.3".
func (c *Case) Section() string { return sectionOf(c.ID) }

func sectionOf(id string) string {
	if i := strings.IndexByte(id, '.'); i >= 0 {
		return id[:i]
	}
	return id
}

// Default upper bounds of a case, used when Options.CaseTimeout is zero.
const (
	defaultLimit = 15 * time.Second
	heavyLimit   = 90 * time.Second
)

// sectionTitles names the sections and subsections as the Autobahn reports do.
var sectionTitles = map[string]string{
	"1":    "Framing",
	"1.1":  "Text messages",
	"1.2":  "Binary messages",
	"2":    "Pings/Pongs",
	"3":    "Reserved bits",
	"4":    "Opcodes",
	"4.1":  "Non-control opcodes",
	"4.2":  "Control opcodes",
	"5":    "Fragmentation",
	"6":    "UTF-8 handling",
	"6.1":  "Valid UTF-8 with zero payload fragments",
	"6.2":  "Valid UTF-8 unfragmented, fragmented on and within code points",
	"6.3":  "Invalid UTF-8 differently fragmented",
	"6.4":  "Fail-fast on invalid UTF-8",
	"7":    "Close handling",
	"7.1":  "Basic close behaviour (tester initiated)",
	"7.3":  "Close frame structure: payload length (tester initiated)",
	"7.5":  "Close frame structure: payload value (tester initiated)",
	"7.7":  "Close frame structure: valid close codes (tester initiated)",
	"7.9":  "Close frame structure: invalid close codes (tester initiated)",
	"7.13": "Informational close information (tester initiated)",
	"9":    "Limits/Performance",
	"9.1":  "Text message (increasing size)",
	"9.2":  "Binary message (increasing size)",
	"9.3":  "Fragmented text message (fixed size, increasing fragment size)",
	"9.4":  "Fragmented binary message (fixed size, increasing fragment size)",
	"9.5":  "Text message (fixed size, increasing chop size)",
	"9.6":  "Binary message (fixed size, increasing chop size)",
	"9.7":  "Text message round-trip time (fixed number, increasing size)",
	"9.8":  "Binary message round-trip time (fixed number, increasing size)",
	"10":   "Miscellaneous",
	"10.1": "Auto-fragmentation",
	"12":   "WebSocket compression (different payloads)",
	"13":   "WebSocket compression (different parameters)",
}

func init() {
	for i, c := range corpora {
		sectionTitles["12."+strconv.Itoa(i+1)] = c.corpusTitle()
	}
	for i, p := range section13Params {
		sectionTitles["13."+strconv.Itoa(i+1)] = corpora[0].corpusTitle() + " - " + p.title()
	}
}

// SectionTitle returns the title of a section or subsection id such as "6"
// or "6.4" (the UTF-8 sections 6.5 to 6.23 are named after the UTF-8 test
// groups), or "" if it has none.
func SectionTitle(id string) string {
	if t, ok := sectionTitles[id]; ok {
		return t
	}
	var n int
	if _, err := fmt.Sscanf(id, "6.%d", &n); err == nil && id == fmt.Sprintf("6.%d", n) {
		if gs := utf8Groups(); n >= 5 && n-5 < len(gs) {
			return gs[n-5].title
		}
	}
	return ""
}

// table returns the whole suite in Autobahn order. Each section file adds
// its cases. It is built on first use (Cases, RunServer,
// NewFuzzingServer), not when the package is initialized, so that a
// program that imports the package and runs no case pays nothing for it.
var table = sync.OnceValue(buildTable)

// tableBuilds counts the builds of the table, for the tests.
var tableBuilds atomic.Int32

func buildTable() []Case {
	tableBuilds.Add(1)
	var t []Case
	for _, section := range [][]Case{
		section1(), section2(), section3(), section4(), section5(),
		section6(), section7(), section9(), section10(), section12(), section13(),
	} {
		t = append(t, section...)
	}
	return t
}

// Cases returns every case of the suite, in Autobahn order.
func Cases() []Case { return append([]Case(nil), table()...) }

// matchID reports whether id is selected by pattern: the pattern is an id
// ("6.4.3") or an id prefix ending at a dot boundary ("6", "6.4").
func matchID(id, pattern string) bool {
	pattern = strings.TrimSuffix(strings.TrimSpace(pattern), ".*")
	pattern = strings.TrimSuffix(pattern, ".")
	return id == pattern || strings.HasPrefix(id, pattern+".")
}

// selectCases returns the cases matched by include (all if empty) and not
// matched by exclude, in table order. A pattern that selects nothing is an
// error, so that a typo does not silently run an empty suite.
func selectCases(include, exclude []string) ([]Case, error) {
	var out []Case
	used := make([]bool, len(include))
	for _, c := range table() {
		in := len(include) == 0
		for i, p := range include {
			if matchID(c.ID, p) {
				in, used[i] = true, true
			}
		}
		for _, p := range exclude {
			if matchID(c.ID, p) {
				in = false
			}
		}
		if in {
			out = append(out, c)
		}
	}
	for i, ok := range used {
		if !ok {
			return nil, fmt.Errorf("conformance: no case matches %q", include[i])
		}
	}
	return out, nil
}
