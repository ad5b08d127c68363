package wsproto_test

import (
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// The codec per message, on 200 generated JSON messages of up to 4 KiB, with
// and without context takeover:
//
//	go test -run '^$' -bench 'Deflater|Inflater' ./wsproto

var benchDirections = []struct {
	name string
	dir  direction
	cfg  deflateConfig
}{
	{"takeover", direction{WindowBits: 15}, compressAll},
	{"takeover-lowmem", direction{WindowBits: 15}, deflateConfig{Threshold: -1, LowMemoryTakeover: true}},
	{"takeover-w10", direction{WindowBits: 10}, compressAll},
	{"reset", direction{NoContextTakeover: true, WindowBits: 15}, compressAll},
}

func BenchmarkDeflaterMessages(b *testing.B) {
	msgs := jsonMessages(200, 1)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	for _, bd := range benchDirections {
		b.Run(bd.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var out []byte
			compressed := 0
			for b.Loop() {
				d := wsproto.NewDeflater(bd.dir, bd.cfg)
				compressed = 0
				for _, m := range msgs {
					out, _ = d.Compress(out[:0], m)
					compressed += len(out)
				}
				d.Release()
			}
			b.ReportMetric(100*float64(compressed)/float64(total), "pct")
		})
	}
}

func BenchmarkInflaterMessages(b *testing.B) {
	msgs := jsonMessages(200, 1)
	for _, bd := range benchDirections {
		d := wsproto.NewDeflater(bd.dir, bd.cfg)
		var payloads [][]byte
		total := 0
		for _, m := range msgs {
			p, _ := d.Compress(nil, m)
			payloads = append(payloads, p)
			total += len(m)
		}
		b.Run(bd.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var out []byte
			for b.Loop() {
				f := wsproto.NewInflater(bd.dir, 0)
				for _, p := range payloads {
					var err error
					if out, err = f.Inflate(out[:0], p); err != nil {
						b.Fatal(err)
					}
				}
				f.Release()
			}
		})
	}
}
