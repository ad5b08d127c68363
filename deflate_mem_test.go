package websocket

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// This file measures what permessage-deflate costs per connection, for
// docs/compression.md: the heap each connection holds while idle and in
// the middle of a message, for each mode and window size, beside the
// compression ratio and throughput on a JSON corpus generated below.
//
//	go test -run TestDeflateMemoryTable -deflate-table .        # the Markdown table of docs/compression.md
//	go test -run '^$' -bench DeflateMemory -benchtime 1x .      # the same figures as benchmark metrics

var deflateTable = flag.Bool("deflate-table", false, "TestDeflateMemoryTable: measure and print the table of docs/compression.md")

// deflateMode is one configuration of both ends of a connection.
type deflateMode struct {
	name string
	cfg  *CompressionOptions // nil: no compression
}

// deflateModes are the rows of the table. Each sets both ends alike: the
// server grants what the client's offer asks (the window sizes, context
// takeover off), so the two directions agree on the same parameters.
var deflateModes = []deflateMode{
	{"no compression", nil},
	{"no context takeover, 15 bits", &CompressionOptions{ServerNoContextTakeover: true, ClientNoContextTakeover: true}},
	{"context takeover, 15 bits", &CompressionOptions{}},
	{"context takeover, 12 bits", &CompressionOptions{ServerMaxWindowBits: 12, ClientMaxWindowBits: 12}},
	{"context takeover, 9 bits", &CompressionOptions{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}},
	{"LowMemoryTakeover, 15 bits", &CompressionOptions{LowMemoryTakeover: true}},
	{"LowMemoryTakeover, 12 bits", &CompressionOptions{LowMemoryTakeover: true, ServerMaxWindowBits: 12, ClientMaxWindowBits: 12}},
}

// jsonMessages returns about n bytes of JSON messages such as a WebSocket
// API streams: trades, order-book updates, chat messages and presence
// events, each an object of 100 bytes to a few KiB with the same keys
// again and again, ids, timestamps, prices, short texts. It is
// deterministic: the same for a given n.
func jsonMessages(n int) [][]byte {
	rng := rand.New(rand.NewPCG(7692, 1))
	symbols := []string{"BTC-USD", "ETH-USD", "SOL-USD", "EUR-USD", "GBP-JPY", "AAPL", "MSFT", "NVDA"}
	users := []string{"ada", "boris", "clara", "dmitri", "elena", "farid", "greta", "hugo", "ines", "jonas"}
	words := strings.Fields("the order was filled at market price please confirm your settings before the session ends we are seeing high volume on this pair today thanks for the update see you tomorrow")
	var out [][]byte
	total := 0
	ts := int64(1_760_000_000_000)
	for seq := 1; total < n; seq++ {
		ts += int64(rng.IntN(50))
		var b strings.Builder
		switch k := rng.IntN(10); {
		case k < 4:
			fmt.Fprintf(&b, `{"type":"trade","seq":%d,"ts":%d,"symbol":"%s","side":"%s","price":"%d.%02d","size":"%d.%04d","tradeId":"%016x"}`,
				seq, ts, symbols[rng.IntN(len(symbols))], []string{"buy", "sell"}[rng.IntN(2)], 100+rng.IntN(90000), rng.IntN(100), rng.IntN(20), rng.IntN(10000), rng.Uint64())
		case k < 7:
			fmt.Fprintf(&b, `{"type":"book","seq":%d,"ts":%d,"symbol":"%s","bids":[`, seq, ts, symbols[rng.IntN(len(symbols))])
			levels := 5 + rng.IntN(40)
			for i := range levels {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `["%d.%02d","%d.%04d"]`, 30000-i*rng.IntN(5), rng.IntN(100), rng.IntN(5), rng.IntN(10000))
			}
			b.WriteString(`],"asks":[`)
			for i := range levels {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `["%d.%02d","%d.%04d"]`, 30001+i*rng.IntN(5), rng.IntN(100), rng.IntN(5), rng.IntN(10000))
			}
			b.WriteString(`]}`)
		case k < 9:
			var text []string
			for range 3 + rng.IntN(25) {
				text = append(text, words[rng.IntN(len(words))])
			}
			fmt.Fprintf(&b, `{"type":"chat","seq":%d,"ts":%d,"room":"lobby-%d","from":{"id":%d,"name":"%s","roles":["member"]},"text":"%s","mentions":[],"edited":false}`,
				seq, ts, rng.IntN(5), 1000+rng.IntN(9000), users[rng.IntN(len(users))], strings.Join(text, " "))
		default:
			fmt.Fprintf(&b, `{"type":"presence","seq":%d,"ts":%d,"user":"%s","status":"%s","device":{"os":"%s","app":"2.%d.%d"}}`,
				seq, ts, users[rng.IntN(len(users))], []string{"online", "away", "offline"}[rng.IntN(3)], []string{"ios", "android", "web"}[rng.IntN(3)], rng.IntN(20), rng.IntN(10))
		}
		out = append(out, []byte(b.String()))
		total += b.Len()
	}
	return out
}

// deflateFigures are the measurements of one mode.
type deflateFigures struct {
	idle, sending, receiving float64 // heap bytes per connection
	ratio, ratioBig          float64 // compressed payload bytes / message bytes: the corpus; in 16 KiB messages
	mbps, mbpsBig            float64 // MB/s client to server through a Pipe: the corpus; in 16 KiB messages
}

// heapNow returns the live heap after collecting twice, which also empties
// the sync.Pools (their buffers are shared by all connections, not held by
// any).
func heapNow() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc)
}

// pipeHeld returns the bytes the Pipes of clients hold from the client to
// the server: not the connections' memory (a socket's would be the
// kernel's), so it is left out of the figures. A Pipe's buffer is an
// array that reads slice from the front, and free once drained: held[i],
// when not nil, keeps the array's size as first seen, while it is not
// drained.
func pipeHeld(clients []*Conn, held []float64) float64 {
	total := 0.0
	for i, c := range clients {
		p := c.nc.(*pipeConn).w
		p.mu.Lock()
		size := float64(cap(p.buf))
		if held != nil {
			switch {
			case p.buf == nil:
				held[i] = 0
			case held[i] == 0:
				held[i] = size
			}
			size = held[i]
		}
		p.mu.Unlock()
		total += size
	}
	return total
}

// newPair returns a connected Pipe pair in mode m.
func newPair(tb testing.TB, m deflateMode) (client, server *Conn) {
	if m.cfg == nil {
		return Pipe(nil)
	}
	return deflatePipe(tb, *m.cfg, *m.cfg)
}

// measureDeflate measures mode m with n connection pairs and the corpus
// msgs.
func measureDeflate(tb testing.TB, m deflateMode, n int, msgs [][]byte, tries int) deflateFigures {
	ctx := context.Background()
	var f deflateFigures

	// Idle: after a few messages each way, so that every lazily made
	// buffer exists and the windows are full.
	base := heapNow()
	clients, servers := make([]*Conn, n), make([]*Conn, n)
	for i := range n {
		clients[i], servers[i] = newPair(tb, m)
		for j := range 6 {
			msg := msgs[(i*6+j)%len(msgs)]
			for _, dir := range [][2]*Conn{{clients[i], servers[i]}, {servers[i], clients[i]}} {
				if err := dir[0].Write(ctx, MessageText, msg); err != nil {
					tb.Fatal(err)
				}
				if _, _, err := dir[1].Read(ctx); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	idle := heapNow()
	f.idle = (idle - base) / float64(2*n)

	// Sending: each client in the middle of a 48 KiB message, half of it
	// written to its Writer. (Uncompressed, all of it fits in the Pipe's
	// buffer, which the receiving state needs.)
	const bigSize = 48 << 10
	var bigB strings.Builder
	for i := 0; bigB.Len() < bigSize; i++ {
		bigB.Write(msgs[i%len(msgs)])
		bigB.WriteByte('\n')
	}
	big := []byte(bigB.String()[:bigSize])
	writers := make([]io.WriteCloser, n)
	for i, c := range clients {
		w, err := c.Writer(ctx, MessageText)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(big[:bigSize/2]); err != nil {
			tb.Fatal(err)
		}
		writers[i] = w
	}
	sending := heapNow() - pipeHeld(clients, nil)
	f.sending = f.idle + (sending-idle)/float64(n)

	// Receiving: each server in the middle of reading that message, once
	// the client has sent all of it.
	for _, w := range writers {
		w.Write(big[bigSize/2:])
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	held := make([]float64, n)
	sent := heapNow() - pipeHeld(clients, held)
	readers := make([]io.Reader, n)
	var buf [1024]byte
	for i, s := range servers {
		_, r, err := s.Reader(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			tb.Fatal(err)
		}
		readers[i] = r
	}
	receiving := heapNow() - pipeHeld(clients, held)
	f.receiving = f.idle + (receiving-sent)/float64(n)
	for _, r := range readers {
		io.Copy(io.Discard, r)
	}
	for i := range n {
		clients[i].CloseNow()
		servers[i].CloseNow()
	}
	runtime.KeepAlive(writers)

	// Ratio: what the client's compressor makes of the corpus, message by
	// message, as Write sends it (messages under the threshold as they
	// are), and of the corpus in messages of 16 KiB.
	big16 := regroup(msgs, 16<<10)
	f.ratio, f.ratioBig = ratio(m, msgs), ratio(m, big16)

	// Throughput: the corpus from a client to a server, as it is and in
	// messages of 16 KiB, the best of tries runs (other work on the
	// machine only ever slows a run down).
	for range tries {
		f.mbps = max(f.mbps, throughput(tb, m, msgs))
		f.mbpsBig = max(f.mbpsBig, throughput(tb, m, big16))
	}
	return f
}

// ratio returns the compressed size of msgs as a share of their size, as
// a client in mode m compresses them one after the other.
func ratio(m deflateMode, msgs [][]byte) float64 {
	if m.cfg == nil {
		return 1
	}
	offers := wsproto.DeflateOffer(*m.cfg)
	resp, _, _ := wsproto.NegotiateDeflate(offers, *m.cfg)
	agreed, _, _ := wsproto.NegotiatedDeflate(offers, []wsproto.Extension{resp})
	d := wsproto.NewDeflater(agreed.Outgoing(wsproto.Client), *m.cfg)
	defer d.Release()
	total, wire := 0, 0
	for _, msg := range msgs {
		total += len(msg)
		if out, ok := d.Compress(nil, msg); ok {
			wire += len(out)
		} else {
			wire += len(msg)
		}
	}
	return float64(wire) / float64(total)
}

// regroup joins msgs, one a line, into messages of size bytes.
func regroup(msgs [][]byte, size int) [][]byte {
	var out [][]byte
	var cur []byte
	for _, m := range msgs {
		cur = append(append(cur, m...), '\n')
		for len(cur) >= size {
			out = append(out, cur[:size:size])
			cur = append([]byte(nil), cur[size:]...)
		}
	}
	return out
}

// throughput sends msgs from a client to a server in mode m, written with
// Write and read with Read (compressing and inflating), and returns the
// message bytes per second, in MB/s.
func throughput(tb testing.TB, m deflateMode, msgs [][]byte) float64 {
	ctx := context.Background()
	c, s := newPair(tb, m)
	defer c.CloseNow()
	defer s.CloseNow()
	total := 0
	for _, msg := range msgs {
		total += len(msg)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		for _, msg := range msgs {
			if err := c.Write(ctx, MessageText, msg); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range msgs {
		if _, _, err := s.Read(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		tb.Fatal(err)
	}
	return float64(total) / time.Since(start).Seconds() / 1e6
}

// BenchmarkDeflateMemory reports, per mode, the heap bytes per connection
// idle, sending and receiving (200 connection pairs), the compression
// ratio and the throughput on the JSON corpus. Run it with -benchtime 1x:
// each run measures once.
func BenchmarkDeflateMemory(b *testing.B) {
	msgs := jsonMessages(4 << 20)
	for _, m := range deflateModes {
		b.Run(strings.NewReplacer(" ", "", ",", "-").Replace(m.name), func(b *testing.B) {
			var f deflateFigures
			for b.Loop() {
				f = measureDeflate(b, m, 200, msgs, 3)
			}
			b.ReportMetric(f.idle, "idle-B/conn")
			b.ReportMetric(f.sending, "sending-B/conn")
			b.ReportMetric(f.receiving, "receiving-B/conn")
			b.ReportMetric(f.ratio, "ratio")
			b.ReportMetric(f.ratioBig, "ratio-16KiB")
			b.ReportMetric(f.mbps, "MB/s")
			b.ReportMetric(f.mbpsBig, "MB/s-16KiB")
		})
	}
}

// TestDeflateMemoryTable prints the table of docs/compression.md (with
// -deflate-table).
func TestDeflateMemoryTable(t *testing.T) {
	if !*deflateTable {
		t.Skip("measures for docs/compression.md; run with -deflate-table")
	}
	msgs := jsonMessages(4 << 20)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "JSON corpus: %d messages, %d bytes (%d on average); 200 connection pairs per mode; throughput the best of 3 runs; %s, %s/%s, GOMAXPROCS %d.\n\n",
		len(msgs), total, total/len(msgs), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	b.WriteString("| Mode (both directions) | Idle | Sending a message | Receiving a message | Compressed size | Throughput | Compressed size, 16 KiB messages | Throughput, 16 KiB messages |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, m := range deflateModes {
		f := measureDeflate(t, m, 200, msgs, 3)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.1f%% | %.0f MB/s | %.1f%% | %.0f MB/s |\n", m.name, kib(f.idle), kib(f.sending), kib(f.receiving), 100*f.ratio, f.mbps, 100*f.ratioBig, f.mbpsBig)
	}
	fmt.Println(b.String())
}

func kib(v float64) string {
	return fmt.Sprintf("%.1f KiB", v/1024)
}

// The measurements hold together: compression costs memory only with
// context takeover, in proportion to the window, and LowMemoryTakeover
// keeps less.
func TestDeflateMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocations and sync.Pool")
	}
	msgs := jsonMessages(256 << 10)
	figs := map[string]deflateFigures{}
	for _, m := range deflateModes {
		figs[m.name] = measureDeflate(t, m, 40, msgs, 1)
		t.Logf("%-28s idle %8.0f  sending %8.0f  receiving %8.0f  ratio %.3f", m.name, figs[m.name].idle, figs[m.name].sending, figs[m.name].receiving, figs[m.name].ratio)
	}
	none, noCtx := figs["no compression"], figs["no context takeover, 15 bits"]
	t15, t9, low := figs["context takeover, 15 bits"], figs["context takeover, 9 bits"], figs["LowMemoryTakeover, 15 bits"]
	switch {
	case noCtx.idle > none.idle+4<<10:
		t.Errorf("no context takeover holds %.0f bytes idle, no compression %.0f", noCtx.idle, none.idle)
	case t15.idle < none.idle+150<<10:
		t.Errorf("context takeover at 15 bits holds only %.0f bytes idle", t15.idle)
	case t9.idle > t15.idle/4:
		t.Errorf("9 bits %.0f, 15 bits %.0f", t9.idle, t15.idle)
	case low.idle > t15.idle/2:
		t.Errorf("LowMemoryTakeover %.0f, takeover %.0f", low.idle, t15.idle)
	case noCtx.ratio > 0.7 || t15.ratio > noCtx.ratio:
		t.Errorf("ratios: no takeover %.3f, takeover %.3f", noCtx.ratio, t15.ratio)
	case noCtx.sending < noCtx.idle+16<<10:
		t.Errorf("sending without context takeover: %.0f, idle %.0f: the compressor's buffers are not counted", noCtx.sending, noCtx.idle)
	}
}
