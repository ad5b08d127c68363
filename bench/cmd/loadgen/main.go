// Command loadgen is the load generator of the benchmarks: raw TCP, the
// client handshake done by hand, pre-built masked frames, a minimal frame
// parser, and no allocation in its send and receive loops. It drives one
// echo server (cmd/echoserver) and prints one JSON line with its findings.
//
// Usage:
//
//	loadgen -mode MODE -addr HOST:PORT [-ctrl HOST:PORT] [-server-pid PID] [flags]
//
// Modes:
//
//	echo       -conns connections, each sending a -size byte binary message
//	           and waiting for its echo before sending the next (one message
//	           in flight per connection), for -warmup then -duration;
//	           reports messages/s and the server's CPU µs per message
//	latency    -conns connections; messages sent at a fixed total -rate
//	           (messages/s), spread over the connections in turn, whatever
//	           the echoes do (open loop); the latency of each is measured
//	           from the time it was due to its echo's arrival, so a stalled
//	           server is not hidden; reports p50, p99 and p99.9
//	idle       opens -conns connections and holds them; reports the
//	           server's resident memory per connection (VmRSS after minus
//	           before, divided by the connections)
//	handshake  -concurrency workers open, upgrade and reset connections in
//	           a loop; reports handshakes/s and CPU µs per handshake
//	broadcast  opens -conns connections, then -count times asks the server
//	           (GET /broadcast on -ctrl) to send one -size byte message to
//	           all; reports the median time until every connection has it,
//	           and the server's CPU µs per broadcast
//
// With -compress every connection offers permessage-deflate (no context
// takeover either way) and, when accepted, sends compressed messages; the
// result's "deflate" says whether the server accepted.
//
// Server CPU time comes from /proc/PID/stat of -server-pid, read at the
// start and the end of the measured window; memory from /proc/PID/status.
// With -cpu N the load generator pins itself to CPU N, at the nice value
// of -nice. Connections beyond
// -per-addr bind to 127.0.0.2, 127.0.0.3, ... so that a load is not bounded
// by the ephemeral ports of one source address. Every connection is closed
// with a reset (SO_LINGER 0), which leaves no TIME_WAIT behind. The whole
// run is bounded by -timeout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wsstack/websocket/bench/internal/pin"
	"github.com/wsstack/websocket/bench/internal/procfs"
	"github.com/wsstack/websocket/bench/internal/wire"
	"golang.org/x/sys/unix"
)

// config holds the flags.
type config struct {
	mode        string
	addr, ctrl  string
	serverPID   int
	conns       int
	size        int
	duration    time.Duration
	warmup      time.Duration
	rate        float64
	concurrency int
	count       int
	settle      time.Duration
	compress    bool
	perAddr     int
	dialers     int
}

// Result is the JSON line printed at the end. Metrics holds the figures,
// by name (see each mode).
type Result struct {
	Mode    string             `json:"mode"`
	Conns   int                `json:"conns,omitempty"`
	Size    int                `json:"size,omitempty"`
	Deflate bool               `json:"deflate"`
	Metrics map[string]float64 `json:"metrics"`
	Error   string             `json:"error,omitempty"`
}

// The main goroutine keeps the main thread, so that the parent-death
// signal set in main is the main thread's, the one the parent sees.
func init() { runtime.LockOSThread() }

func main() {
	log.SetFlags(0)
	log.SetPrefix("loadgen: ")
	var cfg config
	flag.StringVar(&cfg.mode, "mode", "echo", "echo, latency, idle, handshake or broadcast")
	flag.StringVar(&cfg.addr, "addr", "", "WebSocket server address, host:port")
	flag.StringVar(&cfg.ctrl, "ctrl", "", "the echo server's control address (idle, broadcast)")
	flag.IntVar(&cfg.serverPID, "server-pid", 0, "the server's process ID, for CPU time and memory")
	flag.IntVar(&cfg.conns, "conns", 1, "connections")
	flag.IntVar(&cfg.size, "size", 16, "message size in bytes")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "measured time (echo, latency, handshake)")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "time before the measured window")
	flag.Float64Var(&cfg.rate, "rate", 10000, "offered messages per second, all connections together (latency)")
	flag.IntVar(&cfg.concurrency, "concurrency", 16, "parallel handshakes (handshake)")
	flag.IntVar(&cfg.count, "count", 20, "broadcasts (broadcast)")
	flag.DurationVar(&cfg.settle, "settle", time.Second, "wait before reading memory (idle)")
	flag.BoolVar(&cfg.compress, "compress", false, "offer permessage-deflate and send compressed messages")
	flag.IntVar(&cfg.perAddr, "per-addr", 25000, "connections per source address")
	flag.IntVar(&cfg.dialers, "dialers", 32, "parallel dials while opening connections")
	cpu := flag.Int("cpu", -1, "pin the process to this CPU (-1: no pinning)")
	nice := flag.Int("nice", 0, "with -cpu, run at this nice value (negative: needs privilege)")
	timeout := flag.Duration("timeout", 5*time.Minute, "hard bound on the whole run")
	flag.Parse()

	if err := pin.Self(*cpu, *nice); err != nil {
		log.Fatal(err)
	}
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0)
	time.AfterFunc(*timeout, func() {
		log.Printf("-timeout %v reached", *timeout)
		os.Exit(2)
	})
	if _, err := procfs.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}
	if cfg.addr == "" {
		log.Fatal("-addr is required")
	}

	res := Result{Mode: cfg.mode, Conns: cfg.conns, Size: cfg.size, Metrics: map[string]float64{}}
	var err error
	switch cfg.mode {
	case "echo":
		err = runEcho(&cfg, &res)
	case "latency":
		err = runLatency(&cfg, &res)
	case "idle":
		err = runIdle(&cfg, &res)
	case "handshake":
		res.Conns, res.Size = 0, 0
		err = runHandshake(&cfg, &res)
	case "broadcast":
		err = runBroadcast(&cfg, &res)
	default:
		log.Fatalf("unknown -mode %q", cfg.mode)
	}
	if err != nil {
		res.Error = err.Error()
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	if err != nil {
		os.Exit(1)
	}
}

// conn is an open WebSocket connection with its first bytes.
type conn struct {
	c        *net.TCPConn
	leftover []byte // bytes read past the handshake response
	deflate  bool
}

// dial opens connection number i and does the handshake.
func dial(cfg *config, i int, req []byte) (*conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if i >= cfg.perAddr {
		d.LocalAddr = &net.TCPAddr{IP: wire.LocalIP(i, cfg.perAddr)}
	}
	nc, err := d.Dial("tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	c := nc.(*net.TCPConn)
	c.SetLinger(0)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		c.Close()
		return nil, err
	}
	buf := make([]byte, 4096)
	resp, err := wire.ReadResponse(c, buf)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	cn := &conn{c: c, deflate: resp.Deflate}
	if resp.Leftover > 0 {
		cn.leftover = append([]byte(nil), buf[resp.Consumed:resp.Consumed+resp.Leftover]...)
	}
	return cn, nil
}

// openAll opens n connections, cfg.dialers at a time.
func openAll(cfg *config, n int) ([]*conn, error) {
	req := wire.UpgradeRequest(cfg.addr, "/", cfg.compress)
	conns := make([]*conn, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(cfg.dialers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				c, err := dial(cfg, i, req)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d of %d: %w", i+1, n, err)
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
				conns[i] = c
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		closeAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

func closeAll(conns []*conn) {
	for _, c := range conns {
		if c != nil {
			c.c.Close()
		}
	}
}

// deflateOf says whether every connection negotiated compression.
func deflateOf(conns []*conn) bool {
	for _, c := range conns {
		if !c.deflate {
			return false
		}
	}
	return len(conns) > 0
}

// message returns the frame every connection sends: -size bytes of text
// in a binary message, compressed when the connections negotiated it.
func message(cfg *config, deflate bool) (frame []byte, echoLen int64) {
	payload := wire.Text(cfg.size)
	if deflate {
		// The echo may come back compressed or not, depending on the
		// library's threshold: its length is not checked.
		return wire.AppendClientFrame(nil, wire.OpBinary, true, wire.Deflate(payload), wire.Mask), -1
	}
	return wire.AppendClientFrame(nil, wire.OpBinary, false, payload, wire.Mask), int64(cfg.size)
}

// readBufSize is the read buffer of each connection for messages of size
// bytes.
func readBufSize(size int) int { return min(max(size+64, 4096), 128<<10) }

// window samples what is measured at the start and the end of a window.
type window struct {
	pid       int
	t0        time.Time
	cpu0      time.Duration
	self0     time.Duration
	wall      time.Duration
	serverCPU time.Duration
	selfCPU   time.Duration
	err       error
}

func (w *window) start() {
	w.t0 = time.Now()
	w.self0 = procfs.SelfCPU()
	if w.pid > 0 {
		w.cpu0, w.err = procfs.CPUTime(w.pid)
	}
}

func (w *window) stop() {
	if w.pid > 0 {
		cpu, err := procfs.CPUTime(w.pid)
		if err != nil && w.err == nil {
			w.err = err
		}
		w.serverCPU = cpu - w.cpu0
	}
	w.selfCPU = procfs.SelfCPU() - w.self0
	w.wall = time.Since(w.t0)
}

// report adds the window's CPU figures to res: the server's CPU per
// operation (µs) and the load generator's own CPU use (% of one core).
func (w *window) report(res *Result, ops float64, perOp string) {
	if w.pid > 0 && ops > 0 {
		res.Metrics[perOp] = w.serverCPU.Seconds() * 1e6 / ops
		res.Metrics["server_cpu_pct"] = 100 * w.serverCPU.Seconds() / w.wall.Seconds()
	}
	res.Metrics["client_cpu_pct"] = 100 * w.selfCPU.Seconds() / w.wall.Seconds()
}

// firstError keeps the first error of several goroutines.
type firstError struct {
	mu  sync.Mutex
	err error
}

func (f *firstError) set(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
