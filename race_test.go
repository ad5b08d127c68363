//go:build race

package websocket

// raceEnabled reports whether the race detector is on (it allocates).
const raceEnabled = true
