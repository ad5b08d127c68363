package main

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/wsstack/websocket/bench/internal/procfs"
)

// runIdle is the idle mode: connections that send nothing. Metrics:
// rss_before_mib, rss_after_mib, rss_kib_per_conn, open_per_s.
func runIdle(cfg *config, res *Result) error {
	if cfg.serverPID <= 0 {
		return fmt.Errorf("-server-pid is required")
	}
	before, err := procfs.RSS(cfg.serverPID)
	if err != nil {
		return err
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
	return nil
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
