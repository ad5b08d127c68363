package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wsstack/websocket/bench/internal/procfs"
)

// runIdle is the idle mode: connections that send nothing. Metrics:
// rss_before_mib, rss_after_mib, rss_kib_per_conn, open_per_s, and with
// -ctrl, from the server's Go runtime: heap_kib_per_conn (live and not yet
// collected heap objects), stack_kib_per_conn, goroutines_per_conn.
func runIdle(cfg *config, res *Result) error {
	if cfg.serverPID <= 0 {
		return fmt.Errorf("-server-pid is required")
	}
	before, err := procfs.RSS(cfg.serverPID)
	if err != nil {
		return err
	}
	var memBefore map[string]float64
	if cfg.ctrl != "" {
		memBefore, _ = memStats(cfg.ctrl)
	}
	t0 := time.Now()
	conns, err := openAll(cfg, cfg.conns)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	res.Metrics["open_per_s"] = float64(len(conns)) / time.Since(t0).Seconds()
	res.Deflate = deflateOf(conns)
	if cfg.ctrl != "" {
		if err := waitConns(cfg.ctrl, len(conns), 30*time.Second); err != nil {
			return err
		}
	}
	time.Sleep(cfg.settle)
	after, err := procfs.RSS(cfg.serverPID)
	if err != nil {
		return err
	}
	res.Metrics["rss_before_mib"] = float64(before) / (1 << 20)
	res.Metrics["rss_after_mib"] = float64(after) / (1 << 20)
	res.Metrics["rss_kib_per_conn"] = float64(after-before) / 1024 / float64(len(conns))
	if memBefore != nil {
		// Where the memory goes, from the server's Go runtime.
		if memAfter, err := memStats(cfg.ctrl); err == nil {
			per := func(name string) float64 {
				return (memAfter[name] - memBefore[name]) / float64(len(conns))
			}
			res.Metrics["heap_kib_per_conn"] = per("/memory/classes/heap/objects:bytes") / 1024
			res.Metrics["stack_kib_per_conn"] = per("/memory/classes/heap/stacks:bytes") / 1024
			res.Metrics["goroutines_per_conn"] = per("/sched/goroutines:goroutines")
		}
	}
	return nil
}

// memStats reads the echo server's /memstats: its Go runtime's memory
// figures, "name value" per line.
func memStats(ctrl string) (map[string]float64, error) {
	resp, err := http.Get("http://" + ctrl + "/memstats")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/memstats: %s", resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			out[name] = v
		}
	}
	return out, nil
}

// waitConns polls the server's /stats until it counts n open connections:
// some libraries register a connection after its 101 response is out.
func waitConns(ctrl string, n int, limit time.Duration) error {
	want := fmt.Sprintf("conns=%d ", n)
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + ctrl + "/stats")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = string(b)
			if len(last) >= len(want) && last[:len(want)] == want {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the server did not report %d connections within %v (last: %q)", n, limit, last)
}
