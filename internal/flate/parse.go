package flate

// levelParams tune the LZ77 parse of a compression level.
type levelParams struct {
	lazy    bool // look one position ahead before taking a match
	chain   int  // candidates followed per search
	nice    int  // a match this long ends the search
	good    int  // lazy: with a pending match this long, search a quarter of the chain
	maxLazy int  // lazy: with a pending match this long, do not search at all
}

var levels = [...]levelParams{
	Fast:    {}, // its own parse, over a table without chains: fast.go
	Default: {lazy: true, chain: 128, nice: 128, good: 8, maxLazy: 32},
	Best:    {lazy: true, chain: 1024, nice: maxMatch, good: 32, maxLazy: maxMatch},
}

// tooFar: a three-byte match farther than this costs about as much as its
// three literals, and hides a literal run from the Huffman code.
const tooFar = 4096

// parse turns the input from w.pos into tokens. Unless final, it stops
// maxMatch bytes before the end, so that every search sees the longest
// possible match; with final it parses everything and settles the pending
// position. A full block is emitted as it goes.
func (z *Writer) parse(final bool) {
	w := z.win
	limit := w.end - maxMatch
	if final {
		limit = w.end
	}
	switch {
	case w.prev == nil: // Fast
		z.parseFast(limit, final)
		return
	case z.level.lazy:
		z.parseLazy(limit)
	default:
		z.parseGreedy(limit)
	}
	if final && w.pending {
		z.settlePending()
	}
}

// parseGreedy takes the longest match at each position, if any.
func (z *Writer) parseGreedy(limit int) {
	w, e, lv := z.win, z.enc, &z.level
	for w.pos < limit {
		if e.full(1) {
			z.emitBlock()
		}
		w.insertUpTo(w.pos)
		l, d := w.longestMatch(w.pos, minMatch-1, lv.chain, lv.nice)
		if d == 0 || l == minMatch && d > tooFar {
			e.literal(w.buf[w.pos])
			w.pos++
			w.emitted++
			continue
		}
		e.match(l, d)
		w.pos += l
		w.emitted += l
	}
}

// parseLazy is the parse with one position of lookahead: the match found at
// a position is held back (pending) until the next position has been
// searched, and is dropped for a literal if the next one is longer.
func (z *Writer) parseLazy(limit int) {
	w, e, lv := z.win, z.enc, &z.level
	for w.pos < limit {
		if e.full(2) {
			z.emitBlock()
		}
		w.insertUpTo(w.pos)
		l, d := 0, 0
		if !w.pending || w.pendingLen < lv.maxLazy {
			chain := lv.chain
			if w.pending && w.pendingLen >= lv.good {
				chain >>= 2
			}
			l, d = w.longestMatch(w.pos, max(w.pendingLen, minMatch-1), chain, lv.nice)
			if l == minMatch && d > tooFar {
				l, d = 0, 0
			}
		}
		if w.pending {
			if w.pendingLen >= minMatch && d == 0 {
				// The match at pos-1 is the better one: take it.
				e.match(w.pendingLen, w.pendDist)
				w.emitted += w.pendingLen
				w.pos += w.pendingLen - 1
				w.pending, w.pendingLen, w.pendDist = false, 0, 0
				continue
			}
			e.literal(w.buf[w.pos-1])
			w.emitted++
		}
		w.pending, w.pendingLen, w.pendDist = true, l, d
		w.pos++
	}
}

// settlePending emits the lazy parse's pending position.
func (z *Writer) settlePending() {
	w, e := z.win, z.enc
	if e.full(1) {
		z.emitBlock()
	}
	if w.pendingLen >= minMatch {
		e.match(w.pendingLen, w.pendDist)
		w.emitted += w.pendingLen
		w.pos += w.pendingLen - 1
	} else {
		e.literal(w.buf[w.pos-1])
		w.emitted++
	}
	w.pending, w.pendingLen, w.pendDist = false, 0, 0
}

// emitBlock encodes the tokens gathered so far as one block.
func (z *Writer) emitBlock() {
	w := z.win
	var raw []byte
	if w.blockFrom >= 0 {
		raw = w.buf[w.blockFrom:w.emitted]
	}
	z.enc.emit(raw)
	w.blockFrom = w.emitted
	z.writeOut()
}
