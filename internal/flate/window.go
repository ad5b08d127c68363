package flate

import (
	"encoding/binary"
	"math/bits"
)

// window is the LZ77 side of a Writer: the input still needed (the last
// 2^windowBits bytes before the current position, as history, and the
// input not yet parsed) and the hash chains that find earlier occurrences
// of the next hashLen bytes.
//
// Positions in head and prev are absolute stream positions modulo 2^16.
// A chain entry is turned back into a distance by subtracting it from the
// current absolute position modulo 2^16, which is exact for distances up to
// 32768 and needs no rewriting when the buffer slides. Stale or foreign
// entries are harmless: a candidate is only used if its distance lies
// within the window and the data, not the chain, matches, and a chain is
// left as soon as its distances stop growing (so it cannot loop).
type window struct {
	size  int // 2^windowBits: the farthest back-reference
	wmask uint32
	// The hash keeps the top hashBits bits of a 32-bit product, or, for
	// the Fast level's table, of a 64-bit one.
	shift uint

	buf  []byte   // input; buf[0] is at absolute position abs
	head []uint16 // hash -> last position with that hash (Default, Best; Fast: its table for small windows)
	prev []uint16 // position mod size -> the previous position with its hash (Default, Best)

	// table is the Fast level's index instead of head and prev: hash of
	// the fastHashLen bytes at a position -> that absolute position (see
	// fast.go).
	table []uint32

	abs       uint32 // absolute position of buf[0], modulo 2^32
	pos       int    // next position to parse
	end       int    // end of the input in buf
	hashed    int    // positions before it are in the chains (or skipped on purpose)
	emitted   int    // tokens cover the input up to here
	blockFrom int    // start of the current block's input, -1 when slid out of buf
	dirty     bool   // head has entries: clear it before a new stream

	// The lazy parse's pending position (pos-1): its match, if any.
	pending              bool
	pendingLen, pendDist int
	// Fast: repDist is the distance of a run of maxMatch matches that the
	// end of a parse cut, which the next parse tries first; skipFrom is
	// where the current run of literals started (the end of the last
	// match), which sets how fast the parse steps.
	repDist, skipFrom int
}

// newWindow allocates a window of 2^windowBits with 2^hashBits chain heads,
// or, for the Fast level, a table of 2^hashBits positions. The buffer holds
// the history and up to max(size, 4096) bytes of input ahead of it, so that
// a slide moves at most the history and a little.
func newWindow(windowBits, hashBits int, fast bool) *window {
	size := 1 << windowBits
	w := &window{
		size:  size,
		wmask: uint32(size - 1),
		shift: uint(32 - hashBits),
		buf:   make([]byte, size+max(size, 4096)),
	}
	switch {
	case fast && windowBits <= fastSmall:
		w.head = make([]uint16, 1<<hashBits) // the table (see fast.go)
		w.shift = uint(64 - hashBits)
	case fast:
		w.table = make([]uint32, 1<<hashBits)
		w.shift = uint(64 - hashBits)
		w.abs = 1 // the table's zeros lie beyond the window (see fast.go)
	default:
		w.head = make([]uint16, 1<<hashBits)
		w.prev = make([]uint16, size)
	}
	return w
}

// reset starts a new stream: no history, empty chains.
func (w *window) reset() {
	if w.prev == nil { // Fast
		w.resetFast()
		return
	}
	if w.dirty {
		clear(w.head)
		w.dirty = false
	}
	w.abs, w.pos, w.end, w.hashed, w.emitted, w.blockFrom = 0, 0, 0, 0, 0, 0
	w.pending, w.pendingLen, w.pendDist = false, 0, 0
}

// restore makes hist, whose first byte is at absolute position abs, the
// history of a freshly reset window, and puts it into the hash chains.
func (w *window) restore(hist []byte, abs uint32) {
	n := copy(w.buf, hist)
	w.abs = abs
	w.pos, w.end, w.emitted, w.blockFrom = n, n, n, n
	w.insertUpTo(n)
}

// fill copies as much of p into the buffer as fits, sliding it first when it
// is full, and returns how much it took. The parse must have left at most
// maxMatch bytes unparsed, or there may be no room.
func (w *window) fill(p []byte) int {
	if w.end == len(w.buf) {
		w.slide()
	}
	n := copy(w.buf[w.end:], p)
	w.end += n
	return n
}

// slide drops the input older than the window before pos, and before the
// pending literals of the Fast level (which a match found after them may
// take back, extending it backwards).
func (w *window) slide() {
	delta := min(w.pos, w.emitted) - w.size
	if delta <= 0 {
		return
	}
	copy(w.buf, w.buf[delta:w.end])
	w.abs += uint32(delta)
	if w.table != nil && w.abs > fastRebase {
		w.rebaseFast()
	}
	w.pos -= delta
	w.end -= delta
	w.hashed = max(w.hashed-delta, 0)
	w.emitted -= delta
	w.skipFrom -= delta
	w.blockFrom -= delta
	if w.blockFrom < 0 {
		w.blockFrom = -1
	}
}

// hashLen is the number of bytes a chain is keyed on. Four rather than the
// format's minimum match of three: chains then hold fewer candidates that
// only match three bytes, so the same search depth finds longer matches
// (on JSON, a smaller output at every window size, at the same speed).
const hashLen = 4

// hash returns the chain of the hashLen bytes at i.
func (w *window) hash(i int) uint32 {
	return binary.LittleEndian.Uint32(w.buf[i:]) * 0x1e35a7bd >> w.shift
}

// insertUpTo puts the positions before i into the chains, as far as hashLen
// bytes are there to hash.
func (w *window) insertUpTo(i int) {
	p := w.hashed
	for ; p < i && p+hashLen <= w.end; p++ {
		h := w.hash(p)
		a := w.abs + uint32(p)
		w.prev[a&w.wmask] = w.head[h]
		w.head[h] = uint16(a)
	}
	if p > w.hashed {
		w.hashed = p
		w.dirty = true
	}
}

// longestMatch looks for the longest earlier occurrence of the input at
// pos, longer than atLeast, following at most chain candidates and
// stopping at one of nice bytes. It returns its length and distance, or a
// zero distance if none is longer than atLeast.
func (w *window) longestMatch(pos, atLeast, chain, nice int) (length, dist int) {
	maxLen := min(maxMatch, w.end-pos)
	if maxLen < hashLen || atLeast >= maxLen {
		return 0, 0
	}
	maxDist := min(w.size, pos)
	nice = min(nice, maxLen)
	buf := w.buf
	cur := w.abs + uint32(pos)
	best, bestDist := atLeast, 0
	v := w.head[w.hash(pos)]
	for last := 0; chain > 0; chain-- {
		d := int((cur - uint32(v)) & 0xffff)
		if d <= last || d > maxDist {
			break
		}
		last = d
		c := pos - d
		if buf[c+best] == buf[pos+best] && buf[c] == buf[pos] {
			if l := matchLen(buf[c:c+maxLen], buf[pos:pos+maxLen]); l > best {
				best, bestDist = l, d
				if l >= nice {
					break
				}
			}
		}
		v = w.prev[(w.abs+uint32(c))&w.wmask]
	}
	if bestDist == 0 {
		return 0, 0
	}
	return best, bestDist
}

// matchLen returns the length of the common prefix of a and b, which have
// the same length.
func matchLen(a, b []byte) int {
	n := 0
	for len(b)-n >= 8 {
		if x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:]); x != 0 {
			return n + bits.TrailingZeros64(x)/8
		}
		n += 8
	}
	for n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
