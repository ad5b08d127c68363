package flate

import (
	"bytes"
	stdflate "compress/flate"
	"runtime"
	"testing"
)

// heapGrowth returns the bytes allocated by f, with the pools emptied first
// (a pool survives one collection in its victim cache).
func heapGrowth(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestMemoryComparison logs what one compressor allocates to compress a
// message, here and in compress/flate, for the documentation (go test -run
// MemoryComparison -v).
func TestMemoryComparison(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation figures are meaningless under the race detector")
	}
	msg := jsonCorpus(1000, 1)
	var sink *Writer
	for wb := 8; wb <= 15; wb++ {
		n := heapGrowth(func() {
			z, _ := NewWriter(&bytes.Buffer{}, Options{WindowBits: wb, Level: Default})
			z.Write(msg)
			z.Flush()
			sink = z
		})
		m := MemoryFor(Options{WindowBits: wb})
		t.Logf("ours, window bits %2d: %7d bytes allocated (window %d + encoder %d + output)", wb, n, m.Window, m.Encoder)
		if n > uint64(m.Window+m.Encoder)*2 {
			t.Errorf("w%d: %d bytes allocated, documented %d", wb, n, m.Window+m.Encoder)
		}
	}
	_ = sink
	for _, lv := range []int{stdflate.BestSpeed, stdflate.DefaultCompression} {
		n := heapGrowth(func() {
			z, _ := stdflate.NewWriter(&bytes.Buffer{}, lv)
			z.Write(msg)
			z.Flush()
		})
		t.Logf("compress/flate, level %2d: %7d bytes allocated", lv, n)
	}
}
