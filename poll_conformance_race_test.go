//go:build linux && race

package websocket_test

// TestPollConformance under the race detector, where compressing and
// moving megabytes are slow: sections 1 to 7 whole, and a few cases of
// sections 9 (big messages), 12 and 13 (compression), with a small budget.
const pollDeflateBudget = 4 << 10

var pollCases = []string{"1", "2", "3", "4", "5", "6", "7", "9.1.1", "9.1.3", "9.2.1", "9.2.3", "9.7.1", "12.1", "13.1"}
