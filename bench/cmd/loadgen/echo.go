package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/bench/internal/wire"
)

// counter is a per-connection message count on its own cache line.
type counter struct {
	n atomic.Uint64
	_ [56]byte
}

// runEcho is the echo mode: closed loop, one message in flight per
// connection. Metrics: msgs_per_s, cpu_us_per_msg, server_cpu_pct,
// client_cpu_pct.
func runEcho(cfg *config, res *Result) error {
	conns, err := openAll(cfg, cfg.conns)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	res.Deflate = deflateOf(conns)
	frame, echoLen := message(cfg, res.Deflate)

	counts := make([]counter, len(conns))
	var stop atomic.Bool
	var errs firstError
	var wg sync.WaitGroup
	begin := make(chan struct{})
	hardEnd := time.Now().Add(cfg.warmup + cfg.duration + 10*time.Second)
	for i, c := range conns {
		c.c.SetDeadline(hardEnd)
		wg.Go(func() {
			<-begin
			if err := echoLoop(c, frame, echoLen, readBufSize(cfg.size), &counts[i].n, &stop); err != nil && !stop.Load() {
				errs.set(fmt.Errorf("connection %d: %w", i+1, err))
				stop.Store(true)
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

	close(begin)
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
	msgs := float64(n1 - n0)
	res.Metrics["msgs"] = msgs
	res.Metrics["msgs_per_s"] = msgs / w.wall.Seconds()
	w.report(res, msgs, "cpu_us_per_msg")
	return nil
}

// echoLoop sends frame and waits for its echo until stop is set. It
// allocates nothing but its read buffer.
func echoLoop(c *conn, frame []byte, echoLen int64, bufSize int, count *atomic.Uint64, stop *atomic.Bool) error {
	p := wire.NewParser(echoLen)
	pending := 0 // echoes already read past the last one waited for
	if len(c.leftover) > 0 {
		m, err := p.Feed(c.leftover)
		if err != nil {
			return err
		}
		pending -= m // unsolicited messages: not ours
	}
	buf := make([]byte, bufSize)
	for !stop.Load() {
		if _, err := c.c.Write(frame); err != nil {
			return err
		}
		for pending < 1 {
			n, err := c.c.Read(buf)
			if n > 0 {
				m, perr := p.Feed(buf[:n])
				if perr != nil {
					return perr
				}
				pending += m
			}
			if err != nil {
				return err
			}
		}
		pending--
		count.Add(1)
	}
	return nil
}
