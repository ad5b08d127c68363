package websocket

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestP87_ReadLimit (P-87) checks the message size limit: finite, at least 16 MiB
// by default (Autobahn 9.x sends 16 MiB messages), configurable per
// connection (ConnOptions.ReadLimit, Conn.SetReadLimit, or none at all),
// counted over the whole reassembled message, and enforced with 1009 from
// the frame header, before any payload is read or memory allocated for it
// (P-88: never allocate from a peer-declared length before checking it).
func TestP87_ReadLimit(t *testing.T) {
	if DefaultReadLimit < 16<<20 {
		t.Fatalf("DefaultReadLimit = %d, less than 16 MiB", DefaultReadLimit)
	}
	if got := (&ConnOptions{}).config().readLimit; got != DefaultReadLimit {
		t.Fatalf("default read limit %d, want DefaultReadLimit", got)
	}

	t.Run("default accepts 16 MiB", func(t *testing.T) {
		client, server := Pipe(nil)
		defer client.CloseNow()
		defer server.CloseNow()
		msg := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
		// 16 MiB through the race detector on a loaded machine: a generous bound.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		written := make(chan error, 1)
		go func() { written <- client.Write(ctx, MessageBinary, msg) }()
		_, p, err := server.Read(ctx)
		if err != nil || !bytes.Equal(p, msg) {
			t.Fatalf("Read: %d bytes, %v", len(p), err)
		}
		if err := pWait(t, written, time.Minute, "Write"); err != nil {
			t.Fatal(err)
		}
	})

	for _, tc := range []struct {
		name  string
		limit int64
		frags []int64 // payload sizes of the message's frames
		ok    bool
	}{
		{"default, one byte over", 0, []int64{DefaultReadLimit + 1}, false},
		{"default, declared 2^62 bytes", 0, []int64{1 << 62}, false},
		{"1000, exactly", 1000, []int64{1000}, true},
		{"1000, one byte over", 1000, []int64{1001}, false},
		{"1000, fragments within", 1000, []int64{500, 0, 500}, true},
		{"1000, fragments over", 1000, []int64{600, 401}, false},
		{"1000, overflowing sizes", 1000, []int64{999, 1<<63 - 1}, false},
	} {
		for _, role := range pRoles {
			t.Run(tc.name+"/"+role.String(), func(t *testing.T) {
				c, peer := newRawPair(t, role, &ConnOptions{ReadLimit: tc.limit})
				reads := pReadAsync(c)
				for i, n := range tc.frags {
					op := wsproto.OpBinary
					if i > 0 {
						op = wsproto.OpContinuation
					}
					fin := i == len(tc.frags)-1
					if !tc.ok && (i == len(tc.frags)-1) {
						// Only the header: the payload is never needed.
						h := wsproto.Header{Fin: fin, Opcode: op, Length: n, Masked: peer.role == wsproto.Client}
						peer.write(wsproto.AppendHeader(nil, h))
						break
					}
					peer.send(fin, op, make([]byte, n))
				}
				if tc.ok {
					r := pWait(t, reads, 10*time.Second, "Read")
					var total int64
					for _, n := range tc.frags {
						total += n
					}
					if r.err != nil || int64(len(r.p)) != total {
						t.Fatalf("Read: %d bytes, %v", len(r.p), r.err)
					}
					return
				}
				peer.expectFailed(CloseMessageTooBig)
				if r := pWait(t, reads, 5*time.Second, "Read"); !errors.Is(r.err, ErrMessageTooBig) {
					t.Fatalf("Read: %v", r.err)
				}
			})
		}
	}

	t.Run("SetReadLimit", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Server, &ConnOptions{ReadLimit: 100})
		ctx := ctxT(t)
		peer.send(true, wsproto.OpBinary, make([]byte, 100))
		if _, p, err := c.Read(ctx); err != nil || len(p) != 100 {
			t.Fatalf("Read: %d %v", len(p), err)
		}
		c.SetReadLimit(10)
		peer.send(true, wsproto.OpBinary, make([]byte, 10))
		if _, p, err := c.Read(ctx); err != nil || len(p) != 10 {
			t.Fatalf("Read: %d %v", len(p), err)
		}
		reads := pReadAsync(c)
		peer.send(true, wsproto.OpBinary, make([]byte, 11))
		peer.expectFailed(CloseMessageTooBig)
		pWait(t, reads, 5*time.Second, "Read")
	})

	t.Run("no limit", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Client, &ConnOptions{ReadLimit: -1})
		const size = DefaultReadLimit + 1
		go func() {
			peer.nc.Write(wsproto.AppendHeader(nil, wsproto.Header{Fin: true, Opcode: wsproto.OpBinary, Length: size}))
			chunk := make([]byte, 64<<10)
			for left := int64(size); left > 0; {
				n := min(left, int64(len(chunk)))
				if _, err := peer.nc.Write(chunk[:n]); err != nil {
					return
				}
				left -= n
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, r, err := c.Reader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, r); err != nil || n != size {
			t.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
	})

	t.Run("per connection", func(t *testing.T) {
		small, peerSmall := newRawPair(t, wsproto.Server, &ConnOptions{ReadLimit: 10})
		big, peerBig := newRawPair(t, wsproto.Server, nil)
		big.SetReadLimit(20)
		small.SetReadLimit(5)
		readsBig := pReadAsync(big)
		peerBig.send(true, wsproto.OpText, []byte("fifteen bytes!!"))
		if r := pWait(t, readsBig, 5*time.Second, "Read"); r.err != nil {
			t.Fatalf("Read on the other connection: %v", r.err)
		}
		readsSmall := pReadAsync(small)
		peerSmall.send(true, wsproto.OpText, []byte("six b!"))
		peerSmall.expectFailed(CloseMessageTooBig)
		pWait(t, readsSmall, 5*time.Second, "Read")
	})
}

// TestP88_PingFloodBounded (P-88) floods a Conn with 10,000 pings while reading
// none of its pongs. The Conn answers synchronously, so once the transport
// stops taking its pongs it stops reading pings: the flood is held back by
// the transport's buffers instead of piling up replies in memory (the
// writer of the pings stalls after a bounded number). Once the pongs are
// read, every ping has been answered in order (at least the latest, which
// RFC 6455 requires), and the connection still carries messages both ways.
func TestP88_PingFloodBounded(t *testing.T) {
	const n = 10000
	for _, role := range pRoles {
		t.Run(role.String(), func(t *testing.T) {
			c, peer := newRawPair(t, role, &ConnOptions{CloseTimeout: 30 * time.Second})
			reads := pReadAsync(c)
			ping := func(i int) []byte {
				p := make([]byte, wsproto.MaxControlPayload)
				binary.BigEndian.PutUint32(p, uint32(i))
				return p
			}
			var written atomic.Int64
			writerDone := make(chan error, 1)
			go func() {
				for i := range n {
					if _, err := peer.nc.Write(pPeerFrame(peer, true, wsproto.OpPing, ping(i)).bytes()); err != nil {
						writerDone <- err
						return
					}
					written.Add(1)
				}
				writerDone <- nil
			}()

			// Wait for the writer to stall (or finish, which would mean the
			// pongs pile up somewhere).
			deadline := time.Now().Add(5 * time.Second)
			last, still := int64(-1), 0
			for time.Now().Before(deadline) && still < 5 {
				time.Sleep(20 * time.Millisecond)
				if w := written.Load(); w == last {
					still++
				} else {
					last, still = w, 0
				}
			}
			// What the two 64 KiB pipe buffers and the read buffer can hold.
			frame := int64(len(pPeerFrame(peer, true, wsproto.OpPing, ping(0)).bytes()))
			bound := (2*pipeCapacity+DefaultReadBufferSize)/(frame-4) + 10
			t.Logf("%d pings written before the stall (bound %d)", written.Load(), bound)
			if w := written.Load(); w > bound {
				t.Fatalf("%d of %d pings went in without their pongs being read (bound %d): replies are buffered without limit", w, n, bound)
			}

			// Read the pongs.
			next := 0
			for next < n {
				h, p := peer.recv()
				if h.Opcode != wsproto.OpPong || len(p) != wsproto.MaxControlPayload {
					t.Fatalf("got %v of %d bytes, want a pong", h.Opcode, len(p))
				}
				i := int(binary.BigEndian.Uint32(p))
				if i < next || !bytes.Equal(p, ping(i)) {
					t.Fatalf("pong for ping %d after the one for %d", i, next-1)
				}
				next = i + 1
			}
			if err := pWait(t, writerDone, 10*time.Second, "the ping writer"); err != nil {
				t.Fatal(err)
			}

			// Still usable both ways.
			peer.send(true, wsproto.OpText, []byte("still there?"))
			if r := pWait(t, reads, 10*time.Second, "Read"); r.err != nil || string(r.p) != "still there?" {
				t.Fatalf("Read: %q %v", r.p, r.err)
			}
			if err := c.Write(ctxT(t), MessageText, []byte("yes")); err != nil {
				t.Fatal(err)
			}
			if h, p := peer.recv(); h.Opcode != wsproto.OpText || string(p) != "yes" {
				t.Fatalf("got %v %q", h.Opcode, p)
			}
		})
	}
}

// TestP94_UnpredictableKeys (P-94) checks that handshake keys and masking keys are
// fresh: Sec-WebSocket-Key differs on every connection (and is 16 random
// bytes in canonical base64), masking keys differ from frame to frame and
// from connection to connection, data and control frames alike. 32-bit
// masking keys may collide by chance (about 1 in 30,000 for 500 keys): one
// repeat is tolerated.
func TestP94_UnpredictableKeys(t *testing.T) {
	t.Run("NewKey", func(t *testing.T) {
		seen := make(map[string]bool)
		for range 1000 {
			k := wsproto.NewKey()
			b, err := base64.StdEncoding.Strict().DecodeString(k)
			if err != nil || len(b) != 16 {
				t.Fatalf("key %q: %d bytes, %v", k, len(b), err)
			}
			if seen[k] {
				t.Fatalf("key %q repeated", k)
			}
			seen[k] = true
		}
	})

	t.Run("Dial", func(t *testing.T) {
		var mu sync.Mutex
		var keys []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			keys = append(keys, r.Header.Values("Sec-WebSocket-Key")...)
			mu.Unlock()
			http.Error(w, "no", http.StatusForbidden)
		}))
		t.Cleanup(srv.Close)
		const dials = 20
		for range dials {
			if _, _, err := Dial(ctxT(t), pWSURL(srv), &DialOptions{NoProxy: true}); err == nil {
				t.Fatal("Dial succeeded")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		seen := make(map[string]bool)
		for _, k := range keys {
			if seen[k] || k == pKey {
				t.Fatalf("key %q reused", k)
			}
			seen[k] = true
		}
		if len(seen) != dials {
			t.Fatalf("%d keys for %d connections", len(seen), dials)
		}
	})

	t.Run("masking keys per frame", func(t *testing.T) {
		c, peer := newRawPair(t, wsproto.Client, &ConnOptions{WriteBufferSize: 256})
		ctx := ctxT(t)
		const messages, pongs = 400, 100
		pReadAsync(c) // answers the pings below; ends with the test
		for i := range pongs {
			peer.send(true, wsproto.OpPing, []byte("ping "+strconv.Itoa(i)))
		}
		done := make(chan error, 1)
		go func() {
			for i := range messages {
				var err error
				switch i % 4 {
				case 0, 1:
					err = c.Write(ctx, MessageText, []byte("short "+strconv.Itoa(i)))
				case 2:
					err = c.Write(ctx, MessageBinary, make([]byte, 1000)) // through the masking buffer
				case 3:
					err = c.Write(ctx, MessageBinary, nil)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		counts := make(map[[4]byte]int)
		var zero, gotPongs int
		for range messages + pongs {
			h, _ := peer.recv()
			if !h.Masked {
				t.Fatalf("unmasked %v frame from a client", h.Opcode)
			}
			if h.Opcode == wsproto.OpPong {
				gotPongs++
			}
			counts[h.Mask]++
			if h.Mask == [4]byte{} {
				zero++
			}
		}
		if err := pWait(t, done, 10*time.Second, "the writer"); err != nil {
			t.Fatal(err)
		}
		if gotPongs != pongs {
			t.Fatalf("%d pongs, want %d", gotPongs, pongs)
		}
		if frames := messages + pongs; len(counts) < frames-1 || zero > 1 {
			t.Fatalf("%d distinct masking keys in %d frames (%d zero)", len(counts), frames, zero)
		}
	})

	t.Run("masking keys per connection", func(t *testing.T) {
		const conns = 50
		seen := make(map[[4]byte]bool)
		for range conns {
			c, peer := newRawPair(t, wsproto.Client, nil)
			if err := c.Write(ctxT(t), MessageText, []byte("first")); err != nil {
				t.Fatal(err)
			}
			h, _ := peer.recv()
			seen[h.Mask] = true
			c.CloseNow()
		}
		if len(seen) < conns-1 {
			t.Fatalf("%d distinct first masking keys over %d connections", len(seen), conns)
		}
	})
}

// TestP95_ServerDefenses (P-95) checks the server's defaults against abuse: the
// origin check is on unless turned off (403 for a foreign or "null" Origin,
// through Accept with nil options, while clients without Origin and
// same-origin pages get in), and the read limit is per connection (one
// connection with a small limit fails with 1009 while another, with the
// default, takes the same message). Authentication before the upgrade is
// TestP27_AuthenticationBeforeUpgrade.
func TestP95_ServerDefenses(t *testing.T) {
	acceptErrs := make(chan error, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var opts *AcceptOptions // the defaults
		if l := r.URL.Query().Get("limit"); l != "" {
			n, _ := strconv.Atoi(l)
			opts = &AcceptOptions{ConnOptions: ConnOptions{ReadLimit: int64(n)}}
		}
		c, err := Accept(w, r, opts)
		acceptErrs <- err
		if err != nil {
			return
		}
		defer c.CloseNow()
		echo(c)
	}))
	t.Cleanup(srv.Close)
	host := srv.Listener.Addr().String()

	for _, tc := range []struct {
		name   string
		origin string // "" for none
		ok     bool
	}{
		{"no Origin", "", true},
		{"same origin", "http://" + host, true},
		{"foreign origin", "https://evil.example", false},
		{"same host, other port", "http://127.0.0.1:1", false},
		{"null origin", "null", false},
	} {
		t.Run("origin/"+tc.name, func(t *testing.T) {
			var h http.Header
			if tc.origin != "" {
				h = http.Header{"Origin": {tc.origin}}
			}
			c, resp, err := Dial(ctxT(t), pWSURL(srv), &DialOptions{NoProxy: true, Header: h})
			aerr := pWait(t, acceptErrs, 5*time.Second, "Accept")
			if tc.ok {
				if err != nil || aerr != nil {
					t.Fatalf("Dial: %v; Accept: %v", err, aerr)
				}
				c.CloseNow()
				return
			}
			var he *HandshakeError
			if !errors.As(err, &he) || he.StatusCode != http.StatusForbidden || resp == nil {
				t.Fatalf("Dial: %v, want a 403 *HandshakeError", err)
			}
			if !errors.Is(aerr, ErrOriginNotAllowed) {
				t.Fatalf("Accept: %v", aerr)
			}
		})
	}

	t.Run("read limit per connection", func(t *testing.T) {
		ctx := ctxT(t)
		limited, _, err := Dial(ctx, pWSURL(srv)+"/?limit=100", &DialOptions{NoProxy: true})
		if err != nil {
			t.Fatal(err)
		}
		defer limited.CloseNow()
		other, _, err := Dial(ctx, pWSURL(srv), &DialOptions{NoProxy: true})
		if err != nil {
			t.Fatal(err)
		}
		defer other.CloseNow()
		for range 2 {
			if err := pWait(t, acceptErrs, 5*time.Second, "Accept"); err != nil {
				t.Fatal(err)
			}
		}
		msg := bytes.Repeat([]byte("x"), 200)
		if err := other.Write(ctx, MessageBinary, msg); err != nil {
			t.Fatal(err)
		}
		if _, p, err := other.Read(ctx); err != nil || !bytes.Equal(p, msg) {
			t.Fatalf("echo on the default connection: %d bytes, %v", len(p), err)
		}
		if err := limited.Write(ctx, MessageBinary, msg); err != nil {
			t.Fatal(err)
		}
		if _, _, err := limited.Read(ctx); CloseStatus(err) != CloseMessageTooBig {
			t.Fatalf("limited connection: %v, want the server's close with 1009", err)
		}
	})
}
