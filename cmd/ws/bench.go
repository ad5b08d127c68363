package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wsstack/websocket"
)

// Limits of ws bench.
const (
	benchMaxConns     = 10000
	benchMaxSize      = 64 << 20
	benchDialParallel = 64               // handshakes under way at once
	benchDialTimeout  = 10 * time.Second // each opening handshake
	benchDrainTimeout = 5 * time.Second  // waiting for the last echoes after the end
	benchCloseTimeout = 5 * time.Second  // each closing handshake
	benchMaxInFlight  = 1 << 16          // messages sent and not echoed yet, per connection, with --rate
)

var benchCommand = &command{
	name: "bench",
	args: "[--conns 10] [--duration 10s] [--count N] [--size 128] [--rate R] [--text] [--compress]\n" +
		"                [--protocol P]... [--header 'K: V']... [--insecure] [--json] URL",
	summary: "measure an echo server's throughput and latency",
	help: `
Bench opens --conns connections to the echo server at URL (such as ws serve)
and sends it messages of --size bytes for --duration, or until each
connection has sent --count messages, whichever comes first; every message
must come back unchanged. Use it against your own servers: every message
goes to URL.

With --rate 0 (the default) each connection sends its next message as soon
as the previous one is back, one at a time. With --rate R each connection
sends R messages a second, on a schedule, whether the echoes have come back
or not, and the latency includes any queueing that causes.

Messages are binary (--text: text) and filled with a repeated text pattern,
which compresses well; --compress offers permessage-deflate (off by default,
to measure the transport alone).

While it runs, a progress line is updated on standard error when that is a
terminal, or printed every second otherwise. At the end it prints a report
on standard output: messages a second (echoes received), MB a second of
payload (1 MB = 10^6 bytes, in each direction), the latency from sending a
message to receiving its echo (p50, p90, p99, p99.9, max) and the errors;
with --json, the same as one JSON object. Connections are opened before the
clock starts and closed with 1000 at the end.
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &benchConfig{}
		fs.IntVar(&cfg.conns, "conns", 10, "number of `connections`")
		fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long to send (the clock starts once every connection is open)")
		fs.Int64Var(&cfg.count, "count", 0, "stop each connection after `n` messages (0: no limit but --duration)")
		fs.IntVar(&cfg.size, "size", 128, "message size in `bytes`")
		fs.Float64Var(&cfg.rate, "rate", 0, "`messages` a second per connection; 0 sends the next message when the previous echo is back")
		fs.BoolVar(&cfg.text, "text", false, "send text messages instead of binary")
		fs.BoolVar(&cfg.compress, "compress", false, "offer permessage-deflate compression")
		fs.Var(&cfg.protocols, "protocol", "offer subprotocol `p`; repeatable")
		fs.Var(&cfg.headers, "header", "add the request header `'Name: value'`; repeatable")
		fs.BoolVar(&cfg.insecure, "insecure", false, "do not verify the server's TLS certificate")
		fs.BoolVar(&cfg.json, "json", false, "print the report as JSON")
		return cfg.run
	},
}

// benchConfig holds the flags of "ws bench".
type benchConfig struct {
	conns     int
	duration  time.Duration
	count     int64
	size      int
	rate      float64
	text      bool
	compress  bool
	protocols stringList
	headers   stringList
	insecure  bool
	json      bool
}

func (cfg *benchConfig) check() string {
	switch {
	case cfg.conns < 1 || cfg.conns > benchMaxConns:
		return fmt.Sprintf("--conns %d: want 1 to %d", cfg.conns, benchMaxConns)
	case cfg.duration <= 0:
		return fmt.Sprintf("--duration %v: want a positive duration", cfg.duration)
	case cfg.count < 0:
		return fmt.Sprintf("--count %d: want 0 or more", cfg.count)
	case cfg.size < 0 || cfg.size > benchMaxSize:
		return fmt.Sprintf("--size %d: want 0 to %d", cfg.size, benchMaxSize)
	case cfg.rate < 0 || cfg.rate > 1e6:
		return fmt.Sprintf("--rate %v: want 0 to 1000000", cfg.rate)
	}
	return ""
}

// benchStats are the counters shared by the connections.
type benchStats struct {
	sent, received         atomic.Int64
	bytesSent, bytesRecv   atomic.Int64
	errors                 atomic.Int64
	mu                     sync.Mutex
	errorSamples           map[string]int // error message -> count
	hist                   histogram      // merged at the end of each connection
	dialed, dialFailed     atomic.Int64
	closedOK, closedFailed atomic.Int64
}

// fail records an error.
func (st *benchStats) fail(what string, err error) {
	st.errors.Add(1)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.errorSamples == nil {
		st.errorSamples = make(map[string]int)
	}
	msg := what + ": " + err.Error()
	if _, ok := st.errorSamples[msg]; ok || len(st.errorSamples) < 20 {
		st.errorSamples[msg]++
	}
}

func (cfg *benchConfig) run(args []string, s stdio) int {
	if len(args) != 1 {
		fmt.Fprintln(s.err, "ws bench: want exactly one URL\nRun 'ws help bench' for usage.")
		return exitUsage
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		fmt.Fprintf(s.err, "ws bench: invalid URL %q: want ws://host[:port]/path or wss://...\n", args[0])
		return exitUsage
	}
	if msg := cfg.check(); msg != "" {
		fmt.Fprintf(s.err, "ws bench: %s\nRun 'ws help bench' for usage.\n", msg)
		return exitUsage
	}
	header, err := parseHeaders(cfg.headers)
	if err != nil {
		fmt.Fprintf(s.err, "ws bench: %v\n", err)
		return exitUsage
	}
	opts := &websocket.DialOptions{
		Header:           header,
		Subprotocols:     cfg.protocols,
		HandshakeTimeout: benchDialTimeout,
		ConnOptions: websocket.ConnOptions{
			ReadLimit:    max(int64(cfg.size), websocket.DefaultReadLimit),
			CloseTimeout: benchCloseTimeout,
		},
	}
	if cfg.compress {
		opts.Compression = &websocket.CompressionOptions{}
	}
	if cfg.insecure {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st := &benchStats{}
	conns := cfg.dialAll(ctx, u.String(), opts, st)
	if len(conns) == 0 {
		if ctx.Err() != nil {
			fmt.Fprintln(s.err, "ws bench: interrupted")
			return exitInterrupted
		}
		fmt.Fprintf(s.err, "ws bench: no connection could be opened to %s\n", u)
		for msg := range st.errorSamples {
			fmt.Fprintf(s.err, "  %s\n", msg)
		}
		return exitFailure
	}
	if ext := conns[0].Extensions(); cfg.compress && ext == "" {
		fmt.Fprintln(s.err, "ws bench: the server declined compression")
	}

	payload := benchPayload(cfg.size)
	typ := websocket.MessageBinary
	if cfg.text {
		typ = websocket.MessageText
	}
	start := time.Now()
	runCtx, cancel := context.WithDeadline(ctx, start.Add(cfg.duration))
	defer cancel()
	progressDone := make(chan struct{})
	progressStopped := make(chan struct{})
	go func() {
		defer close(progressStopped)
		cfg.progress(s.err, st, start, progressDone)
	}()

	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			var h histogram
			if cfg.rate > 0 {
				cfg.runScheduled(runCtx, c, typ, payload, st, &h)
			} else {
				cfg.runClosedLoop(runCtx, c, typ, payload, st, &h)
			}
			st.mu.Lock()
			st.hist.merge(&h)
			st.mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(progressDone)
	<-progressStopped

	closeAll(conns, st)
	rep := cfg.report(u.String(), st, elapsed)
	if cfg.json {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		rep.writeText(s.out)
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(s.err, "ws bench: interrupted")
		return exitInterrupted
	case rep.Errors > 0:
		return exitFailed
	}
	return exitOK
}

// benchPayload returns size bytes of a repeated text pattern.
func benchPayload(size int) []byte {
	const pattern = "ws bench: the quick brown fox jumps over the lazy dog 0123456789. "
	return []byte(strings.Repeat(pattern, size/len(pattern)+1)[:size])
}

// dialAll opens cfg.conns connections, some at once, and returns those that
// opened; the failures are counted as errors.
func (cfg *benchConfig) dialAll(ctx context.Context, u string, opts *websocket.DialOptions, st *benchStats) []*websocket.Conn {
	var (
		mu    sync.Mutex
		conns []*websocket.Conn
		wg    sync.WaitGroup
		sem   = make(chan struct{}, benchDialParallel)
	)
	for range cfg.conns {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			c, _, err := websocket.Dial(ctx, u, opts)
			if err != nil {
				st.dialFailed.Add(1)
				st.fail("dial", err)
				return
			}
			st.dialed.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		for _, c := range conns {
			c.CloseNow()
		}
		return nil
	}
	return conns
}

// runClosedLoop sends a message, waits for its echo, and so on, until ctx
// ends or cfg.count messages have been echoed.
func (cfg *benchConfig) runClosedLoop(ctx context.Context, c *websocket.Conn, typ websocket.MessageType, payload []byte, st *benchStats, h *histogram) {
	// The last echo is awaited after the end of the run, within
	// benchDrainTimeout: it was sent within the run.
	readCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadlineOr(ctx).Add(benchDrainTimeout))
	defer cancel()
	for n := int64(0); cfg.count == 0 || n < cfg.count; n++ {
		if ctx.Err() != nil {
			return
		}
		t0 := time.Now()
		// A write that has started is not cut off by the end of the run:
		// that would break the connection (and its close) mid-frame.
		if err := c.Write(context.WithoutCancel(ctx), typ, payload); err != nil {
			if ctx.Err() == nil {
				st.fail("write", err)
			}
			return
		}
		st.sent.Add(1)
		st.bytesSent.Add(int64(len(payload)))
		gotTyp, got, err := c.Read(readCtx)
		if err != nil {
			st.fail("read", err)
			return
		}
		h.record(time.Since(t0))
		st.received.Add(1)
		st.bytesRecv.Add(int64(len(got)))
		if gotTyp != typ || !bytes.Equal(got, payload) {
			st.fail("echo", fmt.Errorf("got a %v message of %d bytes, want the %v message of %d bytes sent", gotTyp, len(got), typ, len(payload)))
		}
	}
}

// deadlineOr returns ctx's deadline, or now.
func deadlineOr(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now()
}

// runScheduled sends cfg.rate messages a second while a goroutine reads the
// echoes, in order, until ctx ends or cfg.count messages have been sent;
// then it waits for the echoes still due, within benchDrainTimeout.
func (cfg *benchConfig) runScheduled(ctx context.Context, c *websocket.Conn, typ websocket.MessageType, payload []byte, st *benchStats, h *histogram) {
	sendTimes := make(chan time.Time, benchMaxInFlight)
	var (
		expected atomic.Int64 // the echoes due, once the sender is done; -1 before
		received atomic.Int64 // the echoes read
	)
	expected.Store(-1)
	senderDone := make(chan struct{})
	readerDone := make(chan struct{})
	readCtx, cancelRead := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRead()
	go func() {
		// Once the sender is done, stop the reader when every echo is in,
		// or after benchDrainTimeout.
		select {
		case <-senderDone:
		case <-readerDone:
			return
		}
		if received.Load() >= expected.Load() {
			cancelRead()
			return
		}
		t := time.NewTimer(benchDrainTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			cancelRead()
		case <-readerDone:
		}
	}()
	go func() {
		defer close(readerDone)
		for {
			if e := expected.Load(); e >= 0 && received.Load() >= e {
				return
			}
			gotTyp, got, err := c.Read(readCtx)
			if err != nil {
				if e := expected.Load(); e >= 0 && received.Load() >= e {
					return // stopped once every echo was in
				}
				st.fail("read", err)
				return
			}
			var t0 time.Time
			select {
			case t0 = <-sendTimes:
			default:
				st.fail("echo", errors.New("a message came back that was not sent"))
				return
			}
			h.record(time.Since(t0))
			st.received.Add(1)
			st.bytesRecv.Add(int64(len(got)))
			if gotTyp != typ || !bytes.Equal(got, payload) {
				st.fail("echo", fmt.Errorf("got a %v message of %d bytes, want the %v message of %d bytes sent", gotTyp, len(got), typ, len(payload)))
			}
			received.Add(1)
		}
	}()

	interval := time.Duration(float64(time.Second) / cfg.rate)
	start := time.Now()
	var sent int64
	timer := time.NewTimer(0)
	defer timer.Stop()
	for cfg.count == 0 || sent < cfg.count {
		next := start.Add(time.Duration(sent) * interval)
		if d := time.Until(next); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
			case <-readerDone:
			}
		}
		if ctx.Err() != nil || isDone(readerDone) {
			break
		}
		select {
		case sendTimes <- time.Now():
		case <-ctx.Done():
		case <-readerDone:
		}
		if ctx.Err() != nil || isDone(readerDone) {
			break
		}
		// A write that has started is not cut off by the end of the run:
		// that would break the connection (and its close) mid-frame.
		if err := c.Write(context.WithoutCancel(ctx), typ, payload); err != nil {
			if ctx.Err() == nil {
				st.fail("write", err)
			}
			break
		}
		sent++
		st.sent.Add(1)
		st.bytesSent.Add(int64(len(payload)))
	}
	expected.Store(sent)
	close(senderDone)
	<-readerDone
}

func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// closeAll closes every connection with 1000, some at once.
func closeAll(conns []*websocket.Conn, st *benchStats) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, benchDialParallel)
	for _, c := range conns {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := c.Close(websocket.CloseNormal, ""); err != nil {
				st.closedFailed.Add(1)
				st.fail("close", err)
				return
			}
			st.closedOK.Add(1)
		})
	}
	wg.Wait()
}

// progress reports on w until done is closed: a line updated in place on a
// terminal, else a line a second.
func (cfg *benchConfig) progress(w io.Writer, st *benchStats, start time.Time, done <-chan struct{}) {
	f, ok := w.(*os.File)
	tty := ok && isTerminal(f)
	period := time.Second
	if tty {
		period = 250 * time.Millisecond
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	lastT, lastN, lastB := start, int64(0), int64(0)
	for {
		select {
		case <-done:
			if tty {
				io.WriteString(w, "\r\x1b[K")
			}
			return
		case now := <-tick.C:
			n, b := st.received.Load(), st.bytesRecv.Load()
			dt := now.Sub(lastT).Seconds()
			line := fmt.Sprintf("%5.1fs/%v  %d conns  %d messages  %.0f msg/s  %.2f MB/s  %d errors",
				now.Sub(start).Seconds(), cfg.duration, cfg.conns, n, float64(n-lastN)/dt, float64(b-lastB)/dt/1e6, st.errors.Load())
			lastT, lastN, lastB = now, n, b
			if tty {
				fmt.Fprintf(w, "\r\x1b[K%s", line)
			} else {
				fmt.Fprintln(w, line)
			}
		}
	}
}

// benchReport is the final report; its JSON form is the output of --json.
type benchReport struct {
	URL              string          `json:"url"`
	Connections      int             `json:"connections"`
	ConnectionsOpen  int64           `json:"connections_opened"`
	Duration         float64         `json:"duration_seconds"` // the measured time
	Size             int             `json:"message_size"`
	Type             string          `json:"message_type"`
	Rate             float64         `json:"rate_per_connection"` // 0: closed loop
	Compression      bool            `json:"compression"`
	MessagesSent     int64           `json:"messages_sent"`
	MessagesReceived int64           `json:"messages_received"`
	MessagesPerSec   float64         `json:"messages_per_second"`
	BytesSent        int64           `json:"bytes_sent"`
	BytesReceived    int64           `json:"bytes_received"`
	MBPerSecSent     float64         `json:"mb_per_second_sent"`
	MBPerSecReceived float64         `json:"mb_per_second_received"`
	Latency          benchLatency    `json:"latency_ms"`
	Errors           int64           `json:"errors"`
	ErrorSamples     []benchErrorMsg `json:"error_samples,omitempty"`
}

type benchLatency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

type benchErrorMsg struct {
	Error string `json:"error"`
	Count int    `json:"count"`
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func (cfg *benchConfig) report(u string, st *benchStats, elapsed time.Duration) *benchReport {
	secs := elapsed.Seconds()
	typ := "binary"
	if cfg.text {
		typ = "text"
	}
	rep := &benchReport{
		URL: u, Connections: cfg.conns, ConnectionsOpen: st.dialed.Load(), Duration: secs,
		Size: cfg.size, Type: typ, Rate: cfg.rate, Compression: cfg.compress,
		MessagesSent: st.sent.Load(), MessagesReceived: st.received.Load(),
		BytesSent: st.bytesSent.Load(), BytesReceived: st.bytesRecv.Load(),
		Errors: st.errors.Load(),
	}
	if secs > 0 {
		rep.MessagesPerSec = float64(rep.MessagesReceived) / secs
		rep.MBPerSecSent = float64(rep.BytesSent) / secs / 1e6
		rep.MBPerSecReceived = float64(rep.BytesReceived) / secs / 1e6
	}
	h := &st.hist
	rep.Latency = benchLatency{
		P50: ms(h.quantile(0.5)), P90: ms(h.quantile(0.9)), P99: ms(h.quantile(0.99)),
		P999: ms(h.quantile(0.999)), Max: ms(h.max), Mean: ms(h.mean()),
	}
	for msg, n := range st.errorSamples {
		rep.ErrorSamples = append(rep.ErrorSamples, benchErrorMsg{msg, n})
	}
	sort.Slice(rep.ErrorSamples, func(i, j int) bool { return rep.ErrorSamples[i].Count > rep.ErrorSamples[j].Count })
	return rep
}

// fmtMS prints milliseconds as a duration, rounded for reading.
func fmtMS(v float64) string {
	d := time.Duration(v * 1e6)
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(100 * time.Nanosecond).String()
	}
}

func (r *benchReport) writeText(w io.Writer) {
	pace := "as fast as the echoes come back"
	if r.Rate > 0 {
		pace = fmt.Sprintf("%g messages/s per connection", r.Rate)
	}
	comp := "off"
	if r.Compression {
		comp = "offered"
	}
	fmt.Fprintf(w, "ws bench %s\n", r.URL)
	fmt.Fprintf(w, "  setup       %d connections (%d opened), %d-byte %s messages, %s, compression %s\n",
		r.Connections, r.ConnectionsOpen, r.Size, r.Type, pace, comp)
	fmt.Fprintf(w, "  duration    %.2fs\n", r.Duration)
	fmt.Fprintf(w, "  messages    %d sent, %d received: %.1f messages/s\n", r.MessagesSent, r.MessagesReceived, r.MessagesPerSec)
	fmt.Fprintf(w, "  throughput  %.3f MB/s sent, %.3f MB/s received (payload, 1 MB = 10^6 bytes)\n", r.MBPerSecSent, r.MBPerSecReceived)
	l := r.Latency
	fmt.Fprintf(w, "  latency     p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (mean %s)\n",
		fmtMS(l.P50), fmtMS(l.P90), fmtMS(l.P99), fmtMS(l.P999), fmtMS(l.Max), fmtMS(l.Mean))
	fmt.Fprintf(w, "  errors      %d\n", r.Errors)
	for _, e := range r.ErrorSamples {
		fmt.Fprintf(w, "    %d× %s\n", e.Count, e.Error)
	}
}
