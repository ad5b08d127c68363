package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/wsstack/websocket"
)

// TestCheckServer runs ws check against an in-test echo server.
func TestCheckServer(t *testing.T) {
	url, _ := startEchoServer(t, false)
	html := filepath.Join(t.TempDir(), "report.html")
	md := filepath.Join(t.TempDir(), "report.md")
	code, stdout, stderr := runWS(t, nil, "check", "--cases", "1,2,6.4", "--agent", "in-test", "--html", html, "--markdown", md, url)
	if code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{`agent "in-test"`, "31 cases", "Framing", "Pings/Pongs", "UTF-8"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^\s+All\s+31\s+0\s+0\s+0\s+0$`).MatchString(stdout) {
		t.Errorf("not all 31 cases OK:\n%s", stdout)
	}
	for _, f := range []struct{ name, want string }{{html, "<html"}, {md, "## "}} {
		b, err := os.ReadFile(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.want) || !strings.Contains(string(b), "in-test") {
			t.Errorf("%s does not look like a report:\n%.300s", f.name, b)
		}
	}
}

// TestCheckServeAgainstWsServe checks ws serve with ws check, both as a
// user would run them, on the sections that do not need 16 MiB messages
// (9) nor thousands of compressed ones (12, 13: the conformance package's
// own tests run those against the library, and they take too long under
// the race detector for a command test).
func TestCheckAgainstWsServe(t *testing.T) {
	_, addr := startServe(t, "--log-level", "error")
	code, stdout, stderr := runWS(t, nil, "check", "--exclude", "9,12,13", "ws://"+addr+"/")
	if code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`(?m)^\s+All\s+\d+\s+\d+\s+\d+\s+\d+\s+0$`).MatchString(stdout) {
		t.Errorf("a case FAILED:\n%s", stdout)
	}
}

// TestCheckFailing checks the exit status against a server that does not
// echo: every case that expects an echo fails.
func TestCheckFailing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return // read everything, echo nothing
			}
		}
	}))
	defer srv.Close()
	code, stdout, stderr := runWS(t, nil, "check", "--cases", "1.1.1,1.1.2,2.1", "ws"+strings.TrimPrefix(srv.URL, "http")+"/")
	if code != exitFailed {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFailed, stdout, stderr)
	}
	if !strings.Contains(stdout, "FAILED") || !strings.Contains(stdout, "1.1.1") {
		t.Errorf("the report does not list the failed cases:\n%s", stdout)
	}
}

// TestCheckServe runs the fuzzing server and plays a client driver against
// it, as Autobahn's client drivers do.
func TestCheckServe(t *testing.T) {
	p := start(t, nil, "check", "--serve", "127.0.0.1:0", "--cases", "1.1,2.1")
	base := waitOutput(t, &p.stderr, regexp.MustCompile(`fuzzing server listening on (ws://\S+) \((\d+) cases\)`))
	url, count := base[1], base[2]
	ctx := testContext(t)

	// /getCaseCount sends the count and closes.
	c, _, err := websocket.Dial(ctx, url+"/getCaseCount", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.Read(ctx)
	if err != nil || string(msg) != count {
		t.Fatalf("getCaseCount: %q %v, want %s", msg, err, count)
	}
	c.Close(websocket.CloseNormal, "")
	n, _ := strconv.Atoi(count)
	if n != 9 {
		t.Errorf("%d cases for 1.1 and 2.1, want 9", n)
	}

	// Each case: echo until the server closes.
	for i := 1; i <= n; i++ {
		c, _, err := websocket.Dial(ctx, url+"/runCase?case="+strconv.Itoa(i)+"&agent=test-driver", nil)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					c.Close(ce.Code, "")
				}
				break
			}
			if err := c.Write(ctx, typ, data); err != nil {
				break
			}
		}
		c.CloseNow()
	}
	c, _, err = websocket.Dial(ctx, url+"/updateReports?agent=test-driver", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.CloseNormal {
		t.Errorf("updateReports: %v", err)
	}
	c.CloseNow()

	waitOutput(t, &p.stdout, regexp.MustCompile(`(?s)conformance of client.*agent "test-driver".*9 cases`))
	if !regexp.MustCompile(`(?m)^\s+All\s+9\s+0\s+0\s+0\s+0$`).MatchString(p.stdout.String()) {
		t.Errorf("the client's report is not all OK:\n%s", p.stdout.String())
	}
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d after SIGINT", code)
	}
}
