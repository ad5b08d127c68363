//go:build race

package chromium

// raceEnabled reports whether the tests run with the race detector, so
// that the ws binary under test is built with it too.
const raceEnabled = true
