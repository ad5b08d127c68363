//go:build js

package main

import "syscall/js"

const (
	platform = "js/wasm"
	from     = "wasm" // for the server
)

// serverURL is the page's server as a ws: URL.
func serverURL() string {
	return "ws://" + js.Global().Get("location").Get("host").String()
}

// report hands the JSON report to the page: the test reads
// window.goResult; the page shows it.
func report(s string) {
	js.Global().Set("goResult", s)
	if show := js.Global().Get("showResult"); show.Type() == js.TypeFunction {
		show.Invoke(s)
	}
}

// wait keeps the program alive: the page may still read from it.
func wait() {}
