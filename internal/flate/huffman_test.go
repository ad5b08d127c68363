package flate

import (
	"container/heap"
	"math/rand/v2"
	"testing"
)

// optimalCost is the cost (sum of freq*len) of an unlimited Huffman code,
// computed the textbook way: merge the two lightest subtrees until one is
// left; each merge adds its weight once per level it pushes down.
func optimalCost(freq []uint32) int {
	h := &uintHeap{}
	for _, f := range freq {
		if f > 0 {
			heap.Push(h, int(f))
		}
	}
	if h.Len() < 2 {
		return -1
	}
	cost := 0
	for h.Len() > 1 {
		a, b := heap.Pop(h).(int), heap.Pop(h).(int)
		cost += a + b
		heap.Push(h, a+b)
	}
	return cost
}

type uintHeap []int

func (h uintHeap) Len() int           { return len(h) }
func (h uintHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h uintHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *uintHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *uintHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// checkCode checks that lens is a complete prefix code within limit that
// gives a length to every used symbol.
func checkCode(t *testing.T, freq []uint32, lens []uint8, limit int) (cost int) {
	t.Helper()
	kraft := 0 // sum of 2^(limit-len): complete when it is 2^limit
	used := 0
	for s, l := range lens {
		if freq[s] > 0 && l == 0 {
			t.Fatalf("used symbol %d has no code", s)
		}
		if int(l) > limit {
			t.Fatalf("symbol %d: length %d over the limit %d", s, l, limit)
		}
		if l > 0 {
			kraft += 1 << (limit - int(l))
			used++
		}
		cost += int(freq[s]) * int(l)
	}
	if kraft != 1<<limit {
		t.Fatalf("code not complete: Kraft sum %d/%d", kraft, 1<<limit)
	}
	if used < 2 {
		t.Fatalf("only %d codes", used)
	}
	return cost
}

func TestHuffmanLengths(t *testing.T) {
	var b lengthBuilder
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := 1 + rng.IntN(numLitLen)
		limit := maxLitDistBits
		if iter%3 == 0 {
			n = 1 + rng.IntN(numCodeLen)
			limit = maxCodeLenBits
		}
		freq := make([]uint32, n)
		for i := range freq {
			switch rng.IntN(4) {
			case 0: // unused
			case 1:
				freq[i] = uint32(rng.IntN(4))
			case 2:
				freq[i] = uint32(rng.IntN(100000))
			default:
				freq[i] = uint32(1) << rng.IntN(24) // very skewed
			}
		}
		lens := make([]uint8, n)
		if n < 2 {
			continue
		}
		b.build(freq, limit, lens)
		cost := checkCode(t, freq, lens, limit)
		if opt := optimalCost(freq); opt >= 0 {
			if cost < opt {
				t.Fatalf("cost %d below the optimum %d: impossible", cost, opt)
			}
			maxLen := 0
			for _, l := range lens {
				maxLen = max(maxLen, int(l))
			}
			if maxLen < limit && cost != opt {
				t.Fatalf("cost %d, optimum %d, although the limit did not bind", cost, opt)
			}
		}
	}
}

// TestHuffmanLimitFibonacci: Fibonacci frequencies make the deepest
// possible Huffman tree; the limit must fold it.
func TestHuffmanLimitFibonacci(t *testing.T) {
	var b lengthBuilder
	for _, limit := range []int{maxCodeLenBits, maxLitDistBits} {
		n := 30
		if limit == maxCodeLenBits {
			n = numCodeLen
		}
		freq := make([]uint32, n)
		x, y := uint32(1), uint32(1)
		for i := range freq {
			freq[i] = x
			x, y = y, x+y
		}
		lens := make([]uint8, n)
		b.build(freq, limit, lens)
		checkCode(t, freq, lens, limit)
	}
}

func TestHuffmanFewSymbols(t *testing.T) {
	var b lengthBuilder
	for _, tc := range []struct {
		freq []uint32
		want []uint8
	}{
		{[]uint32{0, 0, 0}, []uint8{1, 1, 0}},
		{[]uint32{0, 0, 5}, []uint8{1, 0, 1}},
		{[]uint32{7, 0, 0}, []uint8{1, 1, 0}},
		{[]uint32{0, 3, 3}, []uint8{0, 1, 1}},
	} {
		lens := make([]uint8, len(tc.freq))
		b.build(tc.freq, 15, lens)
		if string(lens) != string(tc.want) {
			t.Errorf("freq %v: lengths %v, want %v", tc.freq, lens, tc.want)
		}
	}
}

// TestCanonicalCodes checks the example of RFC 1951 section 3.2.2: lengths
// (3, 3, 3, 3, 3, 2, 4, 4) give codes 010, 011, 100, 101, 110, 00, 1110, 1111.
func TestCanonicalCodes(t *testing.T) {
	c := newHuffCode([]uint8{3, 3, 3, 3, 3, 2, 4, 4})
	want := []uint16{0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111}
	for s, w := range want {
		l := c.lens[s]
		var code uint16
		for i := range l { // undo the reversal
			code = code<<1 | c.rev[s]>>i&1
		}
		if code != w {
			t.Errorf("symbol %d: code %0*b, want %0*b", s, l, code, l, w)
		}
	}
}
