// Package flatetest decodes DEFLATE streams (RFC 1951) for tests, and
// reports what they are made of: the farthest back-reference, the block
// types, BFINAL. It is small and slow, written from the RFC alone and
// independently of package flate (it derives its own tables), so that
// the two check each other.
package flatetest

import (
	"errors"
	"fmt"
)

// Stats describes a decoded stream.
type Stats struct {
	Out      []byte // the decompressed data
	MaxDist  int    // the farthest back-reference
	Blocks   [3]int // blocks by type: stored, fixed Huffman, dynamic Huffman
	Literals int    // literal bytes in Huffman blocks
	Matches  int    // back-references
	BFINAL   bool   // a block had BFINAL set
}

// Decode decodes stream, block after block, until the input is used up at
// a block boundary (after a stored block, or with fewer than eight bits
// of padding left after a Huffman block); BFINAL does not stop it, so a
// stream of sync-flushed messages decodes whole. history is data decoded
// before stream, which back-references may reach into (the window kept
// from earlier messages); it is not part of Out.
func Decode(stream, history []byte) (Stats, error) {
	d := decoder{in: stream, out: append([]byte(nil), history...), start: len(history)}
	err := d.run()
	st := d.st
	st.Out = d.out[d.start:]
	if err != nil {
		return st, fmt.Errorf("flatetest: %w at byte %d of %d", err, d.pos, len(stream))
	}
	return st, nil
}

// ErrTruncated: the stream ends inside a block.
var ErrTruncated = errors.New("truncated stream")

// The tables of RFC 1951 section 3.2.5, derived from their rules: length
// symbols 257..264 stand for 3..10, then each four symbols double the range
// (one more extra bit), and 285 stands for 258; distance symbols 0..3
// stand for 1..4, then each two symbols double the range.
var lenBase, lenExtra, distBase, distExtra [30]int

func init() {
	base := 3
	for i := range 28 {
		extra := max(0, (i-4)/4)
		lenBase[i], lenExtra[i] = base, extra
		base += 1 << extra
	}
	lenBase[28] = 258
	base = 1
	for i := range 30 {
		extra := max(0, i/2-1)
		distBase[i], distExtra[i] = base, extra
		base += 1 << extra
	}
}

var clOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

type decoder struct {
	in    []byte
	pos   int
	acc   uint32
	nacc  uint
	out   []byte
	start int // out[:start] is the history given to Decode
	st    Stats
}

func (d *decoder) bits(n uint) (int, error) {
	for d.nacc < n {
		if d.pos == len(d.in) {
			return 0, ErrTruncated
		}
		d.acc |= uint32(d.in[d.pos]) << d.nacc
		d.pos++
		d.nacc += 8
	}
	v := d.acc & (1<<n - 1)
	d.acc >>= n
	d.nacc -= n
	return int(v), nil
}

// code is a canonical prefix code for decoding: count[l] codes of length
// l, and the symbols in code order (by length, then by symbol).
type code struct {
	count   [16]int
	symbols []int
}

func newCode(lens []int) (*code, error) {
	c := &code{}
	for _, l := range lens {
		c.count[l]++
	}
	c.count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left*2 - c.count[l]
		if left < 0 {
			return nil, errors.New("over-subscribed code")
		}
	}
	for l := 1; l < 16; l++ {
		for s, sl := range lens {
			if sl == l {
				c.symbols = append(c.symbols, s)
			}
		}
	}
	return c, nil
}

// decode reads one symbol, a bit at a time: the codes of length l are
// consecutive numbers, starting right after those of length l-1 (shifted
// left once).
func (d *decoder) decode(c *code) (int, error) {
	v, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := d.bits(1)
		if err != nil {
			return 0, err
		}
		v |= b
		if v-first < c.count[l] {
			return c.symbols[index+v-first], nil
		}
		index += c.count[l]
		first = (first + c.count[l]) << 1
		v <<= 1
	}
	return 0, errors.New("invalid code")
}

func fixedCodes() (lit, dist *code) {
	lens := make([]int, 288)
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	lit, _ = newCode(lens)
	dl := make([]int, 30)
	for i := range dl {
		dl[i] = 5
	}
	dist, _ = newCode(dl)
	return lit, dist
}

func (d *decoder) run() error {
	for d.pos < len(d.in) {
		hdr, err := d.bits(3)
		if err != nil {
			return err
		}
		if hdr&1 != 0 {
			d.st.BFINAL = true
		}
		switch hdr >> 1 {
		case 0:
			d.st.Blocks[0]++
			d.acc, d.nacc = 0, 0 // to the byte boundary
			if len(d.in)-d.pos < 4 {
				return ErrTruncated
			}
			n := int(d.in[d.pos]) | int(d.in[d.pos+1])<<8
			nn := int(d.in[d.pos+2]) | int(d.in[d.pos+3])<<8
			if n != nn^0xffff {
				return errors.New("stored block: LEN and NLEN disagree")
			}
			d.pos += 4
			if len(d.in)-d.pos < n {
				return ErrTruncated
			}
			d.out = append(d.out, d.in[d.pos:d.pos+n]...)
			d.pos += n
		case 1:
			d.st.Blocks[1]++
			if err := d.huffmanBlock(fixedCodes()); err != nil {
				return err
			}
		case 2:
			d.st.Blocks[2]++
			lit, dist, err := d.dynamicHeader()
			if err != nil {
				return err
			}
			if err := d.huffmanBlock(lit, dist); err != nil {
				return err
			}
		default:
			return errors.New("reserved block type 3")
		}
	}
	return nil
}

func (d *decoder) dynamicHeader() (lit, dist *code, err error) {
	v, err := d.bits(14)
	if err != nil {
		return nil, nil, err
	}
	nlit, ndist, nclen := v&31+257, v>>5&31+1, v>>10+4
	if nlit > 286 || ndist > 30 {
		return nil, nil, fmt.Errorf("too many codes: %d literal/length, %d distance", nlit, ndist)
	}
	cll := make([]int, 19)
	for _, s := range clOrder[:nclen] {
		if cll[s], err = d.bits(3); err != nil {
			return nil, nil, err
		}
	}
	cl, err := newCode(cll)
	if err != nil {
		return nil, nil, err
	}
	lens := make([]int, 0, nlit+ndist)
	for len(lens) < nlit+ndist {
		s, err := d.decode(cl)
		if err != nil {
			return nil, nil, err
		}
		rep, val := 1, s
		switch s {
		case 16:
			if len(lens) == 0 {
				return nil, nil, errors.New("repeat with no previous length")
			}
			b, err := d.bits(2)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 3+b, lens[len(lens)-1]
		case 17:
			b, err := d.bits(3)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 3+b, 0
		case 18:
			b, err := d.bits(7)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 11+b, 0
		}
		if len(lens)+rep > nlit+ndist {
			return nil, nil, errors.New("code lengths overrun")
		}
		for range rep {
			lens = append(lens, val)
		}
	}
	if lens[256] == 0 {
		return nil, nil, errors.New("no end-of-block code")
	}
	if lit, err = newCode(lens[:nlit]); err != nil {
		return nil, nil, err
	}
	if dist, err = newCode(lens[nlit:]); err != nil {
		return nil, nil, err
	}
	return lit, dist, nil
}

func (d *decoder) huffmanBlock(lit, dist *code) error {
	for {
		s, err := d.decode(lit)
		if err != nil {
			return err
		}
		switch {
		case s < 256:
			d.out = append(d.out, byte(s))
			d.st.Literals++
			continue
		case s == 256:
			return nil
		case s > 285:
			return errors.New("invalid length symbol")
		}
		e, err := d.bits(uint(lenExtra[s-257]))
		if err != nil {
			return err
		}
		length := lenBase[s-257] + e
		ds, err := d.decode(dist)
		if err != nil {
			return err
		}
		if ds >= 30 {
			return errors.New("invalid distance symbol")
		}
		if e, err = d.bits(uint(distExtra[ds])); err != nil {
			return err
		}
		dd := distBase[ds] + e
		if dd > len(d.out) {
			return fmt.Errorf("distance %d reaches before the data", dd)
		}
		d.st.MaxDist = max(d.st.MaxDist, dd)
		d.st.Matches++
		for range length {
			d.out = append(d.out, d.out[len(d.out)-dd])
		}
	}
}
