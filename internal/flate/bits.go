package flate

import "encoding/binary"

// bitWriter packs bits into bytes the DEFLATE way: each byte is filled from
// its least significant bit (RFC 1951 section 3.1.1).
type bitWriter struct {
	out []byte
	acc uint64 // pending bits, the oldest in the low end
	n   uint   // number of pending bits, always < 32 between calls
}

// write appends the n low bits of v, n <= 32.
func (w *bitWriter) write(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.n -= 32
	}
}

// align pads the pending bits with zeros to a byte boundary and moves them
// to out.
func (w *bitWriter) align() {
	for w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= min(w.n, 8)
	}
	w.acc = 0
}
