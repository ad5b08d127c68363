package runner

import (
	"fmt"
	"math"
	"strings"
)

// The targets the project set itself (issue 6), checked against the run:
// each is met or missed by the figures above it in the report, never by
// hand. Ratios are to Reference, in the same round.
const (
	targetCPURatio       = 0.8  // echo: server CPU per message, every cell
	targetRateRatio      = 1.15 // echo: messages/s where the server is the bottleneck
	targetHandshakeRatio = 1.2  // handshakes/s
	targetIdleKiB        = 4.0  // idle RSS per connection, default mode
	targetIdleLoopKiB    = 1.0  // idle RSS per connection, event-loop mode
	eventLoopLib         = "ours-loop"
)

// mServerCPU is the share of a CPU the server used, in percent.
var mServerCPU = Metric{"server_cpu_pct", "server CPU", "%", false}

// targetLines checks the targets against the results.
func (r *Report) targetLines() []string {
	var out []string
	group := func(g string) []*ScenarioResult {
		var rs []*ScenarioResult
		for _, sr := range r.Results {
			if sr.Scenario.Group == g {
				rs = append(rs, sr)
			}
		}
		return rs
	}
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**missed**"
	}
	// worst returns the worst ratio of lib over rs for m, and its row.
	worst := func(rs []*ScenarioResult, lib string, m Metric, keep func(*ScenarioResult) bool) (float64, string, int) {
		w, row, n := math.NaN(), "", 0
		for _, sr := range rs {
			if keep != nil && !keep(sr) {
				continue
			}
			st := summarize(sr, lib, m)
			if math.IsNaN(st.ratio) {
				continue
			}
			n++
			bad := (m.HigherBetter && st.ratio < w) || (!m.HigherBetter && st.ratio > w)
			if math.IsNaN(w) || bad {
				w, row = st.ratio, sr.Scenario.Row
			}
		}
		return w, row, n
	}
	echo := group("echo")
	if w, row, n := worst(echo, "ours", mCPUMsg, nil); n > 0 {
		out = append(out, fmt.Sprintf("Echo, server CPU per message at most %.2f× %s in every cell: %s (worst: %.2f× at %s; see \"Where the echo server's CPU goes\" for why).",
			targetCPURatio, Reference, verdict(w <= targetCPURatio), w, row))
	}
	serverBound := func(sr *ScenarioResult) bool {
		// The server is the bottleneck where the reference's server used
		// 90 % or more of its CPU and the load generator did not, for
		// both libraries.
		for _, lib := range []string{"ours", Reference} {
			if summarize(sr, lib, mMsgs).loadSat || summarize(sr, lib, mServerCPU).median < 90 {
				return false
			}
		}
		return true
	}
	if w, row, n := worst(echo, "ours", mMsgs, serverBound); n > 0 {
		out = append(out, fmt.Sprintf("Echo, messages/s at least %.2f× %s where the server is the bottleneck (%d of the cells: both servers used 90 %% or more of their CPU, the load generator less): %s (worst: %.2f× at %s).",
			targetRateRatio, Reference, n, verdict(w >= targetRateRatio), w, row))
	} else if len(echo) > 0 {
		out = append(out, fmt.Sprintf("Echo, messages/s at least %.2f× %s where the server is the bottleneck: no cell qualifies (in every cell, a server had CPU to spare or the load generator used 90 %% or more of its CPU).",
			targetRateRatio, Reference))
	}
	for _, sr := range group("latency") {
		st := summarize(sr, "ours", mP99)
		if !math.IsNaN(st.ratio) {
			out = append(out, fmt.Sprintf("Latency, p99 no worse than %s (%s): %s (%.2f×).", Reference, sr.Scenario.Row, verdict(st.ratio <= 1), st.ratio))
		}
	}
	for _, sr := range group("idle") {
		for _, t := range []struct {
			lib   string
			limit float64
			mode  string
		}{{"ours", targetIdleKiB, "default mode"}, {eventLoopLib, targetIdleLoopKiB, "event-loop mode"}} {
			st := summarize(sr, t.lib, mRSS)
			if !math.IsNaN(st.median) {
				out = append(out, fmt.Sprintf("Idle RSS per connection at most %g KiB in the %s (%s), at %s: %s (%s KiB).",
					t.limit, t.mode, t.lib, sr.Scenario.Row, verdict(st.median <= t.limit), trim(st.median)))
			}
		}
	}
	if w, row, n := worst(echo, eventLoopLib, mCPUMsg, nil); n > 0 {
		out = append(out, fmt.Sprintf("Event-loop mode (%s), server CPU per message at most %s's in every echo cell: %s (worst: %.2f× at %s).",
			eventLoopLib, Reference, verdict(w <= 1), w, row))
	}
	for _, sr := range group("handshake") {
		st := summarize(sr, "ours", mHandshakes)
		if math.IsNaN(st.ratio) {
			continue
		}
		line := fmt.Sprintf("Handshakes/s at least %.1f× %s: %s (%.2f×", targetHandshakeRatio, Reference, verdict(st.ratio >= targetHandshakeRatio), st.ratio)
		if st.loadSat || summarize(sr, Reference, mHandshakes).loadSat {
			line += "; the load generator used 90 % or more of its CPU, so the rates are partly its limit"
			if cpu := summarize(sr, "ours", mCPUHS); !math.IsNaN(cpu.ratio) {
				line += fmt.Sprintf(", and server CPU per handshake, %.2f× %s, is the fairer comparison", cpu.ratio, Reference)
			}
		}
		out = append(out, line+").")
	}
	return out
}

// targetsSection writes the targets' lines, if any scenario bears on them.
func (r *Report) targetsSection(b *strings.Builder) {
	lines := r.targetLines()
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "### Targets\n\n")
	fmt.Fprintf(b, "The project's performance targets (issue 6), checked against the figures above.\n\n")
	for _, l := range lines {
		fmt.Fprintf(b, "- %s\n", l)
	}
	b.WriteString("\n")
}
