package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// wsBin is the ws binary that TestMain builds, run by the tests as a user
// would run it.
var wsBin string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ws-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	wsBin = filepath.Join(dir, "ws")
	args := []string{"build", "-o", wsBin}
	if raceEnabled {
		// Catch the command's own data races too. Such a binary takes about
		// a second to start, mostly in the initialization of package
		// conformance, which builds its whole table of cases and payloads.
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building ws: %v\n", err)
		return 1
	}
	return m.Run()
}

// testTimeout bounds every wait of a test.
const testTimeout = 20 * time.Second

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running ws process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{} // closed when the process has exited
	err            error         // the result of Wait, once done is closed
}

// start runs ws with args and stdin (nil for none). The process is killed
// when the test ends, if it is still running.
func start(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(wsBin, args...), done: make(chan struct{})}
	p.cmd.Stdin = stdin
	// The race detector's runtime waits a second at exit by default.
	p.cmd.Env = append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting ws: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("ws %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.stdout.String(), p.stderr.String())
		}
	})
	return p
}

// startInput is start with a pipe as standard input, whose writing end it
// returns. Closing it ends the input.
func startInput(t *testing.T, args ...string) (*proc, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// An *os.File goes to the process as it is: Wait does not wait for a
	// goroutine copying the input.
	p := start(t, r, args...)
	r.Close()
	return p, w
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(testTimeout):
		p.cmd.Process.Signal(syscall.SIGQUIT) // a goroutine dump on stderr
		select {
		case <-p.done:
		case <-time.After(time.Second):
		}
		t.Fatalf("ws did not exit within %v", testTimeout)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("ws: %v", p.err)
	}
	return 0
}

// signal sends sig to the process.
func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// waitOutput waits until the output in buf matches re and returns the
// submatches of the first match.
func waitOutput(t *testing.T, buf *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no output matching %q within %v; got:\n%s", re, testTimeout, buf.String())
	return nil
}

// runWS runs ws to completion and returns its exit code, stdout and stderr.
func runWS(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := start(t, stdin, args...)
	code = p.wait(t)
	return code, p.stdout.String(), p.stderr.String()
}

// testContext returns a context that ends with the test or after testTimeout.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stdout   string // a substring expected in stdout
		stderr   string // a substring expected in stderr
		noStdout bool
	}{
		{args: nil, code: exitUsage, stderr: "The commands are", noStdout: true},
		{args: []string{"help"}, code: exitOK, stdout: "Exit status"},
		{args: []string{"--help"}, code: exitOK, stdout: "connect"},
		{args: []string{"help", "serve"}, code: exitOK, stdout: "-read-limit"},
		{args: []string{"help", "connect"}, code: exitOK, stdout: "-header"},
		{args: []string{"help", "help"}, code: exitOK, stdout: "usage: ws help"},
		{args: []string{"help", "nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{args: []string{"nope"}, code: exitUsage, stderr: `unknown command "nope"`},
		{args: []string{"serve", "-h"}, code: exitOK, stderr: "-protocols"},
		{args: []string{"serve", "--bogus"}, code: exitUsage, stderr: "flag provided but not defined: -bogus"},
		{args: []string{"serve", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{args: []string{"serve", "--echo=false"}, code: exitUsage, stderr: "nothing to do without --chat"},
		{args: []string{"serve", "--log-format", "xml"}, code: exitUsage, stderr: "want text or json"},
		{args: []string{"serve", "--log-level", "loud"}, code: exitUsage, stderr: "want debug, info, warn or error"},
		{args: []string{"serve", "--cert", "c.pem"}, code: exitUsage, stderr: "--cert and --key go together"},
		{args: []string{"serve", "--cert", "c.pem", "--key", "k.pem", "--tls-self-signed"}, code: exitUsage, stderr: "exclude each other"},
		{args: []string{"serve", "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"}, code: exitFailure, stderr: "ws serve: TLS:"},
		{args: []string{"serve", "--dir", "/nonexistent"}, code: exitUsage, stderr: "not a directory"},
		{args: []string{"serve", "--addr", "127.0.0.1:99999"}, code: exitFailure, stderr: "ws serve: listen tcp"},
		{args: []string{"connect"}, code: exitUsage, stderr: "want exactly one URL"},
		{args: []string{"connect", "http://localhost/"}, code: exitUsage, stderr: "invalid URL"},
		{args: []string{"connect", "--header", "no colon", "ws://localhost/"}, code: exitUsage, stderr: "invalid header"},
		{args: []string{"connect", "--proxy", "socks5://x", "ws://localhost/"}, code: exitUsage, stderr: "invalid --proxy"},
		{args: []string{"connect", "--echo", "--pipe", "ws://localhost/"}, code: exitUsage, stderr: "exclude each other"},
		{args: []string{"connect", "ws://127.0.0.1:1/"}, code: exitFailure, stderr: "ws connect: "},
		{args: []string{"bench"}, code: exitUsage, stderr: "want exactly one URL"},
		{args: []string{"bench", "--conns", "0", "ws://localhost/"}, code: exitUsage, stderr: "--conns 0"},
		{args: []string{"bench", "--size", "-1", "ws://localhost/"}, code: exitUsage, stderr: "--size -1"},
		{args: []string{"bench", "--duration", "0s", "ws://localhost/"}, code: exitUsage, stderr: "--duration 0s"},
		{args: []string{"bench", "--conns", "1", "ws://127.0.0.1:1/"}, code: exitFailure, stderr: "no connection could be opened"},
		{args: []string{"help", "bench"}, code: exitOK, stdout: "-rate"},
		{args: []string{"check"}, code: exitUsage, stderr: "want exactly one URL, or --serve ADDR"},
		{args: []string{"check", "--serve", "127.0.0.1:0", "ws://x/"}, code: exitUsage, stderr: "--serve takes no URL"},
		{args: []string{"check", "--cases", "99", "ws://127.0.0.1:1/"}, code: exitUsage, stderr: "ws check: "},
		{args: []string{"check", "--cases", "99", "--serve", "127.0.0.1:0"}, code: exitUsage, stderr: "ws check: "},
		{args: []string{"help", "check"}, code: exitOK, stdout: "-serve"},
		{args: []string{"version"}, code: exitOK, stdout: "ws "},
		{args: []string{"version", "x"}, code: exitUsage, stderr: "usage: ws version"},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		if name == "" {
			name = "no arguments"
		}
		t.Run(name, func(t *testing.T) {
			// Each run starts a process, which costs a second under the
			// race detector (see testMain): run them side by side.
			t.Parallel()
			code, stdout, stderr := runWS(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("stdout does not contain %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr)
			}
			if tt.noStdout && stdout != "" {
				t.Errorf("unexpected stdout:\n%s", stdout)
			}
		})
	}
}
