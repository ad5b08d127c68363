package wsproto_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

func peer(r wsproto.Role) wsproto.Role {
	if r == wsproto.Client {
		return wsproto.Server
	}
	return wsproto.Client
}

// parseFrames splits wire into frames and returns their headers and
// unmasked payloads.
func parseFrames(t *testing.T, wire []byte) ([]wsproto.Header, [][]byte) {
	t.Helper()
	var hs []wsproto.Header
	var ps [][]byte
	for len(wire) > 0 {
		h, n, err := wsproto.ParseHeader(wire)
		if err != nil || n == 0 {
			t.Fatalf("ParseHeader(%x) = (%d, %v)", wire[:min(len(wire), 14)], n, err)
		}
		end := n + int(h.Length)
		if end > len(wire) {
			t.Fatalf("frame of %d bytes with %d left", h.Length, len(wire)-n)
		}
		p := bytes.Clone(wire[n:end])
		if h.Masked {
			wsproto.Mask(h.Mask, 0, p)
		}
		hs, ps = append(hs, h), append(ps, p)
		wire = wire[end:]
	}
	return hs, ps
}

// P-37, P-41, P-42: what one role's Writer encodes, the other role's Reader
// decodes, for payloads on both sides of every length boundary.
func TestP37_WriterReaderRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 37))
	sizes := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 125, 126, 127, 128, 1000, 65535, 65536, 65537, 100000}
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		for _, size := range sizes {
			payload := randBytes(rng, size)
			orig := bytes.Clone(payload)
			w := wsproto.NewWriter(role)
			wire, err := w.AppendData(nil, opBinary, true, false, payload)
			if err != nil {
				t.Fatalf("%v size %d: %v", role, size, err)
			}
			if !bytes.Equal(payload, orig) {
				t.Fatalf("%v size %d: AppendData modified the caller's payload", role, size)
			}
			hs, ps := parseFrames(t, wire)
			if len(hs) != 1 || hs[0].Masked != (role == wsproto.Client) || !hs[0].Fin || hs[0].Opcode != opBinary || hs[0].Length != int64(size) {
				t.Fatalf("%v size %d: frame %+v", role, size, hs[0])
			}
			if !bytes.Equal(ps[0], payload) {
				t.Fatalf("%v size %d: payload differs after unmasking", role, size)
			}
			if hs[0].Size()+size != len(wire) {
				t.Fatalf("%v size %d: %d bytes on the wire, want %d", role, size, len(wire), hs[0].Size()+size)
			}
			res := drive(wsproto.NewReader(peer(role)), wire, randomChunks(uint64(size)), t.Fatalf)
			if res.err != nil || len(res.records) != 1 || res.records[0] != binary(string(payload)) {
				t.Fatalf("%v size %d: reader got %s, %v", role, size, recordsString(res.records), res.err)
			}
		}
	}
}

// A whole conversation: fragmented text, control frames in between, close.
func TestWriterConversationRoundTrip(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		w := wsproto.NewWriter(role)
		var wire []byte
		must := func(b []byte, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%v: %v", role, err)
			}
			wire = b
		}
		must(w.AppendData(wire, opText, true, false, []byte("hello")))
		must(w.AppendData(wire, opText, false, false, []byte("κό")))
		must(w.AppendPing(wire, []byte("ping")))
		must(w.AppendData(wire, opCont, false, false, []byte("\xcf")))
		must(w.AppendPong(wire, nil))
		must(w.AppendData(wire, opCont, false, false, nil))
		must(w.AppendData(wire, opCont, true, false, []byte("\x83με")))
		must(w.AppendData(wire, opBinary, true, false, []byte{0, 1, 2}))
		must(w.AppendClose(wire, wsproto.CloseGoingAway, "bye"))
		must(w.AppendPong(wire, []byte("late pong")))
		res := drive(wsproto.NewReader(peer(role)), wire, wholeChunks, t.Fatalf)
		want := []record{text("hello"), ping("ping"), pong(""), text("κόσμε"), binary("\x00\x01\x02"), closeRec(1001, "bye", "\x03\xe9bye")}
		if res.err != nil || !sameRecords(res.records, want) {
			t.Fatalf("%v: got %s, %v; want %s", role, recordsString(res.records), res.err, recordsString(want))
		}
	}
}

// P-41: a client masks every frame, data and control, with a fresh key per
// frame; P-42: a server masks none.
func TestP41_ClientMasksEveryFrameWithFreshKey(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		w := wsproto.NewWriter(role)
		var wire []byte
		const frames = 200
		for i := range frames {
			var err error
			switch i % 4 {
			case 0:
				wire, err = w.AppendData(wire, opText, true, false, []byte("some text"))
			case 1:
				wire, err = w.AppendData(wire, opBinary, true, false, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9})
			case 2:
				wire, err = w.AppendPing(wire, []byte("pingpayload"))
			case 3:
				wire, err = w.AppendPong(wire, []byte("pongpayload"))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		wire, _ = w.AppendClose(wire, wsproto.CloseNormal, "")
		hs, _ := parseFrames(t, wire)
		keys := map[[4]byte]bool{}
		for i, h := range hs {
			if h.Masked != (role == wsproto.Client) {
				t.Fatalf("%v frame %d (%v): Masked = %v", role, i, h.Opcode, h.Masked)
			}
			if !h.Masked && h.Mask != ([4]byte{}) {
				t.Fatalf("%v frame %d: unmasked frame with a key", role, i)
			}
			keys[h.Mask] = true
		}
		if role == wsproto.Client && len(keys) < len(hs)-1 {
			// 201 random 32-bit keys collide with probability ~5e-6.
			t.Fatalf("client used %d distinct keys for %d frames", len(keys), len(hs))
		}
	}
	// NewMaskKey itself: successive keys differ, and all bits get used.
	var or, and uint32 = 0, ^uint32(0)
	prev := wsproto.NewMaskKey()
	same := 0
	for range 1000 {
		k := wsproto.NewMaskKey()
		if k == prev {
			same++
		}
		or, and, prev = or|k, and&k, k
	}
	if same > 1 || or != ^uint32(0) || and != 0 {
		t.Fatalf("NewMaskKey: %d repeats, or=%08x and=%08x", same, or, and)
	}
}

// P-49, P-51: the sending rules for fragmented messages.
func TestP51_WriterFragmentationRules(t *testing.T) {
	type step struct {
		op   wsproto.Opcode
		fin  bool
		err  error
		inMs bool // InMessage() afterwards
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"whole messages", []step{{opText, true, nil, false}, {opBinary, true, nil, false}}},
		{"fragmented", []step{{opText, false, nil, true}, {opCont, false, nil, true}, {opCont, true, nil, false}, {opBinary, true, nil, false}}},
		{"continuation first", []step{{opCont, true, wsproto.ErrNoMessage, false}, {opCont, false, wsproto.ErrNoMessage, false}}},
		{"continuation after end", []step{{opBinary, false, nil, true}, {opCont, true, nil, false}, {opCont, true, wsproto.ErrNoMessage, false}}},
		{"new message mid-message", []step{{opText, false, nil, true}, {opText, true, wsproto.ErrMessageInProgress, true},
			{opBinary, false, wsproto.ErrMessageInProgress, true}, {opCont, true, nil, false}}},
		{"control opcode as data", []step{{opPing, true, wsproto.ErrReservedOpcode, false}, {opClose, true, wsproto.ErrReservedOpcode, false}}},
		{"reserved opcode", []step{{3, true, wsproto.ErrReservedOpcode, false}, {0xB, true, wsproto.ErrReservedOpcode, false}}},
	}
	for _, tt := range tests {
		for _, useHeader := range []bool{false, true} {
			w := wsproto.NewWriter(wsproto.Server)
			for i, s := range tt.steps {
				var err error
				var out []byte
				if useHeader {
					_, err = w.FrameHeader(s.op, s.fin, false, 3)
				} else {
					out, err = w.AppendData([]byte("keep"), s.op, s.fin, false, []byte("abc"))
				}
				if s.err == nil && err != nil || s.err != nil && !errors.Is(err, s.err) {
					t.Fatalf("%s (header=%v) step %d: err %v, want %v", tt.name, useHeader, i, err, s.err)
				}
				if s.err != nil && !useHeader && string(out) != "keep" {
					t.Fatalf("%s step %d: dst changed to %q on failure", tt.name, i, out)
				}
				if w.InMessage() != s.inMs {
					t.Fatalf("%s (header=%v) step %d: InMessage() = %v", tt.name, useHeader, i, w.InMessage())
				}
			}
		}
	}
}

// P-65: no data frame and no ping after our close frame; a pong still goes.
// Only one close frame is ever sent.
func TestP65_WriterRefusesDataAfterClose(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		w := wsproto.NewWriter(role)
		if _, err := w.AppendData(nil, opText, false, false, []byte("unfinished")); err != nil {
			t.Fatal(err)
		}
		if w.CloseSent() {
			t.Fatal("CloseSent() before close")
		}
		wire, err := w.AppendClose(nil, wsproto.CloseNormal, "done")
		if err != nil || !w.CloseSent() {
			t.Fatalf("AppendClose: %v, CloseSent %v", err, w.CloseSent())
		}
		checks := []struct {
			name string
			f    func() ([]byte, error)
		}{
			{"text", func() ([]byte, error) { return w.AppendData(nil, opText, true, false, []byte("x")) }},
			{"continuation", func() ([]byte, error) { return w.AppendData(nil, opCont, true, false, []byte("x")) }},
			{"ping", func() ([]byte, error) { return w.AppendPing(nil, nil) }},
			{"second close", func() ([]byte, error) { return w.AppendClose(nil, wsproto.CloseNormal, "") }},
			{"header", func() ([]byte, error) {
				_, err := w.FrameHeader(opBinary, true, false, 1)
				return nil, err
			}},
		}
		for _, c := range checks {
			out, err := c.f()
			if !errors.Is(err, wsproto.ErrCloseSent) || len(out) != 0 {
				t.Errorf("%v: %s after close: (%x, %v), want ErrCloseSent", role, c.name, out, err)
			}
		}
		if _, err := w.AppendPong(nil, []byte("pong")); err != nil {
			t.Errorf("%v: pong after close: %v", role, err)
		}
		hs, ps := parseFrames(t, wire)
		if len(hs) != 1 || hs[0].Opcode != opClose || string(ps[0]) != "\x03\xe8done" {
			t.Errorf("%v: close frame %+v %q", role, hs, ps)
		}
	}
}

// P-63: codes that may not be sent are refused, and the refusal does not
// count as having sent a close frame.
func TestP63_WriterRefusesUnsendableCodes(t *testing.T) {
	w := wsproto.NewWriter(wsproto.Client)
	for _, c := range []wsproto.CloseCode{0, 999, 1004, 1006, 1015, 1016, 2999, 5000, 65535} {
		out, err := w.AppendClose([]byte("x"), c, "")
		if err == nil || string(out) != "x" {
			t.Errorf("AppendClose(%d) = (%q, %v), want a refusal", c, out, err)
		}
	}
	if _, err := w.AppendClose(nil, wsproto.CloseNormal, strings.Repeat("x", wsproto.MaxCloseReason+1)); err == nil {
		t.Errorf("AppendClose with a 124-byte reason succeeded")
	}
	if _, err := w.AppendClose(nil, wsproto.CloseNormal, "\xc3"); !errors.Is(err, wsproto.ErrInvalidPayload) {
		t.Errorf("AppendClose with invalid UTF-8: %v", err)
	}
	if w.CloseSent() {
		t.Fatalf("CloseSent() after refused closes")
	}
	wire, err := w.AppendClose(nil, wsproto.CloseNoStatus, "")
	if err != nil {
		t.Fatalf("AppendClose(no status): %v", err)
	}
	hs, ps := parseFrames(t, wire)
	if len(hs) != 1 || hs[0].Opcode != opClose || len(ps[0]) != 0 || !hs[0].Masked {
		t.Fatalf("empty close: %+v %q", hs, ps)
	}
	// The longest reason fits.
	w = wsproto.NewWriter(wsproto.Server)
	reason := strings.Repeat("é", wsproto.MaxCloseReason/2) + "x"
	wire, err = w.AppendClose(nil, 4999, reason)
	if err != nil {
		t.Fatal(err)
	}
	res := drive(wsproto.NewReader(wsproto.Client), wire, byteChunks, t.Fatalf)
	if res.err != nil || len(res.records) != 1 || res.records[0].Code != 4999 || res.records[0].Reason != reason {
		t.Fatalf("123-byte reason: %s, %v", recordsString(res.records), res.err)
	}
}

// P-49 (sending side): control payloads over 125 bytes are refused.
func TestP49_WriterControlPayloadLimit(t *testing.T) {
	w := wsproto.NewWriter(wsproto.Client)
	for _, f := range []func([]byte, []byte) ([]byte, error){w.AppendPing, w.AppendPong} {
		out, err := f([]byte("x"), make([]byte, 126))
		if !errors.Is(err, wsproto.ErrControlTooLong) || string(out) != "x" {
			t.Errorf("126-byte control payload: (%q, %v)", out, err)
		}
		out, err = f(nil, make([]byte, 125))
		if err != nil || len(out) != 2+4+125 {
			t.Errorf("125-byte control payload: (%d bytes, %v)", len(out), err)
		}
	}
}

// FrameHeader gives the header AppendData would write, so a driver that
// writes the payload itself produces the same frame.
func TestWriterFrameHeaderMatchesAppendData(t *testing.T) {
	for _, size := range []int{0, 5, 125, 126, 65535, 65536} {
		payload := bytes.Repeat([]byte{0x5a}, size)
		for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
			for _, rsv1 := range []bool{false, true} {
				w1, w2 := wsproto.NewWriter(role), wsproto.NewWriter(role)
				var a, b []byte
				for _, step := range []struct {
					op  wsproto.Opcode
					fin bool
				}{{opText, false}, {opCont, false}, {opCont, true}, {opBinary, true}} {
					out, err := w1.AppendData(nil, step.op, step.fin, rsv1, payload)
					if err != nil {
						t.Fatal(err)
					}
					a = append(a, out...)
					h, err := w2.FrameHeader(step.op, step.fin, rsv1, int64(size))
					if err != nil {
						t.Fatal(err)
					}
					if h.Masked != (role == wsproto.Client) {
						t.Fatalf("%v: FrameHeader Masked = %v", role, h.Masked)
					}
					wantRsv := uint8(0)
					if rsv1 && step.op != opCont {
						wantRsv = wsproto.RSV1
					}
					if h.Rsv != wantRsv {
						t.Fatalf("%v %v rsv1=%v: Rsv = %x, want %x", role, step.op, rsv1, h.Rsv, wantRsv)
					}
					b = wsproto.AppendHeader(b, h)
					start := len(b)
					b = append(b, payload...)
					if h.Masked {
						wsproto.Mask(h.Mask, 0, b[start:])
					}
				}
				ha, pa := parseFrames(t, a)
				hb, pb := parseFrames(t, b)
				if len(ha) != len(hb) {
					t.Fatalf("%d frames vs %d", len(ha), len(hb))
				}
				for i := range ha {
					ha[i].Mask, hb[i].Mask = [4]byte{}, [4]byte{} // keys are random
					if ha[i] != hb[i] || !bytes.Equal(pa[i], pb[i]) {
						t.Fatalf("%v size %d rsv1=%v frame %d: AppendData %+v, FrameHeader %+v", role, size, rsv1, i, ha[i], hb[i])
					}
				}
				if role == wsproto.Server && !bytes.Equal(a, b) {
					t.Fatalf("server size %d: wire differs", size)
				}
			}
		}
	}
}

// Init resets a Writer.
func TestWriterInit(t *testing.T) {
	w := wsproto.NewWriter(wsproto.Client)
	w.AppendData(nil, opText, false, false, nil)
	w.AppendClose(nil, wsproto.CloseNormal, "")
	w.Init(wsproto.Server)
	if w.InMessage() || w.CloseSent() {
		t.Fatalf("Init left state behind")
	}
	out, err := w.AppendData(nil, opBinary, true, false, []byte("x"))
	if err != nil || !bytes.Equal(out, []byte{0x82, 0x01, 'x'}) {
		t.Fatalf("after Init(Server): (%x, %v)", out, err)
	}
}
