package flate

import (
	"bytes"
	"testing"
)

// FuzzRoundTrip compresses arbitrary input, written in pieces with sync
// flushes where cuts says, with every window size and level, and checks
// that compress/flate and the test decoder give the input back and that no
// back-reference leaves the window. Each byte of cuts is a piece: its low
// seven bits (times 13) are the length, its top bit asks for a flush.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("Hello"), []byte{}, uint8(15))
	f.Add(bytes.Repeat([]byte("abc"), 200), []byte{0x83, 0x05, 0xff}, uint8(8))
	f.Add(jsonCorpus(3000, 1), []byte{0x10, 0x90, 0x01}, uint8(0x1a))
	f.Add(randomCorpus(1000, 1), []byte{0x80, 0x80}, uint8(0x29))
	f.Add(repetitiveCorpus(5000, 1), []byte{0x7f, 0x7f, 0xff}, uint8(0x33))
	f.Fuzz(func(t *testing.T, in, cuts []byte, params uint8) {
		wb := 8 + int(params&7)
		lv := Level(params>>3) % 3
		var buf bytes.Buffer
		z, err := NewWriter(&buf, Options{WindowBits: wb, Level: lv, MemLevel: 1 + int(params>>5)})
		if err != nil {
			t.Fatal(err)
		}
		rest := in
		for _, c := range cuts {
			n := min(len(rest), int(c&0x7f)*13)
			z.Write(rest[:n])
			rest = rest[n:]
			if c&0x80 != 0 {
				z.Flush()
			}
		}
		z.Write(rest)
		if err := z.Flush(); err != nil {
			t.Fatal(err)
		}
		checkStream(t, buf.Bytes(), in, wb)
	})
}
