package wsproto_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

const (
	opCont   = wsproto.OpContinuation
	opText   = wsproto.OpText
	opBinary = wsproto.OpBinary
	opClose  = wsproto.OpClose
	opPing   = wsproto.OpPing
	opPong   = wsproto.OpPong
)

type readerCase struct {
	name string
	rsv1 bool  // AllowRSV1(true)
	max  int64 // MaxMessageSize
	in   []byte
	want []record // completed messages and control frames, in order
	err  error    // nil, or the error Next must end with
	code wsproto.CloseCode
}

// readerCases are the Reader's table, for frames sent to role (masked when
// role is Server, as a client sends them).
func readerCases(role wsproto.Role) []readerCase {
	f := func(fin bool, op wsproto.Opcode, p string) []byte { return fr(role, fin, op, p) }
	rsv := func(fin bool, bits uint8, op wsproto.Opcode, p string) []byte { return frRSV(role, fin, bits, op, p) }
	const (
		e1002 = wsproto.CloseProtocolError
		e1007 = wsproto.CloseInvalidPayload
		e1009 = wsproto.CloseMessageTooBig
	)
	long := strings.Repeat("L", 125)
	cases := []readerCase{
		// P-47, P-48: unfragmented and fragmented messages.
		{name: "text", in: f(true, opText, "hello"), want: []record{text("hello")}},
		{name: "binary", in: f(true, opBinary, "\x00\xff\x80"), want: []record{binary("\x00\xff\x80")}},
		{name: "empty text", in: f(true, opText, ""), want: []record{text("")}},
		{name: "empty binary", in: f(true, opBinary, ""), want: []record{binary("")}},
		{name: "fragmented text", in: cat(f(false, opText, "Hel"), f(false, opCont, "lo"), f(true, opCont, " world")),
			want: []record{text("Hello world")}},
		{name: "fragmented binary", in: cat(f(false, opBinary, "\x01"), f(true, opCont, "\x02\x03")),
			want: []record{binary("\x01\x02\x03")}},
		{name: "empty fragments", in: cat(f(false, opText, ""), f(false, opCont, ""), f(false, opCont, "abc"), f(false, opCont, ""), f(true, opCont, "")),
			want: []record{text("abc")}},
		{name: "empty fragmented message", in: cat(f(false, opBinary, ""), f(true, opCont, "")), want: []record{binary("")}},
		{name: "many messages", in: cat(f(true, opText, "one"), f(true, opBinary, "two"), f(false, opText, "th"), f(true, opCont, "ree"), f(true, opText, "")),
			want: []record{text("one"), binary("two"), text("three"), text("")}},
		// P-50: control frames between fragments.
		{name: "ping between fragments", in: cat(f(false, opText, "a"), f(true, opPing, "p"), f(false, opCont, "b"), f(true, opPong, "q"), f(true, opCont, "c")),
			want: []record{ping("p"), pong("q"), text("abc")}},
		{name: "close between fragments", in: cat(f(false, opText, "a"), f(true, opClose, "\x03\xe8"), f(true, opCont, "b")),
			want: []record{closeRec(1000, "", "\x03\xe8")}},
		// P-57, P-58: pings and (unsolicited) pongs with and without payloads.
		{name: "ping", in: f(true, opPing, "are you there"), want: []record{ping("are you there")}},
		{name: "empty ping", in: f(true, opPing, ""), want: []record{ping("")}},
		{name: "125-byte ping", in: f(true, opPing, long), want: []record{ping(long)}},
		{name: "unsolicited pong", in: cat(f(true, opPong, "xyz"), f(true, opPong, ""), f(true, opText, "after")),
			want: []record{pong("xyz"), pong(""), text("after")}},
		// P-49: fragmentation and control frame violations.
		{name: "continuation without message", in: f(true, opCont, "x"), err: wsproto.ErrUnexpectedCont, code: e1002},
		{name: "continuation after complete message", in: cat(f(true, opText, "a"), f(false, opCont, "b")),
			want: []record{text("a")}, err: wsproto.ErrUnexpectedCont, code: e1002},
		{name: "text during fragmented text", in: cat(f(false, opText, "a"), f(true, opText, "b")), err: wsproto.ErrExpectedCont, code: e1002},
		{name: "binary during fragmented text", in: cat(f(false, opText, "a"), f(true, opBinary, "b")), err: wsproto.ErrExpectedCont, code: e1002},
		{name: "empty text during fragmented binary", in: cat(f(false, opBinary, ""), f(false, opText, "")), err: wsproto.ErrExpectedCont, code: e1002},
		{name: "fragmented ping", in: f(false, opPing, "x"), err: wsproto.ErrFragmentedControl, code: e1002},
		{name: "fragmented pong", in: f(false, opPong, ""), err: wsproto.ErrFragmentedControl, code: e1002},
		{name: "fragmented close", in: f(false, opClose, ""), err: wsproto.ErrFragmentedControl, code: e1002},
		{name: "126-byte ping", in: f(true, opPing, long+"L"), err: wsproto.ErrControlTooLong, code: e1002},
		{name: "126-byte close", in: f(true, opClose, "\x03\xe8"+long[:124]), err: wsproto.ErrControlTooLong, code: e1002},
		// P-61, P-62, P-55: close frames.
		{name: "close empty", in: f(true, opClose, ""), want: []record{closeRec(wsproto.CloseNoStatus, "", "")}},
		{name: "close code only", in: f(true, opClose, "\x03\xe9"), want: []record{closeRec(1001, "", "\x03\xe9")}},
		{name: "close code and reason", in: f(true, opClose, "\x0f\xa0bye κόσμε"), want: []record{closeRec(4000, "bye κόσμε", "\x0f\xa0bye κόσμε")}},
		{name: "close 123-byte reason", in: f(true, opClose, "\x03\xe8"+long[:123]), want: []record{closeRec(1000, long[:123], "\x03\xe8"+long[:123])}},
		{name: "close 1-byte payload", in: f(true, opClose, "\x03"), err: wsproto.ErrCloseTooShort, code: e1002},
		{name: "close invalid code 1005", in: f(true, opClose, "\x03\xed"), err: wsproto.ErrInvalidCloseCode, code: e1002},
		{name: "close invalid code 999", in: f(true, opClose, "\x03\xe7reason"), err: wsproto.ErrInvalidCloseCode, code: e1002},
		{name: "close invalid code 5000", in: f(true, opClose, "\x13\x88"), err: wsproto.ErrInvalidCloseCode, code: e1002},
		{name: "close invalid UTF-8 reason", in: f(true, opClose, "\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"),
			err: wsproto.ErrInvalidCloseReason, code: e1007},
		// P-65 (policy): whatever follows a close frame is discarded, even garbage.
		{name: "data after close", in: cat(f(true, opText, "a"), f(true, opClose, ""), f(true, opText, "b"), f(true, opPing, ""), []byte{0xff, 0xff, 0xff, 0x00}),
			want: []record{text("a"), closeRec(wsproto.CloseNoStatus, "", "")}},
		{name: "second close ignored", in: cat(f(true, opClose, "\x03\xe8"), f(true, opClose, "\x03\xe9")),
			want: []record{closeRec(1000, "", "\x03\xe8")}},
		// P-53, P-54: UTF-8 of text messages.
		{name: "utf-8 text", in: f(true, opText, "κόσμε \U0010ffff \uffff"), want: []record{text("κόσμε \U0010ffff \uffff")}},
		{name: "code point split over fragments", in: cat(f(false, opText, "a\xe2"), f(false, opCont, "\x82"), f(false, opCont, ""), f(true, opCont, "\xac")),
			want: []record{text("a€")}},
		{name: "invalid utf-8", in: f(true, opText, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"), err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "invalid utf-8 in first fragment", in: cat(f(false, opText, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"), f(true, opCont, "edited")),
			err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "invalid utf-8 in later fragment", in: cat(f(false, opText, "ok"), f(false, opCont, "\xf4\x90\x80\x80"), f(true, opCont, "x")),
			err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "overlong", in: f(true, opText, "\xc0\x80"), err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "incomplete code point at end", in: f(true, opText, "a\xe2\x82"), err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "incomplete code point before empty final fragment", in: cat(f(false, opText, "a\xe2\x82"), f(true, opCont, "")),
			err: wsproto.ErrInvalidUTF8, code: e1007},
		{name: "binary is not UTF-8 checked", in: f(true, opBinary, "\xed\xa0\x80\xc0"), want: []record{binary("\xed\xa0\x80\xc0")}},
		{name: "utf-8 state reset between messages", in: cat(f(false, opBinary, "\xe2"), f(true, opCont, ""), f(true, opText, "ok")),
			want: []record{binary("\xe2"), text("ok")}},
		// P-45: reserved opcodes.
		{name: "opcode 3", in: f(true, 3, ""), err: wsproto.ErrReservedOpcode, code: e1002},
		{name: "opcode 7", in: f(true, 7, "x"), err: wsproto.ErrReservedOpcode, code: e1002},
		{name: "opcode 0xB", in: f(true, 0xB, ""), err: wsproto.ErrReservedOpcode, code: e1002},
		{name: "opcode 0xF", in: f(true, 0xF, "x"), err: wsproto.ErrReservedOpcode, code: e1002},
		{name: "reserved opcode mid-message", in: cat(f(false, opText, "a"), f(true, 5, "")), err: wsproto.ErrReservedOpcode, code: e1002},
		// P-46, P-78: reserved bits.
		{name: "rsv1 not negotiated", in: rsv(true, wsproto.RSV1, opText, "x"), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv2", in: rsv(true, wsproto.RSV2, opBinary, "x"), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv3", in: rsv(true, wsproto.RSV3, opBinary, "x"), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv2 with deflate", rsv1: true, in: rsv(true, wsproto.RSV2, opBinary, "x"), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv3 with deflate", rsv1: true, in: rsv(true, wsproto.RSV3|wsproto.RSV1, opText, "x"), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv1 on ping", in: rsv(true, wsproto.RSV1, opPing, ""), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv1 on ping with deflate", rsv1: true, in: rsv(true, wsproto.RSV1, opPing, ""), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv1 on close with deflate", rsv1: true, in: rsv(true, wsproto.RSV1, opClose, ""), err: wsproto.ErrReservedBits, code: e1002},
		{name: "rsv1 on continuation with deflate", rsv1: true, in: cat(rsv(false, wsproto.RSV1, opText, "a"), rsv(true, wsproto.RSV1, opCont, "b")),
			err: wsproto.ErrReservedBits, code: e1002},
		{name: "compressed message", rsv1: true, in: cat(rsv(true, wsproto.RSV1, opText, "\xf2\x48\xcd\xc9\xc9\x07\x00"), f(true, opText, "plain")),
			want: []record{{Kind: wsproto.EventData, Opcode: opText, Compressed: true, Payload: "\xf2\x48\xcd\xc9\xc9\x07\x00"}, text("plain")}},
		{name: "compressed fragmented message", rsv1: true, in: cat(rsv(false, wsproto.RSV1, opBinary, "\xff"), f(true, opPing, "p"), f(true, opCont, "\xfe")),
			want: []record{ping("p"), {Kind: wsproto.EventData, Opcode: opBinary, Compressed: true, Payload: "\xff\xfe"}}},
		{name: "rsv1 allowed but unused", rsv1: true, in: f(true, opText, "plain"), want: []record{text("plain")}},
		// P-40: the message size limit.
		{name: "message at the limit", max: 10, in: cat(f(true, opText, "0123456789"), f(false, opBinary, "01234"), f(true, opCont, "56789")),
			want: []record{text("0123456789"), binary("0123456789")}},
		{name: "frame over the limit", max: 10, in: f(true, opText, "0123456789a"), err: wsproto.ErrFrameTooBig, code: e1009},
		{name: "fragments over the limit", max: 10, in: cat(f(false, opText, "012345"), f(true, opCont, "6789a")),
			err: wsproto.ErrFrameTooBig, code: e1009},
		{name: "limit ignores control frames", max: 2, in: cat(f(false, opText, "01"), f(true, opPing, "ping"), f(true, opCont, "")),
			want: []record{ping("ping"), text("01")}},
	}
	// P-43, P-44: masking direction.
	if role == wsproto.Server {
		cases = append(cases,
			readerCase{name: "unmasked text to server", in: fr(wsproto.Client, true, opText, "x"), err: wsproto.ErrUnmaskedFrame, code: e1002},
			readerCase{name: "unmasked ping to server", in: fr(wsproto.Client, true, opPing, ""), err: wsproto.ErrUnmaskedFrame, code: e1002},
			readerCase{name: "unmasked close to server", in: fr(wsproto.Client, true, opClose, ""), err: wsproto.ErrUnmaskedFrame, code: e1002},
			readerCase{name: "unmasked continuation to server", in: cat(f(false, opText, "a"), fr(wsproto.Client, true, opCont, "b")),
				err: wsproto.ErrUnmaskedFrame, code: e1002},
			readerCase{name: "zero mask key is still masked", in: frame(wsproto.Header{Fin: true, Opcode: opText, Masked: true}, []byte("zero")),
				want: []record{text("zero")}},
		)
	} else {
		cases = append(cases,
			readerCase{name: "masked text to client", in: fr(wsproto.Server, true, opText, "x"), err: wsproto.ErrMaskedFrame, code: e1002},
			readerCase{name: "masked pong to client", in: fr(wsproto.Server, true, opPong, ""), err: wsproto.ErrMaskedFrame, code: e1002},
			readerCase{name: "masked close to client", in: fr(wsproto.Server, true, opClose, "\x03\xe8"), err: wsproto.ErrMaskedFrame, code: e1002},
		)
	}
	return cases
}

// P-42..P-58 as the Reader decides them, for both roles, with the input fed
// whole, one byte at a time and in random chunks: the outcome must not
// depend on how the bytes arrive.
func TestP47_ReaderTable(t *testing.T) {
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		for _, tc := range readerCases(role) {
			for _, ch := range chunkers {
				t.Run(role.String()+"/"+tc.name+"/"+ch.name, func(t *testing.T) {
					r := wsproto.NewReader(role)
					r.AllowRSV1(tc.rsv1)
					r.MaxMessageSize = tc.max
					res := drive(r, tc.in, ch.c(), t.Fatalf)
					if !sameRecords(res.records, tc.want) {
						t.Errorf("records %s, want %s", recordsString(res.records), recordsString(tc.want))
					}
					checkErr(t, res.err, tc.err, tc.code)
					if tc.err == nil {
						if res.consumed != len(tc.in) {
							t.Errorf("consumed %d of %d bytes", res.consumed, len(tc.in))
						}
						if r.InMessage() && !r.CloseReceived() {
							t.Errorf("InMessage() after complete input")
						}
					}
				})
			}
		}
	}
}

// P-40: the size limit is enforced from the frame header alone, before any
// of the payload arrives, and across fragments.
func TestP40_MessageSizeLimitFromHeader(t *testing.T) {
	tests := []struct {
		name   string
		before []byte // frames accepted first
		header wsproto.Header
	}{
		{"16-bit", nil, wsproto.Header{Fin: true, Opcode: opBinary, Length: 1001}},
		{"64-bit", nil, wsproto.Header{Fin: true, Opcode: opBinary, Length: 1 << 40}},
		{"huge", nil, wsproto.Header{Fin: true, Opcode: opText, Length: 1<<63 - 1}},
		{"continuation", fr(wsproto.Client, false, opText, strings.Repeat("a", 600)), wsproto.Header{Opcode: opCont, Length: 401}},
		// The sum of the lengths overflows int64: still too big.
		{"overflowing sum", fr(wsproto.Client, false, opText, "a"), wsproto.Header{Fin: true, Opcode: opCont, Length: 1<<63 - 1}},
		{"overflowing sum after many", cat(fr(wsproto.Client, false, opText, strings.Repeat("a", 500)), fr(wsproto.Client, false, opCont, strings.Repeat("b", 500))),
			wsproto.Header{Fin: true, Opcode: opCont, Length: 1<<63 - 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := wsproto.NewReader(wsproto.Client)
			r.MaxMessageSize = 1000
			res := drive(r, tt.before, wholeChunks, t.Fatalf)
			if res.err != nil {
				t.Fatalf("frames before: %v", res.err)
			}
			hdr := wsproto.AppendHeader(nil, tt.header)
			ev, _, err := r.Next(hdr)
			checkErr(t, err, wsproto.ErrFrameTooBig, wsproto.CloseMessageTooBig)
			if ev.Kind != wsproto.EventNeedMore {
				t.Fatalf("event %v with the error", ev.Kind)
			}
		})
	}
	// Without a limit the same headers are fine.
	r := wsproto.NewReader(wsproto.Client)
	if _, n, err := r.Next(wsproto.AppendHeader(nil, wsproto.Header{Fin: true, Opcode: opBinary, Length: 1 << 40})); err != nil || n != 10 {
		t.Fatalf("no limit: Next = (%d, %v)", n, err)
	}
	// Init keeps the limit and drops the state.
	r = wsproto.NewReader(wsproto.Server)
	r.MaxMessageSize = 5
	r.Next(fr(wsproto.Server, false, opText, "abc"))
	r.Init(wsproto.Client)
	if r.MaxMessageSize != 5 || r.InMessage() || r.Err() != nil || r.CloseReceived() {
		t.Fatalf("Init: limit %d, in message %v, err %v", r.MaxMessageSize, r.InMessage(), r.Err())
	}
	_, _, err := r.Next(fr(wsproto.Client, true, opText, "abcdef"))
	checkErr(t, err, wsproto.ErrFrameTooBig, wsproto.CloseMessageTooBig)
}

// P-54: invalid UTF-8 fails the connection as soon as the bad bytes arrive,
// before the frame or the message is complete.
func TestP54_ReaderFailsFast(t *testing.T) {
	bad := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		// In a non-final fragment: the error comes before the next fragment.
		r := wsproto.NewReader(role)
		res := drive(r, fr(role, false, opText, bad), wholeChunks, t.Fatalf)
		checkErr(t, res.err, wsproto.ErrInvalidUTF8, wsproto.CloseInvalidPayload)
		if !errors.Is(res.err, wsproto.ErrInvalidPayload) {
			t.Fatalf("%v is not ErrInvalidPayload", res.err)
		}

		// Inside one frame: the error comes before the rest of its payload.
		whole := fr(role, true, opText, bad+strings.Repeat("x", 1000))
		cut := len(whole) - 1000
		r = wsproto.NewReader(role)
		res = drive(r, whole[:cut], wholeChunks, t.Fatalf)
		checkErr(t, res.err, wsproto.ErrInvalidUTF8, wsproto.CloseInvalidPayload)

		// A valid prefix ending inside a code point is not an error yet.
		r = wsproto.NewReader(role)
		res = drive(r, fr(role, false, opText, "ok\xf0\x9f"), wholeChunks, t.Fatalf)
		if res.err != nil || !r.InMessage() {
			t.Fatalf("split code point: err %v, in message %v", res.err, r.InMessage())
		}
		ev, _, err := r.Next(fr(role, true, opCont, "\x98\x80"))
		if err != nil || ev.Kind != wsproto.EventData || !ev.Fin || string(ev.Payload) != "\x98\x80" || r.InMessage() {
			t.Fatalf("split code point completed: (%+v, %v), in message %v", ev, err, r.InMessage())
		}
	}
}

// A data frame's payload is handed out as it arrives, piece by piece, with
// Start on the first piece and Fin on the last; control frames wait whole.
func TestReaderStreamsPayload(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 100)
	in := fr(wsproto.Server, true, opBinary, string(payload))
	r := wsproto.NewReader(wsproto.Server)
	hdr := len(in) - len(payload)

	ev, n, err := r.Next(bytes.Clone(in[:hdr]))
	if err != nil || ev.Kind != wsproto.EventNeedMore || n != hdr {
		t.Fatalf("header only: (%v, %d, %v), want need-more consuming the %d header bytes", ev.Kind, n, err, hdr)
	}
	var got []byte
	rest := in[hdr:]
	for i, size := range []int{1, 99, 400, 500} {
		piece := bytes.Clone(rest[:size])
		rest = rest[size:]
		ev, n, err := r.Next(piece)
		if err != nil || ev.Kind != wsproto.EventData || n != size || len(ev.Payload) != size {
			t.Fatalf("piece %d: (%v, %d, %v, %d bytes)", i, ev.Kind, n, err, len(ev.Payload))
		}
		if ev.Start != (i == 0) || ev.Fin != (i == 3) {
			t.Fatalf("piece %d: Start=%v Fin=%v", i, ev.Start, ev.Fin)
		}
		got = append(got, ev.Payload...)
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("reassembled payload differs")
	}

	// A control frame is not handed out until it is complete, and nothing
	// of it is consumed before.
	ping := fr(wsproto.Server, true, opPing, "abcdef")
	for i := 0; i < len(ping); i++ {
		ev, n, err := r.Next(bytes.Clone(ping[:i]))
		if err != nil || ev.Kind != wsproto.EventNeedMore || n != 0 {
			t.Fatalf("ping prefix %d: (%v, %d, %v)", i, ev.Kind, n, err)
		}
	}
	ev, n, err = r.Next(bytes.Clone(ping))
	if err != nil || ev.Kind != wsproto.EventPing || n != len(ping) || string(ev.Payload) != "abcdef" {
		t.Fatalf("ping: (%v, %d, %v, %q)", ev.Kind, n, err, ev.Payload)
	}
}

// P-65: after a close frame the Reader consumes and ignores everything.
func TestP65_ReaderDiscardsAfterClose(t *testing.T) {
	r := wsproto.NewReader(wsproto.Client)
	in := cat(fr(wsproto.Client, true, opClose, "\x03\xe8done"), []byte("\xff\xff garbage"))
	ev, n, err := r.Next(in)
	if err != nil || ev.Kind != wsproto.EventClose || ev.CloseCode != 1000 || string(ev.CloseReason) != "done" {
		t.Fatalf("close: (%+v, %v)", ev, err)
	}
	if !r.CloseReceived() {
		t.Fatalf("CloseReceived() = false")
	}
	ev, m, err := r.Next(in[n:])
	if err != nil || ev.Kind != wsproto.EventNeedMore || m != len(in)-n {
		t.Fatalf("after close: (%v, %d, %v), want need-more consuming all %d bytes", ev.Kind, m, err, len(in)-n)
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[wsproto.EventKind]string{
		wsproto.EventNeedMore: "need-more", wsproto.EventData: "data", wsproto.EventPing: "ping",
		wsproto.EventPong: "pong", wsproto.EventClose: "close", 99: "event(?)",
	} {
		if k.String() != want {
			t.Errorf("EventKind(%d).String() = %q, want %q", k, k.String(), want)
		}
	}
	if wsproto.Client.String() != "client" || wsproto.Server.String() != "server" {
		t.Errorf("Role strings: %q %q", wsproto.Client, wsproto.Server)
	}
}
