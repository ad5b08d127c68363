package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/bench/internal/wire"
)

// runBroadcast is the broadcast mode. Metrics: bcast_ms (median time from
// the request to the last delivery), deliveries_per_s (connections over
// that time), cpu_us_per_bcast, client_cpu_pct.
func runBroadcast(cfg *config, res *Result) error {
	if cfg.ctrl == "" {
		return fmt.Errorf("-ctrl is required")
	}
	conns, err := openAll(cfg, cfg.conns)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	res.Deflate = deflateOf(conns)
	if err := waitConns(cfg.ctrl, len(conns), 30*time.Second); err != nil {
		return err
	}

	// Every reader adds what it receives to received; the one that brings
	// it to target signals done.
	var received, target atomic.Int64
	target.Store(-1)
	done := make(chan struct{}, 1)
	var stop atomic.Bool
	var errs firstError
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			p := wire.NewParser(int64(cfg.size))
			buf := make([]byte, readBufSize(cfg.size))
			data := c.leftover
			for {
				if len(data) > 0 {
					m, err := p.Feed(data)
					if err != nil {
						errs.set(fmt.Errorf("connection %d: %w", i+1, err))
						return
					}
					if m > 0 && received.Add(int64(m)) == target.Load() {
						select {
						case done <- struct{}{}:
						default:
						}
					}
				}
				n, err := c.c.Read(buf)
				if err != nil {
					if !stop.Load() {
						errs.set(fmt.Errorf("connection %d: %w", i+1, err))
					}
					return
				}
				data = buf[:n]
			}
		})
	}
	defer func() {
		stop.Store(true)
		for _, c := range conns {
			c.c.SetReadDeadline(time.Now())
		}
		wg.Wait()
	}()

	url := "http://" + cfg.ctrl + "/broadcast?size=" + strconv.Itoa(cfg.size)
	client := &http.Client{Timeout: 30 * time.Second}
	times := make([]float64, 0, cfg.count)
	w := window{pid: cfg.serverPID}
	w.start()
	for k := 1; k <= cfg.count; k++ {
		target.Store(int64(k * len(conns)))
		t0 := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("sent=%d", len(conns)); strings.TrimSpace(string(b)) != want {
			return fmt.Errorf("broadcast %d: the server answered %q, want %q", k, b, want)
		}
		// A signal may be stale (a reader that loaded the previous
		// target late): the count decides.
		timeout := time.NewTimer(30 * time.Second)
		for received.Load() < int64(k*len(conns)) {
			select {
			case <-done:
			case <-timeout.C:
				return fmt.Errorf("broadcast %d: %d of %d deliveries after 30s", k, received.Load()-int64((k-1)*len(conns)), len(conns))
			}
		}
		timeout.Stop()
		times = append(times, time.Since(t0).Seconds()*1e3)
		if err := errs.get(); err != nil {
			return err
		}
	}
	w.stop()
	if w.err != nil {
		return w.err
	}
	slices.Sort(times)
	med := times[len(times)/2]
	res.Metrics["bcast_ms"] = med
	res.Metrics["deliveries_per_s"] = float64(len(conns)) / (med / 1e3)
	w.report(res, float64(cfg.count), "cpu_us_per_bcast")
	return nil
}
