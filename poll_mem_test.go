//go:build linux

package websocket

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// settleGoroutines waits until the number of goroutines stops changing
// (the transient goroutines of handshakes and open events have ended) and
// returns it.
func settleGoroutines() int {
	last, still := runtime.NumGoroutine(), 0
	for range 200 {
		time.Sleep(10 * time.Millisecond)
		if g := runtime.NumGoroutine(); g == last {
			if still++; still == 10 {
				break
			}
		} else {
			last, still = g, 0
		}
	}
	return last
}

// TestPollIdleGoroutines: in event-loop mode an idle connection has no
// goroutine: the count does not grow with the connections, where the
// default mode has one per connection.
func TestPollIdleGoroutines(t *testing.T) {
	n := 1000
	if raceEnabled {
		n = 400
	}
	for _, mode := range []string{"default", "event-loop"} {
		t.Run(mode, func(t *testing.T) {
			var p *Poller
			if mode == "event-loop" {
				p = newTestPoller(t, 2)
			}
			ps := startPollServer(t, p, nil)
			before := settleGoroutines()
			for range n {
				dialPollT(t, ps.addr) // raw clients: no goroutine of their own
			}
			ps.waitOpened(t, n)
			after := settleGoroutines()
			t.Logf("%s mode: %d goroutines before %d idle connections, %d after (%+d)", mode, before, n, after, after-before)
			switch {
			case mode == "default" && after-before < n:
				t.Errorf("default mode: %+d goroutines for %d connections, want one each", after-before, n)
			case mode == "event-loop" && after-before > n/100:
				t.Errorf("event-loop mode: %+d goroutines for %d idle connections", after-before, n)
			}
		})
	}
}

// The memory test runs its clients in another process (this test binary,
// running TestPollHelperClients), so that only the server's side of the
// connections is measured.
const pollHelperEnv = "WEBSOCKET_POLL_HELPER" // "addr count"

// TestPollHelperClients is not a test: it is the client process of
// TestPollIdleMemory. It opens the connections, says "ready", and holds
// them until its standard input closes.
func TestPollHelperClients(t *testing.T) {
	spec := os.Getenv(pollHelperEnv)
	if spec == "" {
		t.Skip("the client process of TestPollIdleMemory")
	}
	addr, count, _ := strings.Cut(spec, " ")
	n, _ := strconv.Atoi(count)
	var cs []*pollClient
	for range n {
		c, err := dialPoll(addr, nil)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		cs = append(cs, c)
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	for _, c := range cs {
		c.nc.Close()
	}
}

// memUse is what the process uses: heap objects, goroutine stacks, and
// resident memory.
type memUse struct {
	heap, stacks, rss int64
}

func measureMem() memUse {
	runtime.GC()
	runtime.GC() // the second one empties the pools' victim caches
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memUse{heap: int64(ms.HeapAlloc), stacks: int64(ms.StackInuse)}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			m.rss = pages * int64(os.Getpagesize())
		}
	}
	return m
}

// TestPollIdleMemory measures what an idle connection costs the server in
// each mode: heap and goroutine stack bytes (and resident memory, noisier),
// per connection, with the clients in another process. The server is an
// echo server with two handlers, given in Options: message (the echo) and
// close. Event-loop mode must cost less.
func TestPollIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens thousands of connections")
	}
	if raceEnabled {
		t.Skip("the race detector's own memory per goroutine and object would be measured")
	}
	n := 5000
	per := map[string]memUse{}
	for _, mode := range []string{"conn", "default", "event-loop"} {
		t.Run(mode, func(t *testing.T) {
			var closed atomic.Int64
			wsOpts := &Options{
				PingInterval: -1,
				OnMessage:    func(e *MessageEvent) { e.Target().(*WebSocket).Send(e.Data) },
				OnClose:      func(*CloseEvent) { closed.Add(1) },
			}
			if mode == "event-loop" {
				wsOpts.Poller = newTestPoller(t, 0)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if mode == "conn" {
					// The Conn API's recommended server: a goroutine
					// of its own per connection, reading into a
					// buffer it reuses.
					c, err := Accept(w, r, &AcceptOptions{ConnOptions: ConnOptions{PingInterval: -1}})
					if err != nil {
						return
					}
					go func() {
						defer closed.Add(1)
						defer c.CloseNow()
						echoUntilError(c)
					}()
					return
				}
				AcceptWebSocket(w, r, nil, wsOpts, nil)
			}))
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")
			settleGoroutines()
			before := measureMem()

			cmd := exec.Command(os.Args[0], "-test.run=^TestPollHelperClients$", "-test.count=1")
			cmd.Env = append(os.Environ(), pollHelperEnv+"="+addr+" "+strconv.Itoa(n))
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				stdin.Close()
				cmd.Wait()
				// Every socket ends before the next mode is measured.
				for deadline := time.Now().Add(30 * time.Second); closed.Load() < int64(n); {
					if time.Now().After(deadline) {
						t.Fatalf("%d sockets closed of %d", closed.Load(), n)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}()
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if line != "ready\n" {
				t.Fatalf("client process: %q", line)
			}
			settleGoroutines() // the sockets' open tasks have run
			after := measureMem()
			u := memUse{
				heap:   (after.heap - before.heap) / int64(n),
				stacks: (after.stacks - before.stacks) / int64(n),
				rss:    (after.rss - before.rss) / int64(n),
			}
			per[mode] = u
			t.Logf("%s mode, %d idle connections, per connection: heap %d B + goroutine stacks %d B = %d B; resident memory %d B",
				mode, n, u.heap, u.stacks, u.heap+u.stacks, u.rss)
		})
	}
	// An idle connection's goroutine parks on a shallow stack (Conn.waitIdle)
	// that the runtime shrinks to its smallest size, 2 KiB.
	if c := per["conn"]; c.stacks > 2048+256 {
		t.Errorf("conn mode: %d B of goroutine stack per idle connection, want about 2048", c.stacks)
	}
	d, e := per["default"], per["event-loop"]
	if e.heap+e.stacks >= d.heap+d.stacks {
		t.Errorf("event-loop mode: %d B per idle connection, default mode %d B: want less", e.heap+e.stacks, d.heap+d.stacks)
	}
}

// TestPollBigFrameAnnouncedHoldsWhatArrived: peers that announce big frames
// (8 MiB each, under the read limit) and send them slowly make the server
// hold about what they sent, not what they announced.
func TestPollBigFrameAnnouncedHoldsWhatArrived(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	const n, announced, sent = 50, 8 << 20, 64 << 10
	var cs []*pollClient
	for range n {
		cs = append(cs, dialPollT(t, ps.addr))
	}
	ps.waitOpened(t, n)
	before := measureMem()
	hdr := pFrame{fin: true, op: wsproto.OpBinary, masked: true, data: make([]byte, announced)}.bytes()[:14]
	for _, c := range cs {
		c.nc.Write(hdr)
	}
	piece := make([]byte, 1<<10)
	for range sent / len(piece) {
		for _, c := range cs {
			c.nc.Write(piece)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the last turns
	after := measureMem()
	per := (after.heap - before.heap) / n
	t.Logf("%d peers, each %d KiB into an announced %d MiB frame: the server holds %d KiB each", n, sent>>10, announced>>20, per>>10)
	if per > 4*sent {
		t.Errorf("%d KiB held per peer for %d KiB sent", per>>10, sent>>10)
	}
}
