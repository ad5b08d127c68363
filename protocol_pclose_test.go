package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestP60_FailTheConnection (P-60) checks what failing the connection means, in
// both roles: the Conn sends a close frame with the code that matches the
// fault (1002, 1007, 1009), closes the transport, and processes nothing
// that came after the bad frame: not a message, not a ping, not even the
// peer's close frame (no pong, no echo). Read reports the failure, again
// and again, and never the later message; CloseStatus gives 0 (no close
// frame was received).
func TestP60_FailTheConnection(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bad   func(p *rawPeer) []pFrame
		code  CloseCode
		class error
	}{
		{"reserved opcode", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, 0x3, []byte("x"))}
		}, CloseProtocolError, ErrProtocol},
		{"reserved control opcode", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, 0xB, nil)}
		}, CloseProtocolError, ErrProtocol},
		{"continuation without a message", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, wsproto.OpContinuation, []byte("x"))}
		}, CloseProtocolError, ErrProtocol},
		{"new message inside a fragmented one", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, false, wsproto.OpText, []byte("a")), pPeerFrame(p, true, wsproto.OpText, []byte("b"))}
		}, CloseProtocolError, ErrProtocol},
		{"fragmented ping", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, false, wsproto.OpPing, []byte("x"))}
		}, CloseProtocolError, ErrProtocol},
		{"invalid close code", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, wsproto.OpClose, []byte{0x03, 0xED})} // 1005
		}, CloseProtocolError, ErrProtocol},
		{"invalid UTF-8", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, wsproto.OpText, []byte("a\xffb"))}
		}, CloseInvalidPayload, ErrInvalidPayload},
		{"message too big", func(p *rawPeer) []pFrame {
			return []pFrame{pPeerFrame(p, true, wsproto.OpBinary, make([]byte, 11))}
		}, CloseMessageTooBig, ErrMessageTooBig},
	} {
		for _, role := range pRoles {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, &ConnOptions{ReadLimit: 10})
				var stream []byte
				for _, f := range tc.bad(peer) {
					stream = append(stream, f.bytes()...)
				}
				// What follows the bad frame, in the same write.
				stream = append(stream, pPeerFrame(peer, true, wsproto.OpText, []byte("after")).bytes()...)
				stream = append(stream, pPeerFrame(peer, true, wsproto.OpPing, []byte("ping")).bytes()...)
				stream = append(stream, pPeerFrame(peer, true, wsproto.OpClose, closePayload(CloseNormal, "")).bytes()...)
				peer.write(stream)

				reads := pReadAsync(c)
				peer.expectFailed(tc.code) // one close frame, then EOF: no pong, no echo
				r := pWait(t, reads, 5*time.Second, "Read")
				if !errors.Is(r.err, tc.class) || r.p != nil {
					t.Fatalf("Read: %q %v, want an error matching %v", r.p, r.err, tc.class)
				}
				if CloseStatus(r.err) != 0 {
					t.Fatalf("CloseStatus = %v, want 0", CloseStatus(r.err))
				}
				pWait(t, c.Done(), 5*time.Second, "the transport to close")
				ctx := ctxT(t)
				if _, p, err2 := c.Read(ctx); err2 == nil || p != nil {
					t.Fatalf("second Read: %q %v", p, err2)
				}
			})
		}
	}
}

// pMalformed are frames that break the wire format itself.
var pMalformed = []struct {
	name string
	// frame returns the bytes; masked says whether to set the mask bit
	// (with a zero key, so the payload reads as it is).
	frame func(masked bool) []byte
}{
	{"16-bit length for 5 bytes", func(m bool) []byte {
		return pRawHeader(0x82, m, []byte{126, 0, 5}, make([]byte, 5))
	}},
	{"64-bit length for 5 bytes", func(m bool) []byte {
		return pRawHeader(0x82, m, []byte{127, 0, 0, 0, 0, 0, 0, 0, 5}, make([]byte, 5))
	}},
	{"64-bit length for 70000 bytes with the top bit", func(m bool) []byte {
		return pRawHeader(0x82, m, []byte{127, 0x80, 0, 0, 0, 0, 1, 0x11, 0x70}, nil)
	}},
	{"ping of 126 bytes", func(m bool) []byte {
		return pRawHeader(0x89, m, []byte{126, 0, 126}, make([]byte, 126))
	}},
	{"close without FIN", func(m bool) []byte {
		return pRawHeader(0x08, m, []byte{2}, []byte{0x03, 0xE8})
	}},
	{"close body of one byte", func(m bool) []byte {
		return pRawHeader(0x88, m, []byte{1}, []byte{0x03})
	}},
}

// pRawHeader builds a frame by hand: first byte b0, the length bytes as
// given (with the mask bit added to the first if masked, and a zero key
// after them), then payload.
func pRawHeader(b0 byte, masked bool, length []byte, payload []byte) []byte {
	b := []byte{b0}
	l := append([]byte(nil), length...)
	if masked {
		l[0] |= 0x80
	}
	b = append(b, l...)
	if masked {
		b = append(b, 0, 0, 0, 0)
	}
	return append(b, payload...)
}

// TestP89_MalformedDataDropsTCP (P-89) checks that data that breaks the framing
// format gets a close frame with 1002 and then the transport closed, in
// both roles, over the in-memory pipe and over TCP from Accept and Dial.
func TestP89_MalformedDataDropsTCP(t *testing.T) {
	for _, m := range pMalformed {
		for _, role := range pRoles {
			t.Run(m.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, nil)
				reads := pReadAsync(c)
				peer.write(m.frame(peer.role == wsproto.Client))
				peer.expectFailed(CloseProtocolError)
				pWait(t, c.Done(), 5*time.Second, "the transport to close")
				if r := pWait(t, reads, 5*time.Second, "Read"); !errors.Is(r.err, ErrProtocol) {
					t.Fatalf("Read: %v", r.err)
				}
			})
		}
	}

	t.Run("TCP/Accept", func(t *testing.T) {
		done := make(chan error, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := Accept(w, r, nil)
			if err != nil {
				done <- err
				return
			}
			defer c.CloseNow()
			_, _, err = c.Read(context.Background())
			done <- err
		}))
		t.Cleanup(srv.Close)
		peer := pRawClient(t, srv.Listener.Addr().String(), "")
		peer.write(pMalformed[0].frame(true))
		peer.expectFailed(CloseProtocolError)
		if err := pWait(t, done, 5*time.Second, "the handler"); !errors.Is(err, ErrProtocol) {
			t.Fatalf("server Read: %v", err)
		}
	})

	t.Run("TCP/Dial", func(t *testing.T) {
		srv := startPServer(t)
		reads := make(chan error, 1)
		go func() {
			c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 10 * time.Second})
			if err != nil {
				reads <- err
				return
			}
			defer c.CloseNow()
			_, _, err = c.Read(context.Background())
			reads <- err
		}()
		peer := srv.next(t).respond101(t, "")
		peer.write(pMalformed[2].frame(false))
		peer.expectFailed(CloseProtocolError)
		if err := pWait(t, reads, 5*time.Second, "the client"); !errors.Is(err, ErrProtocol) {
			t.Fatalf("client Read: %v", err)
		}
	})
}

// TestP66_ClosingHandshake (P-66) checks when the closing handshake is started
// and complete, and when a close is clean: Close returns nil only once both
// close frames were exchanged and the transport closed after that, in the
// order RFC 6455 asks; a transport that ends in between makes it unclean.
func TestP66_ClosingHandshake(t *testing.T) {
	t.Run("we start, as server", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Server, nil)
		closed := make(chan error, 1)
		go func() { closed <- c.Close(4000, "done") }()
		if code, reason := peer.recvClose(); code != 4000 || reason != "done" {
			t.Fatalf("close frame %v %q", code, reason)
		}
		select { // started, not complete
		case err := <-closed:
			t.Fatalf("Close returned %v before the peer's close frame", err)
		case <-time.After(20 * time.Millisecond):
		}
		peer.send(true, wsproto.OpClose, closePayload(4001, "ack"))
		peer.expectOnlyEOF() // complete: the server closes TCP
		if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, _, err := c.Read(ctxT(t)); CloseStatus(err) != 4001 {
			t.Fatalf("Read after the handshake: %v", err)
		}
	})

	t.Run("we start, as client", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Client, nil)
		closed := make(chan error, 1)
		go func() { closed <- c.Close(CloseNormal, "") }()
		peer.expectClose(CloseNormal)
		peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
		select { // complete, but the server has not closed TCP yet
		case err := <-closed:
			t.Fatalf("Close returned %v before the server closed TCP", err)
		case <-time.After(20 * time.Millisecond):
		}
		peer.nc.Close()
		if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})

	for _, role := range pRoles {
		t.Run("peer starts/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			reads := pReadAsync(c)
			peer.send(true, wsproto.OpClose, closePayload(CloseGoingAway, "bye"))
			peer.expectClose(CloseGoingAway)
			if role == wsproto.Client {
				peer.nc.Close() // the server closes TCP first
			} else {
				peer.expectOnlyEOF()
			}
			if r := pWait(t, reads, 5*time.Second, "Read"); CloseStatus(r.err) != CloseGoingAway {
				t.Fatalf("Read: %v", r.err)
			}
			pWait(t, c.Done(), 5*time.Second, "the transport to close")
			if err := c.Close(CloseNormal, ""); err != nil {
				t.Fatalf("Close after a complete handshake: %v, want nil (clean)", err)
			}
		})

		t.Run("transport lost after our close/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			closed := make(chan error, 1)
			go func() { closed <- c.Close(CloseNormal, "") }()
			peer.expectClose(CloseNormal)
			peer.nc.Close() // no close frame in reply
			if err := pWait(t, closed, 5*time.Second, "Close"); err == nil {
				t.Fatal("Close returned nil: the handshake did not complete")
			}
			if _, _, err := c.Read(ctxT(t)); err == nil || CloseStatus(err) != 0 {
				t.Fatalf("Read: %v", err)
			}
		})

		t.Run("transport lost before any close/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			peer.nc.Close()
			_, _, err := c.Read(ctxT(t))
			if err == nil || CloseStatus(err) != 0 {
				t.Fatalf("Read: %v", err)
			}
			if err := c.Close(CloseNormal, ""); err == nil {
				t.Fatal("Close returned nil on a lost connection")
			}
		})
	}
}

// TestP69_ReportedCloseCode (P-69) checks the code and reason reported for a
// closed connection: those of the first close frame received, 1005 for a
// close frame without a body (echoed with an empty body), on both roles,
// through CloseError, CloseStatus and the WebSocket object's close event;
// and when the connection was failed or lost, no code (CloseStatus 0) and
// 1006 in the close event. Simultaneous closes report the peer's code on
// each side.
func TestP69_ReportedCloseCode(t *testing.T) {
	for _, tc := range []struct {
		name       string
		payload    []byte
		wantCode   CloseCode
		wantReason string
	}{
		{"code and reason", closePayload(4000, "bye"), 4000, "bye"},
		{"code only", closePayload(CloseGoingAway, ""), CloseGoingAway, ""},
		{"service restart", closePayload(CloseServiceRestart, "restarting"), CloseServiceRestart, "restarting"},
		{"empty body", nil, CloseNoStatus, ""},
		{"longest reason", closePayload(3000, string(bytes.Repeat([]byte("é"), 61))+"x"), 3000, string(bytes.Repeat([]byte("é"), 61)) + "x"},
	} {
		for _, role := range pRoles {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, nil)
				reads := pReadAsync(c)
				// Two close frames in one write: the second is not the first
				// close frame received, and is ignored.
				peer.write(append(pPeerFrame(peer, true, wsproto.OpClose, tc.payload).bytes(),
					pPeerFrame(peer, true, wsproto.OpClose, closePayload(4999, "second")).bytes()...))
				h, echo := peer.recv()
				if h.Opcode != wsproto.OpClose {
					t.Fatalf("got %v, want the echoed close", h.Opcode)
				}
				if tc.payload == nil && len(echo) != 0 {
					t.Fatalf("echo of an empty close: % x", echo)
				}
				if tc.payload != nil {
					if code, _, _ := wsproto.ParseClosePayload(echo); code != tc.wantCode {
						t.Fatalf("echoed code %v", code)
					}
				}
				peer.nc.Close()
				r := pWait(t, reads, 5*time.Second, "Read")
				var ce *CloseError
				if !errors.As(r.err, &ce) || ce.Code != tc.wantCode || ce.Reason != tc.wantReason {
					t.Fatalf("Read: %v, want code %v reason %q", r.err, tc.wantCode, tc.wantReason)
				}
				if CloseStatus(r.err) != tc.wantCode {
					t.Fatalf("CloseStatus = %v", CloseStatus(r.err))
				}
			})
		}
	}

	t.Run("simultaneous", func(t *testing.T) {
		client, server := Pipe(nil)
		defer client.CloseNow()
		defer server.CloseNow()
		errs := make(chan error, 2)
		go func() { errs <- client.Close(4001, "from client") }()
		go func() { errs <- server.Close(4002, "from server") }()
		for range 2 {
			if err := pWait(t, errs, 5*time.Second, "Close"); err != nil {
				t.Fatalf("Close: %v, want a clean close", err)
			}
		}
		ctx := ctxT(t)
		if _, _, err := client.Read(ctx); CloseStatus(err) != 4002 {
			t.Fatalf("client reports %v", err)
		}
		if _, _, err := server.Read(ctx); CloseStatus(err) != 4001 {
			t.Fatalf("server reports %v", err)
		}
	})

	for _, tc := range []struct {
		name      string
		send      func(p *rawPeer)
		wantCode  uint16
		wantClean bool
		reason    string
	}{
		{"WebSocket/code and reason", func(p *rawPeer) { p.send(true, wsproto.OpClose, closePayload(4000, "bye")) }, 4000, true, "bye"},
		{"WebSocket/empty body", func(p *rawPeer) { p.send(true, wsproto.OpClose, nil) }, 1005, true, ""},
		{"WebSocket/failed", func(p *rawPeer) { p.write(pFrame{fin: true, op: 0x3}.bytes()) }, 1006, false, ""},
		{"WebSocket/lost", func(p *rawPeer) {}, 1006, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			events := make(chan *CloseEvent, 1)
			opened := make(chan struct{})
			ws, err := NewWithOptions(srv.url(), nil, &Options{
				OnOpen:  func(*Event) { close(opened) },
				OnClose: func(e *CloseEvent) { events <- e },
			})
			if err != nil {
				t.Fatal(err)
			}
			peer := srv.next(t).respond101(t, "")
			pWait(t, opened, 10*time.Second, "open")
			tc.send(peer)
			if tc.wantCode != 1006 || tc.name == "WebSocket/failed" {
				peer.recvClose() // the echo, or the client's 1002
			}
			peer.nc.Close()
			e := pWait(t, events, 10*time.Second, "the close event")
			if e.Code != tc.wantCode || e.WasClean != tc.wantClean || e.Reason != tc.reason {
				t.Fatalf("close event: code %d clean %v reason %q; want %d %v %q", e.Code, e.WasClean, e.Reason, tc.wantCode, tc.wantClean, tc.reason)
			}
			pWait(t, ws.Done(), 10*time.Second, "the socket's end")
		})
	}
}

// TestP70_FailingCloseFrameSurvivesUnreadInput (P-70) checks, over real TCP, that
// the close frame of a failed connection reaches the peer although the
// peer had sent more data that the failing side never read: closing a
// socket with unread input makes the kernel send a reset, which would
// destroy the close frame in flight; the failing side half-closes and
// drains first. The peer only starts reading once the failing side has
// closed its socket. Both roles: our server (Accept) failing a raw client,
// our client (Dial) failing a raw server.
func TestP70_FailingCloseFrameSurvivesUnreadInput(t *testing.T) {
	const extra = 512 << 10 // data after the bad frame, more than one read takes
	junk := func(masked bool) []byte {
		var b []byte
		for len(b) < extra {
			b = append(b, pFrame{fin: true, op: wsproto.OpBinary, masked: masked, data: make([]byte, 4096)}.bytes()...)
		}
		return b
	}
	// flood writes the bad frame and the data after it, then half-closes.
	flood := func(nc net.Conn, masked bool) <-chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			nc.Write(append(pFrame{fin: true, op: 0x3, masked: masked}.bytes(), junk(masked)...))
			nc.(*net.TCPConn).CloseWrite()
		}()
		return done
	}

	t.Run("server fails client", func(t *testing.T) {
		type result struct {
			err  error
			done <-chan struct{}
		}
		results := make(chan result, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := Accept(w, r, nil)
			if err != nil {
				results <- result{err: err}
				return
			}
			_, _, err = c.Read(context.Background())
			results <- result{err, c.Done()}
		}))
		t.Cleanup(srv.Close)
		peer := pRawClient(t, srv.Listener.Addr().String(), "")
		written := flood(peer.nc, true)
		r := pWait(t, results, 10*time.Second, "the server to fail the connection")
		if !errors.Is(r.err, ErrProtocol) {
			t.Fatalf("server Read: %v", r.err)
		}
		pWait(t, r.done, 10*time.Second, "the server to close the socket")
		pWait(t, written, 10*time.Second, "the client's writes")
		peer.expectClose(CloseProtocolError)
		peer.expectOnlyEOF()
	})

	t.Run("client fails server", func(t *testing.T) {
		srv := startPServer(t)
		type result struct {
			err  error
			done <-chan struct{}
		}
		results := make(chan result, 1)
		go func() {
			c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 10 * time.Second})
			if err != nil {
				results <- result{err: err}
				return
			}
			_, _, err = c.Read(context.Background())
			results <- result{err, c.Done()}
		}()
		peer := srv.next(t).respond101(t, "")
		written := flood(peer.nc, false)
		r := pWait(t, results, 10*time.Second, "the client to fail the connection")
		if !errors.Is(r.err, ErrProtocol) {
			t.Fatalf("client Read: %v", r.err)
		}
		pWait(t, r.done, 10*time.Second, "the client to close the socket")
		pWait(t, written, 10*time.Second, "the server's writes")
		peer.expectClose(CloseProtocolError)
		peer.expectOnlyEOF()
	})
}

// TestP71_NoAutomaticReconnect (P-71) checks that neither Dial's Conn nor the
// WebSocket object connects again by itself after the server dropped the
// connection or refused the handshake: the server sees one connection only.
func TestP71_NoAutomaticReconnect(t *testing.T) {
	for _, tc := range []struct {
		name   string
		object bool // the WebSocket object rather than Dial
		refuse bool // the server refuses the handshake rather than dropping an open connection
	}{
		{"Dial/dropped", false, false},
		{"Dial/refused", false, true},
		{"WebSocket/dropped", true, false},
		{"WebSocket/refused", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startPServer(t)
			ended := make(chan struct{})
			if tc.object {
				_, err := NewWithOptions(srv.url(), nil, &Options{OnClose: func(*CloseEvent) { close(ended) }})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				go func() {
					defer close(ended)
					c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 10 * time.Second})
					if err != nil {
						return
					}
					defer c.CloseNow()
					c.Read(context.Background())
				}()
			}
			sc := srv.next(t)
			if tc.refuse {
				io.WriteString(sc.nc, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			} else {
				sc.respond101(t, "")
			}
			sc.nc.Close()
			pWait(t, ended, 10*time.Second, "the client to see the end")
			select {
			case <-time.After(300 * time.Millisecond):
			case sc := <-srv.conns:
				t.Fatalf("the client connected again (connection %d)", sc.n)
			}
			if n := srv.accepted.Load(); n != 1 {
				t.Fatalf("%d connections, want 1", n)
			}
		})
	}
}

// TestP72_ServerGoingAwayRestartTryLater (P-72) checks the server's closing codes:
// Server.Shutdown closes every connection with 1001 (going away), and a
// server may close with 1012 (service restart) or 1013 (try again later);
// the client reports each code, through Dial's Conn and through the
// WebSocket object's close event (a clean close).
func TestP72_ServerGoingAwayRestartTryLater(t *testing.T) {
	for _, tc := range []struct {
		name string
		code CloseCode // 0: Server.Shutdown
	}{
		{"Shutdown", 0},
		{"service restart", CloseServiceRestart},
		{"try again later", CloseTryAgainLater},
	} {
		for _, object := range []bool{false, true} {
			name := tc.name + "/Dial"
			if object {
				name = tc.name + "/WebSocket"
			}
			t.Run(name, func(t *testing.T) {
				var wss Server
				handlerDone := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					defer close(handlerDone)
					c, err := wss.Accept(w, r, &AcceptOptions{InsecureSkipOriginCheck: true})
					if err != nil {
						return
					}
					defer c.CloseNow()
					if code, _ := strconv.Atoi(r.URL.Query().Get("code")); code != 0 {
						c.Close(CloseCode(code), "closing with "+strconv.Itoa(code))
						return
					}
					echo(c)
				}))
				t.Cleanup(srv.Close)
				url := pWSURL(srv) + "/?code=" + strconv.Itoa(int(tc.code))

				type report struct {
					code   CloseCode
					reason string
					clean  bool
					err    error
				}
				reports := make(chan report, 1)
				opened := make(chan struct{})
				if object {
					_, err := NewWithOptions(url, nil, &Options{
						OnOpen: func(*Event) { close(opened) },
						OnClose: func(e *CloseEvent) {
							reports <- report{code: CloseCode(e.Code), reason: e.Reason, clean: e.WasClean}
						},
					})
					if err != nil {
						t.Fatal(err)
					}
				} else {
					c, _, err := Dial(ctxT(t), url, &DialOptions{NoProxy: true})
					if err != nil {
						t.Fatal(err)
					}
					defer c.CloseNow()
					close(opened)
					go func() {
						_, _, err := c.Read(context.Background())
						var ce *CloseError
						errors.As(err, &ce)
						r := report{code: CloseStatus(err), err: err, clean: true}
						if ce != nil {
							r.reason = ce.Reason
						}
						reports <- r
					}()
				}
				pWait(t, opened, 10*time.Second, "open")
				want := tc.code
				if tc.code == 0 {
					want = CloseGoingAway
					for wss.Len() != 1 {
						time.Sleep(time.Millisecond)
					}
					if err := wss.Shutdown(ctxT(t)); err != nil {
						t.Fatalf("Shutdown: %v", err)
					}
					if wss.Len() != 0 {
						t.Fatalf("%d connections left after Shutdown", wss.Len())
					}
				}
				r := pWait(t, reports, 10*time.Second, "the client's report")
				if r.code != want || !r.clean || r.reason == "" {
					t.Fatalf("client reports code %v reason %q clean %v (%v); want %v", r.code, r.reason, r.clean, r.err, want)
				}
				pWait(t, handlerDone, 10*time.Second, "the handler")
			})
		}
	}
}
