package flate

import "math/bits"

// Sizes of the DEFLATE format (RFC 1951 section 3.2.5).
const (
	minMatch   = 3   // shortest back-reference
	maxMatch   = 258 // longest back-reference
	endOfBlock = 256 // the literal/length symbol that ends a block

	numLitLen  = 286 // literal/length symbols that may appear (0..285)
	numDist    = 30  // distance symbols that may appear (0..29)
	numCodeLen = 19  // code length symbols (0..18)

	maxLitDistBits = 15 // longest literal/length or distance code
	maxCodeLenBits = 7  // longest code length code

	maxStored = 65535 // most bytes in one stored block
)

// The length symbols 257..285: lenBase[i] is the shortest length that
// symbol 257+i stands for and lenExtra[i] the number of extra bits after it.
// Symbols 257..264 stand for one length each; from 265 on, every four
// symbols double the range; 285 alone stands for 258.
var (
	lenBase  [29]uint16
	lenExtra [29]uint8
	// lenSym[l-minMatch] is the index (symbol-257) of the code for length l.
	lenSym [256]uint8 // maxMatch-minMatch+1 entries
)

// The distance symbols 0..29: distBase[i] is the shortest distance symbol i
// stands for and distExtra[i] its number of extra bits. Symbols 0..3 stand
// for one distance each; from 4 on, every two symbols double the range.
var (
	distBase  [numDist]uint16
	distExtra [numDist]uint8
)

func init() {
	base := 3
	for i := range 28 {
		extra := 0
		if i >= 8 {
			extra = (i - 4) / 4
		}
		lenBase[i], lenExtra[i] = uint16(base), uint8(extra)
		for l := base; l < base+1<<extra && l < maxMatch; l++ {
			lenSym[l-minMatch] = uint8(i)
		}
		base += 1 << extra
	}
	lenBase[28], lenExtra[28] = maxMatch, 0
	lenSym[maxMatch-minMatch] = 28

	base = 1
	for i := range numDist {
		extra := 0
		if i >= 4 {
			extra = i/2 - 1
		}
		distBase[i], distExtra[i] = uint16(base), uint8(extra)
		base += 1 << extra
	}
}

// distSym returns the distance symbol for a distance d in 1..32768. Above 4,
// symbol 2k and 2k+1 split the range [2^k+1, 2^(k+1)] in halves, so the
// symbol is twice the position of the top bit of d-1 plus the bit below it.
func distSym(d int) int {
	x := uint32(d - 1)
	if x < 4 {
		return int(x)
	}
	top := bits.Len32(x) - 1
	return 2*top + int(x>>(top-1)&1)
}

// The fixed Huffman code of RFC 1951 section 3.2.6, packed for the encoder
// (see packCodes). The literal/length code has 288 symbols (286 and 287
// never occur), the distance code 30 symbols of 5 bits.
var (
	fixedLitPacked  [numLitLen]uint32
	fixedDistPacked [numDist]uint32
)

// litExtra[s] is the number of extra bits after literal/length symbol s.
var litExtra [numLitLen]uint8

func init() {
	var lens [288]uint8
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
	var dl [numDist]uint8
	for i := range dl {
		dl[i] = 5
	}
	copy(litExtra[257:], lenExtra[:])
	var extra [288]uint8 // the codes are those of all 288 symbols
	var packed [288]uint32
	copy(extra[:], litExtra[:])
	packCodes(lens[:], extra[:], packed[:])
	copy(fixedLitPacked[:], packed[:])
	packCodes(dl[:], distExtra[:], fixedDistPacked[:])
}

// codeLenOrder is the order in which a dynamic block header sends the
// lengths of the code length code (RFC 1951 section 3.2.7).
var codeLenOrder = [numCodeLen]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
