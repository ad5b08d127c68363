package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/wsstack/websocket/bench/internal/hist"
	"github.com/wsstack/websocket/bench/internal/wire"
	"golang.org/x/sys/unix"
)

// ringSize bounds the messages in flight on one connection; a message due
// when its connection already has that many is not sent and counts as
// missed.
const ringSize = 4096

// ring is a queue of the due times (ns since the run's base time) of the
// messages in flight on one connection, in order: echoes come back in the
// order the messages went.
type ring struct {
	head, tail uint64
	due        [ringSize]int64
}

func (r *ring) push(t int64) bool {
	if r.tail-r.head == ringSize {
		return false
	}
	r.due[r.tail%ringSize] = t
	r.tail++
	return true
}

func (r *ring) pop() (int64, bool) {
	if r.head == r.tail {
		return 0, false
	}
	t := r.due[r.head%ringSize]
	r.head++
	return t, true
}

// runLatency is the latency mode: open loop at a fixed offered rate.
// Metrics: p50_us, p99_us, p999_us, max_us, sent_per_s, missed, lost,
// cpu_us_per_msg, server_cpu_pct, client_cpu_pct.
//
// Go's timers sleep in whole milliseconds when the program is idle, which
// would send the messages in bursts a millisecond apart. So this mode runs
// its own event loop on one locked thread instead of goroutines: an epoll
// set holding the connections' sockets and a timerfd armed, to the
// nanosecond, for the next message's due time.
func runLatency(cfg *config, res *Result) error {
	if cfg.rate <= 0 {
		return errors.New("-rate must be positive")
	}
	conns, err := openAll(cfg, cfg.conns)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	res.Deflate = deflateOf(conns)
	frame, echoLen := message(cfg, res.Deflate)

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)

	ep, fds, err := epollConns(conns)
	if err != nil {
		return err
	}
	defer unix.Close(ep)
	tfd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return err
	}
	defer unix.Close(tfd)
	timerIdx := int32(len(conns))
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, tfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: timerIdx}); err != nil {
		return err
	}

	var h hist.Histogram
	rings := make([]ring, len(conns))
	parsers := make([]*wire.Parser, len(conns))
	for i := range parsers {
		parsers[i] = wire.NewParser(echoLen)
	}
	base := time.Now()
	now := func() int64 { return int64(time.Since(base)) }
	measureFrom := int64(cfg.warmup)
	measureTo := int64(cfg.warmup + cfg.duration)
	interval := float64(time.Second) / cfg.rate
	dueOf := func(k int64) int64 { return int64(float64(k) * interval) }

	var sent, missed, received uint64
	deliver := func(i int, data []byte) error {
		m, err := parsers[i].Feed(data)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
		if m == 0 {
			return nil
		}
		t := now()
		for range m {
			due, ok := rings[i].pop()
			if !ok {
				return fmt.Errorf("connection %d: an echo of a message not sent", i+1)
			}
			if due >= measureFrom && due < measureTo {
				h.Record(time.Duration(t - due))
				received++
			}
		}
		return nil
	}
	for i, c := range conns {
		if err := deliver(i, c.leftover); err != nil {
			return err
		}
	}

	buf := make([]byte, readBufSize(cfg.size))
	events := make([]unix.EpollEvent, 256)
	var tbuf [8]byte
	w := window{pid: cfg.serverPID}
	started, stopped := false, false
	drainUntil := int64(0)
	k := int64(0)
	for {
		// Send every message due by now.
		t := now()
		for {
			due := dueOf(k)
			if due > t || due >= measureTo {
				break
			}
			if !started && due >= measureFrom {
				w.start()
				started = true
			}
			i := int(k % int64(len(conns)))
			k++
			if !rings[i].push(due) {
				if due >= measureFrom {
					missed++
				}
				continue
			}
			if err := writeAll(fds[i], frame); err != nil {
				return fmt.Errorf("connection %d: %w", i+1, err)
			}
			if due >= measureFrom {
				sent++
			}
		}
		if dueOf(k) >= measureTo {
			if !stopped {
				if started {
					w.stop()
				}
				stopped = true
				drainUntil = now() + int64(2*time.Second)
			}
			if received >= sent || now() >= drainUntil {
				break
			}
		}
		// Sleep until the next message is due, or an echo comes.
		next := dueOf(k) - now()
		if stopped {
			next = int64(time.Millisecond)
		}
		if next > 0 {
			spec := unix.ItimerSpec{Value: unix.NsecToTimespec(next)}
			if err := unix.TimerfdSettime(tfd, 0, &spec, nil); err != nil {
				return err
			}
			n, err := unix.EpollWait(ep, events, 1000)
			if err != nil && err != unix.EINTR {
				return err
			}
			for _, ev := range events[:max(n, 0)] {
				if ev.Fd == timerIdx {
					unix.Read(tfd, tbuf[:])
					continue
				}
				i := int(ev.Fd)
				n, err := unix.Read(fds[i], buf)
				if err == unix.EAGAIN || err == unix.EINTR {
					continue
				}
				if err != nil {
					return fmt.Errorf("connection %d: %w", i+1, err)
				}
				if n == 0 {
					return fmt.Errorf("connection %d: closed by the server", i+1)
				}
				if err := deliver(i, buf[:n]); err != nil {
					return err
				}
			}
		}
	}
	if w.err != nil {
		return w.err
	}
	us := func(d time.Duration) float64 { return float64(d) / 1e3 }
	res.Metrics["p50_us"] = us(h.Quantile(0.50))
	res.Metrics["p99_us"] = us(h.Quantile(0.99))
	res.Metrics["p999_us"] = us(h.Quantile(0.999))
	res.Metrics["max_us"] = us(h.Quantile(1))
	res.Metrics["sent_per_s"] = float64(sent) / w.wall.Seconds()
	res.Metrics["missed"] = float64(missed)
	res.Metrics["lost"] = float64(sent - min(sent, received))
	w.report(res, float64(sent), "cpu_us_per_msg")
	return nil
}

// writeAll writes b to the non-blocking socket fd, waiting for room when
// the socket's buffer is full.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if n > 0 {
			b = b[n:]
		}
		switch {
		case err == unix.EAGAIN:
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			if _, err := unix.Poll(pfd, 5000); err != nil && err != unix.EINTR {
				return err
			}
		case err == unix.EINTR:
		case err != nil:
			return err
		}
	}
	return nil
}
