package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/bench/internal/wire"
	"golang.org/x/sys/unix"
)

// counter is a message count on its own cache line.
type counter struct {
	n atomic.Uint64
	_ [56]byte
}

// runEcho is the echo mode: closed loop, one message in flight per
// connection. Metrics: msgs_per_s, cpu_us_per_msg, server_cpu_pct,
// client_cpu_pct.
//
// Like the latency mode it runs its own epoll loop on one locked thread
// rather than a goroutine per connection: each echo costs the load
// generator one read and one write, with no scheduling in between, so that
// it stays lighter than the servers it measures.
func runEcho(cfg *config, res *Result) error {
	conns, err := openAll(cfg, cfg.conns)
	if err != nil {
		return err
	}
	defer closeAll(conns)
	res.Deflate = deflateOf(conns)
	frame, echoLen := message(cfg, res.Deflate)

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ep, fds, err := epollConns(conns)
	if err != nil {
		return err
	}
	defer unix.Close(ep)
	parsers := make([]*wire.Parser, len(conns))
	for i := range parsers {
		parsers[i] = wire.NewParser(echoLen)
	}
	// Every message that arrives is the echo awaited on its connection
	// (one in flight each): count it and send the next.
	var total uint64
	onData := func(i int, data []byte) error {
		m, err := parsers[i].Feed(data)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
		for range m {
			total++
			if err := writeAll(fds[i], frame); err != nil {
				return fmt.Errorf("connection %d: %w", i+1, err)
			}
		}
		return nil
	}
	for i, c := range conns {
		if len(c.leftover) > 0 {
			return fmt.Errorf("connection %d: the server sent a message before any was asked for", i+1)
		}
		if err := writeAll(fds[i], frame); err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
	}

	buf := make([]byte, readBufSize(cfg.size))
	events := make([]unix.EpollEvent, 256)
	start := time.Now()
	measureFrom, measureTo := cfg.warmup, cfg.warmup+cfg.duration
	w := window{pid: cfg.serverPID}
	started := false
	var n0 uint64
	for {
		el := time.Since(start)
		if !started && el >= measureFrom {
			w.start()
			n0, started = total, true
		}
		if el >= measureTo {
			break
		}
		n, err := unix.EpollWait(ep, events, 100)
		if err != nil && err != unix.EINTR {
			return err
		}
		for _, ev := range events[:max(n, 0)] {
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
			if err := onData(i, buf[:n]); err != nil {
				return err
			}
		}
	}
	n1 := total
	w.stop()
	if w.err != nil {
		return w.err
	}
	msgs := float64(n1 - n0)
	res.Metrics["msgs"] = msgs
	res.Metrics["msgs_per_s"] = msgs / w.wall.Seconds()
	w.report(res, msgs, "cpu_us_per_msg")
	return nil
}

// epollConns returns an epoll set watching the connections' sockets for
// input (level-triggered; each event's Fd field holds the connection's
// index), and the sockets. The sockets stay owned by conns: Go's own
// poller keeps them registered too, with no goroutine waiting on them.
func epollConns(conns []*conn) (ep int, fds []int, err error) {
	ep, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, nil, err
	}
	fds = make([]int, len(conns))
	for i, c := range conns {
		rc, err := c.c.SyscallConn()
		if err != nil {
			unix.Close(ep)
			return -1, nil, err
		}
		rc.Control(func(fd uintptr) { fds[i] = int(fd) })
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fds[i], &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			unix.Close(ep)
			return -1, nil, err
		}
	}
	return ep, fds, nil
}
