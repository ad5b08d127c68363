package websocket

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// Helpers of the protocol_p*_test.go files: a raw TCP server that hands
// each connection, with its handshake request read, to the test goroutine
// (which then plays the server by hand), a raw client for our Accept, and
// frame builders for what a conforming peer would never send.

// pServer is a raw TCP server. It never answers by itself: each connection
// goes to the test on conns once its request has been read.
type pServer struct {
	addr     string
	accepted atomic.Int32
	acceptCh chan struct{} // one value per accepted connection
	conns    chan *pServerConn

	mu  sync.Mutex
	log []string // events in order, for order checks
}

// pServerConn is a connection of a pServer whose request has been read.
type pServerConn struct {
	nc  net.Conn
	br  *bufio.Reader // may hold bytes sent after the request
	req *http.Request // nil if the request could not be read (err says why)
	raw string        // the request's bytes
	err error
	n   int // 1 for the server's first connection, and so on
}

// startPServer starts a pServer; the end of the test closes it and every
// connection it accepted.
func startPServer(t *testing.T) *pServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &pServer{addr: ln.Addr().String(), acceptCh: make(chan struct{}, 256), conns: make(chan *pServerConn, 256)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			n := int(s.accepted.Add(1))
			s.logf("accept %d", n)
			mu.Lock()
			open = append(open, nc)
			mu.Unlock()
			s.acceptCh <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var raw bytes.Buffer
				br := bufio.NewReader(io.TeeReader(nc, &raw))
				nc.SetReadDeadline(time.Now().Add(10 * time.Second))
				req, err := http.ReadRequest(br)
				nc.SetReadDeadline(time.Time{})
				// Bytes read past the request stay in br, but raw must hold the
				// request alone: cut it where br's unread part begins.
				rawReq := raw.Bytes()[:raw.Len()-br.Buffered()]
				if err == nil {
					s.logf("request %d", n)
				}
				s.conns <- &pServerConn{nc: nc, br: br, req: req, raw: string(rawReq), err: err, n: n}
			}()
		}
	}()
	return s
}

func (s *pServer) url() string { return "ws://" + s.addr + "/" }

// logf appends an event to the server's log.
func (s *pServer) logf(format string, args ...any) {
	s.mu.Lock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *pServer) events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// next returns the next connection whose request has been read.
func (s *pServer) next(t *testing.T) *pServerConn {
	t.Helper()
	select {
	case sc := <-s.conns:
		if sc.err != nil {
			t.Fatalf("server: reading request %d: %v", sc.n, sc.err)
		}
		return sc
	case <-time.After(10 * time.Second):
		t.Fatal("server: no connection arrived")
		return nil
	}
}

// respond101 writes a valid 101 response with the extra header lines in
// extra (each ending in CRLF) and returns the raw peer of the connection.
func (sc *pServerConn) respond101(t *testing.T, extra string) *rawPeer {
	t.Helper()
	if _, err := io.WriteString(sc.nc, pResponse101(sc.req, extra)); err != nil {
		t.Fatalf("server: writing the 101 response: %v", err)
	}
	return sc.peer(t)
}

// peer returns the raw peer of the connection, playing the server.
func (sc *pServerConn) peer(t *testing.T) *rawPeer {
	buffered, _ := sc.br.Peek(sc.br.Buffered())
	return &rawPeer{t: t, nc: sc.nc, role: wsproto.Server, in: append([]byte(nil), buffered...)}
}

// pResponse101 returns a valid 101 response to req.
func pResponse101(req *http.Request, extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + wsproto.AcceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
}

// serveEcho answers sc with a 101 response and echoes messages on a server
// Conn in the background until the connection ends; the end of the test
// closes the connection and waits for the echo to stop.
func (sc *pServerConn) serveEcho(t *testing.T) *Conn {
	t.Helper()
	if _, err := io.WriteString(sc.nc, pResponse101(sc.req, "")); err != nil {
		t.Fatalf("server: writing the 101 response: %v", err)
	}
	c := newConn(sc.nc, sc.br, wsproto.Server, (&ConnOptions{PingInterval: -1}).config(), "", "")
	done := make(chan struct{})
	go func() {
		defer close(done)
		echo(c)
	}()
	t.Cleanup(func() {
		c.CloseNow()
		<-done
	})
	return c
}

// pKey is the key our raw client sends.
const pKey = "dGhlIHNhbXBsZSBub25jZQ=="

// pRawClient opens a TCP connection to addr, runs the opening handshake by
// hand (failing the test unless the answer is 101) and returns the raw peer,
// playing the client. Extra header lines go in extra (each ending in CRLF).
func pRawClient(t *testing.T, addr, extra string) *rawPeer {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + pKey + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("raw client: reading the response: %v", err)
	}
	nc.SetReadDeadline(time.Time{})
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("raw client: status %d, want 101", resp.StatusCode)
	}
	buffered, _ := br.Peek(br.Buffered())
	return &rawPeer{t: t, nc: nc, role: wsproto.Client, in: append([]byte(nil), buffered...)}
}

// pWSURL returns the ws:// URL of an httptest server.
func pWSURL(srv *httptest.Server) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// pFrame is a frame with every header field under the test's control.
type pFrame struct {
	fin    bool
	rsv    uint8 // 0x40, 0x20, 0x10
	op     wsproto.Opcode
	masked bool
	data   []byte
}

// bytes returns the frame's wire form; a masked frame uses a fixed key.
func (f pFrame) bytes() []byte {
	h := wsproto.Header{Fin: f.fin, Rsv: f.rsv, Opcode: f.op, Masked: f.masked, Length: int64(len(f.data))}
	if f.masked {
		h.Mask = [4]byte{0x37, 0xfa, 0x21, 0x3d}
	}
	b := wsproto.AppendHeader(nil, h)
	start := len(b)
	b = append(b, f.data...)
	if f.masked {
		wsproto.Mask(h.Mask, 0, b[start:])
	}
	return b
}

// pPeerFrame returns the frame as p's role sends it: masked from a client.
func pPeerFrame(p *rawPeer, fin bool, op wsproto.Opcode, data []byte) pFrame {
	return pFrame{fin: fin, op: op, masked: p.role == wsproto.Client, data: data}
}

// pRoles are the roles a Conn plays in the tests that hold for both.
var pRoles = []wsproto.Role{wsproto.Client, wsproto.Server}

// expectOnlyEOF checks that nothing more comes from the Conn but the end of
// the transport: no frame, no byte.
func (p *rawPeer) expectOnlyEOF() {
	p.t.Helper()
	if len(p.in) > 0 {
		p.t.Fatalf("%d unexpected bytes before EOF: % x", len(p.in), p.in)
	}
	p.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []byte
	var buf [512]byte
	for {
		n, err := p.nc.Read(buf[:])
		got = append(got, buf[:n]...)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.t.Fatalf("want EOF, got %v", err)
			}
			break
		}
	}
	if len(got) > 0 {
		h, _, _ := wsproto.ParseHeader(got)
		p.t.Fatalf("%d unexpected bytes before EOF (a %v frame?): % x", len(got), h.Opcode, got[:min(len(got), 32)])
	}
}

// expectFailed checks that the Conn failed the connection: a close frame
// with code, then the end of the transport (after which the peer closes
// too, as a peer does, so that the Conn's lingering close ends at once).
func (p *rawPeer) expectFailed(code CloseCode) {
	p.t.Helper()
	p.expectClose(code)
	p.expectOnlyEOF()
	p.nc.Close()
}

// expectSilence checks that the Conn sends nothing for d.
func (p *rawPeer) expectSilence(d time.Duration) {
	p.t.Helper()
	if len(p.in) > 0 {
		p.t.Fatalf("unexpected bytes: % x", p.in)
	}
	p.nc.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := p.nc.Read(buf[:])
	p.nc.SetReadDeadline(time.Time{})
	if n > 0 {
		p.in = append(p.in, buf[:n]...)
		h, _, _ := wsproto.ParseHeader(p.in)
		p.t.Fatalf("unexpected %v frame: % x", h.Opcode, buf[:n])
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		p.t.Fatalf("want silence, got %v", err)
	}
}

// recvClose reads frames until a close frame, skipping pings and pongs,
// and returns its code and reason.
func (p *rawPeer) recvClose() (CloseCode, string) {
	p.t.Helper()
	for {
		h, payload := p.recv()
		switch h.Opcode {
		case wsproto.OpPing, wsproto.OpPong:
			continue
		case wsproto.OpClose:
			code, reason, err := wsproto.ParseClosePayload(payload)
			if err != nil {
				p.t.Fatalf("invalid close frame % x: %v", payload, err)
			}
			return code, string(reason)
		}
		p.t.Fatalf("got a %v frame, want close", h.Opcode)
	}
}

// pWait waits for ch or fails the test after d.
func pWait[T any](t *testing.T, ch <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// pReadResult is what a Read in the background returned.
type pReadResult struct {
	typ MessageType
	p   []byte
	err error
}

// pReadAsync reads one message in the background.
func pReadAsync(c *Conn) <-chan pReadResult {
	ch := make(chan pReadResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		typ, p, err := c.Read(ctx)
		ch <- pReadResult{typ, p, err}
	}()
	return ch
}
