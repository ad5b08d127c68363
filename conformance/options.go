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
	// own connection); cases that move a megabyte or more always run
	// alone. Zero means 4; 1 runs the cases one by one.
	Concurrency int
	// TLSConfig is used for wss:// URLs (RunServer).
	TLSConfig *tls.Config
	// Header holds extra headers for the opening handshake of RunServer,
	// e.g. Origin.
	Header http.Header
	// Progress, if set, is called with each result as soon as its case ends.
	// Calls may come from several goroutines, one at a time.
	Progress func(Result)
}

func (o *Options) limit(c *Case) time.Duration {
	switch {
	case o != nil && o.CaseTimeout > 0:
		return o.CaseTimeout
	case c.heavy:
		return heavyLimit
	}
	return defaultLimit
}

func (o *Options) concurrency() int {
	if o == nil || o.Concurrency <= 0 {
		return 4
	}
	return o.Concurrency
}
