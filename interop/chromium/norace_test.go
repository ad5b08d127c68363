//go:build !race

package chromium

const raceEnabled = false
