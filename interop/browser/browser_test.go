package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wsstack/websocket"
)

// chromiumPath is Debian's Chromium (apt-get install -y chromium).
const chromiumPath = "/usr/bin/chromium"

// Time limits.
const (
	buildTimeout    = 5 * time.Minute  // each go build (the first wasm build compiles the standard library)
	scenarioTimeout = 60 * time.Second // each run of the scenario, native or in the page
	browserStart    = 60 * time.Second // starting Chromium
	echoTimeout     = 2 * time.Minute  // each echo connection
	stallTime       = 5 * time.Second  // how long /stall keeps a connection
)

// requireChromium skips the test without Chromium, or fails it under CI.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err == nil {
		return
	}
	msg := fmt.Sprintf("%s not found: install Debian's Chromium with `apt-get update && apt-get install -y chromium`", chromiumPath)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is a failure)")
	}
	t.Skip("SKIPPING the browser test: " + msg)
}

// goEnv returns `go env name`.
func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// buildScenario builds testdata/scenario for goos/goarch into out.
func buildScenario(t *testing.T, goos, goarch, out string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = filepath.Join("testdata", "scenario")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=%s GOARCH=%s go build: %v\n%s", goos, goarch, err, b)
	}
}

// page is the HTML page: it runs the wasm program, which sets
// window.goResult and calls showResult.
const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>wsstack/websocket in the browser</title>
<style>
body { font: 14px sans-serif; margin: 16px; }
table { border-collapse: collapse; font: 12px monospace; }
td { border: 1px solid #ccc; padding: 1px 6px; }
.bad { background: #fcc; }
</style>
<script src="/wasm_exec.js"></script>
</head><body>
<h1>github.com/wsstack/websocket on GOOS=js GOARCH=wasm</h1>
<p id="status">running the scenario in Go (WebAssembly) on this browser's WebSocket…</p>
<table id="out"></table>
<script>
function showResult(s) {
	const r = JSON.parse(s);
	document.getElementById("status").textContent = "done: " + r.platform + " (" + navigator.userAgent + ")";
	const table = document.getElementById("out");
	for (const k of Object.keys(r).sort()) {
		const tr = table.insertRow();
		tr.insertCell().textContent = k;
		tr.insertCell().textContent = JSON.stringify(r[k]);
	}
}
const go = new Go();
fetch("/scenario.wasm").then(r => r.arrayBuffer()).then(b => WebAssembly.instantiate(b, go.importObject)).then(m => go.run(m.instance)).catch(e => {
	window.goResult = JSON.stringify({loadError: String(e)});
	document.getElementById("status").textContent = "failed: " + e;
});
</script>
</body></html>
`

// closeSeen is a close frame our echo server received.
type closeSeen struct {
	Code   int
	Reason string
}

// echoServer is the test's HTTP server: the page, the wasm program and
// wasm_exec.js, and an echo endpoint written with websocket.Accept.
type echoServer struct {
	*httptest.Server
	mu     sync.Mutex
	closes map[string][]closeSeen // by the query's "from"
}

func newServer(t *testing.T, wasm, wasmExec string) *echoServer {
	s := &echoServer{closes: make(map[string][]closeSeen)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	})
	mux.HandleFunc("GET /wasm_exec.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, wasmExec)
	})
	mux.HandleFunc("GET /scenario.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, wasm)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /echo", s.echo)
	mux.HandleFunc("GET /stall", func(w http.ResponseWriter, r *http.Request) {
		// Never answer the handshake; give up after a while.
		rc := http.NewResponseController(w)
		conn, _, err := rc.Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(stallTime))
		io.Copy(io.Discard, conn)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// echo sends every message back, and records the close frame it receives.
func (s *echoServer) echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"echo"}})
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), echoTimeout)
	defer cancel()
	for {
		typ, p, err := c.Read(ctx)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			from := r.URL.Query().Get("from")
			s.mu.Lock()
			s.closes[from] = append(s.closes[from], closeSeen{int(ce.Code), ce.Reason})
			s.mu.Unlock()
			return
		}
		if err != nil {
			return
		}
		if err := c.Write(ctx, typ, p); err != nil {
			return
		}
	}
}

func (s *echoServer) closesFrom(from string) []closeSeen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.closes[from])
}

// runNative runs the native build of the scenario against the server.
func runNative(t *testing.T, bin, wsBase string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), scenarioTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, wsBase)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("native scenario: %v\nstderr:\n%s", err, stderr.Bytes())
	}
	return decode(t, "native", string(out))
}

// runBrowser loads the page in headless Chromium, waits for the wasm
// program's report, and saves a screenshot to shot.
func runBrowser(t *testing.T, pageURL, shot string) map[string]any {
	t.Helper()
	var (
		cmdMu sync.Mutex
		cmd   *exec.Cmd // the browser process we started
	)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("user-data-dir", t.TempDir()),
		chromedp.WindowSize(1000, 1400),
		chromedp.WSURLReadTimeout(browserStart),
		chromedp.ModifyCmdFunc(func(c *exec.Cmd) {
			// Its own process group, so that the cleanup can end the
			// browser and every child it started, by the group's id;
			// and killed by the kernel if the test process dies.
			c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
			cmdMu.Lock()
			cmd = c
			cmdMu.Unlock()
		}),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		// Close the browser gracefully for a few seconds, then kill
		// whatever is left of the process group we started.
		tctx, tcancel := context.WithTimeout(ctx, 5*time.Second)
		chromedp.Cancel(tctx)
		tcancel()
		cancelCtx()
		cancelAlloc()
		cmdMu.Lock()
		defer cmdMu.Unlock()
		if cmd != nil && cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	})

	// Start the browser with no timeout on the context (a timeout on the
	// first call would stop the browser); bound the start with a timer.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v", chromiumPath, err)
		}
	case <-time.After(browserStart):
		t.Fatalf("starting %s: no answer in %v", chromiumPath, browserStart)
	}
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string]("navigator.userAgent")); err == nil {
		t.Logf("browser: %s", v)
	}

	var (
		logMu sync.Mutex
		logs  []string
	)
	cctx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	messages := chromedp.Console(cctx)
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			logMu.Lock()
			logs = append(logs, m.String())
			logMu.Unlock()
		}
	}()
	defer func() {
		stopConsole()
		<-consoleDone
		logMu.Lock()
		for _, l := range logs {
			t.Logf("page console: %s", l)
		}
		logMu.Unlock()
	}()

	tctx, cancel := context.WithTimeout(ctx, scenarioTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("navigate to %s: %v", pageURL, err)
	}
	res, err := chromedp.Run(tctx, chromedp.Poll[string]("window.goResult",
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(scenarioTimeout)))
	if err != nil {
		t.Fatalf("waiting for the wasm program's report: %v", err)
	}
	// Let the page lay out the table, then take the picture.
	time.Sleep(200 * time.Millisecond)
	img, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
	} else if err := os.WriteFile(shot, img, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
	} else {
		t.Logf("screenshot of the page: %s", shot)
	}
	return decode(t, "js/wasm", res)
}

func decode(t *testing.T, who, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s report: %v\n%s", who, err, s)
	}
	return m
}

// normalize turns v into what JSON decoding makes of it, for comparisons.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// expected are the results the scenario must report on both platforms.
func expected(wsBase, from string) map[string]any {
	text := "hello, wörld ✓"
	return normalize(map[string]any{
		// Constructor errors.
		"badURL.space": "SyntaxError", "badURL.space.isErrSyntax": true,
		"badURL.scheme": "SyntaxError", "badURL.scheme.isErrSyntax": true,
		"badURL.fragment": "SyntaxError", "badURL.fragment.isErrSyntax": true,
		"badProtocol": "SyntaxError", "duplicateProtocol": "SyntaxError",

		// Before open.
		"url":                                   wsBase + "/echo?from=" + from,
		"initial.readyState":                    "CONNECTING",
		"initial.binaryType":                    "blob",
		"initial.bufferedAmount":                0,
		"initial.protocol":                      "",
		"sendWhileConnecting":                   "InvalidStateError",
		"sendWhileConnecting.isErrInvalidState": true,
		"sendWhileConnecting.bufferedAmount":    0,

		// Open.
		"open.readyState":     "OPEN",
		"open.protocol":       "echo",
		"open.isTrusted":      true,
		"open.targetIsSocket": true,

		// Invalid close arguments change nothing.
		"close1001":                    "InvalidAccessError",
		"close1001.isErrInvalidAccess": true,
		"close5000":                    "InvalidAccessError",
		"closeReason124":               "SyntaxError",
		"closeReason124.isErrSyntax":   true,
		"afterInvalidClose.readyState": "OPEN",
		"sendUnsupportedType":          "TypeError",

		// Text, then binary as []byte, then as *Blob.
		"send.text":                         "nil",
		"send.text.bufferedAmountRise":      len(text),
		"echo.text.kind":                    "string",
		"echo.text.equal":                   true,
		"echo.origin":                       wsBase,
		"echo.origin.matchesURL":            true,
		"setBinaryType.bogus":               false,
		"setBinaryType.arraybuffer":         true,
		"binaryType.now":                    "arraybuffer",
		"send.binary":                       "nil",
		"send.binary.bufferedAmountRise":    256,
		"echo.arraybuffer.kind":             "[]byte",
		"echo.arraybuffer.equal":            true,
		"send.blob":                         "nil",
		"echo.blob.kind":                    "*Blob",
		"echo.blob.size":                    256,
		"echo.blob.equal":                   true,
		"close":                             "nil",
		"afterClose.readyState":             "CLOSING",
		"sendAfterClose":                    "nil",
		"sendAfterClose.bufferedAmountRise": 4,
		"closeAgain":                        "nil",

		// The close event: the server echoes the code and the reason.
		"events":                []string{"open", "message:string", "message:[]byte", "message:*Blob", "close"},
		"closeEvent.wasClean":   true,
		"closeEvent.code":       4000,
		"closeEvent.reason":     "bye",
		"closeEvent.readyState": "CLOSED",
		"final.protocol":        "echo",

		// Close while CONNECTING fails the connection.
		"connecting.close":                 "nil",
		"connecting.afterClose.readyState": "CLOSING",
		"connecting.events":                []string{"error", "close"},
		"connecting.error.readyState":      "CLOSED",
		"connecting.closeEvent.wasClean":   false,
		"connecting.closeEvent.code":       1006,
		"connecting.closeEvent.reason":     "",
	}).(map[string]any)
}

// notCompared are the results that may differ between the platforms.
var notCompared = map[string]string{
	"platform":        "names the platform",
	"url":             "carries the platform's name in its query",
	"open.extensions": "each client makes its own permessage-deflate offer",
	// API-53 wants 0; natively the writer's report of the bytes it wrote
	// races the reader's queuing of the echo, and loses now and then.
	"echo.text.bufferedAmount": "natively the written bytes may still be counted when the echo is dispatched",
	"owner.closeEvent.code":    "a page may not send 1001: the browser build closes with no code",
}

// check compares a report with the expected results.
func check(t *testing.T, who string, got, want map[string]any) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: %s missing, want %v", who, k, want[k])
		} else if !reflect.DeepEqual(g, want[k]) {
			t.Errorf("%s: %s = %v, want %v", who, k, g, want[k])
		}
	}
	for _, k := range []string{"timeout", "newError", "connecting.newError", "drain.newError", "owner.newError", "stall.newError", "loadError"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s: %s: %v", who, k, v)
		}
	}
}

// TestBrowser runs the scenario in headless Chromium on the browser's
// WebSocket (the GOOS=js binding) and natively (the package's own socket),
// against the same echo server, and checks that both report the expected
// results, and the same ones.
func TestBrowser(t *testing.T) {
	requireChromium(t)

	dir := t.TempDir()
	wasm := filepath.Join(dir, "scenario.wasm")
	native := filepath.Join(dir, "scenario")
	buildScenario(t, "js", "wasm", wasm)
	buildScenario(t, goEnv(t, "GOHOSTOS"), goEnv(t, "GOHOSTARCH"), native)
	wasmExec := filepath.Join(goEnv(t, "GOROOT"), "lib", "wasm", "wasm_exec.js")
	if _, err := os.Stat(wasmExec); err != nil {
		t.Fatalf("wasm_exec.js: %v", err)
	}

	srv := newServer(t, wasm, wasmExec)
	wsBase := "ws" + strings.TrimPrefix(srv.URL, "http")

	artifacts := os.Getenv("ARTIFACTS")
	if artifacts == "" {
		artifacts = t.ArtifactDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	nativeRes := runNative(t, native, wsBase)
	browserRes := runBrowser(t, srv.URL+"/", filepath.Join(artifacts, "browser-scenario.png"))

	for _, r := range []struct {
		who  string
		from string
		got  map[string]any
	}{{"native", "native", nativeRes}, {"js/wasm", "wasm", browserRes}} {
		want := expected(wsBase, r.from)
		want["owner.closeEvent.code"] = float64(1001)
		if r.from == "wasm" {
			want["owner.closeEvent.code"] = float64(1005)
			want["js.option.Origin"] = true
			want["js.relativeURL"] = wsBase + "/echo?from=wasm-relative"
		}
		check(t, r.who, r.got, want)
		t.Logf("%s: extensions %q", r.who, r.got["open.extensions"])
		// The server saw our close frame: 4000 "bye".
		if got, want := srv.closesFrom(r.from), []closeSeen{{4000, "bye"}}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the echo server received the close frames %v, want %v", r.who, got, want)
		}
	}

	// Whatever else the two report must agree.
	all := slices.Sorted(maps.Keys(nativeRes))
	for k := range browserRes {
		if _, ok := nativeRes[k]; !ok {
			all = append(all, k)
		}
	}
	same, compared := 0, 0
	for _, k := range all {
		if strings.HasPrefix(k, "js.") {
			continue // the browser's own, checked above
		}
		if why, ok := notCompared[k]; ok {
			t.Logf("not compared: %s (%s): native %v, js/wasm %v", k, why, nativeRes[k], browserRes[k])
			continue
		}
		compared++
		if !reflect.DeepEqual(nativeRes[k], browserRes[k]) {
			t.Errorf("%s differs: native %v, js/wasm %v", k, nativeRes[k], browserRes[k])
			continue
		}
		same++
	}
	t.Logf("%d results compared: native and js/wasm agree on %d", compared, same)
}
