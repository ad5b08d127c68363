package websocket

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// BenchmarkConnWrite measures Write of one message on a server Conn whose
// transport discards everything: the write path alone.
func BenchmarkConnWrite(b *testing.B) {
	for _, size := range []int{16, 1024, 64 << 10} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			c := newConn(discardConn{}, nil, wsproto.Server, (&ConnOptions{PingInterval: -1}).config(), "", "")
			msg := make([]byte, size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Write(ctx, MessageBinary, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConnReader measures reading messages (masked, as from a client)
// through Reader into a reused buffer: the read path alone.
func BenchmarkConnReader(b *testing.B) {
	for _, size := range []int{16, 1024, 64 << 10} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			var w wsproto.Writer
			w.Init(wsproto.Client)
			frame, _ := w.AppendData(nil, wsproto.OpBinary, true, false, make([]byte, size))
			src := &repeatConn{frame: frame}
			c := newConn(src, nil, wsproto.Server, (&ConnOptions{PingInterval: -1}).config(), "", "")
			buf := make([]byte, size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				_, r, err := c.Reader(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for n := 0; n < size; {
					m, err := r.Read(buf[n:])
					if err != nil {
						b.Fatal(err)
					}
					n += m
				}
			}
		})
	}
}

// discardConn is a net.Conn that accepts every write.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }
func (discardConn) Close() error                { return nil }

// repeatConn is a net.Conn whose reads return the same frame forever.
type repeatConn struct {
	net.Conn
	frame []byte
	off   int
}

func (r *repeatConn) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m := copy(p[n:], r.frame[r.off:])
		n += m
		r.off = (r.off + m) % len(r.frame)
	}
	return n, nil
}

func (r *repeatConn) Close() error { return nil }

// TestHotPathsDoNotAllocate pins the steady state of the fast path: Write,
// Reader and ReadInto allocate nothing per message (issue: performance).
func TestHotPathsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	cfg := (&ConnOptions{PingInterval: -1}).config()
	w := newConn(discardConn{}, nil, wsproto.Server, cfg, "", "")
	msg := make([]byte, 1024)
	if n := testing.AllocsPerRun(1000, func() { w.Write(ctx, MessageBinary, msg) }); n != 0 {
		t.Errorf("Write: %v allocs per message", n)
	}
	var cw wsproto.Writer
	cw.Init(wsproto.Client)
	frame, _ := cw.AppendData(nil, wsproto.OpBinary, true, false, msg)
	r := newConn(&repeatConn{frame: frame}, nil, wsproto.Server, cfg, "", "")
	buf := make([]byte, 0, 2048)
	if n := testing.AllocsPerRun(1000, func() { _, buf, _ = r.ReadInto(ctx, buf) }); n != 0 {
		t.Errorf("ReadInto: %v allocs per message", n)
	}
	if n := testing.AllocsPerRun(1000, func() {
		_, mr, _ := r.Reader(ctx)
		mr.Read(buf[:cap(buf)])
	}); n != 0 {
		t.Errorf("Reader: %v allocs per message", n)
	}
}

// BenchmarkConnReadInto measures ReadInto with a reused buffer.
func BenchmarkConnReadInto(b *testing.B) {
	for _, size := range []int{16, 1024, 64 << 10} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			var w wsproto.Writer
			w.Init(wsproto.Client)
			frame, _ := w.AppendData(nil, wsproto.OpBinary, true, false, make([]byte, size))
			c := newConn(&repeatConn{frame: frame}, nil, wsproto.Server, (&ConnOptions{PingInterval: -1}).config(), "", "")
			buf := make([]byte, 0, size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if _, buf, err = c.ReadInto(ctx, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
