package flatetest

import (
	"bytes"
	"compress/flate"
	"math/rand/v2"
	"testing"
)

// TestDecodesCompressFlate checks the decoder against compress/flate's
// writer, at every level, over text, runs and noise.
func TestDecodesCompressFlate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var in []byte
	for len(in) < 200000 {
		switch rng.IntN(3) {
		case 0:
			in = append(in, "the quick brown fox jumps over the lazy dog "...)
		case 1:
			in = append(in, bytes.Repeat([]byte{byte(rng.IntN(256))}, rng.IntN(500))...)
		default:
			for range rng.IntN(300) {
				in = append(in, byte(rng.Uint32()))
			}
		}
	}
	for _, lv := range []int{flate.HuffmanOnly, flate.NoCompression, 1, 5, 9} {
		var buf bytes.Buffer
		w, _ := flate.NewWriter(&buf, lv)
		w.Write(in[:100000])
		w.Flush()
		w.Write(in[100000:])
		w.Close()
		st, err := Decode(buf.Bytes(), nil)
		if err != nil {
			t.Fatalf("level %d: %v", lv, err)
		}
		if !bytes.Equal(st.Out, in) {
			t.Fatalf("level %d: wrong output", lv)
		}
		if !st.BFINAL || st.MaxDist > 32768 {
			t.Errorf("level %d: BFINAL %v, farthest distance %d", lv, st.BFINAL, st.MaxDist)
		}
	}
}

// TestHistory: back-references may reach into the history, which is not
// part of the output, and not before it.
func TestHistory(t *testing.T) {
	// RFC 7692 section 7.2.3.2: "Hello" again, as the literal "H" and a
	// back-reference of length 4, distance 5, in a fixed block; then the
	// sync flush, whose last four bytes the sender removed.
	second := []byte{0xf2, 0x00, 0x11, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff}
	st, err := Decode(second, []byte("Hello"))
	if err != nil || string(st.Out) != "Hello" || st.MaxDist != 5 {
		t.Fatalf("got %q, farthest %d, %v", st.Out, st.MaxDist, err)
	}
	if _, err := Decode(second, []byte("ell")); err == nil {
		t.Fatal("a reference before the history decoded")
	}
	if _, err := Decode([]byte{0xf2, 0x48}, nil); err == nil {
		t.Fatal("a truncated stream decoded")
	}
}
