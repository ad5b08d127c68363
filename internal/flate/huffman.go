package flate

import (
	"math/bits"
	"slices"
)

// huffCode is a canonical prefix code (RFC 1951 section 3.2.2). Symbol s has
// a code of lens[s] bits (0: the symbol has no code); rev[s] holds that code
// with its bits reversed, because DEFLATE packs a Huffman code starting with
// its most significant bit into a stream that fills bytes from their least
// significant bit.
type huffCode struct {
	lens []uint8
	rev  []uint16
}

// newHuffCode returns the canonical code with the given lengths.
func newHuffCode(lens []uint8) huffCode {
	c := huffCode{lens: lens, rev: make([]uint16, len(lens))}
	c.assign()
	return c
}

// assign computes c.rev from c.lens: codes of one length are consecutive
// integers in symbol order, and the shorter codes come first.
func (c *huffCode) assign() {
	next := firstCodes(c.lens)
	rev := c.rev[:len(c.lens)]
	for s, l := range c.lens {
		// Branch-free: a symbol without a code gets 0 (a shift by 16)
		// and counts in next[0], which no one reads.
		l &= 15
		rev[s] = bits.Reverse16(next[l]) >> (16 - l)
		next[l]++
	}
}

// firstCodes returns, for each code length, the first code of that length
// in the canonical code with the given lengths (RFC 1951 3.2.2).
func firstCodes(lens []uint8) [maxLitDistBits + 1]uint16 {
	var count [maxLitDistBits + 1]uint16
	for _, l := range lens {
		count[l&15]++
	}
	count[0] = 0
	var next [maxLitDistBits + 1]uint16
	code := uint16(0)
	for b := 1; b <= maxLitDistBits; b++ {
		code = (code + count[b-1]) << 1
		next[b] = code
	}
	return next
}

// packCodes computes the canonical code with the given lengths, as assign
// does, and sets packed[s] to the code of symbol s with its bits reversed,
// | its length<<16 | (its length + extra[s])<<24: what the encoder writes
// for the symbol, and the number of bits with its extra bits.
func packCodes(lens, extra []uint8, packed []uint32) {
	next := firstCodes(lens)
	extra = extra[:len(lens)]
	packed = packed[:len(lens)]
	for s, l := range lens {
		l &= 15
		packed[s] = uint32(bits.Reverse16(next[l])>>(16-l)) | uint32(l)<<16 | uint32(l+extra[s])<<24
		next[l]++
	}
}

// lengthBuilder computes length-limited Huffman code lengths. It holds its
// scratch space, so that building a code allocates nothing.
type lengthBuilder struct {
	leaves     [numLitLen]uint64 // frequency<<16 | symbol, sorted ascending
	nodeWeight [numLitLen]uint64 // weights of the internal nodes, in creation order
	leafParent [numLitLen]uint16
	nodeParent [numLitLen]uint16
	depth      [numLitLen]uint16 // depths of the internal nodes
	count      [numLitLen]uint16 // count[d]: leaves at depth d
}

// countingSort sorts leaves (frequency<<16 | symbol, in symbol order) by
// frequency, then symbol, when no frequency exceeds maxFreq, which is below
// 256: faster than a comparison sort for the small frequencies of a short
// block. It borrows count and nodeWeight, which build fills only later.
func (b *lengthBuilder) countingSort(leaves []uint64, maxFreq int) {
	bucket := b.count[:maxFreq+1]
	clear(bucket)
	for _, x := range leaves {
		bucket[x>>16&255]++
	}
	sum := uint16(0)
	for f, c := range bucket {
		bucket[f] = sum
		sum += c
	}
	out := b.nodeWeight[:len(leaves)]
	for _, x := range leaves {
		f := x >> 16 & 255
		out[bucket[f]] = x
		bucket[f]++
	}
	copy(leaves, out)
}

// build sets lens[s] for every symbol s of freq: 0 for an unused symbol,
// else a length of at most limit bits, so that the lengths form a complete
// prefix code that minimizes the sum of freq*len when the limit allows it,
// and comes close when it does not. The code always has at least two
// symbols (with one or no symbol used, two symbols get one bit each), which
// every decoder accepts.
//
// The lengths come from a Huffman tree, built with two queues over the
// leaves sorted by frequency (the internal nodes are created in
// nondecreasing weight order, so the smallest two are always at the queue
// heads). Lengths beyond the limit are then folded back: two sibling leaves
// at the deepest level d go up, one to d-1 (taking their parent's place)
// and one beside a leaf moved down from the deepest shallower level j < d-1,
// which keeps the code complete (sum of 2^-len stays 1). Finally the
// lengths are handed out again in frequency order, the shortest to the most
// frequent symbols.
func (b *lengthBuilder) build(freq []uint32, limit int, lens []uint8) {
	n := 0
	maxFreq := uint32(0)
	for s, f := range freq {
		lens[s] = 0
		if f > 0 {
			b.leaves[n] = uint64(f)<<16 | uint64(s)
			n++
			maxFreq = max(maxFreq, f)
		}
	}
	if n < 2 {
		a := 0
		if n == 1 {
			a = int(b.leaves[0] & 0xffff)
		}
		other := 0
		if a == 0 {
			other = 1
		}
		lens[a], lens[other] = 1, 1
		return
	}
	leaves := b.leaves[:n]
	if maxFreq < 256 && int(maxFreq) < 4*n {
		b.countingSort(leaves, int(maxFreq))
	} else {
		slices.Sort(leaves)
	}

	li, ni := 0, 0 // heads of the leaf queue and of the internal node queue
	for k := 0; k < n-1; k++ {
		var sum uint64
		for range 2 {
			if li < n && (ni >= k || leaves[li]>>16 <= b.nodeWeight[ni]) {
				sum += leaves[li] >> 16
				b.leafParent[li] = uint16(k)
				li++
			} else {
				sum += b.nodeWeight[ni]
				b.nodeParent[ni] = uint16(k)
				ni++
			}
		}
		b.nodeWeight[k] = sum
	}

	root := n - 2
	b.depth[root] = 0
	for k := root - 1; k >= 0; k-- {
		b.depth[k] = b.depth[b.nodeParent[k]] + 1
	}
	clear(b.count[:n])
	maxDepth := 0
	for i := range n {
		d := int(b.depth[b.leafParent[i]]) + 1
		b.count[d]++
		maxDepth = max(maxDepth, d)
	}

	for d := maxDepth; d > limit; d-- {
		for b.count[d] > 0 {
			j := d - 2
			for b.count[j] == 0 {
				j--
			}
			b.count[d] -= 2
			b.count[d-1]++
			b.count[j+1] += 2
			b.count[j]--
		}
	}

	i := 0
	for l := min(maxDepth, limit); l >= 1; l-- {
		for c := b.count[l]; c > 0; c-- {
			lens[leaves[i]&0xffff] = uint8(l)
			i++
		}
	}
}
