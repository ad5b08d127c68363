package flate

import (
	"errors"
	"fmt"
	"io"
)

// Level is a compression level: how hard the LZ77 parse looks for matches.
type Level int

const (
	// Fast takes the first match it finds (a greedy parse over a single
	// table of positions, without chains; see fast.go).
	Fast Level = iota
	// Default looks one position ahead before taking a match (a lazy
	// parse), over chains of up to 128 candidates.
	Default
	// Best is the lazy parse over chains of up to 1024 candidates.
	Best
)

// Options configure a Writer.
type Options struct {
	// WindowBits is the base-2 logarithm of the window, 8..15: no
	// back-reference reaches farther than 2^WindowBits bytes. 0 means 15.
	WindowBits int
	// Level is the compression level; the zero value is Fast.
	Level Level
	// MemLevel, 1..9, trades memory for compression as zlib's does: the
	// hash table has 2^(MemLevel+7) entries (at most twice the window; at
	// the Fast level, at most the window from 2^13 bytes on) and a block
	// holds up to 2^(MemLevel+6) tokens (at most 8 times the window). 0
	// means 8.
	MemLevel int
}

// params checks o and returns its table sizes.
func (o Options) params() (windowBits, hashBits, tokens int, err error) {
	windowBits = o.WindowBits
	if windowBits == 0 {
		windowBits = 15
	}
	mem := o.MemLevel
	if mem == 0 {
		mem = 8
	}
	switch {
	case windowBits < 8 || windowBits > 15:
		return 0, 0, 0, fmt.Errorf("flate: window bits %d out of range 8..15", o.WindowBits)
	case mem < 1 || mem > 9:
		return 0, 0, 0, fmt.Errorf("flate: memory level %d out of range 1..9", o.MemLevel)
	case o.Level < Fast || o.Level > Best:
		return 0, 0, 0, fmt.Errorf("flate: unknown level %d", o.Level)
	}
	hashBits = min(mem+7, windowBits+1)
	tokens = 1 << min(mem+6, windowBits+3)
	return windowBits, hashBits, tokens, nil
}

// Writer is a raw DEFLATE (RFC 1951) compressor whose back-references stay
// within a window of 2^WindowBits bytes. It writes compressed data to an
// io.Writer as blocks complete, and on Flush.
//
// Flush ends the data written so far with a sync flush (an empty stored
// block, whose last four bytes are 00 00 ff ff) and keeps the window, so
// that what follows may refer back to it (context takeover). Reset forgets
// the window (no context takeover). The stream never ends: no block has
// BFINAL set.
//
// Memory: the window (input buffer and hash chains) is held from the first
// Write until Release or Park; the block encoder (token buffer, Huffman
// tables and output buffer) only from the first Write until the Flush that
// ends it. Both come from pools shared by all writers with the same sizes.
// See the package documentation for the sizes.
type Writer struct {
	dst   io.Writer
	level levelParams

	windowBits, hashBits, tokens int
	fast                         bool // the Fast level: hashBits sizes its table (fast.go)

	win *window       // nil until needed, after Release and after Park
	enc *blockEncoder // nil between a Flush and the next Write
	err error

	// parked holds the history while the window is parked (see Park);
	// parkedAbs is the absolute position of its first byte.
	parked    []byte
	parkedAbs uint32
}

// NewWriter returns a Writer that writes to dst with the given options. It
// allocates no window until the first Write or Flush.
func NewWriter(dst io.Writer, o Options) (*Writer, error) {
	wb, hb, tk, err := o.params()
	if err != nil {
		return nil, err
	}
	z := &Writer{dst: dst, level: levels[o.Level], windowBits: wb, hashBits: hb, tokens: tk}
	if o.Level == Fast {
		z.fast = true
		z.hashBits = fastTableBits(wb, hb)
	}
	return z, nil
}

// WindowBits returns the base-2 logarithm of the writer's window.
func (z *Writer) WindowBits() int { return z.windowBits }

// errNilDst is the error of a Writer that has output and no destination.
var errNilDst = errors.New("flate: write to a nil destination")

// Write compresses p. Some of it may stay buffered until Flush.
func (z *Writer) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	z.acquire()
	n := 0
	for len(p) > 0 {
		m := z.win.fill(p)
		p = p[m:]
		n += m
		z.parse(false)
		if z.err != nil {
			return n, z.err
		}
	}
	return n, nil
}

// Flush compresses all the input written so far and ends it with a sync
// flush: an empty stored block, whose last four bytes are 00 00 ff ff.
// Everything written so far can then be decompressed from the output
// alone. The window is kept; the block encoder goes back to its pool.
func (z *Writer) Flush() error {
	if z.err != nil {
		return z.err
	}
	z.acquire()
	z.parse(true)
	if len(z.enc.tokens) > 0 {
		z.emitBlock()
	}
	z.enc.storedBlock(nil)
	z.writeOut()
	w := z.win
	w.blockFrom, w.emitted = w.pos, w.pos
	putEncoder(z.tokens, z.enc)
	z.enc = nil
	return z.err
}

// Reset discards any input not flushed and the window: the next data is
// compressed as a new stream, without reference to anything before it (no
// context takeover). Later output goes to dst. It keeps the buffers.
func (z *Writer) Reset(dst io.Writer) {
	z.dst = dst
	z.err = nil
	z.parked = z.parked[:0]
	if z.win != nil {
		z.win.reset()
	}
	if z.enc != nil {
		z.enc.reset()
	}
}

// Release discards any input not flushed and the window, as Reset does, and
// gives the buffers back to the pools shared by writers of the same sizes.
// The Writer stays usable: its next Write or Flush takes buffers again. A
// Writer without context takeover can call it after each message, so that
// it holds no buffers between messages.
func (z *Writer) Release() {
	z.err = nil
	z.parked = nil
	if z.win != nil {
		putWindow(z.windowBits, z.hashBits, z.fast, z.win)
		z.win = nil
	}
	if z.enc != nil {
		putEncoder(z.tokens, z.enc)
		z.enc = nil
	}
}

// Park keeps the history (the last 2^WindowBits bytes written) in a buffer
// of that size owned by the Writer, and gives the window and everything
// else back to the pools. The next Write takes a window again and indexes
// the history into its hash chains, so the stream goes on as if nothing
// happened, at the cost of that indexing (a few microseconds per KiB of
// history). At the Default and Best levels the output is the same byte for
// byte; at the Fast level, whose table held only some positions of the
// history, all of them are indexed, and the output differs a little. It lets a connection with context takeover keep 2^WindowBits
// bytes between messages instead of about six times that. Call it right
// after Flush; with input written since, it does nothing.
func (z *Writer) Park() {
	if z.win == nil || z.enc != nil {
		return
	}
	w := z.win
	n := min(w.size, w.pos)
	if z.parked == nil {
		z.parked = make([]byte, 0, w.size)
	}
	z.parked = append(z.parked[:0], w.buf[w.pos-n:w.pos]...)
	z.parkedAbs = w.abs + uint32(w.pos-n)
	putWindow(z.windowBits, z.hashBits, z.fast, w)
	z.win = nil
}

// acquire takes the buffers the Writer lacks from the pools.
func (z *Writer) acquire() {
	if z.win == nil {
		z.win = getWindow(z.windowBits, z.hashBits, z.fast)
		if len(z.parked) > 0 {
			if z.fast {
				z.win.restoreFast(z.parked)
			} else {
				z.win.restore(z.parked, z.parkedAbs)
			}
			z.parked = z.parked[:0]
		}
	}
	if z.enc == nil {
		z.enc = getEncoder(z.tokens)
	}
}

// writeOut hands the complete bytes of the output to dst.
func (z *Writer) writeOut() {
	out := z.enc.bw.out
	if len(out) == 0 || z.err != nil {
		return
	}
	if z.dst == nil {
		z.err = errNilDst
		return
	}
	if _, err := z.dst.Write(out); err != nil {
		z.err = err
	}
	z.enc.bw.out = out[:0]
}
