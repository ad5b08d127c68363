package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestP42_ServerFramesUnmasked (P-42) checks that a server never masks a frame:
// data frames small and large (the large one takes another write path),
// the frames of a fragmented message, pings, pongs and the close frame.
func TestP42_ServerFramesUnmasked(t *testing.T) {
	c, peer := newRawPair(t, wsproto.Server, nil)
	ctx := ctxT(t)
	big := bytes.Repeat([]byte("m"), 3*DefaultWriteBufferSize+5)

	if err := c.Write(ctx, MessageText, []byte("small")); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, MessageBinary, big); err != nil {
		t.Fatal(err)
	}
	w, err := c.Writer(ctx, MessageBinary)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(big)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	reads := pReadAsync(c)
	peer.send(true, wsproto.OpPing, []byte("p")) // answered with a pong
	pingErr := make(chan error, 1)
	go func() {
		_, err := c.Ping(ctx)
		pingErr <- err
	}()

	var fragmented []byte
	var sawPing, sawPong bool
	for !sawPing || !sawPong {
		h, p := peer.recv()
		if h.Masked {
			t.Fatalf("server sent a masked %v frame", h.Opcode)
		}
		switch h.Opcode {
		case wsproto.OpPing:
			sawPing = true
			peer.send(true, wsproto.OpPong, p)
		case wsproto.OpPong:
			sawPong = true
		case wsproto.OpContinuation:
			fragmented = append(fragmented, p...)
		case wsproto.OpBinary:
			if !h.Fin {
				fragmented = append(fragmented, p...)
			}
		}
	}
	if !bytes.Equal(fragmented, big) {
		t.Fatalf("fragmented message: %d bytes, want %d", len(fragmented), len(big))
	}
	if err := pWait(t, pingErr, 5*time.Second, "Ping"); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	closed := make(chan error, 1)
	go func() { closed <- c.Close(CloseNormal, "") }()
	h, _ := peer.recv()
	if h.Opcode != wsproto.OpClose || h.Masked {
		t.Fatalf("close: %v masked=%v", h.Opcode, h.Masked)
	}
	peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
	if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	pWait(t, reads, 5*time.Second, "Read")

	// And over a real connection from Accept.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.Write(r.Context(), MessageText, []byte("from Accept"))
		c.Read(r.Context())
	}))
	t.Cleanup(srv.Close)
	raw := pRawClient(t, srv.Listener.Addr().String(), "")
	if h, p := raw.recv(); h.Masked || h.Opcode != wsproto.OpText || string(p) != "from Accept" {
		t.Fatalf("frame from Accept's Conn: %v masked=%v %q", h.Opcode, h.Masked, p)
	}
}

// TestP44_MaskedFrameFromServer (P-44) checks that a client fails the connection
// with 1002 when the server masks a frame, data or control.
func TestP44_MaskedFrameFromServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame pFrame
	}{
		{"text", pFrame{fin: true, op: wsproto.OpText, masked: true, data: []byte("masked")}},
		{"empty binary", pFrame{fin: true, op: wsproto.OpBinary, masked: true}},
		{"first fragment", pFrame{fin: false, op: wsproto.OpText, masked: true, data: []byte("frag")}},
		{"ping", pFrame{fin: true, op: wsproto.OpPing, masked: true, data: []byte("ping")}},
		{"pong", pFrame{fin: true, op: wsproto.OpPong, masked: true}},
		{"close", pFrame{fin: true, op: wsproto.OpClose, masked: true, data: closePayload(CloseNormal, "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := newRawPair(t, wsproto.Client, nil)
			reads := pReadAsync(c)
			peer.write(tc.frame.bytes())
			peer.expectFailed(CloseProtocolError)
			r := pWait(t, reads, 5*time.Second, "Read")
			if !errors.Is(r.err, wsproto.ErrMaskedFrame) || CloseStatus(r.err) != 0 {
				t.Fatalf("Read: %v", r.err)
			}
		})
	}

	t.Run("over TCP from Dial", func(t *testing.T) {
		srv := startPServer(t)
		dialed := make(chan *Conn, 1)
		go func() {
			c, _, err := Dial(context.Background(), srv.url(), &DialOptions{NoProxy: true, HandshakeTimeout: 10 * time.Second})
			if err != nil {
				t.Errorf("Dial: %v", err)
			}
			dialed <- c
		}()
		peer := srv.next(t).respond101(t, "")
		c := pWait(t, dialed, 10*time.Second, "Dial")
		if c == nil {
			return
		}
		defer c.CloseNow()
		peer.write(pFrame{fin: true, op: wsproto.OpText, masked: true, data: []byte("masked")}.bytes())
		if _, _, err := c.Read(ctxT(t)); !errors.Is(err, ErrProtocol) {
			t.Fatalf("Read: %v", err)
		}
		peer.expectFailed(CloseProtocolError)
	})
}

// TestP46_ReservedBitsWithoutExtension (P-46) checks that a frame with RSV1, RSV2
// or RSV3 set fails the connection with 1002 when no extension gave the
// bits a meaning (none is negotiated here), in both roles, on data and
// control frames.
func TestP46_ReservedBitsWithoutExtension(t *testing.T) {
	for _, role := range pRoles {
		for _, rsv := range []uint8{0x40, 0x20, 0x10, 0x70} {
			for _, op := range []wsproto.Opcode{wsproto.OpText, wsproto.OpBinary, wsproto.OpPing, wsproto.OpClose} {
				name := role.String() + "/rsv=" + strconv.Itoa(int(rsv)) + "/" + op.String()
				t.Run(name, func(t *testing.T) {
					c, peer := newRawPair(t, role, nil)
					reads := pReadAsync(c)
					var data []byte
					if op == wsproto.OpClose {
						data = closePayload(CloseNormal, "")
					} else {
						data = []byte("x")
					}
					f := pPeerFrame(peer, true, op, data)
					f.rsv = rsv
					peer.write(f.bytes())
					peer.expectFailed(CloseProtocolError)
					r := pWait(t, reads, 5*time.Second, "Read")
					if !errors.Is(r.err, wsproto.ErrReservedBits) {
						t.Fatalf("Read: %v", r.err)
					}
				})
			}
		}
		// RSV on a continuation frame, within a message.
		t.Run(role.String()+"/continuation", func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			reads := pReadAsync(c)
			peer.send(false, wsproto.OpText, []byte("a"))
			f := pPeerFrame(peer, true, wsproto.OpContinuation, []byte("b"))
			f.rsv = 0x40
			peer.write(f.bytes())
			peer.expectFailed(CloseProtocolError)
			if r := pWait(t, reads, 5*time.Second, "Read"); !errors.Is(r.err, ErrProtocol) {
				t.Fatalf("Read: %v", r.err)
			}
		})
	}
}

// TestP48_ZeroLengthFragments (P-48) checks that empty messages and empty
// fragments (first, middle or last) are received as they should be, and
// that we can send empty messages, in both roles.
func TestP48_ZeroLengthFragments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		op    wsproto.Opcode
		frags []string
		want  string
	}{
		{"empty text", wsproto.OpText, []string{""}, ""},
		{"empty binary", wsproto.OpBinary, []string{""}, ""},
		{"empty fragments", wsproto.OpText, []string{"", "", ""}, ""},
		{"empty first", wsproto.OpText, []string{"", "abc"}, "abc"},
		{"empty middle", wsproto.OpBinary, []string{"a", "", "", "b"}, "ab"},
		{"empty last", wsproto.OpText, []string{"abc", ""}, "abc"},
		{"split code point around an empty fragment", wsproto.OpText, []string{"\xe2\x82", "", "\xac"}, "€"},
	} {
		for _, role := range pRoles {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, nil)
				for i, f := range tc.frags {
					op := tc.op
					if i > 0 {
						op = wsproto.OpContinuation
					}
					peer.send(i == len(tc.frags)-1, op, []byte(f))
				}
				peer.send(true, wsproto.OpText, []byte("next")) // the message after is intact
				ctx := ctxT(t)
				typ, p, err := c.Read(ctx)
				if err != nil || typ != MessageType(tc.op) || string(p) != tc.want || p == nil {
					t.Fatalf("Read: %v %q (nil=%v) %v", typ, p, p == nil, err)
				}
				if _, p, err := c.Read(ctx); err != nil || string(p) != "next" {
					t.Fatalf("next Read: %q %v", p, err)
				}
				// The streaming reader sees the same.
				for i, f := range tc.frags {
					op := tc.op
					if i > 0 {
						op = wsproto.OpContinuation
					}
					peer.send(i == len(tc.frags)-1, op, []byte(f))
				}
				_, r, err := c.Reader(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if b, err := io.ReadAll(r); err != nil || string(b) != tc.want {
					t.Fatalf("Reader: %q %v", b, err)
				}
			})
		}
	}

	for _, role := range pRoles {
		t.Run("sending/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			ctx := ctxT(t)
			if err := c.Write(ctx, MessageText, nil); err != nil {
				t.Fatal(err)
			}
			w, err := c.Writer(ctx, MessageBinary)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			for _, op := range []wsproto.Opcode{wsproto.OpText, wsproto.OpBinary} {
				h, p := peer.recv()
				if h.Opcode != op || !h.Fin || h.Length != 0 || len(p) != 0 {
					t.Fatalf("got %+v %q, want an empty %v message", h, p, op)
				}
			}
		})
	}
}

// TestP52_FragmentationAtAnyPoint (P-52) checks both sides of fragmentation: our
// Writer splits a message into frames no bigger than its buffer (first
// frame with the message's opcode, continuations after, FIN on the last),
// and a message split into fragments at arbitrary points, including inside
// UTF-8 sequences and into empty fragments, with the byte stream itself cut
// into arbitrary pieces and pings in between, arrives whole.
func TestP52_FragmentationAtAnyPoint(t *testing.T) {
	for _, role := range pRoles {
		t.Run("Writer/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, &ConnOptions{WriteBufferSize: 256})
			msg := []byte(strings.Repeat("fragment ✓ ", 100)) // 1300 bytes
			done := make(chan error, 1)
			go func() {
				w, err := c.Writer(context.Background(), MessageText)
				if err != nil {
					done <- err
					return
				}
				rng := rand.New(rand.NewPCG(1, 2))
				for rest := msg; len(rest) > 0; {
					n := min(len(rest), 1+rng.IntN(100))
					if _, err := w.Write(rest[:n]); err != nil {
						done <- err
						return
					}
					rest = rest[n:]
				}
				done <- w.Close()
			}()
			var got []byte
			for i := 0; ; i++ {
				h, p := peer.recv()
				wantOp := wsproto.OpContinuation
				if i == 0 {
					wantOp = wsproto.OpText
				}
				if h.Opcode != wantOp || len(p) > 256 {
					t.Fatalf("frame %d: %v, %d bytes", i, h.Opcode, len(p))
				}
				got = append(got, p...)
				if h.Fin {
					if i < 4 {
						t.Fatalf("message sent in %d frames, want at least 5", i+1)
					}
					break
				}
			}
			if err := pWait(t, done, 5*time.Second, "the writer"); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("reassembled %q", got)
			}
		})
	}

	for _, role := range pRoles {
		t.Run("receiving/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			rng := rand.New(rand.NewPCG(3, 4))
			alphabet := []string{"a", "b", "é", "€", "𝄞", " "}
			ctx := ctxT(t)
			for round := range 60 {
				var sb strings.Builder
				for size := rng.IntN(3000); sb.Len() < size; {
					sb.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				msg := []byte(sb.String())
				op := wsproto.OpText
				if round%3 == 2 {
					op = wsproto.OpBinary
				}
				// Fragments at random points, some empty.
				var stream []byte
				var pings int
				first := true
				for rest := msg; ; {
					n := min(len(rest), rng.IntN(200))
					fin := n == len(rest) && rng.IntN(4) != 0 // sometimes an empty last fragment
					f := pPeerFrame(peer, fin, wsproto.OpContinuation, rest[:n])
					if first {
						f.op, first = op, false
					}
					stream = append(stream, f.bytes()...)
					rest = rest[n:]
					if fin {
						break
					}
					if rng.IntN(8) == 0 {
						stream = append(stream, pPeerFrame(peer, true, wsproto.OpPing, []byte("mid")).bytes()...)
						pings++
					}
				}
				// The byte stream in pieces of random sizes.
				writeErr := make(chan error, 1)
				go func() {
					for rest := stream; len(rest) > 0; {
						n := min(len(rest), 1+rng.IntN(64))
						if _, err := peer.nc.Write(rest[:n]); err != nil {
							writeErr <- err
							return
						}
						rest = rest[n:]
					}
					writeErr <- nil
				}()
				typ, p, err := c.Read(ctx)
				if err != nil || typ != MessageType(op) || !bytes.Equal(p, msg) {
					t.Fatalf("round %d: %v %d bytes %v; want %v %d bytes", round, typ, len(p), err, op, len(msg))
				}
				if err := pWait(t, writeErr, 5*time.Second, "the writer"); err != nil {
					t.Fatal(err)
				}
				for range pings {
					if h, p := peer.recv(); h.Opcode != wsproto.OpPong || string(p) != "mid" {
						t.Fatalf("round %d: %v %q, want a pong", round, h.Opcode, p)
					}
				}
			}
		})
	}
}

// pBadUTF8 are byte strings that are not valid UTF-8.
var pBadUTF8 = []struct{ name, s string }{
	{"invalid byte", "bad \xff"},
	{"truncated sequence", "a\xc3"},
	{"surrogate", "\xed\xa0\x80"},
	{"overlong", "\xc0\xaf"},
	{"beyond U+10FFFF", "\xf4\x90\x80\x80"},
}

// TestP55_CloseReasonInvalidUTF8 (P-55) checks that a close frame whose reason is
// not valid UTF-8 fails the connection with 1007 instead of being echoed,
// in both roles; Read reports the failure, not a close by the peer.
func TestP55_CloseReasonInvalidUTF8(t *testing.T) {
	for _, bad := range pBadUTF8 {
		for _, role := range pRoles {
			t.Run(bad.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, nil)
				reads := pReadAsync(c)
				payload := append(closePayload(CloseNormal, ""), bad.s...)
				peer.send(true, wsproto.OpClose, payload)
				peer.expectFailed(CloseInvalidPayload)
				r := pWait(t, reads, 5*time.Second, "Read")
				if !errors.Is(r.err, ErrInvalidPayload) || CloseStatus(r.err) != 0 {
					t.Fatalf("Read: %v (CloseStatus %v)", r.err, CloseStatus(r.err))
				}
			})
		}
	}
}

// TestP56_NeverSendInvalidUTF8 (P-56) checks that nothing we send carries invalid
// UTF-8 as text or as a close reason: Conn.Write and the message Writer
// refuse such text (nothing goes out, or, for a message already partly
// sent, the connection is failed with 1011 rather than the message
// finished), Conn.Close refuses such a reason; the WebSocket object
// replaces invalid sequences with U+FFFD instead (API-66).
func TestP56_NeverSendInvalidUTF8(t *testing.T) {
	for _, bad := range pBadUTF8 {
		for _, role := range pRoles {
			t.Run(bad.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, nil)
				ctx := ctxT(t)
				if err := c.Write(ctx, MessageText, []byte(bad.s)); err == nil {
					t.Fatal("Write of invalid text succeeded")
				}
				w, err := c.Writer(ctx, MessageText)
				if err != nil {
					t.Fatal(err)
				}
				w.Write([]byte(bad.s)) // may fail now or at Close
				if err := w.Close(); err == nil {
					t.Fatal("Writer of invalid text closed without error")
				}
				if err := c.Close(CloseNormal, bad.s); err == nil {
					t.Fatal("Close with an invalid reason succeeded")
				}
				// Binary is not text: the same bytes go out.
				if err := c.Write(ctx, MessageBinary, []byte(bad.s)); err != nil {
					t.Fatal(err)
				}
				if h, p := peer.recv(); h.Opcode != wsproto.OpBinary || string(p) != bad.s {
					t.Fatalf("first frame sent: %v %q, want the binary message", h.Opcode, p)
				}
				// The connection is intact, and Close works with a valid reason.
				closed := make(chan error, 1)
				go func() { closed <- c.Close(CloseNormal, "fine") }()
				if code, reason := peer.recvClose(); code != CloseNormal || reason != "fine" {
					t.Fatalf("close frame %v %q", code, reason)
				}
				peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
				if role == wsproto.Client {
					peer.nc.Close()
				}
				if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
					t.Fatalf("Close: %v", err)
				}
			})
		}
	}

	t.Run("reason too long", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Server, nil)
		if err := c.Close(CloseNormal, strings.Repeat("r", 124)); err == nil {
			t.Fatal("Close with a 124-byte reason succeeded")
		}
		peer.expectSilence(50 * time.Millisecond)
	})

	t.Run("split code point across writes", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Client, &ConnOptions{WriteBufferSize: 256})
		w, err := c.Writer(ctxT(t), MessageText)
		if err != nil {
			t.Fatal(err)
		}
		msg := strings.Repeat("x", 255) + "€" // the buffer fills in the middle of €
		for _, piece := range []string{msg[:256], msg[256:257], msg[257:]} {
			if _, err := w.Write([]byte(piece)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var got []byte
		for {
			h, p := peer.recv()
			got = append(got, p...)
			if h.Fin {
				break
			}
		}
		if string(got) != msg {
			t.Fatalf("got %q", got)
		}
	})

	// A message longer than the write buffer: its first frame is out before
	// the invalid bytes are written.
	for _, tc := range []struct{ name, tail string }{
		{"invalid byte", "\xff and more"},
		{"surrogate", "\xed\xa0\x80"},
		{"unfinished sequence at the end", "\xe2\x82"},
	} {
		t.Run("message already partly sent/"+tc.name, func(t *testing.T) {
			c, peer := newRawPair(t, wsproto.Server, &ConnOptions{WriteBufferSize: 256})
			w, err := c.Writer(ctxT(t), MessageText)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte(strings.Repeat("v", 300))); err != nil { // a first frame goes out
				t.Fatal(err)
			}
			if h, _ := peer.recv(); h.Opcode != wsproto.OpText || h.Fin {
				t.Fatalf("first frame %+v", h)
			}
			w.Write([]byte(tc.tail)) // may fail now or at Close
			if err := w.Close(); err == nil {
				t.Error("the Writer's Close succeeded on invalid text")
			}
			// No frame with the invalid bytes: the connection is failed.
			var sent []byte
			for {
				h, p := peer.recv()
				if h.Opcode == wsproto.OpClose {
					code, _, _ := wsproto.ParseClosePayload(p)
					if code != CloseInternalError {
						t.Errorf("close code %v, want 1011", code)
					}
					break
				}
				sent = append(sent, p...)
				if h.Fin {
					t.Fatalf("the message was finished with invalid UTF-8 in a %v frame: ...%q", h.Opcode, sent[max(0, len(sent)-8):])
				}
			}
		})
	}

	t.Run("WebSocket object replaces", func(t *testing.T) {
		got := make(chan string, 2)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			_, p, err := c.Read(r.Context())
			if err != nil {
				got <- "error: " + err.Error()
				return
			}
			got <- string(p)
			_, _, err = c.Read(r.Context())
			var ce *CloseError
			if errors.As(err, &ce) {
				got <- "close: " + ce.Reason
			} else {
				got <- "error: " + err.Error()
			}
		}))
		t.Cleanup(srv.Close)
		opened := make(chan struct{})
		ws, err := NewWithOptions(pWSURL(srv), nil, &Options{OnOpen: func(*Event) { close(opened) }})
		if err != nil {
			t.Fatal(err)
		}
		pWait(t, opened, 10*time.Second, "open")
		if err := ws.SendText("a\xffb"); err != nil {
			t.Fatal(err)
		}
		if s := pWait(t, got, 5*time.Second, "the message"); s != "a\uFFFDb" {
			t.Fatalf("server received %q", s)
		}
		if err := ws.Close(WithCode(1000), WithReason("r\xed\xa0\x80")); err != nil { // a surrogate: three U+FFFD, as WHATWG decodes it
			t.Fatal(err)
		}
		if s := pWait(t, got, 5*time.Second, "the close"); s != "close: r\uFFFD\uFFFD\uFFFD" {
			t.Fatalf("server received %q", s)
		}
		pWait(t, ws.Done(), 10*time.Second, "the socket's end")
	})
}

// TestP58_UnsolicitedPong (P-58) checks that pongs that answer no ping (none sent,
// or another payload than the ping's) get no reply, cause no error and do
// not complete a Ping waiting for its own pong, in both roles.
func TestP58_UnsolicitedPong(t *testing.T) {
	for _, role := range pRoles {
		t.Run(role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			ctx := ctxT(t)
			peer.send(true, wsproto.OpPong, nil)
			peer.send(true, wsproto.OpPong, []byte("unsolicited"))
			peer.send(true, wsproto.OpPong, []byte{0, 0, 0, 0, 0, 0, 0, 99}) // looks like one of Ping's
			peer.send(true, wsproto.OpText, []byte("after the pongs"))
			if _, p, err := c.Read(ctx); err != nil || string(p) != "after the pongs" {
				t.Fatalf("Read: %q %v", p, err)
			}
			// No reply went out: the next frame is the one we write now.
			if err := c.Write(ctx, MessageText, []byte("mark")); err != nil {
				t.Fatal(err)
			}
			if h, p := peer.recv(); h.Opcode != wsproto.OpText || string(p) != "mark" {
				t.Fatalf("got %v %q, want our text message only", h.Opcode, p)
			}

			// A Ping is completed by its own pong only.
			pingDone := make(chan error, 1)
			go func() {
				_, err := c.Ping(ctx)
				pingDone <- err
			}()
			reads := pReadAsync(c)
			h, ping := peer.recv()
			if h.Opcode != wsproto.OpPing {
				t.Fatalf("got %v, want ping", h.Opcode)
			}
			wrong := append([]byte(nil), ping...)
			wrong[len(wrong)-1] ^= 0xff
			peer.send(true, wsproto.OpPong, wrong)
			peer.send(true, wsproto.OpText, []byte("sync")) // processed after the wrong pong
			if r := pWait(t, reads, 5*time.Second, "Read"); r.err != nil || string(r.p) != "sync" {
				t.Fatalf("Read: %q %v", r.p, r.err)
			}
			select {
			case err := <-pingDone:
				t.Fatalf("Ping returned (%v) on a pong with another payload", err)
			default:
			}
			reads = pReadAsync(c)
			peer.send(true, wsproto.OpPong, ping)
			peer.send(true, wsproto.OpText, []byte("sync"))
			pWait(t, reads, 5*time.Second, "Read")
			if err := pWait(t, pingDone, 5*time.Second, "Ping"); err != nil {
				t.Fatalf("Ping: %v", err)
			}
		})
	}
}

// TestP59_PingWhileOpenOnly (P-59) checks that pings can be sent at any time once
// the connection is established, with payloads within the control frame
// limit, and not after our close frame: Ping then fails without sending,
// and the keepalive sends no ping either (and does not cut the closing
// handshake short).
func TestP59_PingWhileOpenOnly(t *testing.T) {
	t.Run("over Dial and Accept", func(t *testing.T) {
		srv := httptest.NewServer(echoHandlerP())
		t.Cleanup(srv.Close)
		c, _, err := Dial(ctxT(t), pWSURL(srv), &DialOptions{NoProxy: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		reads := pReadAsync(c) // pongs are seen while reading
		for range 5 {
			if _, err := c.Ping(ctxT(t)); err != nil {
				t.Fatalf("Ping: %v", err)
			}
		}
		c.CloseNow()
		pWait(t, reads, 5*time.Second, "Read")
	})

	for _, role := range pRoles {
		t.Run("payload/"+role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, nil)
			reads := pReadAsync(c)
			pingDone := make(chan error, 1)
			go func() {
				_, err := c.Ping(ctxT(t))
				pingDone <- err
			}()
			h, p := peer.recv()
			if h.Opcode != wsproto.OpPing || len(p) > wsproto.MaxControlPayload || h.Masked != (role == wsproto.Client) {
				t.Fatalf("ping frame %+v, %d bytes", h, len(p))
			}
			peer.send(true, wsproto.OpPong, p)
			if err := pWait(t, pingDone, 5*time.Second, "Ping"); err != nil {
				t.Fatal(err)
			}
			c.CloseNow()
			pWait(t, reads, 5*time.Second, "Read")
		})
	}

	t.Run("after our close frame", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Server, &ConnOptions{CloseTimeout: 5 * time.Second})
		closed := make(chan error, 1)
		go func() { closed <- c.Close(CloseNormal, "") }()
		peer.expectClose(CloseNormal)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := c.Ping(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Ping after the close frame: %v, want an immediate error", err)
		}
		peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
		peer.expectOnlyEOF() // no ping went out
		if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})

	t.Run("keepalive stops after our close frame", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Server, &ConnOptions{
			PingInterval: 10 * time.Millisecond,
			PingTimeout:  10 * time.Millisecond,
			CloseTimeout: 5 * time.Second,
		})
		closed := make(chan error, 1)
		go func() { closed <- c.Close(CloseNormal, "") }()
		// Answer the keepalive's pings until our close frame arrives.
		for {
			h, p := peer.recv()
			if h.Opcode == wsproto.OpClose {
				break
			}
			if h.Opcode != wsproto.OpPing {
				t.Fatalf("got %v", h.Opcode)
			}
			peer.send(true, wsproto.OpPong, p)
		}
		// A peer may take its time to answer a close frame: many keepalive
		// periods pass, no ping may go out meanwhile, and the connection
		// must wait for the peer's close frame until CloseTimeout.
		peer.nc.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		var buf [64]byte
		n, err := peer.nc.Read(buf[:])
		peer.nc.SetReadDeadline(time.Time{})
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			var closeErr any = "still running"
			select {
			case err := <-closed:
				closeErr = err
			case <-time.After(time.Second):
			}
			t.Fatalf("during the closing handshake, the Conn sent % x then %v (Close: %v), well within CloseTimeout; want silence until the peer's close frame", buf[:n], err, closeErr)
		}
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v before the peer's close frame (within CloseTimeout)", err)
		default:
		}
		peer.send(true, wsproto.OpClose, closePayload(CloseNormal, ""))
		peer.expectOnlyEOF()
		if err := pWait(t, closed, 5*time.Second, "Close"); err != nil {
			t.Fatalf("Close: %v", err)
		}
	})
}

// echoHandlerP accepts any origin and echoes until the connection ends.
func echoHandlerP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, &AcceptOptions{InsecureSkipOriginCheck: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		echo(c)
	})
}
