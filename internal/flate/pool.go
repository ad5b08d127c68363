package flate

import (
	"math/bits"
	"sync"
	"unsafe"
)

// Pools of windows, by level kind (chains or the Fast table), window bits
// (8..15) and hash bits (8..16), and of
// block encoders, by token capacity (2^7..2^15). A sync.Pool drops what it
// holds when the garbage collector runs twice without it being used, so
// idle memory goes back by itself.
var (
	windowPools  [2][16][17]sync.Pool
	encoderPools [16]sync.Pool
)

func getWindow(windowBits, hashBits int, fast bool) *window {
	if w, ok := windowPools[b2i(fast)][windowBits][hashBits].Get().(*window); ok {
		w.reset()
		return w
	}
	return newWindow(windowBits, hashBits, fast)
}

func putWindow(windowBits, hashBits int, fast bool, w *window) {
	windowPools[b2i(fast)][windowBits][hashBits].Put(w)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func getEncoder(tokens int) *blockEncoder {
	if e, ok := encoderPools[bits.Len(uint(tokens))-1].Get().(*blockEncoder); ok {
		e.reset()
		return e
	}
	return newBlockEncoder(tokens)
}

func putEncoder(tokens int, e *blockEncoder) {
	encoderPools[bits.Len(uint(tokens))-1].Put(e)
}

// reset empties the encoder for a new stream.
func (e *blockEncoder) reset() {
	e.tokens = e.tokens[:0]
	clear(e.litFreq[:])
	clear(e.distFreq[:])
	e.bw = bitWriter{out: e.bw.out[:0]}
}

// Memory is the memory a Writer holds, in bytes.
type Memory struct {
	// Window is held from the first Write until Release: the input buffer
	// (the window and up to max(window, 4 KiB) of input ahead of it) and
	// the hash chains (2 bytes per hash entry and per window byte), or at
	// the Fast level its table (4 bytes per entry, at most one entry per
	// window byte).
	Window int
	// Encoder is held from the first Write until Flush: the token buffer
	// (4 bytes per token) and the Huffman tables, plus an output buffer
	// that grows to the largest block written between two hand-offs to
	// the destination (not counted).
	Encoder int
}

// MemoryFor returns the memory of a Writer with options o, or zero for
// invalid options.
func MemoryFor(o Options) Memory {
	wb, hb, tk, err := o.params()
	if err != nil {
		return Memory{}
	}
	size := 1 << wb
	win := int(unsafe.Sizeof(window{})) + size + max(size, 4096) + 2<<hb + 2*size
	if o.Level == Fast {
		entry := 4
		if wb <= fastSmall {
			entry = 2
		}
		win = int(unsafe.Sizeof(window{})) + size + max(size, 4096) + entry<<fastTableBits(wb, hb)
	}
	enc := int(unsafe.Sizeof(blockEncoder{})) + 4*tk
	return Memory{Window: win, Encoder: enc}
}
