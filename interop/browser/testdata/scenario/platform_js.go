//go:build js

package main

import (
	"strings"
	"syscall/js"

	"github.com/wsstack/websocket"
)

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

// platformChecks are the browser's own behaviors (keys "js."): an option a
// page cannot apply is an error; a relative URL resolves against the page.
func platformChecks(r *results, base string) {
	_, err := websocket.NewWithOptions(base+"/echo", nil, &websocket.Options{Origin: "http://example.com"})
	r.set("js.option.Origin", err != nil && strings.Contains(err.Error(), "Origin"))
	ws, err := websocket.New("/echo?from=wasm-relative")
	if err != nil {
		r.set("js.relativeURL", err.Error())
		return
	}
	r.set("js.relativeURL", ws.URL())
	ws.Close()
}
