package conformance

import (
	"crypto/tls"
	"net/http"
	"time"
)

// Options configure a run of the suite. The zero value (or nil) runs every
// case with the default limits.
type Options struct {
	// Cases selects the cases to run by id or id prefix: "6.4" selects
	// 6.4.1 to 6.4.4, "9" all of section 9, "7.1.6" that case only.
	// Empty means every case. A pattern that selects nothing is an error.
	Cases []string
	// Exclude removes cases from the selection, with the same patterns.
	Exclude []string
	// Agent names the implementation under test in the report. RunServer
	// defaults to the URL's host; FuzzingServer takes it from the agent
	// query parameter of each request.
	Agent string
	// CaseTimeout bounds each case, its opening handshake included. A case
	// over its limit is dropped and FAILED. Zero means the default: 15
	// seconds, 90 for the cases that move a megabyte or more.
	CaseTimeout time.Duration
	// Concurrency is how many cases RunServer plays at once (each on its
	// own connection); cases that move a megabyte or more, and those of
	// sections 12 and 13 (compression), always run alone. Zero means 4; 1
	// runs the cases one by one.
	Concurrency int
	// TLSConfig is used for wss:// URLs (RunServer).
	TLSConfig *tls.Config
	// Header holds extra headers for the opening handshake of RunServer,
	// e.g. Origin.
	Header http.Header
	// DeflateBudget bounds what each case of sections 12 and 13
	// (permessage-deflate) sends, in bytes: Autobahn's cases send 1000
	// messages each, up to 128 KiB a message, 128 MiB a case, 11 GB for
	// the two sections; with a budget, a case sends as many of its
	// messages as the budget holds, at least one and at most 1000. Zero
	// means DefaultDeflateBudget; a negative value sends Autobahn's full
	// counts (which takes a Go implementation tens of minutes).
	DeflateBudget int64
	// Progress, if set, is called with each result as soon as its case ends.
	// Calls may come from several goroutines, one at a time.
	Progress func(Result)
}

func (o *Options) limit(c *Case) time.Duration {
	switch {
	case o != nil && o.CaseTimeout > 0:
		return o.CaseTimeout
	case c.deflate != nil && o.budget() == 0:
		return c.msg.wait // Autobahn's limit for its full count
	case c.deflate != nil, c.heavy:
		return heavyLimit
	}
	return defaultLimit
}

// heavy reports whether a case runs alone: it moves a megabyte or more,
// or compresses (sections 12 and 13: compressing is CPU-bound, and the
// round trips of the cases with many small messages slow to a crawl
// beside it, waiting for a processor).
func (o *Options) heavy(c *Case) bool {
	return c.heavy || c.deflate != nil
}

// DefaultDeflateBudget is the default Options.DeflateBudget: 64 KiB a
// case, 1000 messages of 16 and 64 bytes, 256 of 256 bytes, 64 of 1 KiB,
// down to one of 64 and 128 KiB.
const DefaultDeflateBudget = 64 << 10

// budget returns the effective DeflateBudget, 0 for Autobahn's counts.
func (o *Options) budget() int64 {
	switch {
	case o == nil || o.DeflateBudget == 0:
		return DefaultDeflateBudget
	case o.DeflateBudget < 0:
		return 0
	}
	return o.DeflateBudget
}

func (o *Options) concurrency() int {
	if o == nil || o.Concurrency <= 0 {
		return 4
	}
	return o.Concurrency
}
