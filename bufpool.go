package websocket

import "sync"

// Buffers are lent to a connection only while a message is in flight, so
// that an idle connection holds none (see rawread_unix.go for how a read
// waits without one). They are pooled by size; the pools hold pointers to
// slices so that lending and returning allocate nothing.
var bufPools sync.Map // int (size) -> *sync.Pool of *[]byte

func bufPool(size int) *sync.Pool {
	if p, ok := bufPools.Load(size); ok {
		return p.(*sync.Pool)
	}
	p, _ := bufPools.LoadOrStore(size, &sync.Pool{New: func() any {
		b := make([]byte, size)
		return &b
	}})
	return p.(*sync.Pool)
}

// bufPool's look-up boxes its key, which allocates: a Conn looks its two
// pools up once, when it is made.
