// Package runner is the benchmark orchestrator behind cmd/benchrun: the
// scenarios, the runs of the echo server and the load generator, the
// statistics and the Markdown report.
package runner

import (
	"fmt"
	"strconv"
	"time"
)

// Libraries are the servers compared, in the order of the table's columns.
// gws is the reference every ratio is taken to.
var Libraries = []string{"ours", "ours-loop", "gws", "gorilla", "coder", "gobwas", "nbio"}

// Reference is the library whose figure of the same round every ratio is
// divided by.
const Reference = "gws"

// Metric is one figure a scenario reports.
type Metric struct {
	Key          string // the load generator's metric name
	Title        string // what the table calls it
	Unit         string
	HigherBetter bool
}

var (
	mMsgs       = Metric{"msgs_per_s", "messages/s", "msg/s", true}
	mCPUMsg     = Metric{"cpu_us_per_msg", "server CPU per message", "µs", false}
	mP50        = Metric{"p50_us", "p50", "µs", false}
	mP99        = Metric{"p99_us", "p99", "µs", false}
	mP999       = Metric{"p999_us", "p99.9", "µs", false}
	mRSS        = Metric{"rss_kib_per_conn", "RSS per connection", "KiB", false}
	mHeapConn   = Metric{"heap_kib_per_conn", "Go heap objects per connection (live, and garbage not yet collected)", "KiB", false}
	mStackConn  = Metric{"stack_kib_per_conn", "goroutine stacks per connection", "KiB", false}
	mGoConn     = Metric{"goroutines_per_conn", "goroutines per connection", "count", false}
	mHandshakes = Metric{"handshakes_per_s", "handshakes/s", "1/s", true}
	mCPUHS      = Metric{"cpu_us_per_handshake", "server CPU per handshake", "µs", false}
	mBcast      = Metric{"bcast_ms", "time to reach every connection", "ms", false}
	mCPUBcast   = Metric{"cpu_us_per_bcast", "server CPU per broadcast", "µs", false}
)

// Scenario is one load, run against every library in every round.
type Scenario struct {
	Group    string // the table it belongs to
	Row      string // its row in that table
	Mode     string // the load generator's -mode
	Args     []string
	Compress bool
	// Profile runs the server with a CPU profile, which splits its CPU
	// per message by where it goes (profile.go); such a scenario runs in
	// the first round only.
	Profile bool
	Metrics []Metric
	// Budget bounds one run (server start to stop); the load generator is
	// killed past it.
	Budget time.Duration
}

// Name identifies the scenario in logs.
func (s Scenario) Name() string { return s.Group + " / " + s.Row }

// Config sizes the benchmark.
type Config struct {
	Rounds       int
	Duration     time.Duration // measured window of timed scenarios
	Warmup       time.Duration
	EchoConns    []int
	EchoSizes    []int
	LatencyConns int
	LatencySize  int
	LatencyRate  float64
	IdleConns    []int // the last may be 0: as many as the file limit allows
	HSWorkers    int
	BcastConns   int
	BcastSize    int
	BcastCount   int
	DeflateConns []int
	DeflateSizes []int
	ProfileCells [][2]int // echo cells (connections, size) profiled; nil: every echo cell
}

// Full is the configuration of the documented table.
func Full() Config {
	return Config{
		Rounds:       3,
		Duration:     3 * time.Second,
		Warmup:       time.Second,
		EchoConns:    []int{1, 64, 1000},
		EchoSizes:    []int{16, 1024, 64 << 10},
		LatencyConns: 64,
		LatencySize:  1024,
		LatencyRate:  10000,
		IdleConns:    []int{10000, 0},
		HSWorkers:    16,
		BcastConns:   10000,
		BcastSize:    1024,
		BcastCount:   20,
		DeflateConns: []int{1, 64, 1000},
		DeflateSizes: []int{16, 1024, 64 << 10},
	}
}

// Quick is a smoke run: one round, short, small.
func Quick() Config {
	return Config{
		Rounds:       1,
		Duration:     time.Second,
		Warmup:       300 * time.Millisecond,
		EchoConns:    []int{1, 16},
		EchoSizes:    []int{16, 1024},
		LatencyConns: 8,
		LatencySize:  1024,
		LatencyRate:  2000,
		IdleConns:    []int{500},
		HSWorkers:    4,
		BcastConns:   200,
		BcastSize:    1024,
		BcastCount:   5,
		DeflateConns: []int{16},
		DeflateSizes: []int{1024},
		ProfileCells: [][2]int{{16, 1024}},
	}
}

// Scenarios lists the scenarios of cfg. idleMax is what an IdleConns of
// 0 stands for.
func (cfg Config) Scenarios(idleMax int) []Scenario {
	dur := []string{"-duration", cfg.Duration.String(), "-warmup", cfg.Warmup.String()}
	timed := cfg.Warmup + cfg.Duration + 30*time.Second
	var out []Scenario
	for _, c := range cfg.EchoConns {
		for _, s := range cfg.EchoSizes {
			out = append(out, Scenario{
				Group: "echo", Row: fmt.Sprintf("%d × %s", c, size(s)), Mode: "echo",
				Args:    append([]string{"-conns", itoa(c), "-size", itoa(s)}, dur...),
				Metrics: []Metric{mMsgs, mCPUMsg}, Budget: timed,
			})
		}
	}
	out = append(out, Scenario{
		Group: "latency",
		Row:   fmt.Sprintf("%d × %s at %s msg/s", cfg.LatencyConns, size(cfg.LatencySize), human(cfg.LatencyRate)),
		Mode:  "latency",
		Args: append([]string{"-conns", itoa(cfg.LatencyConns), "-size", itoa(cfg.LatencySize),
			"-rate", strconv.FormatFloat(cfg.LatencyRate, 'f', -1, 64)}, dur...),
		Metrics: []Metric{mP50, mP99, mP999}, Budget: timed,
	})
	for _, n := range cfg.IdleConns {
		if n == 0 {
			n = idleMax
		}
		out = append(out, Scenario{
			Group: "idle", Row: fmt.Sprintf("%s connections", human(float64(n))), Mode: "idle",
			Args:    []string{"-conns", itoa(n)},
			Metrics: []Metric{mRSS, mHeapConn, mStackConn, mGoConn}, Budget: 2*time.Minute + time.Duration(n)*time.Millisecond,
		})
	}
	out = append(out, Scenario{
		Group: "handshake", Row: fmt.Sprintf("%d parallel clients", cfg.HSWorkers), Mode: "handshake",
		Args:    append([]string{"-concurrency", itoa(cfg.HSWorkers)}, dur...),
		Metrics: []Metric{mHandshakes, mCPUHS}, Budget: timed,
	})
	out = append(out, Scenario{
		Group: "broadcast",
		Row:   fmt.Sprintf("%s to %s connections", size(cfg.BcastSize), human(float64(cfg.BcastConns))),
		Mode:  "broadcast",
		Args: []string{"-conns", itoa(cfg.BcastConns), "-size", itoa(cfg.BcastSize),
			"-count", itoa(cfg.BcastCount)},
		Metrics: []Metric{mBcast, mCPUBcast},
		Budget:  2*time.Minute + time.Duration(cfg.BcastConns)*time.Millisecond,
	})
	for _, c := range cfg.DeflateConns {
		for _, s := range cfg.DeflateSizes {
			out = append(out, Scenario{
				Group: "echo-deflate", Row: fmt.Sprintf("%d × %s", c, size(s)), Mode: "echo",
				Args:     append([]string{"-conns", itoa(c), "-size", itoa(s)}, dur...),
				Compress: true, Metrics: []Metric{mMsgs, mCPUMsg}, Budget: timed,
			})
		}
	}
	cells := cfg.ProfileCells
	if cells == nil {
		// Every echo cell: a target missed in any of them is explained
		// by its profile.
		for _, c := range cfg.EchoConns {
			for _, sz := range cfg.EchoSizes {
				cells = append(cells, [2]int{c, sz})
			}
		}
	}
	for _, cell := range cells {
		out = append(out, Scenario{
			Group: "profile", Row: fmt.Sprintf("%d × %s", cell[0], size(cell[1])), Mode: "echo",
			Args:    append([]string{"-conns", itoa(cell[0]), "-size", itoa(cell[1])}, dur...),
			Profile: true, Metrics: profileMetrics, Budget: timed,
		})
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// size writes a message size: 16 B, 1 KiB, 64 KiB.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// human writes a count with a k or M suffix, three significant digits.
func human(v float64) string {
	switch {
	case v >= 1e6:
		return trim(v/1e6) + "M"
	case v >= 1e3:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

// trim writes v with three significant digits at most, without trailing
// zeros.
func trim(v float64) string {
	var s string
	switch {
	case v >= 100:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	case v >= 1:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	default:
		s = strconv.FormatFloat(v, 'g', 3, 64)
	}
	if i := len(s); i > 0 && containsDot(s) {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	return s
}

func containsDot(s string) bool {
	for i := range len(s) {
		if s[i] == '.' {
			return true
		}
		if s[i] == 'e' {
			return false
		}
	}
	return false
}
