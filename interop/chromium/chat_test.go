package chromium

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// buildWS builds the ws command into a temporary directory.
func buildWS(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ws")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/wsstack/websocket/cmd/ws")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ws: %v\n%s", err, out)
	}
	return bin
}

// wsServe is a running ws serve.
type wsServe struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr strings.Builder
	done   chan struct{}
	err    error
}

func (s *wsServe) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// startServe runs bin serve with args on a free loopback port and waits
// for its address. The process is ended by its id when the test ends.
func startServe(t *testing.T, bin string, args ...string) *wsServe {
	t.Helper()
	s := &wsServe{done: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^listening on ws://(\S+)$`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.stderr.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
		t.Logf("ws serve log:\n%s", s.log())
	})
	select {
	case s.addr = <-addr:
	case <-s.done:
		t.Fatalf("ws serve exited: %v", s.err)
	case <-time.After(30 * time.Second):
		t.Fatal("ws serve did not say where it listens")
	}
	return s
}

// chatLog returns the lines of a chat page's log.
const chatLog = `Array.from(document.querySelectorAll("#log li")).map(li => li.textContent).join("\n")`

// waitFor polls a JavaScript condition in the page of ctx.
func waitFor(t *testing.T, ctx context.Context, who, cond string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(pageTimeout))); err != nil {
		log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](chatLog))
		t.Fatalf("%s: waiting for %s: %v; log:\n%s", who, cond, err, log)
	}
}

// say types text into a chat page under name, and sends it.
func say(t *testing.T, ctx context.Context, name, text string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#text"), text),
		chromedp.Click(chromedp.CSS("#send")),
	)
	if err != nil {
		t.Fatalf("%s: typing %q: %v", name, text, err)
	}
}

// TestChatPage runs ws serve --chat and chats between two tabs of Chromium.
func TestChatPage(t *testing.T) {
	requireChromium(t)
	bin := buildWS(t)
	srv := startServe(t, bin, "--chat")
	page := "http://" + srv.addr + "/"

	alice := startBrowser(t)
	bob := newTab(t, alice)
	logConsole(t, alice, "alice's tab")
	logConsole(t, bob, "bob's tab")
	actx, cancelA := context.WithTimeout(alice, 2*pageTimeout)
	defer cancelA()
	bctx, cancelB := context.WithTimeout(bob, 2*pageTimeout)
	defer cancelB()
	for who, ctx := range map[string]context.Context{"alice": actx, "bob": bctx} {
		if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
			t.Fatalf("%s: navigate to %s: %v", who, page, err)
		}
		waitFor(t, ctx, who, `document.body.dataset.state === "open"`)
	}

	const (
		fromAlice = "alice: hello from alice, ça va ?"
		fromBob   = "bob: hi alice, bob here"
	)
	say(t, actx, "alice", "hello from alice, ça va ?")
	for who, ctx := range map[string]context.Context{"alice": actx, "bob": bctx} {
		waitFor(t, ctx, who, fmt.Sprintf(`(%s).includes(%q)`, chatLog, fromAlice))
	}
	say(t, bctx, "bob", "hi alice, bob here")
	want := fromAlice + "\n" + fromBob
	for who, ctx := range map[string]context.Context{"alice": actx, "bob": bctx} {
		waitFor(t, ctx, who, fmt.Sprintf(`(%s) === %q`, chatLog, want))
	}
	// A message of one's own is marked as such.
	mine, err := chromedp.Run(actx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#log li.mine")).map(li => li.textContent).join("\n")`))
	if err != nil || mine != fromAlice {
		t.Errorf("alice's own messages: %q %v, want %q", mine, err, fromAlice)
	}
	screenshot(t, actx, "chat-alice.png")
	screenshot(t, bctx, "chat-bob.png")

	// The server counted two clients, two messages in, four out.
	resp, err := http.Get("http://" + srv.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range []string{"ws_connections_current 2", "ws_messages_in_total 2", "ws_messages_out_total 4"} {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", line, body)
		}
	}

	// Shutting the server down closes both pages with 1001.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	for who, ctx := range map[string]context.Context{"alice": actx, "bob": bctx} {
		waitFor(t, ctx, who, `document.body.dataset.state === "closed"`)
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("status").textContent`))
		if !strings.Contains(status, "1001") {
			t.Errorf("%s: status %q after the shutdown, want the code 1001", who, status)
		}
	}
	select {
	case <-srv.done:
		if srv.err != nil {
			t.Errorf("ws serve: %v", srv.err)
		}
	case <-time.After(30 * time.Second):
		t.Error("ws serve did not exit after SIGTERM")
	}
}
