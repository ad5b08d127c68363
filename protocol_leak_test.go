package websocket

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// TestMain runs the package's tests and then checks that they left no
// goroutine behind: every goroutine that was not there before the tests
// must end within leakWait, except the ones of the runtime, the testing
// package and idle HTTP connections, which are not the package's. A leak
// fails the run (exit code 1) and prints the stacks of the goroutines left.
func TestMain(m *testing.M) {
	before := goroutineIDs()
	code := m.Run()
	if code == 0 {
		if leaked := waitForLeaks(before, leakWait); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutine leak: these goroutines were still running %v after the tests:\n\n%s\n", leakWait, leaked)
			fmt.Fprintln(os.Stderr, "FAIL: goroutine leak")
			code = 1
		}
	}
	os.Exit(code)
}

// leakWait bounds the wait for the goroutines started by tests to end:
// closing handshakes and lingering closes finish within a few seconds.
const leakWait = 8 * time.Second

// leakIgnored lists stack fragments of goroutines that are not leaks of this
// package: idle HTTP client connections (net/http's transport keeps them
// for reuse, as the clients of httptest servers do), signal handling and
// the testing package's own.
var leakIgnored = []string{
	"net/http.(*persistConn).readLoop",
	"net/http.(*persistConn).writeLoop",
	"os/signal.signal_recv",
	"os/signal.loop",
	"testing.(*M).",
	"testing.runTests",
	"testing.tRunner",
	"runtime.goexit0",
	"runtime/pprof.writeGoroutineStacks", // the goroutine taking the profile

}

var goroutineHeader = regexp.MustCompile(`^goroutine (\d+) \[`)

// goroutineStacks returns the stacks of all goroutines, by id.
func goroutineStacks() map[string]string {
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 2)
	stacks := make(map[string]string)
	for _, g := range strings.Split(buf.String(), "\n\n") {
		g = strings.TrimSpace(g)
		if m := goroutineHeader.FindStringSubmatch(g); m != nil {
			stacks[m[1]] = g
		}
	}
	return stacks
}

// goroutineIDs returns the ids of the goroutines running now.
func goroutineIDs() map[string]bool {
	ids := make(map[string]bool)
	for id := range goroutineStacks() {
		ids[id] = true
	}
	return ids
}

// leakedStacks returns the stacks of the goroutines that are neither in
// before nor ignored.
func leakedStacks(before map[string]bool) []string {
	var leaked []string
	for id, stack := range goroutineStacks() {
		if before[id] || ignoredGoroutine(stack) {
			continue
		}
		leaked = append(leaked, stack)
	}
	return leaked
}

func ignoredGoroutine(stack string) bool {
	for _, s := range leakIgnored {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}

// waitForLeaks waits up to d for the goroutines started since before to
// end, and returns the stacks of those still running ("" for none).
func waitForLeaks(before map[string]bool, d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		// runtime.NumGoroutine is the cheap test; the stacks say which ones
		// are left when the count is still higher.
		if runtime.NumGoroutine() <= len(before) {
			if leaked := leakedStacks(before); len(leaked) == 0 {
				return ""
			}
		}
		leaked := leakedStacks(before)
		if len(leaked) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
