package flate

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// compressOnce compresses in as one flushed stream with a new Writer.
func compressOnce(t *testing.T, o Options, in []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z, err := NewWriter(&buf, o)
	if err != nil {
		t.Fatal(err)
	}
	z.Write(in)
	z.Flush()
	return buf.Bytes()
}

// TestFastResetForgets: the Fast level's table is not cleared by Reset but
// put out of reach; what follows a Reset is compressed exactly as by a new
// Writer, whatever came before, also when the positions are renumbered.
func TestFastResetForgets(t *testing.T) {
	first := jsonCorpus(100<<10, 7)
	second := append(jsonCorpus(20<<10, 8), first[:30<<10]...)
	for wb := 8; wb <= 15; wb++ {
		o := Options{WindowBits: wb, Level: Fast}
		want := compressOnce(t, o, second)
		for _, abs := range []uint32{0, fastRebase - 1000, fastRebase - 70000} {
			var buf bytes.Buffer
			z, _ := NewWriter(&buf, o)
			z.Write(first[:10])
			if abs != 0 {
				z.win.abs = abs
			}
			z.Write(first)
			z.Flush()
			checkStream(t, buf.Bytes(), append(first[:10:10], first...), wb)
			buf.Reset()
			z.Reset(&buf)
			z.Write(second)
			z.Flush()
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("w%d, abs %d: after Reset, %d bytes, not the %d of a new Writer", wb, abs, buf.Len(), len(want))
			}
			if z.win.abs > fastRebase+1<<17 {
				t.Errorf("w%d: abs %d past the rebase point", wb, z.win.abs)
			}
		}
	}
}

// TestFastRebase: a long stream whose positions are renumbered in the
// middle compresses exactly as one that is not.
func TestFastRebase(t *testing.T) {
	in := jsonCorpus(300<<10, 9)
	for _, wb := range []int{8, 12, 15} {
		o := Options{WindowBits: wb, Level: Fast}
		want := compressOnce(t, o, in)
		var buf bytes.Buffer
		z, _ := NewWriter(&buf, o)
		z.Write(in[:1])
		z.win.abs = fastRebase - 5000
		z.Write(in[1:])
		z.Flush()
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("w%d: renumbering changed the output (%d bytes, not %d)", wb, buf.Len(), len(want))
		}
		checkStream(t, buf.Bytes(), in, wb)
	}
}

// TestFastIncompressible: random data goes out as stored blocks, barely
// bigger than itself, and a stream that turns compressible again after it
// still compresses.
func TestFastIncompressible(t *testing.T) {
	rnd := randomCorpus(200<<10, 3)
	js := jsonCorpus(100<<10, 3)
	in := append(append(append([]byte(nil), js...), rnd...), js...)
	for _, wb := range []int{9, 15} {
		out := compressOnce(t, Options{WindowBits: wb, Level: Fast}, in)
		checkStream(t, out, in, wb)
		if max := len(rnd) + len(rnd)/100 + len(js); len(out) > max {
			t.Errorf("w%d: %d bytes, want at most %d", wb, len(out), max)
		}
	}
}

// TestFastChunking: at the Fast level, the output does not depend on how
// the input is cut into Writes, only on where the flushes are: the parse
// keeps its state (pending literals, how fast it steps, a run of long
// matches) across the ends of its input.
func TestFastChunking(t *testing.T) {
	in := append(append(jsonCorpus(60<<10, 5), randomCorpus(20<<10, 5)...), repetitiveCorpus(40<<10, 5)...)
	in = append(in, textCorpus(60<<10, 5)...)
	for _, wb := range []int{8, 9, 12, 15} {
		o := Options{WindowBits: wb, Level: Fast}
		want := compressOnce(t, o, in)
		for seed := range uint64(4) {
			rng := rand.New(rand.NewPCG(seed, uint64(wb)))
			got := compressChunks(t, o, in, rng, 1+int(seed)*3000, 0)
			if !bytes.Equal(got, want) {
				t.Errorf("w%d, pieces of up to %d bytes: %d bytes, not the %d of one Write", wb, 1+seed*3000, len(got), len(want))
			}
		}
	}
}
