package flate

import "encoding/binary"

// A token is one step of the LZ77 parse: a literal byte (the byte value),
// or a back-reference, with its symbols and extra bits ready for the
// encoder: matchFlag | length symbol-257<<26 | length extra bits<<21 |
// distance symbol<<16 | distance extra bits.
const matchFlag = 1 << 31

// blockEncoder gathers the tokens of the current block with their symbol
// frequencies, and encodes the block as the smallest of a dynamic Huffman,
// a fixed Huffman and a stored block (RFC 1951 section 3.2.3). It holds all
// the scratch space of the encoding, so that emitting a block allocates
// nothing once out has grown; between messages a Writer gives it back to a
// pool.
type blockEncoder struct {
	tokens   []uint32
	litFreq  [numLitLen]uint32
	distFreq [numDist]uint32

	// The dynamic codes, built in emit. The literal/length and distance
	// codes are then packed (see packCodes) into litFreq and distFreq,
	// which are no longer needed.
	cl       huffCode
	litLens  [numLitLen]uint8
	distLens [numDist]uint8
	clLens   [numCodeLen]uint8
	clRev    [numCodeLen]uint16

	allLens [numLitLen + numDist]uint8  // the literal/length then the distance code lengths
	clSeq   [numLitLen + numDist]uint16 // allLens run-length coded: symbol | extra bits<<5
	clFreq  [numCodeLen]uint32

	lb lengthBuilder
	bw bitWriter
}

func newBlockEncoder(maxTokens int) *blockEncoder {
	e := &blockEncoder{tokens: make([]uint32, 0, maxTokens)}
	e.cl = huffCode{lens: e.clLens[:], rev: e.clRev[:]}
	return e
}

// full reports whether fewer than n tokens fit in the block.
func (e *blockEncoder) full(n int) bool { return len(e.tokens)+n > cap(e.tokens) }

// literal adds a literal byte.
func (e *blockEncoder) literal(b byte) {
	e.tokens = append(e.tokens, uint32(b))
	e.litFreq[b]++
}

// match adds a back-reference of length 3..258 to distance 1..32768.
func (e *blockEncoder) match(length, dist int) {
	ls := lenSym[uint8(length-minMatch)]
	ds := distSym(dist)
	e.tokens = append(e.tokens, matchFlag|uint32(ls)<<26|uint32(length-int(lenBase[ls&31]))<<21|
		uint32(ds)<<16|uint32(dist-int(distBase[ds])))
	e.litFreq[257+int(ls)]++
	e.distFreq[ds]++
}

// emit encodes the block's tokens into bw, choosing the smallest encoding.
// raw is the input the tokens stand for, or nil when it is no longer in the
// window (then no stored block is possible). The block is never the last
// one (BFINAL is 0): the stream goes on after every flush.
func (e *blockEncoder) emit(raw []byte) {
	e.litFreq[endOfBlock]++
	e.lb.build(e.litFreq[:], maxLitDistBits, e.litLens[:])
	e.lb.build(e.distFreq[:], maxLitDistBits, e.distLens[:])
	nlit, ndist := numLitLen, numDist
	for nlit > 257 && e.litLens[nlit-1] == 0 {
		nlit--
	}
	for ndist > 1 && e.distLens[ndist-1] == 0 {
		ndist--
	}
	seq := e.runLengths(nlit, ndist)
	e.lb.build(e.clFreq[:], maxCodeLenBits, e.clLens[:])
	nclen := numCodeLen
	for nclen > 4 && e.clLens[codeLenOrder[nclen-1]] == 0 {
		nclen--
	}

	// The sizes in bits of the fixed and the dynamic encodings; the extra
	// bits of lengths and distances are the same in both.
	fixedBits, dynBits := 3, 3+5+5+4+3*nclen
	for s, n := range e.litFreq {
		fixedBits += int(n) * int(fixedLitPacked[s]>>24)
		dynBits += int(n) * int(e.litLens[s]+litExtra[s])
	}
	for s, n := range e.distFreq {
		fixedBits += int(n) * (5 + int(distExtra[s]))
		dynBits += int(n) * int(e.distLens[s]+distExtra[s])
	}
	for s, n := range e.clFreq {
		dynBits += int(n) * int(e.clLens[s])
	}
	for _, c := range seq {
		dynBits += int(clExtraBits(c & 31))
	}

	switch {
	case raw != nil && e.storedBits(len(raw)) <= min(dynBits, fixedBits):
		e.stored(raw)
	case fixedBits < dynBits:
		e.bw.write(1<<1, 3) // BFINAL 0, BTYPE 01
		e.tokensWith(&fixedLitPacked, &fixedDistPacked)
	default:
		e.cl.assign()
		e.bw.write(2<<1, 3) // BFINAL 0, BTYPE 10
		e.bw.write(uint32(nlit-257), 5)
		e.bw.write(uint32(ndist-1), 5)
		e.bw.write(uint32(nclen-4), 4)
		for _, s := range codeLenOrder[:nclen] {
			e.bw.write(uint32(e.clLens[s]), 3)
		}
		for _, c := range seq {
			s := c & 31
			e.bw.write(uint32(e.clRev[s]), uint(e.clLens[s]))
			if n := clExtraBits(s); n > 0 {
				e.bw.write(uint32(c>>5), n)
			}
		}
		packCodes(e.litLens[:], litExtra[:], e.litFreq[:])
		packCodes(e.distLens[:], distExtra[:], e.distFreq[:])
		e.tokensWith(&e.litFreq, &e.distFreq)
	}
	e.tokens = e.tokens[:0]
	clear(e.litFreq[:])
	clear(e.distFreq[:])
}

// clExtraBits returns the number of extra bits after code length symbol s.
func clExtraBits(s uint16) uint {
	switch s {
	case 16:
		return 2
	case 17:
		return 3
	case 18:
		return 7
	}
	return 0
}

// runLengths codes the nlit literal/length and ndist distance code lengths
// as one sequence of code length symbols (RFC 1951 section 3.2.7; a run may
// go on from the first part into the second): 16 repeats the previous
// length 3..6 times, 17 and 18 stand for 3..10 and 11..138 zeros. It
// counts the symbols in clFreq.
func (e *blockEncoder) runLengths(nlit, ndist int) []uint16 {
	all := append(append(e.allLens[:0], e.litLens[:nlit]...), e.distLens[:ndist]...)
	seq := e.clSeq[:0]
	for i := 0; i < len(all); {
		v := all[i]
		run := 1
		for i+run < len(all) && all[i+run] == v {
			run++
		}
		i += run
		if v == 0 {
			for run >= 11 {
				r := min(run, 138)
				seq = append(seq, 18|uint16(r-11)<<5)
				run -= r
			}
			if run >= 3 {
				seq = append(seq, 17|uint16(run-3)<<5)
				run = 0
			}
		} else {
			seq = append(seq, uint16(v))
			run--
			for run >= 3 {
				r := min(run, 6)
				seq = append(seq, 16|uint16(r-3)<<5)
				run -= r
			}
		}
		for ; run > 0; run-- {
			seq = append(seq, uint16(v))
		}
	}
	clear(e.clFreq[:])
	for _, c := range seq {
		e.clFreq[c&31]++
	}
	return seq
}

// tokensWith writes the block's tokens and its end with the given packed
// codes (see packCodes). It keeps the bit buffer in local variables and
// moves 32 bits at a time to the output: a token adds at most 20 bits for
// its literal or length and 28 for its distance, so the 64-bit accumulator
// never overflows.
func (e *blockEncoder) tokensWith(lit *[numLitLen]uint32, dist *[numDist]uint32) {
	out, acc, n := e.bw.out, e.bw.acc, e.bw.n
	for _, t := range e.tokens {
		if t < matchFlag {
			c := lit[uint8(t)]
			acc |= uint64(c&0xffff) << n
			n += uint(c >> 24)
		} else {
			c := lit[257+t>>26&31]
			acc |= (uint64(c&0xffff) | uint64(t>>21&31)<<(c>>16&31)) << n
			n += uint(c >> 24)
			if n >= 32 {
				out = binary.LittleEndian.AppendUint32(out, uint32(acc))
				acc >>= 32
				n -= 32
			}
			c = dist[t>>16&31]
			acc |= (uint64(c&0xffff) | uint64(t&0x1fff)<<(c>>16&31)) << n
			n += uint(c >> 24)
		}
		if n >= 32 {
			out = binary.LittleEndian.AppendUint32(out, uint32(acc))
			acc >>= 32
			n -= 32
		}
	}
	e.bw.out, e.bw.acc, e.bw.n = out, acc, n
	c := lit[endOfBlock]
	e.bw.write(c&0xffff, uint(c>>24))
}

// storedBits returns the size in bits of n bytes as stored blocks, from the
// current bit position.
func (e *blockEncoder) storedBits(n int) int {
	bits := 0
	pad := int((8 - (e.bw.n+3)%8) % 8)
	for first := true; first || n > 0; first = false {
		chunk := min(n, maxStored)
		bits += 3 + pad + 32 + 8*chunk
		n -= chunk
		pad = 5 // the next header starts on a byte boundary
	}
	return bits
}

// stored writes raw as stored blocks of at most 65535 bytes.
func (e *blockEncoder) stored(raw []byte) {
	for first := true; first || len(raw) > 0; first = false {
		chunk := raw[:min(len(raw), maxStored)]
		raw = raw[len(chunk):]
		e.storedBlock(chunk)
	}
}

// storedBlock writes one stored block (BFINAL 0): its header, padding to
// a byte boundary, LEN, NLEN and the bytes. An empty one is a sync flush
// marker: it ends with 00 00 ff ff.
func (e *blockEncoder) storedBlock(p []byte) {
	e.bw.write(0, 3)
	e.bw.align()
	e.bw.out = binary.LittleEndian.AppendUint16(e.bw.out, uint16(len(p)))
	e.bw.out = binary.LittleEndian.AppendUint16(e.bw.out, ^uint16(len(p)))
	e.bw.out = append(e.bw.out, p...)
}
