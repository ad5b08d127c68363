package wsproto

import "slices"

// history keeps the last size bytes of decompressed output: the window a
// peer's back-references may reach into. Bytes are written around a ring;
// linear or copyTo put them back in order when the decompressor needs them
// as its dictionary.
type history struct {
	buf  []byte // len is the window size
	pos  int    // where the next byte goes
	full bool   // buf has wrapped: all of it is history
}

func (h *history) init(buf []byte) { *h = history{buf: buf} }

// write records p as the newest output.
func (h *history) write(p []byte) {
	size := len(h.buf)
	if len(p) >= size {
		copy(h.buf, p[len(p)-size:])
		h.pos, h.full = 0, true
		return
	}
	n := copy(h.buf[h.pos:], p)
	if n < len(p) {
		h.pos = copy(h.buf, p[n:])
		h.full = true
		return
	}
	h.pos += n
	if h.pos == size {
		h.pos, h.full = 0, true
	}
}

// copyTo returns the history, oldest byte first, copied to tmp (of the
// history's size) if the ring has wrapped: two copies, no allocation.
func (h *history) copyTo(tmp []byte) []byte {
	if !h.full {
		return h.buf[:h.pos]
	}
	n := copy(tmp, h.buf[h.pos:])
	copy(tmp[n:], h.buf[:h.pos])
	return tmp[:len(h.buf)]
}

// linear returns the history, oldest byte first. It rotates the ring in
// place (slower than copyTo, but needs no other buffer).
func (h *history) linear() []byte {
	if !h.full {
		return h.buf[:h.pos]
	}
	if h.pos != 0 {
		slices.Reverse(h.buf[:h.pos])
		slices.Reverse(h.buf[h.pos:])
		slices.Reverse(h.buf)
		h.pos = 0
	}
	return h.buf
}
