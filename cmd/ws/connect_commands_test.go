package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

// echoUntilClose echoes every message until the client closes, and returns
// nil if the client closed with code and reason.
func echoUntilClose(code websocket.CloseCode, reason string) func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
	return func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				if ce, ok := err.(*websocket.CloseError); ok && ce.Code == code && ce.Reason == reason {
					return nil
				}
				return fmt.Errorf("Read: %v, want close %d %q", err, code, reason)
			}
			if err := c.Write(ctx, typ, data); err != nil {
				return err
			}
		}
	}
}

// TestConnectCommands types every command into the interactive client.
func TestConnectCommands(t *testing.T) {
	// The library answers /ping's ping while the server's Read waits.
	url, result := startServer(t, nil, echoUntilClose(4000, "bye now"))
	p, input := startInput(t, "connect", url)
	waitOutput(t, &p.stderr, regexp.MustCompile(`/help lists the commands`))

	fmt.Fprint(input, "plain text\n")
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< plain text$`))
	fmt.Fprint(input, "/binary 00 01 fe ff\n")
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< 0001feff$`))
	fmt.Fprint(input, "//ping is not a command\n")
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< /ping is not a command$`))
	fmt.Fprint(input, "/ping\n")
	waitOutput(t, &p.stderr, regexp.MustCompile(`pong: round trip \S+`))
	fmt.Fprint(input, "/help\n")
	waitOutput(t, &p.stderr, regexp.MustCompile(`/close \[CODE \[REASON\]\]`))
	fmt.Fprint(input, "/nope\n")
	waitOutput(t, &p.stderr, regexp.MustCompile(`unknown command /nope`))
	fmt.Fprint(input, "/binary xyz\n")
	waitOutput(t, &p.stderr, regexp.MustCompile(`not sent: /binary wants hexadecimal digits`))
	fmt.Fprint(input, "/close 1005\n")
	waitOutput(t, &p.stderr, regexp.MustCompile(`not closed: /close wants a close code that may be sent`))
	fmt.Fprint(input, "/close 4000 bye now\n")

	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	serverResult(t, result)
	if !strings.Contains(p.stderr.String(), "closed: 4000") {
		t.Errorf("stderr does not report the close")
	}
	// Nothing but the messages on stdout, in order.
	want := "< plain text\n< 0001feff\n< /ping is not a command\n"
	if got := p.stdout.String(); got != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", got, want)
	}
}

func TestConnectQuit(t *testing.T) {
	url, result := startServer(t, nil, echoUntilClose(websocket.CloseNormal, ""))
	code, stdout, _ := runWS(t, strings.NewReader("one\n/quit\nnever sent\n"), "connect", url)
	serverResult(t, result)
	if code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	if stdout != "< one\n" {
		t.Errorf("stdout %q", stdout)
	}
}

// TestConnectPipe checks the mode for scripts: lines sent as they are, the
// echoes printed raw, one a line, nothing else on stdout or stderr.
func TestConnectPipe(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, r *http.Request) error {
		if err := c.Write(ctx, websocket.MessageBinary, []byte("raw\x00bytes")); err != nil {
			return err
		}
		return echoUntilClose(websocket.CloseNormal, "")(ctx, c, r)
	})
	input := "first\n/ping stays text\n//two slashes\nlast\n"
	code, stdout, stderr := runWS(t, strings.NewReader(input), "connect", "--pipe", url)
	serverResult(t, result)
	if code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	// Every echo arrives before the server's answer to our close frame.
	want := "raw\x00bytes\nfirst\n/ping stays text\n//two slashes\nlast\n"
	if stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing", stderr)
	}
}

func TestConnectRaw(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		if err := c.Write(ctx, websocket.MessageBinary, []byte("binary but readable")); err != nil {
			return err
		}
		return c.Close(websocket.CloseNormal, "")
	})
	p, _ := startInput(t, "connect", "--raw", url)
	serverResult(t, result)
	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d", code)
	}
	if got := p.stdout.String(); got != "< binary but readable\n" {
		t.Errorf("stdout %q", got)
	}
}

func TestConnectOriginAndCompression(t *testing.T) {
	opts := &websocket.AcceptOptions{
		OriginPatterns: []string{"app.example"},
		ConnOptions:    websocket.ConnOptions{Compression: &websocket.CompressionOptions{}},
	}
	for _, tt := range []struct {
		args     []string
		wantComp bool
	}{
		{[]string{"--origin", "https://app.example"}, true},
		{[]string{"--origin", "https://app.example", "--no-compress"}, false},
	} {
		url, result := startServer(t, opts, func(ctx context.Context, c *websocket.Conn, r *http.Request) error {
			if got := r.Header.Get("Origin"); got != "https://app.example" {
				return fmt.Errorf("Origin %q", got)
			}
			if got := c.Extensions() != ""; got != tt.wantComp {
				return fmt.Errorf("%v: extensions %q", tt.args, c.Extensions())
			}
			return echoUntilClose(websocket.CloseNormal, "")(ctx, c, r)
		})
		code, stdout, stderr := runWS(t, strings.NewReader(strings.Repeat("squeeze ", 100)+"\n"), append(append([]string{"connect"}, tt.args...), url)...)
		serverResult(t, result)
		if code != exitOK || !strings.HasPrefix(stdout, "< squeeze squeeze") {
			t.Errorf("%v: exit %d, stdout %q", tt.args, code, stdout)
		}
		if got := strings.Contains(stderr, `extensions "permessage-deflate`); got != tt.wantComp {
			t.Errorf("%v: stderr does not report the extension as expected:\n%s", tt.args, stderr)
		}
	}
	// A foreign origin is refused: exit 1 with the status.
	url, _ := startServer(t, opts, nil)
	code, _, stderr := runWS(t, nil, "connect", "--origin", "https://evil.example", url)
	if code != exitFailure || !strings.Contains(stderr, "403") {
		t.Errorf("foreign origin: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestConnectProxy connects through an HTTP CONNECT proxy run by the test.
func TestConnectProxy(t *testing.T) {
	url, result := startServer(t, nil, echoUntilClose(websocket.CloseNormal, ""))
	var tunnels atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		target, err := net.DialTimeout("tcp", r.Host, testTimeout)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer target.Close()
		w.WriteHeader(http.StatusOK)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		tunnels.Add(1)
		brw.Flush()
		done := make(chan struct{}, 2)
		go func() { io.Copy(target, brw); done <- struct{}{} }()
		go func() { io.Copy(conn, target); done <- struct{}{} }()
		<-done
	}))
	defer proxy.Close()

	code, stdout, stderr := runWS(t, strings.NewReader("via proxy\n"), "connect", "--proxy", proxy.URL, url)
	serverResult(t, result)
	if code != exitOK || stdout != "< via proxy\n" {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if tunnels.Load() != 1 {
		t.Errorf("%d tunnels through the proxy, want 1", tunnels.Load())
	}
}

// TestConnectExitStatus checks the table of exit codes against servers
// that end the connection in each way.
func TestConnectExitStatus(t *testing.T) {
	closeWith := func(code websocket.CloseCode) func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		return func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
			return c.Close(code, "")
		}
	}
	tests := []struct {
		name   string
		handle func(ctx context.Context, c *websocket.Conn, _ *http.Request) error
		code   int
		stderr string
	}{
		{"server closes 1000", closeWith(websocket.CloseNormal), exitOK, "closed by server: 1000"},
		{"server closes 1001", closeWith(websocket.CloseGoingAway), exitOK, "closed by server: 1001"},
		{"server closes without code", closeWith(websocket.CloseNoStatus), exitOK, "closed by server: 1005"},
		{"server closes 1011", closeWith(websocket.CloseInternalError), exitCloseCode, "closed by server: 1011"},
		{"server closes 4404", closeWith(4404), exitCloseCode, "closed by server: 4404"},
		{"server drops TCP", func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
			return c.CloseNow()
		}, exitLost, "connection lost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, result := startServer(t, nil, tt.handle)
			p, _ := startInput(t, "connect", url) // the input stays open
			serverResult(t, result)
			if code := p.wait(t); code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.Contains(p.stderr.String(), tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, p.stderr.String())
			}
		})
	}
	t.Run("no answer to our close", func(t *testing.T) {
		// The server reads the raw stream and never answers: the client's
		// Close times out and it exits 4.
		url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
			nc := c.NetConn()
			nc.SetReadDeadline(time.Now().Add(testTimeout / 2))
			io.Copy(io.Discard, nc)
			return nil
		})
		start := time.Now()
		code, _, stderr := runWS(t, strings.NewReader(""), "connect", url)
		serverResult(t, result)
		if code != exitLost || !strings.Contains(stderr, "closing handshake failed") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
		if d := time.Since(start); d > websocket.DefaultCloseTimeout+5*time.Second {
			t.Errorf("took %v", d)
		}
	})
}
