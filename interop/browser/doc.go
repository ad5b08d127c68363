// Package browser checks the GOOS=js GOARCH=wasm binding of
// github.com/wsstack/websocket in a real browser, against the same scenario
// run natively.
//
// Everything is in the test. It builds testdata/scenario twice, for
// js/wasm and for the host, and starts one httptest server that serves the
// wasm program, the Go toolchain's wasm_exec.js and a page, and runs an echo
// server written with websocket.Accept. Debian's headless Chromium
// (/usr/bin/chromium, driven through the DevTools protocol with chromedp)
// loads the page; the scenario runs there on the browser's WebSocket and
// reports into the page. The native build runs the same scenario against the
// same server. The test checks both reports against the expected results and
// against each other, and saves a screenshot of the page.
//
// Chromium comes from Debian (apt-get install -y chromium); the test never
// downloads a browser. Without /usr/bin/chromium the test is skipped, or
// fails when the environment variable CI is set.
//
//	cd interop && go test ./browser -v
package browser
