package wsproto_test

import (
	"runtime"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// heapAfterGC returns the live heap, with the pools emptied (a sync.Pool
// survives one collection in its victim cache).
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestDeflateMemoryPerConnection measures what a connection's Deflater and
// Inflater keep between messages, per mode, and checks the documented
// bounds (go test -run MemoryPerConnection -v prints the figures): without
// context takeover only the small structs stay; with it, the compressor's
// window and the decompressor's history.
func TestDeflateMemoryPerConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MiB")
	}
	const conns = 200
	msg := jsonMessages(1, 9)[0]
	for _, tc := range []struct {
		name               string
		dir                direction
		lowMem             bool
		maxDeflate, maxInf int // bytes per connection
	}{
		{"no takeover, 15 bits", direction{NoContextTakeover: true, WindowBits: 15}, false, 300, 300},
		{"takeover, 15 bits", direction{WindowBits: 15}, false, 200 << 10, 33 << 10},
		{"takeover, 12 bits", direction{WindowBits: 12}, false, 40 << 10, 5 << 10},
		{"takeover, 9 bits", direction{WindowBits: 9}, false, 9 << 10, 1 << 10},
		{"low-memory takeover, 15", direction{WindowBits: 15}, true, 33 << 10, 33 << 10},
		{"low-memory takeover, 12", direction{WindowBits: 12}, true, 5 << 10, 5 << 10},
	} {
		cfg := compressAll
		cfg.LowMemoryTakeover = tc.lowMem
		sendSide := make([]*wsproto.Deflater, conns)
		recvSide := make([]*wsproto.Inflater, conns)
		before := heapAfterGC()
		for i := range sendSide {
			sendSide[i] = wsproto.NewDeflater(tc.dir, cfg)
			sendSide[i].Compress(nil, msg)
		}
		mid := heapAfterGC()
		p, _ := wsproto.NewDeflater(tc.dir, compressAll).Compress(nil, msg)
		for i := range recvSide {
			recvSide[i] = wsproto.NewInflater(tc.dir, 0)
			if _, err := recvSide[i].Inflate(nil, p); err != nil {
				t.Fatal(err)
			}
		}
		after := heapAfterGC()
		perDeflate := int(mid-before) / conns
		perInflate := int(after-mid) / conns
		t.Logf("%-25s Deflater %7d bytes, Inflater %6d bytes per connection between messages", tc.name, perDeflate, perInflate)
		if perDeflate > tc.maxDeflate || perInflate > tc.maxInf {
			t.Errorf("%s: %d and %d bytes per connection, want at most %d and %d", tc.name, perDeflate, perInflate, tc.maxDeflate, tc.maxInf)
		}
		runtime.KeepAlive(sendSide)
		runtime.KeepAlive(recvSide)
	}
}

// Without context takeover, messages after the first allocate nothing:
// the buffers come from the pools.
func TestDeflatePooledAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	msg := jsonMessages(1, 10)[0]
	dir := direction{NoContextTakeover: true, WindowBits: 15}
	d := wsproto.NewDeflater(dir, compressAll)
	f := wsproto.NewInflater(dir, 0)
	var wire, out []byte
	run := func() {
		wire, _ = d.Compress(wire[:0], msg)
		var err error
		if out, err = f.Inflate(out[:0], wire); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n > 0 {
		t.Errorf("%v allocations per message", n)
	}
}
