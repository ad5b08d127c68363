// Package flatecmp compares the module's DEFLATE compressor
// (internal/flate, through wsproto.Deflater as a connection uses it) with
// compress/flate and github.com/klauspost/compress/flate, in one process
// run, so that the ratios between them mean something on a shared machine:
//
//	go test -run '^$' -bench . -count 3 ./internal/flatecmp
//
// Each benchmark reports MB/s of input, the same per second of the
// benchmark thread's CPU time (cpuMB/s, on Linux: what other processes of a
// shared machine take does not count), and the compressed size as a share
// of the input (pct). "Stream" compresses 1 MiB as one stream; "Messages"
// compresses it message by message, each ended by a sync flush, with
// context takeover (takeover) or a fresh compressor state for each message
// (reset), as permessage-deflate does. The inputs are generated JSON
// messages (json, 1 KiB messages) and the echo benchmark's text payload
// (wire.Text; text, 64 KiB messages).
package flatecmp

import (
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	kflate "github.com/klauspost/compress/flate"

	"github.com/wsstack/websocket/bench/internal/wire"
	"github.com/wsstack/websocket/wsproto"
)

// jsonCorpus returns about n bytes of JSON messages like those an API
// streams over a WebSocket (the generator of internal/flate's tests).
func jsonCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}
	sides := []string{"buy", "sell"}
	var b strings.Builder
	for id := 0; b.Len() < n; id++ {
		fmt.Fprintf(&b, `{"type":"trade","id":%d,"symbol":"%s-%s","side":"%s","price":%d.%02d,"qty":%d,"ts":%d,"tags":["%s","%s"],"user":{"name":"%s","level":%d}}`,
			100000+id*rng.IntN(7), strings.ToUpper(words[rng.IntN(len(words))][:3]), "USD",
			sides[rng.IntN(2)], 1000+rng.IntN(9000), rng.IntN(100), 1+rng.IntN(500),
			1700000000000+int64(id)*int64(rng.IntN(1000)),
			words[rng.IntN(len(words))], words[rng.IntN(len(words))],
			words[rng.IntN(len(words))]+words[rng.IntN(len(words))], rng.IntN(10))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

var corpora = []struct {
	name    string
	data    []byte
	msgSize int
}{
	{"json", jsonCorpus(1<<20, 42), 1 << 10},
	{"text", wire.Text(1 << 20), 64 << 10},
}

// compressor compresses messages: each call to message appends the
// compressed form of msg, ended by a sync flush, to dst.
type compressor interface {
	message(dst, msg []byte) []byte
}

type contender struct {
	name string
	new  func(takeover bool) compressor
}

// ours is wsproto.Deflater at the Fast level, which ends a message without
// the flush's 00 00 ff ff: the four bytes are added back, so that the sizes
// compare with the others'.
type ours struct{ d *wsproto.Deflater }

func (o ours) message(dst, msg []byte) []byte {
	dst = o.d.Write(dst, msg)
	dst = o.d.Finish(dst)
	return append(dst, 0, 0, 0xff, 0xff)
}

// writer is a compress/flate or klauspost Writer; without context
// takeover it is Reset before each message.
type writer struct {
	w interface {
		io.Writer
		Flush() error
		Reset(io.Writer)
	}
	buf      *bytes.Buffer
	takeover bool
}

func (w writer) message(dst, msg []byte) []byte {
	w.buf.Reset()
	if !w.takeover {
		w.w.Reset(w.buf)
	}
	w.w.Write(msg)
	w.w.Flush()
	return append(dst, w.buf.Bytes()...)
}

func contenders() []contender {
	var cs []contender
	for _, wb := range []int{15, 12, 9} {
		cs = append(cs, contender{fmt.Sprintf("ours-fast-w%d", wb), func(takeover bool) compressor {
			dir := wsproto.DeflateDirection{NoContextTakeover: !takeover, WindowBits: wb}
			return ours{wsproto.NewDeflater(dir, wsproto.DeflateConfig{Level: wsproto.CompressionFast, Threshold: -1})}
		}})
	}
	cs = append(cs,
		contender{"std-1", func(takeover bool) compressor {
			buf := new(bytes.Buffer)
			w, _ := stdflate.NewWriter(buf, stdflate.BestSpeed)
			return writer{w, buf, takeover}
		}},
		contender{"klauspost-1", func(takeover bool) compressor {
			buf := new(bytes.Buffer)
			w, _ := kflate.NewWriter(buf, 1)
			return writer{w, buf, takeover}
		}},
	)
	return cs
}

// BenchmarkStream compresses each corpus as one message.
func BenchmarkStream(b *testing.B) {
	for _, c := range corpora {
		for _, ct := range contenders() {
			b.Run(c.name+"/"+ct.name, func(b *testing.B) {
				z := ct.new(false)
				var out []byte
				b.SetBytes(int64(len(c.data)))
				b.ReportAllocs()
				defer lockThread()()
				cpu := threadCPU()
				for b.Loop() {
					out = z.message(out[:0], c.data)
				}
				reportCPU(b, threadCPU()-cpu, len(c.data))
				b.ReportMetric(100*float64(len(out))/float64(len(c.data)), "pct")
			})
		}
	}
}

// BenchmarkMessages compresses each corpus as messages, with and without
// context takeover.
func BenchmarkMessages(b *testing.B) {
	for _, c := range corpora {
		for _, mode := range []string{"takeover", "reset"} {
			for _, ct := range contenders() {
				b.Run(fmt.Sprintf("%s-%dk/%s/%s", c.name, c.msgSize>>10, mode, ct.name), func(b *testing.B) {
					z := ct.new(mode == "takeover")
					var out []byte
					total := 0
					b.SetBytes(int64(len(c.data)))
					b.ReportAllocs()
					defer lockThread()()
					cpu := threadCPU()
					for b.Loop() {
						total = 0
						for i := 0; i < len(c.data); i += c.msgSize {
							out = z.message(out[:0], c.data[i:min(i+c.msgSize, len(c.data))])
							total += len(out)
						}
					}
					reportCPU(b, threadCPU()-cpu, len(c.data))
					b.ReportMetric(100*float64(total)/float64(len(c.data)), "pct")
				})
			}
		}
	}
}

// reportCPU reports the input compressed per second of CPU time.
func reportCPU(b *testing.B, cpu time.Duration, size int) {
	if cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
}
