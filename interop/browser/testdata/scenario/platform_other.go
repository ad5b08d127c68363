//go:build !js

package main

import (
	"fmt"
	"os"
)

const (
	platform = "native"
	from     = "native" // for the server
)

// serverURL is the server given as the first argument (ws://host:port).
func serverURL() string {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scenario ws://host:port")
		os.Exit(2)
	}
	return os.Args[1]
}

// report prints the JSON report on one line.
func report(s string) { fmt.Println(s) }

func wait() {}

// platformChecks has nothing native-only to check.
func platformChecks(*results, string) {}
