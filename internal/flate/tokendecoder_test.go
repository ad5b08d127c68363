package flate

import (
	"errors"
	"fmt"
)

// tokenDecoder is a small, slow DEFLATE decoder written for the tests from
// RFC 1951 alone. Beside the output it records what the stream is made of:
// the longest back-reference distance, the block types, the tokens. It
// decodes a stream without BFINAL, block after block, until the input ends
// on a block boundary.
type tokenDecoder struct {
	in   []byte
	pos  int    // next byte of in
	acc  uint32 // pending bits, the next in the low end
	nacc uint

	out        []byte
	maxDist    int
	blocks     [3]int // stored, fixed, dynamic
	matches    int
	literals   int
	sawBFINAL  bool
	historyMin int // back-references must not reach before out[historyMin]
}

var errTruncated = errors.New("truncated stream")

func (d *tokenDecoder) bits(n uint) (uint32, error) {
	for d.nacc < n {
		if d.pos == len(d.in) {
			return 0, errTruncated
		}
		d.acc |= uint32(d.in[d.pos]) << d.nacc
		d.pos++
		d.nacc += 8
	}
	v := d.acc & (1<<n - 1)
	d.acc >>= n
	d.nacc -= n
	return v, nil
}

// testCode is a canonical code for decoding: count[l] codes of length l,
// and the symbols sorted by (length, symbol).
type testCode struct {
	count   [16]int
	symbols []int
}

func newTestCode(lens []uint8) (*testCode, error) {
	c := &testCode{}
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
			if int(sl) == l {
				c.symbols = append(c.symbols, s)
			}
		}
	}
	return c, nil
}

// decode reads one symbol: codes of length l are consecutive numbers
// starting right after the last code of length l-1, shifted left once.
func (d *tokenDecoder) decode(c *testCode) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := d.bits(1)
		if err != nil {
			return 0, err
		}
		code |= int(b)
		if code-first < c.count[l] {
			return c.symbols[index+code-first], nil
		}
		index += c.count[l]
		first = (first + c.count[l]) << 1
		code <<= 1
	}
	return 0, errors.New("invalid code")
}

// run decodes until the input is used up at a block boundary.
func (d *tokenDecoder) run() error {
	for d.pos < len(d.in) {
		hdr, err := d.bits(3)
		if err != nil {
			return err
		}
		if hdr&1 != 0 {
			d.sawBFINAL = true
		}
		switch hdr >> 1 {
		case 0:
			d.blocks[0]++
			d.acc, d.nacc = 0, 0 // skip to the byte boundary
			if len(d.in)-d.pos < 4 {
				return errTruncated
			}
			n := int(d.in[d.pos]) | int(d.in[d.pos+1])<<8
			nn := int(d.in[d.pos+2]) | int(d.in[d.pos+3])<<8
			if n != nn^0xffff {
				return errors.New("stored block: LEN and NLEN disagree")
			}
			d.pos += 4
			if len(d.in)-d.pos < n {
				return errTruncated
			}
			d.out = append(d.out, d.in[d.pos:d.pos+n]...)
			d.pos += n
		case 1:
			d.blocks[1]++
			lit, _ := newTestCode(fixedLit.lens)
			dist, _ := newTestCode(fixedDist.lens)
			if err := d.huffmanBlock(lit, dist); err != nil {
				return err
			}
		case 2:
			d.blocks[2]++
			lit, dist, err := d.dynamicHeader()
			if err != nil {
				return err
			}
			if err := d.huffmanBlock(lit, dist); err != nil {
				return err
			}
		default:
			return errors.New("reserved block type")
		}
		if d.nacc >= 8 {
			return errors.New("decoder read a byte too many")
		}
	}
	return nil
}

func (d *tokenDecoder) dynamicHeader() (lit, dist *testCode, err error) {
	v, err := d.bits(14)
	if err != nil {
		return nil, nil, err
	}
	nlit, ndist, nclen := int(v&31)+257, int(v>>5&31)+1, int(v>>10)+4
	if nlit > 286 || ndist > 30 {
		return nil, nil, fmt.Errorf("too many codes: %d, %d", nlit, ndist)
	}
	var cll [numCodeLen]uint8
	for _, s := range codeLenOrder[:nclen] {
		b, err := d.bits(3)
		if err != nil {
			return nil, nil, err
		}
		cll[s] = uint8(b)
	}
	cl, err := newTestCode(cll[:])
	if err != nil {
		return nil, nil, err
	}
	lens := make([]uint8, 0, nlit+ndist)
	for len(lens) < nlit+ndist {
		s, err := d.decode(cl)
		if err != nil {
			return nil, nil, err
		}
		rep, val := 1, uint8(s)
		switch s {
		case 16:
			if len(lens) == 0 {
				return nil, nil, errors.New("repeat with no previous length")
			}
			b, err := d.bits(2)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 3+int(b), lens[len(lens)-1]
		case 17:
			b, err := d.bits(3)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 3+int(b), 0
		case 18:
			b, err := d.bits(7)
			if err != nil {
				return nil, nil, err
			}
			rep, val = 11+int(b), 0
		}
		if len(lens)+rep > nlit+ndist {
			return nil, nil, errors.New("code lengths overrun")
		}
		for range rep {
			lens = append(lens, val)
		}
	}
	if lens[endOfBlock] == 0 {
		return nil, nil, errors.New("no end-of-block code")
	}
	if lit, err = newTestCode(lens[:nlit]); err != nil {
		return nil, nil, err
	}
	if dist, err = newTestCode(lens[nlit:]); err != nil {
		return nil, nil, err
	}
	return lit, dist, nil
}

func (d *tokenDecoder) huffmanBlock(lit, dist *testCode) error {
	for {
		s, err := d.decode(lit)
		if err != nil {
			return err
		}
		switch {
		case s < 256:
			d.out = append(d.out, byte(s))
			d.literals++
			continue
		case s == endOfBlock:
			return nil
		case s > 285:
			return errors.New("invalid length symbol")
		}
		i := s - 257
		e, err := d.bits(uint(lenExtra[i]))
		if err != nil {
			return err
		}
		length := int(lenBase[i]) + int(e)
		ds, err := d.decode(dist)
		if err != nil {
			return err
		}
		if ds >= numDist {
			return errors.New("invalid distance symbol")
		}
		e, err = d.bits(uint(distExtra[ds]))
		if err != nil {
			return err
		}
		dd := int(distBase[ds]) + int(e)
		if dd > len(d.out)-d.historyMin {
			return fmt.Errorf("distance %d reaches before the stream's start", dd)
		}
		d.maxDist = max(d.maxDist, dd)
		d.matches++
		for range length {
			d.out = append(d.out, d.out[len(d.out)-dd])
		}
	}
}
