package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// rawPeer is the far end of a Conn, spoken to in raw frames.
type rawPeer struct {
	t    *testing.T
	nc   net.Conn
	role wsproto.Role // the role the raw end plays
	in   []byte
}

// newRawPair returns a Conn playing role and the raw peer facing it.
func newRawPair(t *testing.T, role wsproto.Role, opts *ConnOptions) (*Conn, *rawPeer) {
	t.Helper()
	var o ConnOptions
	if opts != nil {
		o = *opts
	}
	if o.PingInterval == 0 {
		o.PingInterval = -1
	}
	a2b, b2a := newPipeBuffer(), newPipeBuffer()
	mine := &pipeConn{r: b2a, w: a2b, local: pipeAddr("conn"), remote: pipeAddr("raw")}
	raw := &pipeConn{r: a2b, w: b2a, local: pipeAddr("raw"), remote: pipeAddr("conn")}
	c := newConn(mine, nil, role, o.config(), "", "")
	t.Cleanup(func() { c.CloseNow(); raw.Close() })
	peerRole := wsproto.Client
	if role == wsproto.Client {
		peerRole = wsproto.Server
	}
	return c, &rawPeer{t: t, nc: raw, role: peerRole}
}

// send writes one frame as the raw end's role would (masked from a client).
func (p *rawPeer) send(fin bool, op wsproto.Opcode, payload []byte) {
	p.t.Helper()
	h := wsproto.Header{Fin: fin, Opcode: op, Length: int64(len(payload))}
	if p.role == wsproto.Client {
		h.Masked = true
		h.Mask = [4]byte{1, 2, 3, 4}
	}
	frame := wsproto.AppendHeader(nil, h)
	start := len(frame)
	frame = append(frame, payload...)
	if h.Masked {
		wsproto.Mask(h.Mask, 0, frame[start:])
	}
	p.write(frame)
}

func (p *rawPeer) write(b []byte) {
	p.t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatalf("raw write: %v", err)
	}
}

// recv reads the next frame, failing the test after a timeout.
func (p *rawPeer) recv() (wsproto.Header, []byte) {
	p.t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		h, n, err := wsproto.ParseHeader(p.in)
		if err != nil {
			p.t.Fatalf("raw recv: %v", err)
		}
		if n > 0 && len(p.in) >= n+int(h.Length) {
			payload := append([]byte(nil), p.in[n:n+int(h.Length)]...)
			if h.Masked {
				wsproto.Mask(h.Mask, 0, payload)
			}
			p.in = p.in[n+int(h.Length):]
			return h, payload
		}
		var buf [4096]byte
		m, err := p.nc.Read(buf[:])
		if err != nil {
			p.t.Fatalf("raw recv: %v", err)
		}
		p.in = append(p.in, buf[:m]...)
	}
}

// expectClose reads a close frame and checks its code.
func (p *rawPeer) expectClose(want CloseCode) {
	p.t.Helper()
	h, payload := p.recv()
	if h.Opcode != wsproto.OpClose {
		p.t.Fatalf("got %v frame, want close", h.Opcode)
	}
	code, _, err := wsproto.ParseClosePayload(payload)
	if err != nil || code != want {
		p.t.Fatalf("close frame code %v (%v), want %v", code, err, want)
	}
}

// expectEOF checks that the Conn closes the transport.
func (p *rawPeer) expectEOF() {
	p.t.Helper()
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var buf [64]byte
	for {
		_, err := p.nc.Read(buf[:])
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			p.t.Fatalf("want EOF, got %v", err)
		}
	}
}

func closePayload(code CloseCode, reason string) []byte {
	p, _ := wsproto.AppendClosePayload(nil, code, reason)
	return p
}

func TestP57_PongEchoesPing(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Server, wsproto.Client} {
		t.Run(role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			go c.Read(context.Background())
			peer.send(true, wsproto.OpPing, []byte("are you there"))
			h, p := peer.recv()
			if h.Opcode != wsproto.OpPong || string(p) != "are you there" {
				t.Fatalf("got %v %q", h.Opcode, p)
			}
			if h.Masked != (role == wsproto.Client) {
				t.Fatalf("pong masked=%v as %v", h.Masked, role)
			}
		})
	}
}

func TestP50_ControlBetweenFragments(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, nil)
	done := make(chan []byte, 1)
	go func() {
		_, p, _ := c.Read(context.Background())
		done <- p
	}()
	peer.send(false, wsproto.OpText, []byte("frag"))
	peer.send(true, wsproto.OpPing, []byte("mid"))
	if h, p := peer.recv(); h.Opcode != wsproto.OpPong || string(p) != "mid" {
		t.Fatalf("got %v %q", h.Opcode, p)
	}
	peer.send(true, wsproto.OpContinuation, []byte("ment"))
	if got := <-done; string(got) != "fragment" {
		t.Fatalf("message %q", got)
	}
}

func TestP64_P67_CloseEchoedAndServerClosesFirst(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, nil)
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.Read(context.Background())
		errc <- err
	}()
	peer.send(true, wsproto.OpClose, closePayload(4000, "bye"))
	peer.expectClose(4000)
	peer.expectEOF() // the server closed TCP without waiting for the client
	err := <-errc
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
		t.Fatalf("Read: %v", err)
	}
}

func TestP67_ClientWaitsForServerClose(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Client, nil)
	closed := make(chan error, 1)
	go func() { closed <- c.Close(CloseNormal, "") }()
	peer.expectClose(CloseNormal)
	peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
	select {
	case err := <-closed:
		t.Fatalf("client closed before the server's TCP close: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	peer.nc.Close()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestP68_CloseTimeout(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, &ConnOptions{CloseTimeout: 100 * time.Millisecond})
	start := time.Now()
	err := c.Close(CloseNormal, "")
	if !errors.Is(err, ErrCloseTimeout) {
		t.Fatalf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	peer.expectClose(CloseNormal)
}

func TestP65_NoDataAfterClose(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, &ConnOptions{CloseTimeout: 100 * time.Millisecond})
	go c.Close(CloseNormal, "")
	peer.expectClose(CloseNormal)
	err := c.Write(context.Background(), MessageText, []byte("late"))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Write after close: %v", err)
	}
}

func TestFailures_CloseCodes(t *testing.T) {
	tests := []struct {
		name string
		send func(p *rawPeer)
		code CloseCode
		is   error
	}{
		{"P43 unmasked client frame", func(p *rawPeer) {
			p.write([]byte{0x81, 0x01, 'a'})
		}, CloseProtocolError, ErrProtocol},
		{"P45 reserved opcode", func(p *rawPeer) { p.send(true, 3, nil) }, CloseProtocolError, ErrProtocol},
		{"P49 continuation without message", func(p *rawPeer) { p.send(true, wsproto.OpContinuation, []byte("x")) }, CloseProtocolError, ErrProtocol},
		{"P53 invalid UTF-8", func(p *rawPeer) { p.send(true, wsproto.OpText, []byte{0xce, 0xba, 0xed, 0xa0, 0x80}) }, CloseInvalidPayload, ErrInvalidPayload},
		{"P40 over the read limit", func(p *rawPeer) {
			p.write([]byte{0x82, 0x80 | 11, 1, 2, 3, 4}) // header only: the limit acts before the payload
		}, CloseMessageTooBig, ErrMessageTooBig},
		{"P62 invalid close code", func(p *rawPeer) { p.send(true, wsproto.OpClose, []byte{0x03, 0xe7}) }, CloseProtocolError, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := newRawPair(t, wsproto.Server, &ConnOptions{ReadLimit: 10})
			errc := make(chan error, 1)
			go func() {
				_, _, err := c.Read(context.Background())
				errc <- err
			}()
			tt.send(peer)
			peer.expectClose(tt.code)
			peer.nc.Close() // ends the Conn's lingering drain
			if err := <-errc; !errors.Is(err, tt.is) {
				t.Fatalf("Read error %v, want %v", err, tt.is)
			}
			<-c.Done()
		})
	}
}

func TestReadCancelMidMessageResumes(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, nil)
	peer.send(false, wsproto.OpBinary, []byte("first half, "))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: %v", err)
	}
	peer.send(true, wsproto.OpContinuation, []byte("second half"))
	_, p, err := c.Read(ctxT(t))
	if err != nil || string(p) != "first half, second half" {
		t.Fatalf("Read: %q %v", p, err)
	}
}

func TestConcurrentWritersDoNotInterleave(t *testing.T) {
	client, server := Pipe(&ConnOptions{WriteBufferSize: 512})
	ctx := ctxT(t)
	const writers, each = 8, 50
	for w := 0; w < writers; w++ {
		go func() {
			msg := bytes.Repeat([]byte{byte('a' + w)}, 3000)
			for i := 0; i < each; i++ {
				if i%2 == 0 {
					client.Write(ctx, MessageBinary, msg)
					continue
				}
				mw, _ := client.Writer(ctx, MessageBinary)
				mw.Write(msg[:1000])
				mw.Write(msg[1000:])
				mw.Close()
			}
		}()
	}
	for i := 0; i < writers*each; i++ {
		_, p, err := server.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 3000 || bytes.Count(p, p[:1]) != 3000 {
			t.Fatalf("message %d interleaved", i)
		}
	}
}

func TestKeepaliveDropsSilentPeer(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, &ConnOptions{PingInterval: 30 * time.Millisecond, PingTimeout: 30 * time.Millisecond})
	_ = peer // never answers
	_, _, err := c.Read(ctxT(t))
	if !errors.Is(err, ErrKeepaliveTimeout) {
		t.Fatalf("Read: %v", err)
	}
}

func TestKeepaliveKeepsLivePeer(t *testing.T) {
	client, server := Pipe(&ConnOptions{PingInterval: 20 * time.Millisecond, PingTimeout: 20 * time.Millisecond})
	defer client.CloseNow()
	defer server.CloseNow()
	go client.Read(context.Background()) // answers pings
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := server.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: %v (connection should have stayed up)", err)
	}
}

// TestP88_AnnouncedLengthIsNotAllocated: a frame header announcing 32 MiB
// followed by a little payload makes the Conn hold little, not 32 MiB
// (memory is never sized from a peer-declared length).
func TestP88_AnnouncedLengthIsNotAllocated(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, nil)
	hdr := wsproto.AppendHeader(nil, wsproto.Header{Fin: true, Opcode: wsproto.OpBinary, Masked: true, Length: 32 << 20})
	go func() {
		peer.write(hdr)
		peer.write(make([]byte, 100<<10)) // masked with a zero key: the bytes stay as they are
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, _, err := c.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: %v", err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("allocated %d KiB for 100 KiB received", grew>>10)
	}
}
