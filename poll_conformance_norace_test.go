//go:build linux && !race

package websocket_test

// TestPollConformance without the race detector: the whole suite, with
// its default budget for sections 12 and 13.
const pollDeflateBudget = 0

var pollCases []string
