package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

// startEchoServer runs an in-test echo server and returns its URL and the
// number of messages it echoed. It accepts compression when offered; with
// corrupt set, it changes every tenth message.
func startEchoServer(t *testing.T, corrupt bool) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			ConnOptions: websocket.ConnOptions{Compression: &websocket.CompressionOptions{}},
		})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			if corrupt && n.Load()%10 == 9 && len(data) > 0 {
				data[0] ^= 1
			}
			n.Add(1)
			if err := c.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/", &n
}

func runBenchJSON(t *testing.T, args ...string) (int, *benchReport, string) {
	t.Helper()
	code, stdout, stderr := runWS(t, nil, append([]string{"bench", "--json"}, args...)...)
	var rep benchReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	return code, &rep, stderr
}

func TestBenchCount(t *testing.T) {
	url, echoed := startEchoServer(t, false)
	code, rep, stderr := runBenchJSON(t, "--conns", "3", "--count", "200", "--size", "100", "--duration", "30s", url)
	if code != exitOK {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr)
	}
	if rep.MessagesSent != 600 || rep.MessagesReceived != 600 || echoed.Load() != 600 {
		t.Errorf("sent %d, received %d, echoed %d; want 600 each", rep.MessagesSent, rep.MessagesReceived, echoed.Load())
	}
	if rep.BytesSent != 60000 || rep.BytesReceived != 60000 {
		t.Errorf("bytes sent %d, received %d, want 60000", rep.BytesSent, rep.BytesReceived)
	}
	if rep.Errors != 0 || rep.ConnectionsOpen != 3 || rep.Connections != 3 {
		t.Errorf("errors %d, connections %d/%d", rep.Errors, rep.ConnectionsOpen, rep.Connections)
	}
	if rep.Duration >= 30 || rep.MessagesPerSec <= 0 || rep.MBPerSecReceived <= 0 {
		t.Errorf("duration %vs, %v msg/s, %v MB/s", rep.Duration, rep.MessagesPerSec, rep.MBPerSecReceived)
	}
	l := rep.Latency
	if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
		t.Errorf("latency percentiles out of order: %+v", l)
	}
}

// TestBenchDuration runs for a duration at a set rate and checks the
// report and the progress lines.
func TestBenchDuration(t *testing.T) {
	url, _ := startEchoServer(t, false)
	start := time.Now()
	code, stdout, stderr := runWS(t, nil, "bench", "--conns", "2", "--duration", "2s", "--rate", "50", "--size", "1000", "--compress", "--text", url)
	elapsed := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if elapsed > 10*time.Second {
		t.Errorf("a 2s bench took %v", elapsed)
	}
	for _, re := range []string{
		`(?m)^ws bench ws://`,
		`2 connections \(2 opened\), 1000-byte text messages, 50 messages/s per connection, compression offered`,
		`(?m)^  messages    (\d+) sent, (\d+) received: [\d.]+ messages/s$`,
		`(?m)^  throughput  [\d.]+ MB/s sent, [\d.]+ MB/s received`,
		`(?m)^  latency     p50 \S+  p90 \S+  p99 \S+  p99\.9 \S+  max \S+`,
		`(?m)^  errors      0$`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("report does not match %q:\n%s", re, stdout)
		}
	}
	m := regexp.MustCompile(`(\d+) sent, (\d+) received`).FindStringSubmatch(stdout)
	if m == nil || m[1] != m[2] {
		t.Errorf("sent and received differ: %v", m)
	} else if n, _ := strconv.Atoi(m[1]); n < 100 || n > 210 {
		// 2 connections at 50/s for 2s: about 200 messages.
		t.Errorf("%d messages sent at 2x50/s for 2s, want about 200", n)
	}
	// Not a terminal: a progress line a second.
	if n := len(regexp.MustCompile(`(?m)^ +\d+\.\ds/2s  2 conns  \d+ messages`).FindAllString(stderr, -1)); n < 1 {
		t.Errorf("%d progress lines on stderr:\n%s", n, stderr)
	}
}

// TestBenchErrors checks that wrong echoes are counted and give exit 3.
func TestBenchErrors(t *testing.T) {
	url, _ := startEchoServer(t, true)
	code, rep, _ := runBenchJSON(t, "--conns", "1", "--count", "50", url)
	if code != exitFailed {
		t.Errorf("exit code %d, want %d", code, exitFailed)
	}
	if rep.Errors != 5 || len(rep.ErrorSamples) == 0 || !strings.Contains(rep.ErrorSamples[0].Error, "echo") {
		t.Errorf("errors %d, samples %v; want 5 echo errors", rep.Errors, rep.ErrorSamples)
	}
}

// TestBenchAgainstServe runs bench against ws serve, as a user would, and
// checks the server's counters.
func TestBenchAgainstServe(t *testing.T) {
	_, addr := startServe(t, "--log-level", "warn")
	code, rep, stderr := runBenchJSON(t, "--conns", "4", "--count", "100", "--size", "64", "ws://"+addr+"/")
	if code != exitOK || rep.MessagesReceived != 400 {
		t.Fatalf("exit %d, received %d\nstderr:\n%s", code, rep.MessagesReceived, stderr)
	}
	_, _, body := httpGet(t, nil, "http://"+addr+"/metrics")
	for _, want := range []string{"ws_connections_total 4\n", "ws_messages_in_total 400\n", "ws_bytes_out_total 25600\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
