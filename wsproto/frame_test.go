package wsproto_test

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// P-36: the bit layout of the first two header bytes and the masking key.
func TestP36_HeaderLayout(t *testing.T) {
	tests := []struct {
		name string
		h    wsproto.Header
		wire string
	}{
		{"final text", wsproto.Header{Fin: true, Opcode: wsproto.OpText, Length: 5}, "8105"},
		{"non-final binary", wsproto.Header{Opcode: wsproto.OpBinary, Length: 0}, "0200"},
		{"continuation", wsproto.Header{Fin: true, Opcode: wsproto.OpContinuation, Length: 1}, "8001"},
		{"close", wsproto.Header{Fin: true, Opcode: wsproto.OpClose}, "8800"},
		{"ping", wsproto.Header{Fin: true, Opcode: wsproto.OpPing, Length: 125}, "897d"},
		{"pong", wsproto.Header{Fin: true, Opcode: wsproto.OpPong}, "8a00"},
		{"rsv1", wsproto.Header{Fin: true, Rsv: wsproto.RSV1, Opcode: wsproto.OpText, Length: 3}, "c103"},
		{"rsv2", wsproto.Header{Fin: true, Rsv: wsproto.RSV2, Opcode: wsproto.OpText}, "a100"},
		{"rsv3", wsproto.Header{Fin: true, Rsv: wsproto.RSV3, Opcode: wsproto.OpText}, "9100"},
		{"all rsv", wsproto.Header{Rsv: wsproto.RSV1 | wsproto.RSV2 | wsproto.RSV3, Opcode: wsproto.OpBinary}, "7200"},
		{"masked", wsproto.Header{Fin: true, Opcode: wsproto.OpText, Masked: true, Mask: [4]byte{1, 2, 3, 4}, Length: 5}, "818501020304"},
		{"masked 16-bit", wsproto.Header{Fin: true, Opcode: wsproto.OpBinary, Masked: true, Mask: [4]byte{0xa, 0xb, 0xc, 0xd}, Length: 300}, "82fe012c0a0b0c0d"},
		{"masked 64-bit", wsproto.Header{Opcode: wsproto.OpBinary, Masked: true, Mask: [4]byte{9, 8, 7, 6}, Length: 1 << 20}, "02ff000000000010000009080706"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.wire)
			got := wsproto.AppendHeader([]byte("prefix"), tt.h)
			if !bytes.Equal(got[:6], []byte("prefix")) {
				t.Fatalf("AppendHeader clobbered dst: %x", got)
			}
			if !bytes.Equal(got[6:], want) {
				t.Fatalf("AppendHeader = %x, want %x", got[6:], want)
			}
			if sz := tt.h.Size(); sz != len(want) {
				t.Fatalf("Size() = %d, want %d", sz, len(want))
			}
			h, n, err := wsproto.ParseHeader(append(want, 0xEE, 0xEE)) // trailing payload bytes
			if err != nil || n != len(want) {
				t.Fatalf("ParseHeader = (%d, %v), want (%d, nil)", n, err, len(want))
			}
			if h != tt.h {
				t.Fatalf("ParseHeader = %+v, want %+v", h, tt.h)
			}
		})
	}
}

// P-37: the three length encodings, at their boundaries.
func TestP37_PayloadLengthEncodings(t *testing.T) {
	tests := []struct {
		length int64
		wire   string // the bytes after the first one
	}{
		{0, "00"},
		{1, "01"},
		{125, "7d"},
		{126, "7e007e"},
		{127, "7e007f"},
		{65535, "7effff"},
		{65536, "7f0000000000010000"},
		{100000, "7f00000000000186a0"},
		{1 << 32, "7f0000000100000000"},
		{math.MaxInt64, "7f7fffffffffffffff"},
	}
	for _, tt := range tests {
		for _, masked := range []bool{false, true} {
			h := wsproto.Header{Fin: true, Opcode: wsproto.OpBinary, Length: tt.length, Masked: masked}
			if masked {
				h.Mask = testKey
			}
			want := append([]byte{0x82}, unhex(t, tt.wire)...)
			if masked {
				want[1] |= 0x80
				want = append(want, testKey[:]...)
			}
			got := wsproto.AppendHeader(nil, h)
			if !bytes.Equal(got, want) {
				t.Errorf("length %d masked=%v: AppendHeader = %x, want %x", tt.length, masked, got, want)
				continue
			}
			if h.Size() != len(want) || len(want) > wsproto.MaxHeaderSize {
				t.Errorf("length %d masked=%v: Size() = %d, want %d", tt.length, masked, h.Size(), len(want))
			}
			back, n, err := wsproto.ParseHeader(got)
			if err != nil || n != len(got) || back != h {
				t.Errorf("length %d masked=%v: ParseHeader = (%+v, %d, %v)", tt.length, masked, back, n, err)
			}
		}
	}
	// A negative length is written as zero.
	if got := wsproto.AppendHeader(nil, wsproto.Header{Fin: true, Opcode: wsproto.OpText, Length: -7}); !bytes.Equal(got, []byte{0x81, 0x00}) {
		t.Errorf("negative length: AppendHeader = %x, want 8100", got)
	}
}

// P-37 through the Reader: real frames of the boundary sizes decode whole.
func TestP37_ReaderBoundarySizes(t *testing.T) {
	for _, size := range []int{0, 1, 125, 126, 127, 65535, 65536} {
		payload := bytes.Repeat([]byte{'x'}, size)
		for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
			in := fr(role, true, wsproto.OpBinary, string(payload))
			res := drive(wsproto.NewReader(role), in, randomChunks(uint64(size)), t.Fatalf)
			if res.err != nil || len(res.records) != 1 || res.records[0] != binary(string(payload)) {
				t.Fatalf("size %d to %v: got %s, %v", size, role, recordsString(res.records), res.err)
			}
		}
	}
}

// P-38: a length that is not minimally encoded is refused with 1002.
func TestP38_NonMinimalLengthRejected(t *testing.T) {
	tests := []struct {
		name string
		wire string
		err  error
	}{
		{"5 in 16 bits", "8a7e0005", wsproto.ErrNonMinimalLength},
		{"0 in 16 bits", "827e0000", wsproto.ErrNonMinimalLength},
		{"125 in 16 bits", "827e007d", wsproto.ErrNonMinimalLength},
		{"126 in 16 bits", "827e007e", nil},
		{"0 in 64 bits", "827f0000000000000000", wsproto.ErrNonMinimalLength},
		{"5 in 64 bits", "827f0000000000000005", wsproto.ErrNonMinimalLength},
		{"126 in 64 bits", "827f000000000000007e", wsproto.ErrNonMinimalLength},
		{"65535 in 64 bits", "827f000000000000ffff", wsproto.ErrNonMinimalLength},
		{"65536 in 64 bits", "827f0000000000010000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.wire)
			_, n, err := wsproto.ParseHeader(b)
			if tt.err == nil {
				if err != nil || n != len(b) {
					t.Fatalf("ParseHeader = (%d, %v), want (%d, nil)", n, err, len(b))
				}
				return
			}
			checkErr(t, err, tt.err, wsproto.CloseProtocolError)
			if n != 0 {
				t.Fatalf("ParseHeader consumed %d bytes with an error", n)
			}
			// The Reader fails the connection with 1002.
			r := wsproto.NewReader(wsproto.Client)
			_, _, err = r.Next(b)
			checkErr(t, err, tt.err, wsproto.CloseProtocolError)
		})
	}
}

// P-39: a 64-bit length with its top bit set is a protocol error (1002),
// checked before the size limit (which would say 1009).
func TestP39_LengthTopBitRejected(t *testing.T) {
	for _, wire := range []string{"827f8000000000000000", "827fffffffffffffffff", "027f8000000000010000"} {
		b := unhex(t, wire)
		_, n, err := wsproto.ParseHeader(b)
		checkErr(t, err, wsproto.ErrLengthTopBit, wsproto.CloseProtocolError)
		if n != 0 {
			t.Fatalf("%s: consumed %d bytes with an error", wire, n)
		}
		r := wsproto.NewReader(wsproto.Client)
		r.MaxMessageSize = 1000
		_, _, err = r.Next(b)
		checkErr(t, err, wsproto.ErrLengthTopBit, wsproto.CloseProtocolError)
	}
	// The largest legal length parses.
	b := unhex(t, "827f7fffffffffffffff")
	h, n, err := wsproto.ParseHeader(b)
	if err != nil || n != 10 || h.Length != math.MaxInt64 {
		t.Fatalf("ParseHeader(max length) = (%+v, %d, %v)", h, n, err)
	}
}

// ParseHeader reports a partial header as n == 0 without an error, for every
// proper prefix of a valid header.
func TestParseHeader_Incomplete(t *testing.T) {
	headers := []wsproto.Header{
		{Fin: true, Opcode: wsproto.OpText, Length: 3},
		{Fin: true, Opcode: wsproto.OpText, Length: 3, Masked: true, Mask: testKey},
		{Opcode: wsproto.OpBinary, Length: 1000},
		{Opcode: wsproto.OpBinary, Length: 1000, Masked: true, Mask: testKey},
		{Fin: true, Opcode: wsproto.OpBinary, Length: 1 << 40},
		{Fin: true, Opcode: wsproto.OpBinary, Length: 1 << 40, Masked: true, Mask: testKey},
		{Fin: true, Opcode: wsproto.OpPing, Length: 125, Masked: true, Mask: testKey},
	}
	for _, h := range headers {
		b := wsproto.AppendHeader(nil, h)
		for i := 0; i < len(b); i++ {
			_, n, err := wsproto.ParseHeader(b[:i])
			if n != 0 || err != nil {
				t.Errorf("%+v: ParseHeader of %d of %d bytes = (%d, %v), want (0, nil)", h, i, len(b), n, err)
			}
		}
	}
}

// P-49 (header part): control frames must not be fragmented and carry at
// most 125 bytes.
func TestP49_ControlFrameHeaderRules(t *testing.T) {
	tests := []struct {
		name string
		wire string
		err  error
	}{
		{"ping FIN=0", "0900", wsproto.ErrFragmentedControl},
		{"pong FIN=0", "0a00", wsproto.ErrFragmentedControl},
		{"close FIN=0", "0800", wsproto.ErrFragmentedControl},
		{"ping 125", "897d", nil},
		{"ping 126", "897e007e", wsproto.ErrControlTooLong},
		{"close 126", "887e007e", wsproto.ErrControlTooLong},
		{"pong 64-bit", "8a7f0000000000010000", wsproto.ErrControlTooLong},
		{"masked ping FIN=0", "098001020304", wsproto.ErrFragmentedControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := wsproto.ParseHeader(unhex(t, tt.wire))
			checkErr(t, err, tt.err, wsproto.CloseProtocolError)
		})
	}
}

// P-45: opcode classes.
func TestP45_Opcodes(t *testing.T) {
	for op := wsproto.Opcode(0); op < 16; op++ {
		wantReserved := !(op <= 2 || op >= 8 && op <= 0xA)
		if op.IsReserved() != wantReserved {
			t.Errorf("%v.IsReserved() = %v", op, op.IsReserved())
		}
		if op.IsControl() != (op >= 8) {
			t.Errorf("%v.IsControl() = %v", op, op.IsControl())
		}
	}
	names := map[wsproto.Opcode]string{0: "continuation", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong", 3: "opcode(3)", 15: "opcode(15)"}
	for op, want := range names {
		if op.String() != want {
			t.Errorf("Opcode(%d).String() = %q, want %q", op, op.String(), want)
		}
	}
}
