package flate

import (
	"bytes"
	stdflate "compress/flate"
	"fmt"
	"io"
	"testing"
)

// The benchmarks compress a generated JSON corpus with this package and
// with compress/flate, reporting speed (MB/s of input) and the compressed
// size as a percentage of the input (pct). Run:
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/flate
//
// "Stream" compresses the corpus as one stream; "Messages" compresses it
// as 1 KiB messages with a sync flush after each, as permessage-deflate
// does with context takeover (in Reset variants, without).

type compressor interface {
	io.Writer
	Flush() error
}

type contender struct {
	name string
	new  func(w io.Writer) compressor
	// reset starts a new stream (no context takeover).
	reset func(c compressor, w io.Writer)
}

func contenders() []contender {
	var cs []contender
	for _, wb := range []int{15, 9} {
		for _, lv := range allLevels {
			o := Options{WindowBits: wb, Level: lv}
			cs = append(cs, contender{
				name:  fmt.Sprintf("ours-%s-w%d", levelName(lv), wb),
				new:   func(w io.Writer) compressor { z, _ := NewWriter(w, o); return z },
				reset: func(c compressor, w io.Writer) { c.(*Writer).Reset(w) },
			})
		}
	}
	for _, lv := range []int{stdflate.BestSpeed, stdflate.DefaultCompression, stdflate.BestCompression} {
		cs = append(cs, contender{
			name:  fmt.Sprintf("std-%d-w15", lv),
			new:   func(w io.Writer) compressor { z, _ := stdflate.NewWriter(w, lv); return z },
			reset: func(c compressor, w io.Writer) { c.(*stdflate.Writer).Reset(w) },
		})
	}
	return cs
}

func levelName(l Level) string { return [...]string{"fast", "default", "best"}[l] }

var benchJSON = jsonCorpus(1<<20, 42)

func BenchmarkStream(b *testing.B) {
	for _, c := range contenders() {
		b.Run(c.name, func(b *testing.B) {
			var buf bytes.Buffer
			z := c.new(&buf)
			b.SetBytes(int64(len(benchJSON)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				c.reset(z, &buf)
				z.Write(benchJSON)
				z.Flush()
			}
			b.ReportMetric(100*float64(buf.Len())/float64(len(benchJSON)), "pct")
		})
	}
}

func BenchmarkMessages(b *testing.B) {
	const msgSize = 1024
	for _, takeover := range []bool{true, false} {
		for _, c := range contenders() {
			name := c.name
			if !takeover {
				name += "-reset"
			}
			b.Run(name, func(b *testing.B) {
				var buf bytes.Buffer
				z := c.new(&buf)
				b.SetBytes(int64(len(benchJSON)))
				b.ReportAllocs()
				for b.Loop() {
					buf.Reset()
					c.reset(z, &buf)
					for i := 0; i < len(benchJSON); i += msgSize {
						if !takeover {
							c.reset(z, &buf)
						}
						z.Write(benchJSON[i:min(i+msgSize, len(benchJSON))])
						z.Flush()
					}
				}
				b.ReportMetric(100*float64(buf.Len())/float64(len(benchJSON)), "pct")
			})
		}
	}
}

// BenchmarkParkedMessages is BenchmarkMessages with context takeover and
// the window parked between messages (Writer.Park).
func BenchmarkParkedMessages(b *testing.B) {
	const msgSize = 1024
	for _, wb := range []int{15, 12, 9} {
		for _, park := range []bool{false, true} {
			name := fmt.Sprintf("w%d", wb)
			if park {
				name += "-parked"
			}
			b.Run(name, func(b *testing.B) {
				var buf bytes.Buffer
				z, _ := NewWriter(&buf, Options{WindowBits: wb, Level: Default})
				b.SetBytes(int64(len(benchJSON)))
				for b.Loop() {
					buf.Reset()
					z.Reset(&buf)
					for i := 0; i < len(benchJSON); i += msgSize {
						z.Write(benchJSON[i:min(i+msgSize, len(benchJSON))])
						z.Flush()
						if park {
							z.Park()
						}
					}
				}
				b.ReportMetric(100*float64(buf.Len())/float64(len(benchJSON)), "pct")
			})
		}
	}
}
