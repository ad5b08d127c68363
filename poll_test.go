//go:build linux

package websocket

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// newTestPoller starts a Poller with n loops, closed at the test's end.
func newTestPoller(t *testing.T, n int) *Poller {
	t.Helper()
	p, err := NewPoller(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pollServer is an echo server written with the WebSocket object, in
// event-loop mode when it has a Poller: every message is sent back, but
// "close:CODE" closes the socket with that code; every socket's close event
// is recorded.
type pollServer struct {
	srv    *httptest.Server
	addr   string
	opened atomic.Int64
	closed chan *CloseEvent // the sockets' close events
}

func startPollServer(t *testing.T, p *Poller, wsOpts *Options) *pollServer {
	t.Helper()
	return startPollServerWith(t, p, wsOpts, false)
}

// startPollServerWith is startPollServer with, if small is set, TCP
// buffers of 16 KiB on the server's side, so that a peer that does not
// read is soon felt.
func startPollServerWith(t *testing.T, p *Poller, wsOpts *Options, small bool) *pollServer {
	t.Helper()
	var o Options
	if wsOpts != nil {
		o = *wsOpts
	}
	o.Poller = p
	if o.PingInterval == 0 {
		o.PingInterval = -1
	}
	ps := &pollServer{closed: make(chan *CloseEvent, 1<<16)}
	ps.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, &AcceptOptions{InsecureSkipOriginCheck: true}, &o, func(ws *WebSocket) {
			ws.SetBinaryType(BinaryTypeArrayBuffer)
			ws.SetOnOpen(func(*Event) { ps.opened.Add(1) })
			ws.SetOnMessage(func(e *MessageEvent) {
				if s, ok := e.Data.(string); ok && strings.HasPrefix(s, "close:") {
					var code int
					fmt.Sscan(s[len("close:"):], &code)
					ws.Close(WithCode(code))
					return
				}
				ws.Send(e.Data)
			})
			ws.SetOnClose(func(e *CloseEvent) { ps.closed <- e })
		})
	}))
	if small {
		ps.srv.Config.ConnState = func(nc net.Conn, state http.ConnState) {
			if tc, ok := nc.(*net.TCPConn); ok && state == http.StateNew {
				tc.SetWriteBuffer(16 << 10)
			}
		}
	}
	ps.srv.Start()
	t.Cleanup(ps.srv.Close)
	ps.addr = strings.TrimPrefix(ps.srv.URL, "http://")
	return ps
}

func (ps *pollServer) url() string { return "ws://" + ps.addr + "/" }

// nextClose waits for the next close event of the server's sockets.
func (ps *pollServer) nextClose(t *testing.T) *CloseEvent {
	t.Helper()
	return pWait(t, ps.closed, 15*time.Second, "the server socket's close event")
}

// waitOpened waits until n sockets have opened on the server.
func (ps *pollServer) waitOpened(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for ps.opened.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets opened, want %d", ps.opened.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pollClient is a client spoken to in raw frames, usable from any
// goroutine (it reports errors instead of failing the test).
type pollClient struct {
	nc net.Conn
	in []byte
}

// dialPoll runs the opening handshake by hand; extra is written in the same
// write as the request (frames that come with the handshake).
func dialPoll(addr string, extra []byte) (*pollClient, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + pKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write(append([]byte(req), extra...)); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	buffered, _ := br.Peek(br.Buffered())
	return &pollClient{nc: nc, in: append([]byte(nil), buffered...)}, nil
}

// dialPollT is dialPoll for the test's goroutine.
func dialPollT(t *testing.T, addr string) *pollClient {
	t.Helper()
	c, err := dialPoll(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.nc.Close() })
	return c
}

// clientFrame is a masked frame, as a client sends it.
func clientFrame(fin bool, op wsproto.Opcode, payload []byte) []byte {
	return pFrame{fin: fin, op: op, masked: true, data: payload}.bytes()
}

func (c *pollClient) send(op wsproto.Opcode, payload []byte) error {
	_, err := c.nc.Write(clientFrame(true, op, payload))
	return err
}

// recv reads the next frame, within d.
func (c *pollClient) recv(d time.Duration) (wsproto.Header, []byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(d))
	defer c.nc.SetReadDeadline(time.Time{})
	for {
		h, n, err := wsproto.ParseHeader(c.in)
		if err != nil {
			return h, nil, err
		}
		if n > 0 && len(c.in) >= n+int(h.Length) {
			payload := append([]byte(nil), c.in[n:n+int(h.Length)]...)
			c.in = c.in[n+int(h.Length):]
			return h, payload, nil
		}
		var buf [16 << 10]byte
		m, err := c.nc.Read(buf[:])
		if err != nil {
			return h, nil, err
		}
		c.in = append(c.in, buf[:m]...)
	}
}

// echo sends a message and checks that it comes back.
func (c *pollClient) echo(op wsproto.Opcode, msg []byte, d time.Duration) error {
	if err := c.send(op, msg); err != nil {
		return err
	}
	return c.expectEcho(op, msg, d)
}

func (c *pollClient) expectEcho(op wsproto.Opcode, msg []byte, d time.Duration) error {
	h, p, err := c.recv(d)
	if err != nil {
		return err
	}
	if h.Opcode != op || !bytes.Equal(p, msg) {
		return fmt.Errorf("got %v frame of %d bytes, want the %v echo of %d bytes", h.Opcode, len(p), op, len(msg))
	}
	return nil
}

// expectClose reads frames until a close frame and returns its code.
func (c *pollClient) expectClose(d time.Duration) (CloseCode, string, error) {
	for {
		h, p, err := c.recv(d)
		if err != nil {
			return 0, "", err
		}
		if h.Opcode == wsproto.OpClose {
			code, reason, err := wsproto.ParseClosePayload(p)
			return code, string(reason), err
		}
	}
}

// expectEOF checks that the server closes the TCP connection.
func (c *pollClient) expectEOF(d time.Duration) error {
	c.nc.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c.nc)
	if err != nil {
		return err
	}
	return nil
}

func TestPollEchoAndClose(t *testing.T) {
	p := newTestPoller(t, 2)
	ps := startPollServer(t, p, nil)
	ctx := context.Background()
	c, _, err := Dial(ctx, ps.url(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, msg := range []string{"hello", "", strings.Repeat("x", 100000)} {
		if err := c.Write(ctx, MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != MessageText || string(got) != msg {
			t.Fatalf("message %d: %v %d bytes %v", i, typ, len(got), err)
		}
	}
	bin := bytes.Repeat([]byte{0, 1, 2, 255}, 3000)
	c.Write(ctx, MessageBinary, bin)
	if typ, got, err := c.Read(ctx); err != nil || typ != MessageBinary || !bytes.Equal(got, bin) {
		t.Fatalf("binary: %v %d bytes %v", typ, len(got), err)
	}
	if err := c.Close(4001, "done"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	e := ps.nextClose(t)
	if !e.WasClean || e.Code != 4001 || e.Reason != "done" {
		t.Fatalf("server's close event: clean %v code %d reason %q", e.WasClean, e.Code, e.Reason)
	}
}

// TestPollCompressed: permessage-deflate (offered by the client socket by
// default) in event-loop mode, with the WebSocket object on both sides.
func TestPollCompressed(t *testing.T) {
	p := newTestPoller(t, 1)
	var srvOpts AcceptOptions
	srvOpts.InsecureSkipOriginCheck = true
	srvOpts.Compression = &CompressionOptions{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, &srvOpts, &Options{Poller: p}, func(ws *WebSocket) {
			ws.SetOnMessage(func(e *MessageEvent) { ws.Send(e.Data) })
		})
	}))
	defer srv.Close()
	msg := strings.Repeat("compressible text ", 5000)
	var got []string
	var ext string
	runWithin(t, 20*time.Second, func() {
		ws, _ := NewWithOptions(pWSURL(srv), nil, &Options{Poller: p})
		ws.SetOnOpen(func(*Event) {
			ext = ws.Extensions()
			ws.Send("a")
			ws.Send(msg)
		})
		ws.SetOnMessage(func(e *MessageEvent) {
			got = append(got, e.Text())
			if len(got) == 2 {
				ws.Close()
			}
		})
	})
	if !strings.Contains(ext, "permessage-deflate") {
		t.Fatalf("extensions %q: no compression", ext)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != msg {
		t.Fatalf("got %d messages", len(got))
	}
}

// TestPollManyConnections: thousands of connections in event-loop mode,
// all echoing at once.
func TestPollManyConnections(t *testing.T) {
	n := 2000
	if raceEnabled {
		n = 500 // the race detector caps live goroutines at 8128
	}
	p := newTestPoller(t, 0)
	ps := startPollServer(t, p, nil)
	clients := make([]*pollClient, n)
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c, err := dialPoll(ps.addr, nil)
				if err != nil {
					errs <- err
					return
				}
				clients[i] = c
			}
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range clients {
			if c != nil {
				c.nc.Close()
			}
		}
	})
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	ps.waitOpened(t, n)
	for round := range 3 {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// All of this worker's messages first, then their echoes.
				for i := w; i < n; i += workers {
					if err := clients[i].send(wsproto.OpText, fmt.Appendf(nil, "%d-%d", round, i)); err != nil {
						errs <- err
						return
					}
				}
				for i := w; i < n; i += workers {
					if err := clients[i].expectEcho(wsproto.OpText, fmt.Appendf(nil, "%d-%d", round, i), 30*time.Second); err != nil {
						errs <- fmt.Errorf("client %d: %w", i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
}

// echoLatencies runs echo round trips on cs, one after the other, until
// stop is closed, and returns their count and the slowest one.
func echoLatencies(cs []*pollClient, stop <-chan struct{}) (int, time.Duration, error) {
	var count int
	var worst time.Duration
	for {
		for _, c := range cs {
			select {
			case <-stop:
				return count, worst, nil
			default:
			}
			start := time.Now()
			if err := c.echo(wsproto.OpBinary, []byte("ping-pong"), 10*time.Second); err != nil {
				return count, worst, err
			}
			worst = max(worst, time.Since(start))
			count++
		}
	}
}

// TestPollSlowPeerDoesNotDelayOthers: a peer that sends its message a byte
// every 50 ms holds no loop: the other connections of the same (single)
// loop echo as fast as ever meanwhile, and the slow message arrives whole.
func TestPollSlowPeerDoesNotDelayOthers(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	slow := dialPollT(t, ps.addr)
	var others []*pollClient
	for range 10 {
		others = append(others, dialPollT(t, ps.addr))
	}
	msg := []byte("a message sent one byte at a time")
	frame := clientFrame(true, wsproto.OpText, msg)
	stop := make(chan struct{})
	type result struct {
		n     int
		worst time.Duration
		err   error
	}
	res := make(chan result, 1)
	go func() {
		n, worst, err := echoLatencies(others, stop)
		res <- result{n, worst, err}
	}()
	start := time.Now()
	for _, b := range frame {
		if _, err := slow.nc.Write([]byte{b}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	trickle := time.Since(start)
	t.Logf("while one peer trickled %d bytes over %v: %d echoes on the same loop, slowest %v", len(frame), trickle.Round(time.Millisecond), r.n, r.worst)
	// Had the slow peer held the loop, no echo would have completed before
	// its last byte. The bounds are loose: other tests and processes may
	// load the machine.
	if r.worst > trickle/2 {
		t.Errorf("an echo took %v while the slow peer trickled (%v)", r.worst, trickle)
	}
	if r.n < 20 {
		t.Errorf("only %d echoes in %v", r.n, trickle)
	}
	if err := slow.expectEcho(wsproto.OpText, msg, 10*time.Second); err != nil {
		t.Fatalf("the slow message: %v", err)
	}
}

// TestPollFloodingPeerDoesNotStarveOthers: a peer that sends big messages
// as fast as it can, on the same single loop as the others, gets a bounded
// turn: the others' echoes go on meanwhile.
func TestPollFloodingPeerDoesNotStarveOthers(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	flood := dialPollT(t, ps.addr)
	var others []*pollClient
	for range 10 {
		others = append(others, dialPollT(t, ps.addr))
	}
	stop := make(chan struct{})
	var sent, echoed atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the flood: 256 KiB messages, back to back
		defer wg.Done()
		frame := clientFrame(true, wsproto.OpBinary, make([]byte, 256<<10))
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := flood.nc.Write(frame); err != nil {
				return
			}
			sent.Add(int64(len(frame)))
		}
	}()
	go func() { // its echoes, read and dropped
		defer wg.Done()
		var buf [64 << 10]byte
		for {
			n, err := flood.nc.Read(buf[:])
			echoed.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond) // the flood is on
	done := make(chan struct{})
	var count int
	var worst time.Duration
	var err error
	go func() {
		defer close(done)
		timer := make(chan struct{})
		time.AfterFunc(2*time.Second, func() { close(timer) })
		count, worst, err = echoLatencies(others, timer)
	}()
	<-done
	close(stop)
	flood.nc.Close()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("during 2 s of flood (%d MiB sent, %d MiB echoed): %d echoes on the same loop, slowest %v",
		sent.Load()>>20, echoed.Load()>>20, count, worst)
	if echoed.Load() == 0 {
		t.Error("the flood was not served at all")
	}
	if count < 20 || worst > time.Second*3/2 { // loose: the machine may be loaded
		t.Errorf("the others starved: %d echoes, slowest %v", count, worst)
	}
}

// TestPollPings: pings are answered with their payload, between the
// fragments of a message too, and a ping flood whose pongs are not read
// stops the reading of that connection only (P-88): the other connections
// of its loop go on, and every ping is answered in order once the pongs
// are read.
func TestPollPings(t *testing.T) {
	p := newTestPoller(t, 1)
	// A small TCP send buffer on the server makes the pongs of the flood
	// below back up soon. (Smaller receive buffers too would make TCP
	// itself stall now and then for a minute, on loopback, whose MSS is
	// 64 KiB: in the default mode as well.)
	ps := startPollServerWith(t, p, &Options{CloseTimeout: time.Minute}, true)
	c := dialPollT(t, ps.addr)
	c.send(wsproto.OpPing, []byte("ping 1"))
	if h, pl, err := c.recv(5 * time.Second); err != nil || h.Opcode != wsproto.OpPong || string(pl) != "ping 1" {
		t.Fatalf("got %v %q %v, want pong \"ping 1\"", h.Opcode, pl, err)
	}
	var b []byte
	b = append(b, clientFrame(false, wsproto.OpText, []byte("frag"))...)
	b = append(b, clientFrame(true, wsproto.OpPing, []byte("ping 2"))...)
	b = append(b, clientFrame(true, wsproto.OpContinuation, []byte("mented"))...)
	c.nc.Write(b)
	if h, pl, err := c.recv(5 * time.Second); err != nil || h.Opcode != wsproto.OpPong || string(pl) != "ping 2" {
		t.Fatalf("got %v %q %v, want pong \"ping 2\"", h.Opcode, pl, err)
	}
	if err := c.expectEcho(wsproto.OpText, []byte("fragmented"), 5*time.Second); err != nil {
		t.Fatal(err)
	}

	// The flood: far more pongs than the server's TCP send buffer and the
	// client's receive buffer hold. The pings pile up in the server's
	// receive buffer (the kernel's, up to net.ipv4.tcp_rmem's maximum), or
	// stall the writer: not in the server's memory.
	other := dialPollT(t, ps.addr)
	const n = 20000
	suspends := pollSuspends.Load()
	goroutines := runtime.NumGoroutine()
	var written atomic.Int64
	writerDone := make(chan error, 1)
	go func() {
		payload := make([]byte, wsproto.MaxControlPayload)
		for i := range n {
			binary.BigEndian.PutUint32(payload, uint32(i))
			if _, err := c.nc.Write(clientFrame(true, wsproto.OpPing, payload)); err != nil {
				writerDone <- err
				return
			}
			written.Add(1)
		}
		writerDone <- nil
	}()
	last, still := int64(-1), 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && still < 5; {
		time.Sleep(20 * time.Millisecond)
		if w := written.Load(); w == last {
			still++
		} else {
			last, still = w, 0
		}
	}
	g := runtime.NumGoroutine() - goroutines
	t.Logf("the ping writer wrote %d of %d pings before it stalled or ended; goroutines: %+d", written.Load(), n, g)
	if g > 3 { // the ping writer, and one goroutine sending a pong
		t.Errorf("%d more goroutines during the flood", g)
	}
	if pollSuspends.Load() == suspends {
		t.Error("the connection was never suspended: the pongs did not back up")
	}
	for i := range 20 {
		if err := other.echo(wsproto.OpText, fmt.Appendf(nil, "still here %d", i), 5*time.Second); err != nil {
			t.Fatalf("another connection of the loop, during the flood: %v", err)
		}
	}
	for i := range n {
		h, pl, err := c.recv(time.Minute)
		if err != nil || h.Opcode != wsproto.OpPong || binary.BigEndian.Uint32(pl) != uint32(i) {
			t.Fatalf("pong %d: %v %v", i, h.Opcode, err)
		}
	}
	if err := pWait(t, writerDone, 10*time.Second, "the ping writer"); err != nil {
		t.Fatal(err)
	}
	if err := c.echo(wsproto.OpText, []byte("after the flood"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestPollProtocolErrors: a peer's violation fails the connection as in
// the default mode: a close frame with the matching code, the TCP
// connection closed, error and close (1006, not clean) events.
func TestPollProtocolErrors(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, &Options{MaxMessageSize: 1000})
	for _, tc := range []struct {
		name  string
		frame []byte
		code  CloseCode
	}{
		{"unmasked frame", pFrame{fin: true, op: wsproto.OpText, data: []byte("hi")}.bytes(), CloseProtocolError},
		{"invalid UTF-8", clientFrame(true, wsproto.OpText, []byte{'a', 0xff, 'b'}), CloseInvalidPayload},
		{"message too big", clientFrame(true, wsproto.OpBinary, make([]byte, 1001)), CloseMessageTooBig},
		{"reserved opcode", clientFrame(true, 3, nil), CloseProtocolError},
		{"continuation first", clientFrame(true, wsproto.OpContinuation, []byte("x")), CloseProtocolError},
		{"RSV1 without extension", pFrame{fin: true, rsv: 0x40, op: wsproto.OpText, masked: true, data: []byte("x")}.bytes(), CloseProtocolError},
		{"fragmented ping", clientFrame(false, wsproto.OpPing, nil), CloseProtocolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialPollT(t, ps.addr)
			if err := c.echo(wsproto.OpText, []byte("ok first"), 5*time.Second); err != nil {
				t.Fatal(err)
			}
			c.nc.Write(tc.frame)
			code, _, err := c.expectClose(5 * time.Second)
			if err != nil || code != tc.code {
				t.Fatalf("close frame: code %v, %v; want %v", code, err, tc.code)
			}
			c.nc.(*net.TCPConn).CloseWrite()
			if err := c.expectEOF(5 * time.Second); err != nil {
				t.Fatalf("want the server to close TCP: %v", err)
			}
			e := ps.nextClose(t)
			if e.WasClean || e.Code != uint16(CloseAbnormal) {
				t.Fatalf("server's close event: clean %v code %d", e.WasClean, e.Code)
			}
		})
	}
}

// TestPollCloseHandshakes: closes started by either side, and a lost
// connection.
func TestPollCloseHandshakes(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	t.Run("client starts", func(t *testing.T) {
		c := dialPollT(t, ps.addr)
		c.send(wsproto.OpClose, closePayload(4002, "bye"))
		code, reason, err := c.expectClose(5 * time.Second)
		if err != nil || code != 4002 || reason != "bye" {
			t.Fatalf("close reply: %v %q %v", code, reason, err)
		}
		if err := c.expectEOF(5 * time.Second); err != nil {
			t.Fatalf("the server closes TCP first: %v", err)
		}
		if e := ps.nextClose(t); !e.WasClean || e.Code != 4002 || e.Reason != "bye" {
			t.Fatalf("server's close event: clean %v code %d %q", e.WasClean, e.Code, e.Reason)
		}
	})
	t.Run("server starts", func(t *testing.T) {
		c := dialPollT(t, ps.addr)
		c.send(wsproto.OpText, []byte("close:4003"))
		code, _, err := c.expectClose(5 * time.Second)
		if err != nil || code != 4003 {
			t.Fatalf("close frame: %v %v", code, err)
		}
		c.send(wsproto.OpClose, closePayload(4003, ""))
		if err := c.expectEOF(5 * time.Second); err != nil {
			t.Fatalf("the server closes TCP: %v", err)
		}
		if e := ps.nextClose(t); !e.WasClean || e.Code != 4003 {
			t.Fatalf("server's close event: clean %v code %d", e.WasClean, e.Code)
		}
	})
	t.Run("connection lost", func(t *testing.T) {
		c := dialPollT(t, ps.addr)
		c.echo(wsproto.OpText, []byte("x"), 5*time.Second)
		c.nc.Close()
		if e := ps.nextClose(t); e.WasClean || e.Code != uint16(CloseAbnormal) {
			t.Fatalf("server's close event: clean %v code %d", e.WasClean, e.Code)
		}
	})
	t.Run("lost mid-frame", func(t *testing.T) {
		c := dialPollT(t, ps.addr)
		c.nc.Write(clientFrame(true, wsproto.OpText, []byte("never finished"))[:8])
		time.Sleep(20 * time.Millisecond)
		c.nc.Close()
		if e := ps.nextClose(t); e.WasClean || e.Code != uint16(CloseAbnormal) {
			t.Fatalf("server's close event: clean %v code %d", e.WasClean, e.Code)
		}
	})
}

// TestPollHandshakeLeftovers: frames sent in the same packet as the
// handshake request, more than a read buffer of them, are all read.
func TestPollHandshakeLeftovers(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	var extra []byte
	for i := range 300 {
		extra = append(extra, clientFrame(true, wsproto.OpText, fmt.Appendf(nil, "early message %03d", i))...)
	}
	c, err := dialPoll(ps.addr, extra)
	if err != nil {
		t.Fatal(err)
	}
	defer c.nc.Close()
	for i := range 300 {
		if err := c.expectEcho(wsproto.OpText, fmt.Appendf(nil, "early message %03d", i), 5*time.Second); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

// TestPollKeepalive: the keepalive drops a silent peer in event-loop mode
// too, and keeps one that answers.
func TestPollKeepalive(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, &Options{PingInterval: 50 * time.Millisecond, PingTimeout: 100 * time.Millisecond})
	silent := dialPollT(t, ps.addr)
	alive := dialPollT(t, ps.addr)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // answers pings, like any client
		for {
			select {
			case <-stop:
				return
			default:
			}
			h, pl, err := alive.recv(time.Second)
			if err != nil {
				if isTimeout(err) {
					continue
				}
				return
			}
			if h.Opcode == wsproto.OpPing {
				alive.send(wsproto.OpPong, pl)
			}
		}
	}()
	e := ps.nextClose(t)
	if e.WasClean || e.Code != uint16(CloseAbnormal) {
		t.Fatalf("close event: clean %v code %d", e.WasClean, e.Code)
	}
	if _, _, err := silent.expectClose(time.Second); err == nil {
		t.Fatal("the silent peer got a close frame; want the connection dropped")
	}
	select {
	case e := <-ps.closed:
		t.Fatalf("the live peer was dropped too (code %d)", e.Code)
	case <-time.After(300 * time.Millisecond):
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestPollConnReadRefused: the Conn of a socket in event-loop mode is read
// by the poller; Read returns an error rather than race with it.
func TestPollConnReadRefused(t *testing.T) {
	p := newTestPoller(t, 1)
	got := make(chan *Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, nil, &Options{Poller: p}, func(ws *WebSocket) {
			ws.SetOnOpen(func(*Event) {
				ws.s.mu.Lock()
				got <- ws.s.conn
				ws.s.mu.Unlock()
			})
		})
	}))
	defer srv.Close()
	c := dialPollT(t, strings.TrimPrefix(srv.URL, "http://"))
	conn := pWait(t, got, 5*time.Second, "the open event")
	if _, _, err := conn.Read(context.Background()); !errors.Is(err, errPolled) {
		t.Fatalf("Read: %v, want errPolled", err)
	}
	if _, _, err := conn.Reader(context.Background()); !errors.Is(err, errPolled) {
		t.Fatalf("Reader: %v, want errPolled", err)
	}
	c.nc.Close()
}

// TestPollerClose: closing the poller drops the connections it serves;
// sockets that get a closed poller run in the default mode.
func TestPollerClose(t *testing.T) {
	p, err := NewPoller(1)
	if err != nil {
		t.Fatal(err)
	}
	ps := startPollServer(t, p, nil)
	var cs []*pollClient
	for range 5 {
		cs = append(cs, dialPollT(t, ps.addr))
	}
	ps.waitOpened(t, 5)
	p.Close()
	for range cs {
		if e := ps.nextClose(t); e.WasClean || e.Code != uint16(CloseAbnormal) {
			t.Fatalf("close event: clean %v code %d", e.WasClean, e.Code)
		}
	}
	c := dialPollT(t, ps.addr)
	if err := c.echo(wsproto.OpText, []byte("default mode"), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestPollServerShutdown: Server.Shutdown closes event-loop connections
// gracefully.
func TestPollServerShutdown(t *testing.T) {
	p := newTestPoller(t, 1)
	var wss Server
	closed := make(chan *CloseEvent, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wss.AcceptWebSocket(w, r, nil, &Options{Poller: p}, func(ws *WebSocket) {
			ws.SetOnClose(func(e *CloseEvent) { closed <- e })
		})
	}))
	defer srv.Close()
	var cs []*pollClient
	for range 3 {
		cs = append(cs, dialPollT(t, strings.TrimPrefix(srv.URL, "http://")))
	}
	for wss.Len() < 3 {
		time.Sleep(time.Millisecond)
	}
	for _, c := range cs {
		go func() {
			if code, _, err := c.expectClose(5 * time.Second); err == nil {
				c.send(wsproto.OpClose, closePayload(code, ""))
			}
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := wss.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range cs {
		if e := pWait(t, closed, 5*time.Second, "close event"); !e.WasClean || e.Code != uint16(CloseGoingAway) {
			t.Fatalf("close event: clean %v code %d", e.WasClean, e.Code)
		}
	}
}

// TestPollChurn: connections that end at every stage (right after the
// handshake, mid-frame, after a message, by the server at once) while
// others come and go; every socket gets its close event and nothing is
// left behind (TestMain checks the goroutines).
func TestPollChurn(t *testing.T) {
	p := newTestPoller(t, 2)
	var wss Server
	closed := make(chan *CloseEvent, 1<<12)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wss.AcceptWebSocket(w, r, nil, &Options{Poller: p, PingInterval: -1}, func(ws *WebSocket) {
			if r.URL.Path == "/closenow" {
				ws.Close()
			}
			ws.SetOnMessage(func(e *MessageEvent) { ws.Send(e.Data) })
			ws.SetOnClose(func(e *CloseEvent) { closed <- e })
		})
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	n := 300
	if raceEnabled {
		n = 100
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *pollClient
			var err error
			if i%5 == 4 {
				nc, derr := net.Dial("tcp", addr)
				if derr != nil {
					return
				}
				fmt.Fprintf(nc, "GET /closenow HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", addr, pKey)
				io.Copy(io.Discard, nc) // until the server closes
				nc.Close()
				return
			}
			if c, err = dialPoll(addr, nil); err != nil {
				return
			}
			defer c.nc.Close()
			switch i % 5 {
			case 0: // gone at once
			case 1: // mid-frame
				c.nc.Write(clientFrame(true, wsproto.OpText, []byte("half a frame"))[:9])
			case 2: // after an echo
				c.echo(wsproto.OpText, []byte("hi"), 5*time.Second)
			case 3: // a closing handshake
				c.send(wsproto.OpClose, closePayload(CloseNormal, ""))
				c.expectClose(5 * time.Second)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		select {
		case <-closed:
		case <-time.After(15 * time.Second):
			t.Fatalf("%d close events of %d", i, n)
		}
	}
	if l := wss.Len(); l != 0 {
		t.Fatalf("%d connections still tracked", l)
	}
}

// TestPollTLSFallsBack: a connection that is not plain TCP (TLS in this
// process) runs in the default mode.
func TestPollTLSFallsBack(t *testing.T) {
	p := newTestPoller(t, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, nil, &Options{Poller: p}, func(ws *WebSocket) {
			ws.SetOnMessage(func(e *MessageEvent) { ws.Send(e.Data) })
		})
	}))
	defer srv.Close()
	ctx := context.Background()
	c, _, err := Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https"), &DialOptions{TLSConfig: srv.Client().Transport.(*http.Transport).TLSClientConfig})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.Write(ctx, MessageText, []byte("over TLS"))
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "over TLS" {
		t.Fatalf("echo: %q %v", msg, err)
	}
	c.Close(CloseNormal, "")
}

// TestPollBigFrameInPieces: a big frame whose payload comes in pieces with
// pauses between them never holds the loop: the other connections of the
// (single) loop echo during the pauses, and the message arrives whole.
func TestPollBigFrameInPieces(t *testing.T) {
	p := newTestPoller(t, 1)
	ps := startPollServer(t, p, nil)
	slow := dialPollT(t, ps.addr)
	other := dialPollT(t, ps.addr)
	msg := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB
	frame := clientFrame(true, wsproto.OpBinary, msg)
	for off := 0; off < len(frame); {
		end := min(off+20000, len(frame))
		if _, err := slow.nc.Write(frame[off:end]); err != nil {
			t.Fatal(err)
		}
		off = end
		// The next piece waits for these echoes: a loop held by the
		// incomplete frame would never serve them.
		start := time.Now()
		for range 3 {
			if err := other.echo(wsproto.OpText, []byte("meanwhile"), 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("3 echoes took %v while a big frame was incomplete", d)
		}
	}
	if err := slow.expectEcho(wsproto.OpBinary, msg, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestPollSendBurstReusedBuffer: a handler sends a burst of big messages
// from one []byte that it overwrites after each Send, to a peer that reads
// nothing for a while, through a small TCP send buffer. The first Send is
// written there and then, in part (the rest by a writer goroutine), the
// others wait in the queue: every message must still arrive whole, in
// order, with the bytes it had when it was sent, and BufferedAmount must
// fall back to 0.
func TestPollSendBurstReusedBuffer(t *testing.T) {
	p := newTestPoller(t, 1)
	const n, size = 20, 64 << 10
	buffered := make(chan uint64, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, &AcceptOptions{InsecureSkipOriginCheck: true}, &Options{Poller: p, PingInterval: -1}, func(ws *WebSocket) {
			ws.SetOnMessage(func(e *MessageEvent) {
				if e.Text() == "amount" {
					buffered <- ws.BufferedAmount()
					return
				}
				buf := make([]byte, size)
				for i := range n {
					for j := range buf {
						buf[j] = byte(i + j)
					}
					ws.Send(buf)
				}
			})
		})
	}))
	srv.Config.ConnState = func(nc net.Conn, state http.ConnState) {
		if tc, ok := nc.(*net.TCPConn); ok && state == http.StateNew {
			tc.SetWriteBuffer(16 << 10)
		}
	}
	srv.Start()
	defer srv.Close()
	c := dialPollT(t, strings.TrimPrefix(srv.URL, "http://"))
	if err := c.send(wsproto.OpText, []byte("burst")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the socket fills up
	for i := range n {
		h, got, err := c.recv(5 * time.Second)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if h.Opcode != wsproto.OpBinary || len(got) != size {
			t.Fatalf("message %d: opcode %v, %d bytes", i, h.Opcode, len(got))
		}
		for j, b := range got {
			if b != byte(i+j) {
				t.Fatalf("message %d, byte %d: %d, want %d", i, j, b, byte(i+j))
			}
		}
	}
	// The reports of the sends come before the task of a message read
	// after them.
	if err := c.send(wsproto.OpText, []byte("amount")); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-buffered:
		if b != 0 {
			t.Errorf("BufferedAmount %d after every message arrived, want 0", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no answer")
	}
}

// TestEventLoopDrainersEnd: the goroutines that run the loops' tasks end
// soon once there are none; New called from a task still joins its loop
// whichever drainer runs it.
func TestEventLoopDrainersEnd(t *testing.T) {
	before := runtime.NumGoroutine()
	loops := make([]*EventLoop, 50)
	var wg sync.WaitGroup
	for i := range loops {
		loops[i] = NewEventLoop()
	}
	for round := range 3 {
		for _, l := range loops {
			wg.Add(1)
			l.post(func() {
				defer wg.Done()
				if currentLoop() != l {
					t.Errorf("round %d: currentLoop is not the task's loop", round)
				}
			})
		}
		wg.Wait()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the tasks", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if currentLoop() != nil {
		t.Error("currentLoop outside any task is not nil")
	}
}
