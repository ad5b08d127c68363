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

// BenchmarkConnEchoTCP is a round trip over loopback TCP: the client writes
// a message, a server goroutine reads it with ReadInto and writes it back,
// the client reads the echo. It covers the real socket paths (waiting for
// the socket without a buffer, writev for big frames) that the in-memory
// benchmarks above do not, and must allocate nothing per message.
func BenchmarkConnEchoTCP(b *testing.B) {
	for _, size := range []int{16, 1024, 64 << 10} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			opts := ConnOptions{PingInterval: -1}
			client, server := tcpConnPair(b, opts)
			go echoUntilError(server)
			msg := make([]byte, size)
			buf := make([]byte, 0, size)
			ctx := context.Background()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if err := client.Write(ctx, MessageBinary, msg); err != nil {
					b.Fatal(err)
				}
				var err error
				if _, buf, err = client.ReadInto(ctx, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			client.CloseNow()
			server.CloseNow()
		})
	}
}

// echoUntilError echoes every message c reads, reusing one buffer, until
// reading or writing fails.
func echoUntilError(c *Conn) {
	ctx := context.Background()
	var buf []byte
	for {
		typ, msg, err := c.ReadInto(ctx, buf)
		if err != nil || c.Write(ctx, typ, msg) != nil {
			return
		}
		buf = msg
	}
}

// tcpConnPair joins a client and a server Conn over a loopback TCP
// connection, without a handshake.
func tcpConnPair(tb testing.TB, opts ConnOptions) (client, server *Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		nc, _ := ln.Accept()
		accepted <- nc
	}()
	cnc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	snc := <-accepted
	if snc == nil {
		tb.Fatal("accept failed")
	}
	cfg := opts.config()
	return newConn(cnc, nil, wsproto.Client, cfg, "", ""), newConn(snc, nil, wsproto.Server, cfg, "", "")
}

// TestConnEchoTCPAllocatesNothing: in steady state, a message read with
// ReadInto and written with Write over a real socket allocates nothing, on
// either side (the server goroutine's allocations count too).
func TestConnEchoTCPAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, size := range []int{16, 1024, 64 << 10} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			client, server := tcpConnPair(t, ConnOptions{PingInterval: -1})
			defer client.CloseNow()
			defer server.CloseNow()
			go echoUntilError(server)
			msg := make([]byte, size)
			buf := make([]byte, 0, size)
			ctx := context.Background()
			roundTrip := func() {
				var err error
				if err = client.Write(ctx, MessageBinary, msg); err == nil {
					_, buf, err = client.ReadInto(ctx, buf)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			for range 50 {
				roundTrip() // warm the pools and buffers
			}
			if n := testing.AllocsPerRun(200, roundTrip); n != 0 {
				t.Errorf("%v allocations per round trip, want 0", n)
			}
		})
	}
}
