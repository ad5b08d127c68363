package flate

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

var allLevels = []Level{Fast, Default, Best}

func TestRoundTripCorpora(t *testing.T) {
	size := 100 << 10
	if testing.Short() {
		size = 20 << 10
	}
	for _, c := range corpora {
		in := c.gen(size, 1)
		for wb := 8; wb <= 15; wb++ {
			for _, lv := range allLevels {
				t.Run(fmt.Sprintf("%s/w%d/level%d", c.name, wb, lv), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(wb), uint64(lv)))
					stream := compressChunks(t, Options{WindowBits: wb, Level: lv}, in, rng, 5000, 0.1)
					checkStream(t, stream, in, wb)
				})
			}
		}
	}
}

func TestManyFlushes(t *testing.T) {
	in := jsonCorpus(40<<10, 2)
	for _, wb := range []int{8, 9, 12, 15} {
		for _, lv := range allLevels {
			rng := rand.New(rand.NewPCG(3, uint64(wb)))
			stream := compressChunks(t, Options{WindowBits: wb, Level: lv}, in, rng, 40, 0.5)
			d := checkStream(t, stream, in, wb)
			if d.Blocks[0] < 100 {
				t.Errorf("w%d level %d: only %d stored blocks; the flushes are missing", wb, lv, d.Blocks[0])
			}
		}
	}
}

// TestWindowLimit checks that the whole window is used, and not a byte
// more: data that repeats at a distance of exactly 2^N compresses to
// back-references of that distance, and data that repeats at 2^N+1 does not
// compress at all.
func TestWindowLimit(t *testing.T) {
	for wb := 8; wb <= 15; wb++ {
		w := 1 << wb
		for _, lv := range allLevels {
			block := randomCorpus(w, uint64(wb))
			in := bytes.Repeat(block, 4)
			var buf bytes.Buffer
			z, _ := NewWriter(&buf, Options{WindowBits: wb, Level: lv})
			z.Write(in)
			z.Flush()
			d := checkStream(t, buf.Bytes(), in, wb)
			if d.MaxDist != w {
				t.Errorf("w%d level %d: longest distance %d, want %d", wb, lv, d.MaxDist, w)
			}
			// Fast steps faster and faster over data that does not
			// compress, as compress/flate's BestSpeed does, and so
			// finds a repeat of a large random block late.
			limit := w + w/2
			if lv == Fast && wb >= 12 {
				limit = 4*w - w/2
			}
			if buf.Len() > limit {
				t.Errorf("w%d level %d: %d bytes for 4 repeats of %d random bytes", wb, lv, buf.Len(), w)
			}

			block = randomCorpus(w+1, uint64(wb))
			in = bytes.Repeat(block, 3)
			buf.Reset()
			z.Reset(&buf)
			z.Write(in)
			z.Flush()
			checkStream(t, buf.Bytes(), in, wb)
			if buf.Len() < len(in) {
				t.Errorf("w%d level %d: data repeating beyond the window compressed to %d of %d bytes", wb, lv, buf.Len(), len(in))
			}
		}
	}
}

// TestHelloVector compresses the example of RFC 7692 section 7.2.3.1: a
// fixed Huffman block, then the sync flush.
func TestHelloVector(t *testing.T) {
	for _, lv := range allLevels {
		var buf bytes.Buffer
		z, _ := NewWriter(&buf, Options{Level: lv})
		z.Write([]byte("Hello"))
		z.Flush()
		want := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00, 0x00, 0xff, 0xff}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("level %d: % x, want % x", lv, buf.Bytes(), want)
		}
	}
}

func TestFlushMarker(t *testing.T) {
	var buf bytes.Buffer
	z, _ := NewWriter(&buf, Options{})
	z.Flush()
	if want := []byte{0, 0, 0, 0xff, 0xff}; !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("flush of nothing: % x, want % x", buf.Bytes(), want)
	}
	in := textCorpus(3000, 7)
	for i := 0; i < len(in); i += 500 {
		buf.Reset()
		z.Write(in[i : i+500])
		z.Flush()
		if !bytes.HasSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff}) {
			t.Fatalf("flush output % x does not end with 00 00 ff ff", buf.Bytes())
		}
	}
}

// TestContextTakeover: the window carries over a flush, so a message that
// repeats the previous one costs little; after Reset it costs as much as
// the first time and decodes on its own.
func TestContextTakeover(t *testing.T) {
	msg := jsonCorpus(2000, 9)
	for _, wb := range []int{12, 15} {
		var buf bytes.Buffer
		z, _ := NewWriter(&buf, Options{WindowBits: wb, Level: Default})
		z.Write(msg)
		z.Flush()
		first := buf.Len()
		z.Write(msg)
		z.Flush()
		second := buf.Len() - first
		if second*10 > first {
			t.Errorf("w%d: repeated message took %d bytes after %d: the window was not kept", wb, second, first)
		}
		checkStream(t, buf.Bytes(), append(append([]byte(nil), msg...), msg...), wb)
		if _, err := inflateStd(buf.Bytes()[first:]); err == nil {
			t.Errorf("w%d: the second message decoded without the first", wb)
		}

		z.Reset(&buf)
		mark := buf.Len()
		z.Write(msg)
		z.Flush()
		if got := buf.Len() - mark; got != first {
			t.Errorf("w%d: after Reset the message took %d bytes, want %d", wb, got, first)
		}
		checkStream(t, buf.Bytes()[mark:], msg, wb)
	}
}

func TestReleaseAndReuse(t *testing.T) {
	for _, lv := range allLevels {
		testReleaseAndReuse(t, lv)
	}
}

func testReleaseAndReuse(t *testing.T, lv Level) {
	in := jsonCorpus(50<<10, 4)
	var want []byte
	for i := range 5 {
		var buf bytes.Buffer
		z, _ := NewWriter(&buf, Options{WindowBits: 10, Level: lv})
		z.Write(in[:1000*(i+1)])
		z.Release() // drops the unflushed input
		z.Write(in)
		z.Flush()
		z.Release()
		if i == 0 {
			want = bytes.Clone(buf.Bytes())
		} else if !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("level %d, run %d: output differs after reuse of pooled buffers", lv, i)
		}
		checkStream(t, buf.Bytes(), in, 10)
	}
}

func TestPooledWriterAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	msg := jsonCorpus(4000, 5)
	for _, lv := range allLevels {
		var buf bytes.Buffer
		z, _ := NewWriter(&buf, Options{WindowBits: 15, Level: lv})
		run := func() {
			buf.Reset()
			z.Write(msg)
			z.Flush()
			z.Release()
		}
		run()
		if n := testing.AllocsPerRun(50, run); n > 0 {
			t.Errorf("level %d: %v allocations per pooled message", lv, n)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("boom")
	}
	w.n--
	return len(p), nil
}

func TestWriteErrorIsSticky(t *testing.T) {
	z, _ := NewWriter(&failWriter{}, Options{})
	if _, err := z.Write(randomCorpus(200<<10, 1)); err == nil {
		t.Fatal("no error from a failing destination")
	}
	if err := z.Flush(); err == nil {
		t.Fatal("Flush after a failed write succeeded")
	}
	z.Reset(&bytes.Buffer{})
	if err := z.Flush(); err != nil {
		t.Fatalf("Flush after Reset: %v", err)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{WindowBits: 7}, {WindowBits: 16}, {MemLevel: 10}, {MemLevel: -1}, {Level: 3}, {Level: -1}} {
		if _, err := NewWriter(nil, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	for ml := 1; ml <= 9; ml++ {
		in := jsonCorpus(30<<10, uint64(ml))
		rng := rand.New(rand.NewPCG(1, 1))
		stream := compressChunks(t, Options{WindowBits: 13, MemLevel: ml, Level: Default}, in, rng, 3000, 0.05)
		checkStream(t, stream, in, 13)
	}
}

// TestMemoryTable prints the memory of a Writer per window size, for the
// package documentation (go test -run MemoryTable -v).
func TestMemoryTable(t *testing.T) {
	for wb := 8; wb <= 15; wb++ {
		m := MemoryFor(Options{WindowBits: wb})
		t.Logf("window bits %2d: window %7d bytes, encoder %6d bytes", wb, m.Window, m.Encoder)
		if m.Window == 0 || m.Encoder == 0 {
			t.Errorf("w%d: no memory figure", wb)
		}
	}
	if m := MemoryFor(Options{WindowBits: 99}); m != (Memory{}) {
		t.Errorf("invalid options: %+v", m)
	}
}

func TestStoredBlocksOver64K(t *testing.T) {
	raw := randomCorpus(150000, 3)
	e := newBlockEncoder(len(raw))
	e.literal('x') // a Huffman block first, so the stored ones start off a byte boundary
	e.emit(nil)
	for _, b := range raw {
		e.literal(b)
	}
	e.emit(raw)
	e.storedBlock(nil)
	d := decodeTokens(t, e.bw.out)
	if !bytes.Equal(d.Out, append([]byte{'x'}, raw...)) {
		t.Fatal("stored blocks decode to other data")
	}
	if d.Blocks[0] != 4 {
		t.Errorf("%d stored blocks, want 3 and the marker", d.Blocks[0])
	}
	if got, err := inflateStd(e.bw.out); err != nil || !bytes.Equal(got[1:], raw) {
		t.Errorf("compress/flate: %v", err)
	}
}

// TestPark: a parked writer goes on with its stream as if it had kept
// its window, and gives the same output; at the Fast level, whose table
// holds only the positions its parse looked at, the restored table holds
// every position of the history: the output differs, by little.
func TestPark(t *testing.T) {
	msgs := [][]byte{jsonCorpus(3000, 1), jsonCorpus(50000, 2), jsonCorpus(100, 3), jsonCorpus(3000, 1), {}, jsonCorpus(40000, 4)}
	for _, wb := range []int{8, 11, 15} {
		for _, lv := range allLevels {
			var kept, parked bytes.Buffer
			zk, _ := NewWriter(&kept, Options{WindowBits: wb, Level: lv})
			zp, _ := NewWriter(&parked, Options{WindowBits: wb, Level: lv})
			var all []byte
			for _, m := range msgs {
				zk.Write(m)
				zk.Flush()
				zp.Write(m)
				zp.Flush()
				zp.Park()
				zp.Park() // twice is harmless
				all = append(all, m...)
			}
			if lv == Fast {
				if d := parked.Len() - kept.Len(); d > kept.Len()/100 || -d > kept.Len()/20 {
					t.Errorf("w%d level %d: parking changed the size (%d bytes, not %d)", wb, lv, parked.Len(), kept.Len())
				}
			} else if !bytes.Equal(kept.Bytes(), parked.Bytes()) {
				t.Errorf("w%d level %d: parking changed the output (%d bytes, not %d)", wb, lv, parked.Len(), kept.Len())
			}
			checkStream(t, parked.Bytes(), all, wb)
			zp.Write([]byte("unflushed"))
			zp.Park() // does nothing: input pending
			zp.Flush()
			all = append(all, "unflushed"...)
			checkStream(t, parked.Bytes(), all, wb)
		}
	}
}
