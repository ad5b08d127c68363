package websocket

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// writeCountConn counts the writes made to a net.Conn.
type writeCountConn struct {
	net.Conn
	writes atomic.Int32
}

func (c *writeCountConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestWriteBatch: queued small messages go out in one write, whole and in
// order, from either role (a client's frames masked each with its own
// key); a message too big to share the write buffer goes on its own.
func TestWriteBatch(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Server, wsproto.Client} {
		t.Run(fmt.Sprint(role), func(t *testing.T) {
			a, b := net.Pipe()
			cc := &writeCountConn{Conn: a}
			peer := wsproto.Client
			if role == wsproto.Client {
				peer = wsproto.Server
			}
			cfg := (&ConnOptions{PingInterval: -1, WriteBufferSize: 4096}).config()
			w := newConn(cc, nil, role, cfg, "", "")
			r := newConn(b, nil, peer, cfg, "", "")
			defer w.CloseNow()
			defer r.CloseNow()

			var msgs []batchMessage
			for i := range 20 {
				typ := MessageBinary
				if i%2 == 0 {
					typ = MessageText
				}
				msgs = append(msgs, batchMessage{typ, []byte(fmt.Sprintf("message %d", i))})
			}
			msgs = append(msgs, batchMessage{MessageBinary, bytes.Repeat([]byte{7}, 5000)})
			if got := w.batchFits(msgs); got != 20 {
				t.Fatalf("batchFits = %d, want the 20 small ones", got)
			}
			done := make(chan error, 1)
			go func() {
				ctx := context.Background()
				for len(msgs) > 0 {
					n, err := w.writeBatch(ctx, msgs)
					if err != nil {
						done <- err
						return
					}
					msgs = msgs[n:]
				}
				done <- nil
			}()
			for i := range 21 {
				typ, data, err := r.Read(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case i < 20 && string(data) != fmt.Sprintf("message %d", i):
					t.Fatalf("message %d: %q", i, data)
				case i < 20 && (typ == MessageText) != (i%2 == 0):
					t.Fatalf("message %d: type %v", i, typ)
				case i == 20 && len(data) != 5000:
					t.Fatalf("big message: %d bytes", len(data))
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := cc.writes.Load(); n > 3 { // one for the 20, one or two for the big one
				t.Errorf("%d writes for 20 small messages and a big one", n)
			}
		})
	}
}

// TestWriteBatchRefusesInvalidText: a batch with invalid text sends
// nothing and says why, as Write would.
func TestWriteBatchRefusesInvalidText(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	cc := &writeCountConn{Conn: a}
	w := newConn(cc, nil, wsproto.Server, (&ConnOptions{PingInterval: -1}).config(), "", "")
	defer w.CloseNow()
	msgs := []batchMessage{{MessageText, []byte("ok")}, {MessageText, []byte{0xff}}}
	if _, err := w.writeBatch(context.Background(), msgs); err != errInvalidText {
		t.Fatalf("writeBatch: %v, want errInvalidText", err)
	}
	if n := cc.writes.Load(); n != 0 {
		t.Fatalf("%d writes for a refused batch", n)
	}
}

// BenchmarkWriteBurst sends bursts of 64 small messages over loopback TCP,
// one Write each or with writeBatch (what a WebSocket's queue does), to a
// goroutine that reads them: the cost per message of a burst.
func BenchmarkWriteBurst(b *testing.B) {
	for _, mode := range []string{"write", "batch"} {
		b.Run(mode, func(b *testing.B) {
			client, server := tcpConnPair(b, ConnOptions{PingInterval: -1})
			defer client.CloseNow()
			defer server.CloseNow()
			const burst = 64
			read := make(chan struct{}, 1)
			go func() {
				var buf []byte
				for n := 1; ; n++ {
					var err error
					if _, buf, err = client.ReadInto(context.Background(), buf); err != nil {
						return
					}
					if n%burst == 0 {
						read <- struct{}{}
					}
				}
			}()
			msgs := make([]batchMessage, burst)
			for i := range msgs {
				msgs[i] = batchMessage{MessageBinary, bytes.Repeat([]byte{byte(i)}, 32)}
			}
			ctx := context.Background()
			b.SetBytes(burst * 32)
			b.ReportAllocs()
			for b.Loop() {
				if mode == "write" {
					for _, m := range msgs {
						if err := server.Write(ctx, m.typ, m.data); err != nil {
							b.Fatal(err)
						}
					}
				} else {
					for rest := msgs; len(rest) > 0; {
						n, err := server.writeBatch(ctx, rest)
						if err != nil {
							b.Fatal(err)
						}
						rest = rest[n:]
					}
				}
				<-read
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*burst), "ns/msg")
		})
	}
}
