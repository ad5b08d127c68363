package runner

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tiny is a configuration small enough for CI: every scenario, tiny loads.
func tiny() Config {
	return Config{
		Rounds:       1,
		Duration:     300 * time.Millisecond,
		Warmup:       100 * time.Millisecond,
		EchoConns:    []int{1, 4},
		EchoSizes:    []int{16, 1024},
		LatencyConns: 4,
		LatencySize:  1024,
		LatencyRate:  1000,
		IdleConns:    []int{50},
		HSWorkers:    2,
		BcastConns:   20,
		BcastSize:    256,
		BcastCount:   3,
		DeflateConns: []int{4},
		DeflateSizes: []int{1024},
	}
}

// TestQuickRun builds the echo server and the load generator and runs
// every scenario, tiny, against ours and gws: the harness works end to
// end, and both servers echo, hold, accept and broadcast correctly (the
// load generator checks every echo's length).
func TestQuickRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	defer KillAll()
	dir := t.TempDir()
	if err := Build(ctx, dir); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var log strings.Builder
	rep, err := Run(ctx, Options{
		Config:    tiny(),
		Libs:      []string{"ours", "gws"},
		BinDir:    dir,
		ServerCPU: 0,
		LoadCPU:   1,
		Log:       &log,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Logf("ran in %v:\n%s", time.Since(start).Round(time.Millisecond), log.String())
	if len(rep.Results) != 13 { // 9, and a profile of each of the 4 echo cells
		t.Fatalf("%d scenarios, want 13", len(rep.Results))
	}
	for _, sr := range rep.Results {
		for _, s := range sr.Samples {
			if s.Err != "" {
				t.Errorf("%s, %s: %s", sr.Scenario.Name(), s.Lib, s.Err)
				continue
			}
			if s.Skipped != "" {
				if !(sr.Scenario.Compress && s.Lib == "ours") {
					t.Errorf("%s, %s: skipped: %s", sr.Scenario.Name(), s.Lib, s.Skipped)
				}
				continue
			}
			for _, m := range sr.Scenario.Metrics {
				if v, ok := s.Metrics[m.Key]; !ok || math.IsNaN(v) || v < 0 || v == 0 && !strings.HasPrefix(m.Key, "cpu_") && !strings.HasSuffix(m.Key, "_us_per_msg") && m.Key != "rss_kib_per_conn" {
					t.Errorf("%s, %s: %s = %v", sr.Scenario.Name(), s.Lib, m.Key, v)
				}
			}
			if sr.Scenario.Compress && !s.Deflate {
				t.Errorf("%s, %s: compression not negotiated", sr.Scenario.Name(), s.Lib)
			}
		}
	}
	md := rep.Markdown()
	for _, want := range []string{"| connections × size | ours | gws |", "### Broadcast", "### Where the echo server's CPU goes", "| In system calls |", "### Targets", "### Reading: ours against gws"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}

	// WriteDoc keeps what is above the marker and replaces the rest.
	doc := filepath.Join(t.TempDir(), "benchmarks.md")
	os.WriteFile(doc, []byte("# Hand-written\n\nkept\n\n"+Marker+"\n\nold table\n"), 0o644)
	if err := rep.WriteDoc(doc); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(doc)
	if !strings.HasPrefix(string(b), "# Hand-written\n\nkept\n\n"+Marker) || strings.Contains(string(b), "old table") ||
		!strings.Contains(string(b), "### Echo") {
		t.Errorf("WriteDoc wrote:\n%s", b)
	}
}

func TestStatistics(t *testing.T) {
	sr := &ScenarioResult{Scenario: Scenario{Metrics: []Metric{mMsgs}}}
	for round, v := range [][2]float64{{90, 100}, {200, 100}, {50, 100}} {
		sr.Samples = append(sr.Samples,
			Sample{Lib: "ours", Round: round, Metrics: map[string]float64{"msgs_per_s": v[0]}},
			Sample{Lib: "gws", Round: round, Metrics: map[string]float64{"msgs_per_s": v[1]}})
	}
	st := summarize(sr, "ours", mMsgs)
	if st.median != 90 || st.ratio != 0.9 || st.nSamples != 3 {
		t.Errorf("median %v ratio %v samples %d, want 90, 0.9, 3", st.median, st.ratio, st.nSamples)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	for v, want := range map[float64]string{16: "16", 1234: "1.23k", 99999: "100k", 2.5e6: "2.5M", 0.1234: "0.123", 10: "10"} {
		if got := human(v); got != want {
			t.Errorf("human(%v) = %q, want %q", v, got, want)
		}
	}
	if size(64<<10) != "64 KiB" || size(16) != "16 B" {
		t.Error("size")
	}
	if IdleMax(20000) != 19000 || IdleMax(1024) != 100 {
		t.Errorf("IdleMax: %d, %d", IdleMax(20000), IdleMax(1024))
	}
}

// TestTargets checks the targets' verdicts on made-up samples.
func TestTargets(t *testing.T) {
	sample := func(lib string, m map[string]float64) Sample {
		return Sample{Lib: lib, Metrics: m}
	}
	r := &Report{Results: []*ScenarioResult{
		{Scenario: Scenario{Group: "echo", Row: "64 × 16 B", Metrics: []Metric{mMsgs, mCPUMsg}}, Samples: []Sample{
			sample("ours", map[string]float64{"msgs_per_s": 120, "cpu_us_per_msg": 7, "server_cpu_pct": 99, "client_cpu_pct": 50}),
			sample("gws", map[string]float64{"msgs_per_s": 100, "cpu_us_per_msg": 10, "server_cpu_pct": 99, "client_cpu_pct": 50}),
		}},
		{Scenario: Scenario{Group: "echo", Row: "1 × 16 B", Metrics: []Metric{mMsgs, mCPUMsg}}, Samples: []Sample{
			sample("ours", map[string]float64{"msgs_per_s": 100, "cpu_us_per_msg": 9, "server_cpu_pct": 40, "client_cpu_pct": 40}),
			sample("gws", map[string]float64{"msgs_per_s": 100, "cpu_us_per_msg": 10, "server_cpu_pct": 40, "client_cpu_pct": 40}),
		}},
		{Scenario: Scenario{Group: "idle", Row: "10k connections", Metrics: []Metric{mRSS}}, Samples: []Sample{
			sample("ours", map[string]float64{"rss_kib_per_conn": 3.5}),
			sample("ours-loop", map[string]float64{"rss_kib_per_conn": 1.5}),
			sample("gws", map[string]float64{"rss_kib_per_conn": 11}),
		}},
	}}
	got := strings.Join(r.targetLines(), "\n")
	for _, want := range []string{
		"every cell: **missed** (worst: 0.90× at 1 × 16 B",
		"bottleneck (1 of the cells: both servers used 90 % or more of their CPU, the load generator less): **met** (worst: 1.20× at 64 × 16 B)",
		"4 KiB in the default mode (ours), at 10k connections: **met** (3.5 KiB)",
		"1 KiB in the event-loop mode (ours-loop), at 10k connections: **missed** (1.5 KiB)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("targets lack %q:\n%s", want, got)
		}
	}
}
