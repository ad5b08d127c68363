package wsproto_test

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/wsstack/websocket/internal/flate/flatetest"
	"github.com/wsstack/websocket/wsproto"
)

// compressAll is the Deflater's sending side without a threshold.
var compressAll = deflateConfig{Threshold: -1}

// jsonMessages returns n JSON messages of varied sizes that repeat each
// other's keys and values, as a stream of API events does.
func jsonMessages(n int, seed uint64) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	names := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"}
	msgs := make([][]byte, n)
	for i := range msgs {
		var b strings.Builder
		b.WriteString(`{"events":[`)
		for j := range 1 + rng.IntN(60) {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":%d,"name":"%s","value":%d.%d,"ok":%v}`, rng.IntN(100000), names[rng.IntN(len(names))], rng.IntN(1000), rng.IntN(10), rng.IntN(2) == 0)
		}
		b.WriteString("]}")
		msgs[i] = []byte(b.String())
	}
	return msgs
}

// inflateAll decompresses payloads as the messages of one connection with
// compress/flate directly: one stream, each payload followed by the
// removed 00 00 ff ff.
func inflateAll(t testing.TB, payloads ...[]byte) []byte {
	t.Helper()
	var stream []byte
	for _, p := range payloads {
		stream = append(append(stream, p...), 0, 0, 0xff, 0xff)
	}
	r := stdflate.NewReader(io.MultiReader(bytes.NewReader(stream), bytes.NewReader([]byte{1, 0, 0, 0xff, 0xff})))
	all, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("compress/flate: %v", err)
	}
	return all
}

// P-79: the sender compresses the whole message and removes the sync
// flush's 00 00 ff ff.
func TestP79_CompressedPayload(t *testing.T) {
	d := wsproto.NewDeflater(full.Server, compressAll)
	got, ok := d.Compress(nil, []byte("Hello"))
	// RFC 7692 section 7.2.3.1. Another compressor may produce other
	// bytes; ours happens to produce these.
	if want := []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}; !ok || !bytes.Equal(got, want) {
		t.Errorf(`"Hello" compresses to % x (ok %v), want % x`, got, ok, want)
	}
	// RFC 7692 section 7.2.3.6: an empty message is the single byte 00.
	d = wsproto.NewDeflater(full.Server, compressAll)
	if got, ok := d.Compress([]byte("prefix"), nil); !ok || string(got) != "prefix\x00" {
		t.Errorf("empty message: %q (ok %v), want prefix + 00", got, ok)
	}
	// Without context takeover, one byte is no gain: it goes uncompressed.
	d = wsproto.NewDeflater(direction{NoContextTakeover: true, WindowBits: 15}, compressAll)
	if got, ok := d.Compress([]byte("prefix"), nil); ok || string(got) != "prefix" {
		t.Errorf("empty message without takeover: %q (ok %v), want it uncompressed", got, ok)
	}
	// ... and so is one after others, with context takeover.
	d = wsproto.NewDeflater(full.Server, compressAll)
	d.Compress(nil, []byte("some message"))
	if got, _ := d.Compress(nil, nil); !bytes.Equal(got, []byte{0}) {
		t.Errorf("empty message after another: % x", got)
	}

	// The frame of RFC 7692 section 7.2.3.1 as a server sends it, and an
	// empty compressed message (frame c1 01 00).
	w := wsproto.NewWriter(wsproto.Server)
	d = wsproto.NewDeflater(full.Server, compressAll)
	payload, _ := d.Compress(nil, []byte("Hello"))
	wire, _ := w.AppendData(nil, wsproto.OpText, true, true, payload)
	payload, _ = d.Compress(nil, nil)
	wire, _ = w.AppendData(wire, wsproto.OpText, true, true, payload)
	if want := []byte{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xc1, 0x01, 0x00}; !bytes.Equal(wire, want) {
		t.Errorf("frames % x, want % x", wire, want)
	}

	// A message of every size round-trips, through compress/flate too.
	msgs := jsonMessages(40, 1)
	for _, takeover := range []bool{true, false} {
		dir := direction{NoContextTakeover: !takeover, WindowBits: 15}
		d := wsproto.NewDeflater(dir, compressAll)
		f := wsproto.NewInflater(dir, 0)
		var payloads [][]byte
		for _, m := range msgs {
			p, ok := d.Compress(nil, m)
			if !ok {
				t.Fatalf("a %d-byte JSON message was not compressed", len(m))
			}
			if bytes.HasSuffix(p, []byte{0, 0, 0xff, 0xff}) {
				t.Fatalf("payload ends with the sync flush trailer")
			}
			got, err := f.Inflate(nil, p)
			if err != nil || !bytes.Equal(got, m) {
				t.Fatalf("takeover %v: inflated %d bytes, %v", takeover, len(got), err)
			}
			payloads = append(payloads, p)
		}
		if takeover {
			if got := inflateAll(t, payloads...); !bytes.Equal(got, bytes.Join(msgs, nil)) {
				t.Fatal("compress/flate disagrees")
			}
		} else {
			for i, p := range payloads {
				if got := inflateAll(t, p); !bytes.Equal(got, msgs[i]) {
					t.Fatal("compress/flate disagrees")
				}
			}
		}
	}
}

// P-79, P-81: small messages, and, without context takeover, messages
// that do not shrink, go out uncompressed.
func TestP81_Uncompressed(t *testing.T) {
	noTakeover := direction{NoContextTakeover: true, WindowBits: 15}
	d := wsproto.NewDeflater(noTakeover, deflateConfig{})
	if got, ok := d.Compress([]byte("x"), bytes.Repeat([]byte("a"), wsproto.DefaultDeflateThreshold-1)); ok || string(got) != "x" {
		t.Errorf("message under the threshold: compressed %v, %q", ok, got)
	}
	if _, ok := d.Compress(nil, bytes.Repeat([]byte("a"), wsproto.DefaultDeflateThreshold)); !ok {
		t.Error("message at the threshold not compressed")
	}
	noise := make([]byte, 1000)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	if got, ok := d.Compress([]byte("x"), noise); ok || string(got) != "x" {
		t.Errorf("incompressible message without takeover: compressed %v, %d bytes", ok, len(got))
	}
	d = wsproto.NewDeflater(full.Server, deflateConfig{Threshold: 10})
	if _, ok := d.Compress(nil, noise); !ok {
		t.Error("with takeover a message over the threshold must be compressed (the window follows it)")
	}
	if _, ok := d.Compress(nil, []byte("short")); ok {
		t.Error("Threshold 10: a 5-byte message was compressed")
	}
}

// Streaming: a message compressed in pieces, sent in frames as they come,
// decoded through the protocol Reader.
func TestDeflateStreamThroughFrames(t *testing.T) {
	msgs := jsonMessages(20, 2)
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		for _, takeover := range []bool{true, false} {
			dir := direction{NoContextTakeover: !takeover, WindowBits: 12}
			d := wsproto.NewDeflater(dir, compressAll)
			w := wsproto.NewWriter(role)
			var wire []byte
			for i, m := range msgs {
				op := wsproto.OpText
				rest := m
				first := true
				for len(rest) > 0 {
					n := min(len(rest), 1+i*37)
					p := d.Write(nil, rest[:n])
					rest = rest[n:]
					if len(p) > 0 || first {
						wire, _ = w.AppendData(wire, op, false, first, p)
						op, first = wsproto.OpContinuation, false
					}
				}
				wire, _ = w.AppendData(wire, op, true, first, d.Finish(nil))
			}
			r := wsproto.NewReader(peer(role))
			r.AllowRSV1(true)
			f := wsproto.NewInflater(dir, 1<<20)
			var got [][]byte
			var payload []byte
			for len(wire) > 0 {
				ev, n, err := r.Next(wire)
				if err != nil {
					t.Fatal(err)
				}
				wire = wire[n:]
				if ev.Kind != wsproto.EventData {
					continue
				}
				if ev.Start && !ev.Compressed {
					t.Fatal("message not marked compressed")
				}
				payload = append(payload, ev.Payload...)
				if ev.Fin {
					m, err := f.Inflate(nil, payload)
					if err != nil {
						t.Fatal(err)
					}
					got, payload = append(got, m), nil
				}
			}
			if len(got) != len(msgs) {
				t.Fatalf("%d messages, want %d", len(got), len(msgs))
			}
			for i := range msgs {
				if !bytes.Equal(got[i], msgs[i]) {
					t.Fatalf("%v, takeover %v: message %d differs", role, takeover, i)
				}
			}
		}
	}
}

// The examples of RFC 7692 section 7.2.3, as payloads.
var (
	rfcHello         = []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}                                     // 7.2.3.1
	rfcHelloAgain    = []byte{0xf2, 0x00, 0x11, 0x00, 0x00}                                                 // 7.2.3.2, after rfcHello
	rfcHelloStored   = []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}             // 7.2.3.3
	rfcHelloBFINAL   = []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}                               // 7.2.3.4
	rfcHelloTwoBlock = []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00} // 7.2.3.5
)

// inflateBoth inflates each payload as a message of one connection twice,
// with Inflate and with Reader over a one-byte-at-a-time source, and checks
// that the two agree.
func inflateBoth(t *testing.T, dir direction, limit int64, payloads ...[]byte) ([]string, error) {
	t.Helper()
	whole := wsproto.NewInflater(dir, limit)
	streamed := wsproto.NewInflater(dir, limit)
	var out []string
	for _, p := range payloads {
		keep := bytes.Clone(p)
		a, errA := whole.Inflate(nil, p)
		if !bytes.Equal(p, keep) {
			t.Fatal("Inflate modified the payload")
		}
		r := streamed.Reader(iotest.OneByteReader(bytes.NewReader(p)))
		b, errB := io.ReadAll(r)
		if errB == nil {
			errB = r.Close()
		}
		if errA != nil || errB != nil {
			if !errors.Is(errA, errB) && !errors.Is(errB, errA) {
				t.Fatalf("Inflate: %v; Reader: %v", errA, errB)
			}
			return out, errA
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("Inflate gave %q, Reader %q", a, b)
		}
		out = append(out, string(a))
	}
	return out, nil
}

// P-80: the receiver appends 00 00 ff ff and inflates; BFINAL blocks,
// stored blocks and several blocks work; an empty payload is an empty
// message.
func TestP80_Inflate(t *testing.T) {
	noTakeover := direction{NoContextTakeover: true, WindowBits: 15}
	tests := []struct {
		name     string
		dir      direction
		payloads [][]byte
		want     []string
	}{
		{"7.2.3.1 Hello", full.Client, [][]byte{rfcHello}, []string{"Hello"}},
		{"7.2.3.2 shared window", full.Client, [][]byte{rfcHello, rfcHelloAgain}, []string{"Hello", "Hello"}},
		{"7.2.3.3 stored block", full.Client, [][]byte{rfcHelloStored}, []string{"Hello"}},
		{"7.2.3.4 BFINAL", full.Client, [][]byte{rfcHelloBFINAL}, []string{"Hello"}},
		{"7.2.3.4 BFINAL, then the window goes on", full.Client, [][]byte{rfcHelloBFINAL, rfcHelloAgain}, []string{"Hello", "Hello"}},
		{"7.2.3.4 BFINAL without the padding byte", full.Client, [][]byte{rfcHelloBFINAL[:7]}, []string{"Hello"}},
		{"7.2.3.5 two blocks", full.Client, [][]byte{rfcHelloTwoBlock}, []string{"Hello"}},
		{"7.2.3.6 empty", full.Client, [][]byte{{0x00}}, []string{""}},
		{"zero-length payload", full.Client, [][]byte{{}}, []string{""}},
		{"zero-length payload between others", full.Client, [][]byte{rfcHello, {}, rfcHelloAgain}, []string{"Hello", "", "Hello"}},
		{"blocks after a BFINAL block in one message", full.Client, [][]byte{cat(rfcHelloBFINAL[:7], rfcHelloAgain)}, []string{"HelloHello"}},
		{"blocks after a BFINAL block, no takeover", noTakeover, [][]byte{cat(rfcHelloBFINAL[:7], rfcHelloAgain)}, []string{"HelloHello"}},
		{"three BFINAL blocks", full.Client, [][]byte{cat(rfcHelloBFINAL[:7], rfcHelloBFINAL[:7], rfcHelloBFINAL)}, []string{"HelloHelloHello"}},
		{"trailer left in by the sender", full.Client, [][]byte{cat(rfcHello, []byte{0, 0, 0xff, 0xff}), rfcHelloAgain}, []string{"Hello", "Hello"}},
		{"BFINAL stored block ending in 00 00 ff ff", full.Client, [][]byte{{0x01, 0x04, 0x00, 0xfb, 0xff, 0x00, 0x00, 0xff, 0xff}}, []string{"\x00\x00\xff\xff"}},
		{"no takeover: each message alone", noTakeover, [][]byte{rfcHello, rfcHelloStored, rfcHello}, []string{"Hello", "Hello", "Hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := inflateBoth(t, tt.dir, 0, tt.payloads...)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// P-80: compressed messages through the protocol Reader, RSV1 on the first
// frame only, split over frames anywhere.
func TestP80_CompressedFrames(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		wire := cat(
			frRSV(role, true, wsproto.RSV1, opText, string(rfcHello)),
			frRSV(role, false, wsproto.RSV1, opText, string(rfcHelloAgain[:2])),
			fr(role, true, opCont, string(rfcHelloAgain[2:])),
			frRSV(role, true, wsproto.RSV1, opBinary, ""),
			fr(role, true, opText, "plain"),
		)
		r := wsproto.NewReader(role)
		r.AllowRSV1(true)
		res := drive(r, wire, byteChunks, t.Fatalf)
		f := wsproto.NewInflater(full.Client, 0)
		var got []string
		for _, rec := range res.records {
			if !rec.Compressed {
				got = append(got, rec.Payload)
				continue
			}
			m, err := f.Inflate(nil, []byte(rec.Payload))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(m))
		}
		if want := "Hello|Hello||plain"; strings.Join(got, "|") != want {
			t.Fatalf("%v: got %q, want %q", role, got, want)
		}
	}
}

// P-82: context takeover: the window carries over unless the agreement
// says the sender resets.
func TestP82_ContextTakeover(t *testing.T) {
	msg := jsonMessages(1, 3)[0]
	for _, bits := range []int{9, 15} {
		takeover := direction{WindowBits: bits}
		d := wsproto.NewDeflater(takeover, compressAll)
		first, _ := d.Compress(nil, msg)
		second, _ := d.Compress(nil, msg)
		if len(second)*4 > len(first) && bits == 15 {
			t.Errorf("%d bits: the repeat took %d bytes after %d", bits, len(second), len(first))
		}
		got, err := inflateBoth(t, takeover, 0, first, second)
		if err != nil || len(got) != 2 || got[1] != string(msg) {
			t.Fatalf("%d bits: %v", bits, err)
		}
		// A receiver that drops its window (allowed only when the sender
		// resets) cannot follow.
		if _, err := inflateBoth(t, direction{NoContextTakeover: true, WindowBits: bits}, 0, first, second); err == nil && bits == 15 {
			t.Errorf("%d bits: the second message decoded without the first", bits)
		}

		reset := direction{NoContextTakeover: true, WindowBits: bits}
		d = wsproto.NewDeflater(reset, compressAll)
		first, _ = d.Compress(nil, msg)
		second, _ = d.Compress(nil, msg)
		if !bytes.Equal(first, second) {
			t.Errorf("%d bits, no takeover: the repeat compressed differently", bits)
		}
		if got, err := inflateBoth(t, reset, 0, second); err != nil || got[0] != string(msg) {
			t.Fatalf("%d bits, no takeover: the message does not decode alone: %v", bits, err)
		}
	}
}

// P-82: with LowMemoryTakeover the stream is the same, byte for byte, at
// the default and best levels. At the fast level, whose index of the
// history holds only some of its positions, the low-memory compressor
// indexes all of them again: its stream differs, by little, and decodes
// the same.
func TestP82_LowMemoryTakeover(t *testing.T) {
	msgs := jsonMessages(30, 11)
	for _, level := range []wsproto.CompressionLevel{wsproto.CompressionFast, wsproto.CompressionDefault, wsproto.CompressionBest} {
		for _, bits := range []int{9, 15} {
			dir := direction{WindowBits: bits}
			cfg := compressAll
			cfg.Level = level
			kept := wsproto.NewDeflater(dir, cfg)
			lowMem := cfg
			lowMem.LowMemoryTakeover = true
			parked := wsproto.NewDeflater(dir, lowMem)
			f := wsproto.NewInflater(dir, 0)
			sizeKept, sizeParked := 0, 0
			for i, m := range msgs {
				a, _ := kept.Compress(nil, m)
				b, _ := parked.Compress(nil, m)
				sizeKept += len(a)
				sizeParked += len(b)
				if level != wsproto.CompressionFast && !bytes.Equal(a, b) {
					t.Fatalf("level %d, %d bits, message %d: the low-memory compressor differs", level, bits, i)
				}
				if got, err := f.Inflate(nil, b); err != nil || !bytes.Equal(got, m) {
					t.Fatalf("level %d, %d bits, message %d: %v", level, bits, i, err)
				}
			}
			if d := sizeParked - sizeKept; d > sizeKept/100 || -d > sizeKept/20 {
				t.Errorf("level %d, %d bits: %d bytes with LowMemoryTakeover, %d without", level, bits, sizeParked, sizeKept)
			}
		}
	}
}

// P-82: the Deflater built from the agreement keeps the client's promise
// of client_no_context_takeover even though the response left it out.
func TestP82_PromiseKept(t *testing.T) {
	cfg := deflateConfig{ClientNoContextTakeover: true, Threshold: -1}
	agreed, err := wsproto.AcceptDeflateResponse(wsproto.DeflateOffer(cfg), pmdElement(t, "permessage-deflate"))
	if err != nil {
		t.Fatal(err)
	}
	d := wsproto.NewDeflater(agreed.Outgoing(wsproto.Client), cfg)
	msg := jsonMessages(1, 4)[0]
	d.Compress(nil, msg)
	second, _ := d.Compress(nil, msg)
	if _, err := inflateBoth(t, direction{NoContextTakeover: true, WindowBits: 15}, 0, second); err != nil {
		t.Fatalf("the second message depends on the first: %v", err)
	}
}

// P-83: no back-reference reaches farther than the agreed window, for
// every window size, across messages (takeover) and within them.
func TestP83_WindowBitsHonoured(t *testing.T) {
	msgs := jsonMessages(60, 5)
	big := bytes.Repeat(msgs[0], 40) // messages bigger than any window
	msgs = append(msgs, big, msgs[1], big)
	for bits := 8; bits <= 15; bits++ {
		for _, takeover := range []bool{true, false} {
			for _, level := range []wsproto.CompressionLevel{wsproto.CompressionFast, wsproto.CompressionDefault, wsproto.CompressionBest} {
				// The window comes from the negotiation: the peer asked for it.
				_, agreed, ok := wsproto.NegotiateDeflate(pmdElements(t, fmt.Sprintf("permessage-deflate; server_max_window_bits=%d", bits)),
					deflateConfig{ServerNoContextTakeover: !takeover})
				if !ok || agreed.Server.WindowBits != bits {
					t.Fatalf("%d bits: agreement %+v", bits, agreed)
				}
				dir := agreed.Outgoing(wsproto.Server)
				d := wsproto.NewDeflater(dir, deflateConfig{Threshold: -1, Level: level})
				f := wsproto.NewInflater(agreed.Incoming(wsproto.Client), 0)
				var history []byte
				for i, m := range msgs {
					p, _ := d.Compress(nil, m)
					st, err := flatetest.Decode(append(p, 0, 0, 0xff, 0xff), history)
					if err != nil {
						t.Fatalf("%d bits, takeover %v, message %d: %v", bits, takeover, i, err)
					}
					if !bytes.Equal(st.Out, m) {
						t.Fatalf("%d bits, takeover %v, message %d decodes wrong", bits, takeover, i)
					}
					if st.MaxDist > 1<<bits {
						t.Fatalf("%d bits, takeover %v, message %d: back-reference of %d bytes", bits, takeover, i, st.MaxDist)
					}
					if got, err := f.Inflate(nil, p); err != nil || !bytes.Equal(got, m) {
						t.Fatalf("%d bits, takeover %v, message %d: Inflater: %v", bits, takeover, i, err)
					}
					if takeover {
						// The next message may reach back into this one: keep exactly the window.
						history = append(history, m...)
						history = history[max(0, len(history)-1<<bits):]
					}
				}
			}
		}
	}
}

// zipBomb returns a payload that inflates to n zero bytes (n >= 259): one
// fixed Huffman block with the literal 0 and then back-references of 258
// bytes at distance 1, 13 bits each, so about 2000 times smaller than its
// output.
func zipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var out []byte
	var acc uint64
	var nbits uint
	put := func(v uint64, n uint) {
		acc |= v << nbits
		for nbits += n; nbits >= 8; nbits -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	// Fixed Huffman codes are sent most significant bit first.
	code := func(c uint64, n uint) {
		for i := range n {
			put(c>>(n-1-i)&1, 1)
		}
	}
	put(0b010, 3)       // BFINAL 0, BTYPE 01
	code(0b00110000, 8) // literal 0
	for n--; n >= 258; n -= 258 {
		code(0b11000101, 8) // length symbol 285: 258
		code(0, 5)          // distance symbol 0: 1
	}
	for ; n > 0; n-- {
		code(0b00110000, 8)
	}
	code(0, 7)     // end of block
	put(0, 3)      // the empty stored block of the sync flush...
	if nbits > 0 { // ... padded, its 00 00 ff ff removed
		put(0, 8-nbits)
	}
	return out
}

// P-84: the limit on the decompressed size is enforced while inflating.
func TestP84_ZipBombRefusedWhileInflating(t *testing.T) {
	const limit = 1 << 20
	bomb := zipBomb(t, 64<<20)
	if got, err := flatetest.Decode(append(bytes.Clone(zipBomb(t, 100000)), 0, 0, 0xff, 0xff), nil); err != nil || len(got.Out) != 100000 {
		t.Fatalf("the bomb is not what it claims: %d bytes, %v", len(got.Out), err)
	}
	t.Logf("a %d-byte payload inflating to 64 MiB", len(bomb))

	f := wsproto.NewInflater(full.Client, limit)
	got, err := f.Inflate([]byte("kept"), bomb)
	checkErr(t, err, wsproto.ErrDeflateTooBig, wsproto.CloseMessageTooBig)
	if string(got) != "kept" {
		t.Errorf("on error Inflate returned %d bytes, want dst as it was", len(got))
	}
	if c := cap(got); c > 4*limit {
		t.Errorf("Inflate grew its buffer to %d bytes for a limit of %d", c, limit)
	}
	// The Inflater is broken after it: the window no longer follows.
	if _, err := f.Inflate(nil, rfcHello); !errors.Is(err, wsproto.ErrDeflateTooBig) {
		t.Errorf("after the error: %v", err)
	}

	// Streamed: no more than the limit comes out.
	f = wsproto.NewInflater(full.Client, limit)
	r := f.Reader(bytes.NewReader(bomb))
	n, err := io.Copy(io.Discard, r)
	checkErr(t, err, wsproto.ErrDeflateTooBig, wsproto.CloseMessageTooBig)
	if n > limit {
		t.Errorf("the reader gave %d bytes over a limit of %d", n, limit)
	}

	// Exactly at the limit is fine, one byte over is not.
	for _, size := range []int{limit, limit + 1} {
		d := wsproto.NewDeflater(full.Server, compressAll)
		p, _ := d.Compress(nil, bytes.Repeat([]byte("ab"), size)[:size])
		_, err := inflateBoth(t, full.Server, limit, p)
		if (err == nil) != (size <= limit) {
			t.Errorf("a %d-byte message with a limit of %d: %v", size, limit, err)
		}
	}
}

// P-85: corrupt data fails with 1007.
func TestP85_CorruptData1007(t *testing.T) {
	tests := []struct {
		name     string
		payloads [][]byte
	}{
		{"reserved block type", [][]byte{{0x07, 0x00}}},
		{"stored block LEN/NLEN mismatch", [][]byte{{0x00, 0x05, 0x00, 0x00, 0x00, 'H', 'e', 'l', 'l', 'o'}}},
		{"stored block cut short", [][]byte{rfcHelloStored[:7]}},
		{"reference before the start", [][]byte{rfcHelloAgain}},
		{"reference before the start, second message", [][]byte{rfcHelloStored, {0xf2, 0x00, 0x31, 0x00, 0x00}}},
		{"over-subscribed dynamic code", [][]byte{{0xed, 0xff, 0xff, 0xff, 0xff, 0xff}}},
		{"garbage", [][]byte{[]byte("this is not deflate data at all")}},
		{"BFINAL block followed by garbage", [][]byte{cat(rfcHelloBFINAL[:7], []byte{0xff, 0xff})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inflateBoth(t, full.Client, 0, tt.payloads...)
			checkErr(t, err, wsproto.ErrDeflateCorrupt, wsproto.CloseInvalidPayload)
		})
	}
}

// The source's own error comes out as it is, and breaks the Inflater.
func TestInflateSourceError(t *testing.T) {
	boom := errors.New("connection reset")
	f := wsproto.NewInflater(full.Client, 0)
	r := f.Reader(io.MultiReader(bytes.NewReader(rfcHello[:3]), iotest.ErrReader(boom)))
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the source's error", err)
	}
	if _, err := f.Inflate(nil, rfcHello); !errors.Is(err, boom) {
		t.Fatalf("after a source error: %v", err)
	}
}

// Reader.Close with context takeover inflates the unread rest, so the next
// message still decodes; not closing it breaks the Inflater.
func TestInflateReaderClose(t *testing.T) {
	d := wsproto.NewDeflater(full.Server, compressAll)
	msgs := jsonMessages(3, 6)
	var payloads [][]byte
	for _, m := range msgs {
		p, _ := d.Compress(nil, m)
		payloads = append(payloads, p)
	}
	f := wsproto.NewInflater(full.Server, 0)
	r := f.Reader(bytes.NewReader(payloads[0]))
	io.ReadFull(r, make([]byte, 10))
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Inflate(nil, payloads[1]); err != nil || !bytes.Equal(got, msgs[1]) {
		t.Fatalf("after a closed partial read: %v", err)
	}
	r = f.Reader(bytes.NewReader(payloads[2]))
	io.ReadFull(r, make([]byte, 10))
	if _, err := f.Inflate(nil, payloads[2]); !errors.Is(err, wsproto.ErrDeflateAbandoned) {
		t.Fatalf("after an abandoned reader: %v", err)
	}

	// Without takeover abandoning is harmless.
	reset := direction{NoContextTakeover: true, WindowBits: 15}
	d = wsproto.NewDeflater(reset, compressAll)
	p, _ := d.Compress(nil, msgs[0])
	f = wsproto.NewInflater(reset, 0)
	r = f.Reader(bytes.NewReader(p))
	io.ReadFull(r, make([]byte, 10))
	if got, err := f.Inflate(nil, p); err != nil || !bytes.Equal(got, msgs[0]) {
		t.Fatalf("no takeover, after an abandoned reader: %v", err)
	}
}

// Both ends of a negotiated connection, through frames, with messages of
// all kinds, for a range of configurations.
func TestDeflateEndToEnd(t *testing.T) {
	msgs := append(jsonMessages(30, 8), nil, []byte("x"), bytes.Repeat([]byte{0}, 100000))
	for c := range 16 {
		ccfg := fuzzConfig(uint8(c * 37))
		ccfg.Threshold = -1
		scfg := fuzzConfig(uint8(c * 91))
		scfg.Threshold = 64
		resp, sAgreed, ok := wsproto.NegotiateDeflate(wsproto.DeflateOffer(ccfg), scfg)
		if !ok {
			continue
		}
		cAgreed, err := wsproto.AcceptDeflateResponse(wsproto.DeflateOffer(ccfg), resp)
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range []struct {
			from             wsproto.Role
			sendDir, recvDir direction
			cfg              deflateConfig
		}{
			{wsproto.Client, cAgreed.Outgoing(wsproto.Client), sAgreed.Incoming(wsproto.Server), ccfg},
			{wsproto.Server, sAgreed.Outgoing(wsproto.Server), cAgreed.Incoming(wsproto.Client), scfg},
		} {
			d := wsproto.NewDeflater(dir.sendDir, dir.cfg)
			f := wsproto.NewInflater(dir.recvDir, 1<<20)
			w := wsproto.NewWriter(dir.from)
			r := wsproto.NewReader(peer(dir.from))
			r.AllowRSV1(true)
			for i, m := range msgs {
				p, compressed := d.Compress(nil, m)
				if !compressed {
					p = m
				}
				wire, err := w.AppendData(nil, wsproto.OpBinary, true, compressed, p)
				if err != nil {
					t.Fatal(err)
				}
				res := drive(r, wire, wholeChunks, t.Fatalf)
				if len(res.records) != 1 || res.records[0].Compressed != compressed {
					t.Fatalf("records %v", res.records)
				}
				got := []byte(res.records[0].Payload)
				if compressed {
					if got, err = f.Inflate(nil, got); err != nil {
						t.Fatalf("config %d, from %v, message %d: %v", c, dir.from, i, err)
					}
				}
				if !bytes.Equal(got, m) {
					t.Fatalf("config %d, from %v, message %d differs", c, dir.from, i)
				}
			}
			d.Release()
			f.Release()
		}
	}
}

func FuzzInflate(f *testing.F) {
	for _, p := range [][]byte{rfcHello, rfcHelloAgain, rfcHelloStored, rfcHelloBFINAL, rfcHelloTwoBlock, {0}, {}, {0x07}, zipBomb(f, 100000)} {
		f.Add(p, []byte{}, uint16(0))
		f.Add(p, rfcHelloAgain, uint16(100))
	}
	f.Fuzz(func(t *testing.T, first, second []byte, limit uint16) {
		for _, dir := range []direction{full.Client, {NoContextTakeover: true, WindowBits: 9}} {
			whole := wsproto.NewInflater(dir, int64(limit))
			streamed := wsproto.NewInflater(dir, int64(limit))
			for _, p := range [][]byte{first, second} {
				a, errA := whole.Inflate(nil, p)
				r := streamed.Reader(iotest.HalfReader(bytes.NewReader(p)))
				b, errB := io.ReadAll(r)
				if errB == nil {
					errB = r.Close()
				}
				if (errA == nil) != (errB == nil) || errA == nil && !bytes.Equal(a, b) {
					t.Fatalf("Inflate: %d bytes, %v; Reader: %d bytes, %v", len(a), errA, len(b), errB)
				}
				if limit > 0 && (len(a) > int(limit) || len(b) > int(limit)) {
					t.Fatalf("%d and %d bytes out with a limit of %d", len(a), len(b), limit)
				}
				if errA != nil {
					var we *wsproto.Error
					if !errors.As(errA, &we) || we.Code != wsproto.CloseInvalidPayload && we.Code != wsproto.CloseMessageTooBig {
						t.Fatalf("error %v", errA)
					}
					break
				}
			}
		}
	})
}
