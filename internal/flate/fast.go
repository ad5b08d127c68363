package flate

import (
	"encoding/binary"
	"math/bits"
)

// The Fast level: a greedy parse over a single table that maps the hash of
// the next fastHashLen bytes to the last position where they were seen
// (no chains: one candidate per position). A candidate counts only if it
// lies within the window and its first four bytes match; the match is then
// extended forwards eight bytes at a time, and backwards over the literals
// not yet emitted. Where nothing matches, the parse steps over the input
// faster and faster (one more byte per 2^fastSkipLog literals in a row),
// so that incompressible data costs little; only the positions it looks at
// are indexed, plus two near the end of every match (all the positions of
// a match in windows up to 2^fastDense bytes). (Indexing every
// position would let Park give back the very same table from the history
// alone, but costs about a quarter of the speed.)
//
// For windows of 2^13 bytes and more, the table (window.table) holds
// absolute positions (buf[0] is at w.abs) in 32 bits, so it needs no
// rewriting when the buffer slides, and it needs no clearing for a new
// stream either: reset moves abs past the end of everything indexed by more
// than a window, so that every old entry, and the zeros of a new table,
// lie out of reach. Only when abs would pass fastRebase is the table
// cleared (by reset) or rebased (by a slide in a long stream), which keeps
// the arithmetic free of wrap-around.
//
// For smaller windows the table (window.head) holds positions modulo 2^16,
// twice as many in the same memory, which makes fewer false candidates; an
// entry 2^16 or more positions old may then look near, and is rejected by
// the comparison of the data, as any collision is. This table is small
// (at most 16 KiB), and reset clears it.

const (
	fastHashLen = 5 // bytes hashed per position
	fastMargin  = 8 // a position is looked up or indexed only with 8 bytes of input from it
	fastSkipLog = 5 // step one byte further per 2^fastSkipLog literals in a row
	// but at most 256 bytes at a time, so that a parse stopping at its
	// limit (maxMatch bytes before the end of the input) stays within it
	fastMaxSkip    = 255
	fastMaxPending = 1024    // literals pending at most; beyond, they become tokens
	fastRebase     = 1 << 30 // abs stays below this, plus a buffer
	fastPrime      = 0x9e3779b97f4a7c15
)

// fastSmall is the largest window with a table of 16-bit positions.
const fastSmall = 12

// fastDense is the largest window in which every position of a match is
// indexed, not only the last two. In a window of 2^8 bytes that finds so
// many more matches that it is faster (on JSON, 26% of the input instead
// of 36%); at 2^9 it is 10% slower for 23.5% instead of 28%; above, slower
// still.
const fastDense = 8

// fastTableBits returns the size of the Fast level's table: it takes the
// place of the hash heads and chain links, in no more memory (2 bytes per
// head and per window byte against 4 or 2 per entry).
func fastTableBits(windowBits, hashBits int) int {
	if windowBits <= fastSmall {
		return hashBits
	}
	return min(hashBits, windowBits)
}

// fastEntry is a position in the Fast level's table.
type fastEntry interface{ uint16 | uint32 }

// fastHash hashes the low fastHashLen bytes of u into the top bits kept by
// shift (64 minus the table bits).
func fastHash(u uint64, shift uint) uint32 {
	return uint32((u << (64 - 8*fastHashLen)) * fastPrime >> shift)
}

// parseFast is the Fast level's parse of the input from w.pos up to limit
// (see parse). The tokens may stop short of w.pos: the literals of a run
// still going on stay pending (w.emitted marks where they start), up to
// fastMaxPending of them, so that where a parse stops does not change the
// output: a stream compresses the same however it is cut into Writes.
func (z *Writer) parseFast(limit int, final bool) {
	if z.win.table != nil {
		parseFastWith(z, z.win.table, limit, final)
	} else {
		parseFastWith(z, z.win.head, limit, final)
	}
}

func parseFastWith[E fastEntry](z *Writer, tab []E, limit int, final bool) {
	w := z.win
	end := w.end
	s := w.pos
	sLimit := min(limit, end-fastMargin)
	buf := w.buf[:end]
	shift := w.shift
	size := w.size
	base := w.abs
	dense := size <= 1<<fastDense
	skipFrom := w.skipFrom
	if s >= sLimit && !final {
		return // not enough input yet
	}

	// A run of matches cut at maxMatch where the last parse stopped may go
	// on at the same distance.
	if d := w.repDist; d > 0 {
		w.repDist = 0
		l := maxMatch
		for l == maxMatch && s < sLimit && binary.LittleEndian.Uint32(buf[s:]) == binary.LittleEndian.Uint32(buf[s-d:]) {
			l = 4 + matchLen8(buf[s-d+4:], buf[s+4:min(s+maxMatch, end)])
			z.fastMatch(s, l, d)
			s += l
		}
		if s > skipFrom {
			skipFrom = s
			if !dense {
				w.hashed = s - 2 // not those of the match before
			}
		}
		if s >= sLimit && l == maxMatch && !final {
			w.repDist = d
			w.pos, w.skipFrom = s, skipFrom
			return
		}
	}
	// The two positions before the end of the last match, if the last
	// parse could not index them.
	w.hashed = w.indexFast(w.hashed, skipFrom)

	for s < sLimit {
		// Find a match at s or further on, stepping faster the longer
		// nothing matches. Only the positions looked at are indexed.
		var d int
		for {
			cv := binary.LittleEndian.Uint64(buf[s:])
			h := fastHash(cv, shift)
			cur := base + uint32(s)
			cand := tab[h]
			tab[h] = E(cur)
			if dist := uint32(E(cur) - cand); dist-1 < uint32(min(size, s)) &&
				binary.LittleEndian.Uint32(buf[s-int(dist):]) == uint32(cv) {
				d = int(dist)
				break
			}
			if s-w.emitted >= fastMaxPending {
				z.fastLiterals(w.emitted, s)
			}
			s += 1 + min((s-skipFrom)>>fastSkipLog, fastMaxSkip)
			if s >= sLimit {
				goto done
			}
		}

		// Extend it backwards over the pending literals, then forwards.
		c := s - d
		for s > w.emitted && c > 0 && buf[s-1] == buf[c-1] {
			s--
			c--
		}
		l := 4 + matchLen8(buf[c+4:], buf[s+4:min(s+maxMatch, end)])

		if s > w.emitted {
			z.fastLiterals(w.emitted, s)
		}
		z.fastMatch(s, l, d)
		from := s + 1 // the first position to index after the match (dense)
		s += l
		// A match cut at maxMatch may go on at the same distance
		// (long runs, repeated blocks).
		for l == maxMatch && s < sLimit && binary.LittleEndian.Uint32(buf[s:]) == binary.LittleEndian.Uint32(buf[s-d:]) {
			l = 4 + matchLen8(buf[s-d+4:], buf[s+4:min(s+maxMatch, end)])
			z.fastMatch(s, l, d)
			s += l
		}
		skipFrom = s
		if !dense {
			from = s - 2
		}
		if s >= sLimit {
			// The next parse indexes the positions from from to s,
			// unless the run of matches goes on.
			w.hashed = from
			if l == maxMatch && !final {
				w.repDist = d
			}
			break
		}
		// Index the two positions before the end of the match, which
		// the next search may want, or with small windows all of them.
		if dense {
			for p := from; p < s; p++ {
				tab[fastHash(binary.LittleEndian.Uint64(buf[p:]), shift)] = E(base + uint32(p))
			}
		} else {
			x := binary.LittleEndian.Uint64(buf[s-2:])
			tab[fastHash(x, shift)] = E(base + uint32(s-2))
			tab[fastHash(x>>8, shift)] = E(base + uint32(s-1))
		}
		w.hashed = s
	}
done:
	if final {
		w.indexFast(w.hashed, skipFrom)
		s = end
		if s > w.emitted {
			z.fastLiterals(w.emitted, s)
		}
		skipFrom, w.hashed = s, s
	}
	w.pos, w.skipFrom = s, skipFrom
}

// indexFast puts the positions from..to into the table, as far as
// fastMargin bytes of input are there, and returns the first position it
// could not index (to if none).
func (w *window) indexFast(from, to int) int {
	to2 := min(to, w.end-fastMargin+1)
	if w.table != nil {
		indexFastWith(w, w.table, from, to2)
	} else {
		indexFastWith(w, w.head, from, to2)
	}
	return max(from, to2)
}

func indexFastWith[E fastEntry](w *window, tab []E, from, to int) {
	cur := w.abs + uint32(from)
	for p := from; p < to; p++ {
		tab[fastHash(binary.LittleEndian.Uint64(w.buf[p:]), w.shift)] = E(cur)
		cur++
	}
}

// fastMatch adds a match of length l at distance d for the input at s,
// emitting the block first if it is full.
func (z *Writer) fastMatch(s, l, d int) {
	w, e := z.win, z.enc
	if len(e.tokens) == cap(e.tokens) {
		w.emitted = s
		z.emitBlock()
	}
	e.match(l, d)
	w.emitted = s + l
}

// fastLiterals adds the input from..to as literals, emitting blocks as the
// token buffer fills.
func (z *Writer) fastLiterals(from, to int) {
	w, e := z.win, z.enc
	for from < to {
		if len(e.tokens) == cap(e.tokens) {
			w.emitted = from
			z.emitBlock()
		}
		n := min(to-from, cap(e.tokens)-len(e.tokens))
		k := len(e.tokens)
		toks := e.tokens[k : k+n]
		for i, b := range w.buf[from : from+n] {
			toks[i] = uint32(b)
			e.litFreq[b]++
		}
		e.tokens = e.tokens[:k+n]
		from += n
	}
	w.emitted = to
}

// matchLen8 returns the length of the common prefix of a and b, len(a) >=
// len(b), comparing eight bytes at a time.
func matchLen8(a, b []byte) int {
	n := 0
	for len(b)-n >= 8 {
		x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	a = a[:len(b)]
	for n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// resetFast starts a new stream in a Fast window: abs moves past every
// position indexed by more than a window, so that no entry of the table is
// in reach any more.
func (w *window) resetFast() {
	next := w.abs + uint32(w.end) + uint32(w.size)
	if w.table == nil { // 16-bit positions
		clear(w.head)
		next = 0
	} else if next > fastRebase {
		clear(w.table)
		next = 1
	}
	w.abs = next
	w.pos, w.end, w.hashed, w.emitted, w.blockFrom, w.skipFrom = 0, 0, 0, 0, 0, 0
	w.pending, w.pendingLen, w.pendDist = false, 0, 0
	w.repDist = 0
}

// restoreFast makes hist the history of a freshly reset Fast window and
// indexes every position of it. The table then differs from the one the
// history had before it was parked, which held only the positions the
// parse looked at: the output that follows differs a little from what a
// Writer that kept its window makes (it is as valid, and usually a little
// smaller).
func (w *window) restoreFast(hist []byte) {
	n := copy(w.buf, hist)
	w.pos, w.end, w.emitted, w.blockFrom = n, n, n, n
	w.hashed, w.skipFrom = n, n
	w.indexFast(0, n)
}

// rebaseFast renumbers a long stream's positions so that abs is 1 again:
// the entries for positions still in the buffer move along, the others
// become 0, out of reach.
func (w *window) rebaseFast() {
	delta := w.abs - 1
	for i, e := range w.table {
		if e <= delta {
			w.table[i] = 0
		} else {
			w.table[i] = e - delta
		}
	}
	w.abs = 1
}
