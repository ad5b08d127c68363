// Package peerscenario is the Go side of the interop scenario that the
// non-Go peers (interop/node, interop/python) play against our server and
// our client: subprotocol selection, text, bytes 0..255, 1 MiB text and
// binary, 100 messages in order, permessage-deflate, and a close with 4000
// "bye" seen as clean on both sides. The peer runs as a child process that
// reports what it saw as JSON lines.
package peerscenario

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

const (
	// scenarioTimeout bounds a whole scenario, peer process included.
	scenarioTimeout = 60 * time.Second
	// readLimit is above the largest message of the scenario.
	readLimit = 64 << 20
	// closeCode and closeReason close every scenario.
	closeCode   = 4000
	closeReason = "bye"
)

var (
	offered   = []string{"chat", "superchat"} // every client's offer, in order
	supported = []string{"superchat"}         // every server's subprotocols
)

// text returns exactly n bytes of UTF-8, as scenario.js and scenario.py
// make it.
func text(n int) []byte {
	const pattern = "WebSocket ✓ — héllo wörld, 世界, καλημέρα, привет 👋🏽; "
	b := bytes.Repeat([]byte(pattern), n/len(pattern))
	return append(b, bytes.Repeat([]byte("."), n-len(b))...)
}

// binary returns n pseudo-random bytes from the same linear congruential
// generator as the peers' scripts.
func binary(n int) []byte {
	b := make([]byte, n)
	x := uint32(12345)
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 24)
	}
	return b
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// echoStep is a message sent and expected back.
type echoStep struct {
	name string
	typ  websocket.MessageType
	data []byte
}

// echoSteps are the echo steps of the scenario, in order.
func echoSteps() []echoStep {
	return []echoStep{
		{"text", websocket.MessageText, []byte("hello, wörld ✓")},
		{"binary-0-255", websocket.MessageBinary, allBytes()},
		{"text-1MiB", websocket.MessageText, text(1 << 20)},
		{"binary-1MiB", websocket.MessageBinary, binary(1 << 20)},
	}
}

// inOrder returns message i of the 100 small ones: text and binary in turn.
func inOrder(i int) (websocket.MessageType, []byte) {
	if i%2 == 0 {
		return websocket.MessageText, fmt.Appendf(nil, "message %03d", i)
	}
	return websocket.MessageBinary, fmt.Appendf(nil, "binary %03d \x00\xff", i)
}

// lineBuffer collects what a process writes, for the test's log.
type lineBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lineBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// PeerProc is a running peer script. It reports what it does as lines of
// JSON on its standard output.
type PeerProc struct {
	name   string
	cmd    *exec.Cmd
	lines  chan map[string]any // closed at the end of its output
	stderr lineBuffer
	done   chan struct{} // closed once it has exited
	err    error         // the result of Wait, once done is closed
}

// StartPeer runs a peer program in its own process group, which the test's
// cleanup kills by its id if it is still running.
func StartPeer(t *testing.T, name string, argv ...string) *PeerProc {
	t.Helper()
	p := &PeerProc{name: name, lines: make(chan map[string]any, 1000), done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p.cmd.Stderr = &p.stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Logf("%s: started %s (pid %d)", name, strings.Join(argv, " "), p.cmd.Process.Pid)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"unparsed": sc.Text()}
			}
			p.lines <- m
		}
		close(p.lines)
		p.err = p.cmd.Wait() // after the last read of its output
		close(p.done)
	}()
	t.Cleanup(func() {
		if !isClosed(p.done) {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.done
			}
		}
		if s := p.stderr.String(); s != "" {
			t.Logf("%s stderr:\n%s", name, s)
		}
	})
	return p
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// ExpectLine waits for a line whose key has the value want, and returns it.
// Lines before it are collected in seen.
func (p *PeerProc) ExpectLine(t *testing.T, ctx context.Context, key, want string, seen *[]map[string]any) map[string]any {
	t.Helper()
	for {
		select {
		case m, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s: its output ended before %s=%q; stderr:\n%s", p.name, key, want, p.stderr.String())
			}
			if seen != nil {
				*seen = append(*seen, m)
			}
			if m[key] == want {
				return m
			}
		case <-ctx.Done():
			t.Fatalf("%s: no %s=%q within %v", p.name, key, want, scenarioTimeout)
		}
	}
}

// ServerSaw is what our server saw of a connection.
type ServerSaw struct {
	protocol, extensions string
	messages             int
	closeCode            int    // the client's close frame, -1 if none
	closeReason          string //
	clean                bool   // the closing handshake completed
	err                  error  // how reading ended
}

// StartOurServer runs our echo server, which speaks "superchat" and
// accepts permessage-deflate, and reports each connection on the channel.
func StartOurServer(t *testing.T) (url string, saw <-chan ServerSaw) {
	t.Helper()
	results := make(chan ServerSaw, 10)
	var handlers sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols: supported,
			ConnOptions: websocket.ConnOptions{
				ReadLimit:   readLimit,
				Compression: &websocket.CompressionOptions{},
			},
		})
		if err != nil {
			results <- ServerSaw{err: err, closeCode: -1}
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
		defer cancel()
		res := ServerSaw{protocol: c.Subprotocol(), extensions: c.Extensions(), closeCode: -1}
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				res.err = err
				break
			}
			res.messages++
			if err := c.Write(ctx, typ, data); err != nil {
				res.err = err
				break
			}
		}
		var ce *websocket.CloseError
		if errors.As(res.err, &ce) {
			res.closeCode, res.closeReason = int(ce.Code), ce.Reason
			// The library has answered; Close reports whether the
			// handshake completed.
			res.clean = c.Close(ce.Code, "") == nil
		}
		results <- res
	}))
	t.Cleanup(func() {
		srv.Close()
		handlers.Wait()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/", results
}

// CheckServerSaw checks what our server saw of a peer client's scenario.
func CheckServerSaw(t *testing.T, ctx context.Context, saw <-chan ServerSaw, client string) {
	t.Helper()
	var res ServerSaw
	select {
	case res = <-saw:
	case <-ctx.Done():
		t.Fatalf("our server: no result within %v", scenarioTimeout)
	}
	if res.protocol != "superchat" {
		t.Errorf("our server: subprotocol %q with %s, want superchat", res.protocol, client)
	}
	if !strings.HasPrefix(res.extensions, "permessage-deflate") {
		t.Errorf("our server: extensions %q with %s, want permessage-deflate", res.extensions, client)
	}
	if want := len(echoSteps()) + 100; res.messages != want {
		t.Errorf("our server: echoed %d messages from %s, want %d", res.messages, client, want)
	}
	if res.closeCode != closeCode || res.closeReason != closeReason || !res.clean {
		t.Errorf("our server: close %d %q (clean %v, %v), want %d %q, clean", res.closeCode, res.closeReason, res.clean, res.err, closeCode, closeReason)
	}
	t.Logf("our server with %s: subprotocol %q, extensions %q, %d messages, close %d %q clean=%v",
		client, res.protocol, res.extensions, res.messages, res.closeCode, res.closeReason, res.clean)
}

// CheckPeerClient checks the reports of a peer's client that played the
// scenario against our server.
func CheckPeerClient(t *testing.T, ctx context.Context, p *PeerProc) {
	t.Helper()
	var seen []map[string]any
	p.ExpectLine(t, ctx, "step", "close", &seen)
	steps := map[string]map[string]any{}
	for _, m := range seen {
		if s, ok := m["step"].(string); ok {
			steps[s] = m
		}
		if m["step"] == "error" || m["step"] == "timeout" || m["unparsed"] != nil {
			t.Errorf("%s: %v", p.name, m)
		}
	}
	open := steps["open"]
	if open == nil {
		t.Fatalf("%s: no open report: %v", p.name, seen)
	}
	if open["protocol"] != "superchat" {
		t.Errorf("%s: subprotocol %v, want superchat", p.name, open["protocol"])
	}
	if ext, _ := open["extensions"].(string); !strings.HasPrefix(ext, "permessage-deflate") {
		t.Errorf("%s: extensions %v, want permessage-deflate", p.name, open["extensions"])
	}
	names := []string{}
	for _, s := range echoSteps() {
		names = append(names, s.name)
	}
	for _, name := range append(names, "100-in-order") {
		if m := steps[name]; m == nil || m["ok"] != true {
			t.Errorf("%s: step %s: %v", p.name, name, m)
		}
	}
	cl := steps["close"]
	if cl["code"] != float64(closeCode) || cl["wasClean"] != true {
		t.Errorf("%s: close %v, want code %d, clean", p.name, cl, closeCode)
	}
	t.Logf("%s: open %v; close %v", p.name, open, cl)
}

// RunOurClient plays the scenario with our client against a peer's echo
// server at url, and returns nothing: failures are the test's.
func RunOurClient(t *testing.T, ctx context.Context, url, server string) {
	t.Helper()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		Subprotocols: offered,
		NoProxy:      true,
		ConnOptions: websocket.ConnOptions{
			ReadLimit:   readLimit,
			Compression: &websocket.CompressionOptions{},
		},
	})
	if err != nil {
		t.Fatalf("our Dial to %s: %v (response %v)", server, err, resp)
	}
	defer c.CloseNow()
	if got := c.Subprotocol(); got != "superchat" {
		t.Errorf("our client: subprotocol %q with %s, want superchat", got, server)
	}
	if got := c.Extensions(); !strings.HasPrefix(got, "permessage-deflate") {
		t.Errorf("our client: extensions %q with %s, want permessage-deflate", got, server)
	}
	t.Logf("our client with %s: subprotocol %q, extensions %q", server, c.Subprotocol(), c.Extensions())
	for _, s := range echoSteps() {
		if err := c.Write(ctx, s.typ, s.data); err != nil {
			t.Fatalf("%s: Write: %v", s.name, err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("%s: Read: %v", s.name, err)
		}
		if typ != s.typ || !bytes.Equal(got, s.data) {
			t.Errorf("%s: got a %v message of %d bytes, want the %v message of %d bytes sent", s.name, typ, len(got), s.typ, len(s.data))
		}
	}
	for i := range 100 {
		typ, data := inOrder(i)
		if err := c.Write(ctx, typ, data); err != nil {
			t.Fatalf("100-in-order: Write %d: %v", i, err)
		}
	}
	for i := range 100 {
		typ, data := inOrder(i)
		gotTyp, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("100-in-order: Read %d: %v", i, err)
		}
		if gotTyp != typ || !bytes.Equal(got, data) {
			t.Fatalf("100-in-order: message %d is %v %q, want %v %q", i, gotTyp, got, typ, data)
		}
	}
	// No goroutine reads: Close reads until the peer's close frame.
	if err := c.Close(closeCode, closeReason); err != nil {
		t.Errorf("our client: Close(%d, %q) with %s = %v, want a clean close", closeCode, closeReason, server, err)
	}
	_, _, err = c.Read(ctx)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeCode {
		t.Errorf("our client: Read after Close: %v, want the answer to our close, %d", err, closeCode)
	}
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Errorf("our client: connection still open after the closing handshake")
	}
}

// CheckPeerServer checks what a peer's server reported of our client's
// connection to path.
func CheckPeerServer(t *testing.T, ctx context.Context, p *PeerProc, path string) {
	t.Helper()
	open := p.ExpectLine(t, ctx, "event", "open", nil)
	if open["path"] != path {
		t.Errorf("%s: open %v, want path %s", p.name, open, path)
	}
	if open["protocol"] != "superchat" {
		t.Errorf("%s: subprotocol %v, want superchat", p.name, open["protocol"])
	}
	if ext, _ := open["extensions"].(string); !strings.HasPrefix(ext, "permessage-deflate") {
		t.Errorf("%s: extensions %v, want permessage-deflate", p.name, open["extensions"])
	}
	cl := p.ExpectLine(t, ctx, "event", "close", nil)
	if cl["code"] != float64(closeCode) || cl["reason"] != closeReason || cl["wasClean"] != true {
		t.Errorf("%s: close %v, want %d %q, clean", p.name, cl, closeCode, closeReason)
	}
	if want := float64(len(echoSteps()) + 100); cl["messages"] != want {
		t.Errorf("%s: echoed %v messages, want %v", p.name, cl["messages"], want)
	}
	t.Logf("%s: open %v; close %v", p.name, open, cl)
}

// RequirePeer skips the test when its peer is missing, loudly, or fails it
// when the environment variable CI is set.
func RequirePeer(t *testing.T, problem string) {
	t.Helper()
	if problem == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set, so this is a failure; bash .ci/run installs it)", problem)
	}
	t.Skipf("SKIPPING: %s (bash .ci/run installs it)", problem)
}

// Context returns a context that ends with the test or after the
// scenario's time bound.
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), scenarioTimeout)
	t.Cleanup(cancel)
	return ctx
}
