package main

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/bench/internal/wire"
)

// runHandshake is the handshake mode: workers that connect, upgrade and
// reset, in a loop. Metrics: handshakes_per_s, cpu_us_per_handshake,
// server_cpu_pct, client_cpu_pct.
func runHandshake(cfg *config, res *Result) error {
	req := wire.UpgradeRequest(cfg.addr, "/", cfg.compress)
	counts := make([]counter, cfg.concurrency)
	var stop atomic.Bool
	var errs firstError
	var deflate atomic.Bool
	var wg sync.WaitGroup
	for i := range counts {
		wg.Go(func() {
			buf := make([]byte, 4096)
			d := net.Dialer{Timeout: 10 * time.Second}
			for !stop.Load() {
				nc, err := d.Dial("tcp", cfg.addr)
				if err != nil {
					errs.set(err)
					stop.Store(true)
					return
				}
				c := nc.(*net.TCPConn)
				c.SetLinger(0)
				c.SetDeadline(time.Now().Add(10 * time.Second))
				_, err = c.Write(req)
				var resp wire.Response
				if err == nil {
					resp, err = wire.ReadResponse(c, buf)
				}
				c.Close()
				if err != nil {
					errs.set(fmt.Errorf("handshake: %w", err))
					stop.Store(true)
					return
				}
				if resp.Deflate {
					deflate.Store(true)
				}
				counts[i].n.Add(1)
			}
		})
	}
	sum := func() uint64 {
		var n uint64
		for i := range counts {
			n += counts[i].n.Load()
		}
		return n
	}
	time.Sleep(cfg.warmup)
	w := window{pid: cfg.serverPID}
	w.start()
	n0 := sum()
	time.Sleep(cfg.duration)
	n1 := sum()
	w.stop()
	stop.Store(true)
	wg.Wait()
	if err := errs.get(); err != nil {
		return err
	}
	if w.err != nil {
		return w.err
	}
	res.Deflate = deflate.Load()
	hs := float64(n1 - n0)
	res.Metrics["handshakes"] = hs
	res.Metrics["handshakes_per_s"] = hs / w.wall.Seconds()
	w.report(res, hs, "cpu_us_per_handshake")
	return nil
}
