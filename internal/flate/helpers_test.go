package flate

import (
	"bytes"
	stdflate "compress/flate"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/wsstack/websocket/internal/flate/flatetest"
)

// finalBlock is an empty stored block with BFINAL set: appended to a
// stream that ends on a sync flush, it lets compress/flate's reader end
// with io.EOF.
var finalBlock = []byte{1, 0, 0, 0xff, 0xff}

// inflateStd decompresses a stream that ends on a block boundary with
// compress/flate.
func inflateStd(stream []byte) ([]byte, error) {
	r := stdflate.NewReader(io.MultiReader(bytes.NewReader(stream), bytes.NewReader(finalBlock)))
	return io.ReadAll(r)
}

// decodeTokens decodes a stream with the test decoder.
func decodeTokens(t testing.TB, stream []byte) flatetest.Stats {
	t.Helper()
	st, err := flatetest.Decode(stream, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// compressChunks writes in as pieces of random sizes (up to maxPiece),
// flushing after a piece with probability flushOdds, and always at the end.
func compressChunks(t testing.TB, o Options, in []byte, rng *rand.Rand, maxPiece int, flushOdds float64) []byte {
	t.Helper()
	var buf bytes.Buffer
	z, err := NewWriter(&buf, o)
	if err != nil {
		t.Fatal(err)
	}
	for len(in) > 0 {
		n := min(len(in), 1+rng.IntN(maxPiece))
		if _, err := z.Write(in[:n]); err != nil {
			t.Fatal(err)
		}
		in = in[n:]
		if rng.Float64() < flushOdds {
			if err := z.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := z.Flush(); err != nil {
		t.Fatal(err)
	}
	z.Release()
	return buf.Bytes()
}

// checkStream decodes stream with compress/flate and with the test
// decoder, and checks that both give want and that no back-reference
// reaches farther than 2^windowBits.
func checkStream(t testing.TB, stream, want []byte, windowBits int) flatetest.Stats {
	t.Helper()
	got, err := inflateStd(stream)
	if err != nil {
		t.Fatalf("compress/flate: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("compress/flate decoded %d bytes, want %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
	}
	d := decodeTokens(t, stream)
	if !bytes.Equal(d.Out, want) {
		t.Fatalf("test decoder decoded %d bytes, want %d", len(d.Out), len(want))
	}
	if d.MaxDist > 1<<windowBits {
		t.Fatalf("back-reference of distance %d in a %d-byte window", d.MaxDist, 1<<windowBits)
	}
	if d.BFINAL {
		t.Fatal("a block has BFINAL set")
	}
	return d
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
