package wsproto_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// testKey is the masking key of the frames the tests build by hand.
var testKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// frame builds one frame: h's header (Length is set from payload unless
// setLen is used) followed by payload, masked with h.Mask when h.Masked.
func frame(h wsproto.Header, payload []byte) []byte {
	h.Length = int64(len(payload))
	out := wsproto.AppendHeader(nil, h)
	start := len(out)
	out = append(out, payload...)
	if h.Masked {
		wsproto.Mask(h.Mask, 0, out[start:])
	}
	return out
}

// fr is a shorthand for a frame as the given role's peer sends it: a frame
// for a Server reader is masked (it comes from a client), a frame for a
// Client reader is not.
func fr(to wsproto.Role, fin bool, op wsproto.Opcode, payload string) []byte {
	h := wsproto.Header{Fin: fin, Opcode: op}
	if to == wsproto.Server {
		h.Masked, h.Mask = true, testKey
	}
	return frame(h, []byte(payload))
}

// frRSV is fr with reserved bits.
func frRSV(to wsproto.Role, fin bool, rsv uint8, op wsproto.Opcode, payload string) []byte {
	h := wsproto.Header{Fin: fin, Rsv: rsv, Opcode: op}
	if to == wsproto.Server {
		h.Masked, h.Mask = true, testKey
	}
	return frame(h, []byte(payload))
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// chunker returns the size of the next piece of input handed to the reader.
type chunker func(remaining int) int

func wholeChunks(remaining int) int { return remaining }
func byteChunks(int) int            { return 1 }

func randomChunks(seed uint64) chunker {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(remaining int) int {
		if remaining <= 1 {
			return remaining
		}
		switch rng.IntN(4) {
		case 0:
			return 1 + rng.IntN(3)
		case 1:
			return 1 + rng.IntN(20)
		default:
			return 1 + rng.IntN(remaining)
		}
	}
}

var chunkers = []struct {
	name string
	c    func() chunker
}{
	{"whole", func() chunker { return wholeChunks }},
	{"bytewise", func() chunker { return byteChunks }},
	{"random1", func() chunker { return randomChunks(1) }},
	{"random2", func() chunker { return randomChunks(2) }},
	{"random3", func() chunker { return randomChunks(3) }},
}

// record is a completed message or control frame, in a form easy to compare.
type record struct {
	Kind       wsproto.EventKind
	Opcode     wsproto.Opcode
	Compressed bool
	Payload    string
	Code       wsproto.CloseCode
	Reason     string
}

func (r record) String() string {
	s := r.Kind.String() + "/" + r.Opcode.String()
	if r.Compressed {
		s += "+compressed"
	}
	if len(r.Payload) > 40 {
		s += fmt.Sprintf(" %d bytes", len(r.Payload))
	} else {
		s += fmt.Sprintf(" %q", r.Payload)
	}
	if r.Kind == wsproto.EventClose {
		s += fmt.Sprintf(" code=%d reason=%q", r.Code, r.Reason)
	}
	return s
}

// Shorthands for expected records.
func text(s string) record {
	return record{Kind: wsproto.EventData, Opcode: wsproto.OpText, Payload: s}
}
func binary(s string) record {
	return record{Kind: wsproto.EventData, Opcode: wsproto.OpBinary, Payload: s}
}
func ping(s string) record {
	return record{Kind: wsproto.EventPing, Opcode: wsproto.OpPing, Payload: s}
}
func pong(s string) record {
	return record{Kind: wsproto.EventPong, Opcode: wsproto.OpPong, Payload: s}
}
func closeRec(code wsproto.CloseCode, reason string, payload string) record {
	return record{Kind: wsproto.EventClose, Opcode: wsproto.OpClose, Payload: payload, Code: code, Reason: reason}
}

// driveResult is what a Reader made of some input.
type driveResult struct {
	records  []record
	err      error
	consumed int // input bytes the Reader consumed
	payload  int // payload bytes handed out in events
	partial  bool
	maxMsg   int // largest message payload handed out, counting unfinished ones
}

// drive feeds input to r in the pieces chunk chooses, as a driver would: it
// keeps the bytes Next did not consume and appends the next piece to them.
// It checks the invariants every driver relies on and reports violations
// through fail (t.Fatalf or a fuzz failure).
func drive(r *wsproto.Reader, input []byte, chunk chunker, fail func(format string, args ...any)) driveResult {
	var res driveResult
	var buf []byte
	var cur *record    // message being reassembled
	var curData []byte // and its payload so far
	pos := 0
	steps := 0
	for {
		if pos < len(input) {
			k := chunk(len(input) - pos)
			k = max(1, min(k, len(input)-pos))
			buf = append(buf, input[pos:pos+k]...)
			pos += k
		}
		for {
			steps++
			if steps > 10*len(input)+100 {
				fail("Reader made no progress: %d calls to Next for %d input bytes", steps, len(input))
				return res
			}
			ev, n, err := r.Next(buf)
			if n < 0 || n > len(buf) {
				fail("Next consumed %d bytes of %d", n, len(buf))
				return res
			}
			if err != nil {
				var we *wsproto.Error
				if !errors.As(err, &we) {
					fail("Next returned %T %v, want *wsproto.Error", err, err)
				}
				if ev.Kind != wsproto.EventNeedMore {
					fail("Next returned event %v together with error %v", ev.Kind, err)
				}
				ev2, n2, err2 := r.Next(buf[n:])
				if err2 != err || n2 != 0 || ev2.Kind != wsproto.EventNeedMore {
					fail("Next after error %v returned (%v, %d, %v), want the same error again", err, ev2.Kind, n2, err2)
				}
				if r.Err() != err {
					fail("Err() = %v after Next returned %v", r.Err(), err)
				}
				res.consumed += n
				res.err = err
				res.partial = cur != nil
				return res
			}
			if ev.Kind != wsproto.EventNeedMore && n == 0 {
				fail("Next returned event %v without consuming input", ev.Kind)
				return res
			}
			// Payloads must lie within the consumed bytes.
			if len(ev.Payload) > n {
				fail("event payload of %d bytes from %d consumed bytes", len(ev.Payload), n)
			}
			res.payload += len(ev.Payload)
			res.consumed += n
			switch ev.Kind {
			case wsproto.EventNeedMore:
			case wsproto.EventData:
				if ev.Opcode != wsproto.OpText && ev.Opcode != wsproto.OpBinary {
					fail("data event with opcode %v", ev.Opcode)
				}
				if ev.Start != (cur == nil) {
					fail("data event Start=%v while a message in progress=%v", ev.Start, cur != nil)
				}
				if cur == nil {
					cur = &record{Kind: wsproto.EventData, Opcode: ev.Opcode, Compressed: ev.Compressed}
				} else if cur.Opcode != ev.Opcode || cur.Compressed != ev.Compressed {
					fail("data event %v/%v inside message %v/%v", ev.Opcode, ev.Compressed, cur.Opcode, cur.Compressed)
				}
				curData = append(curData, ev.Payload...)
				res.maxMsg = max(res.maxMsg, len(curData))
				if r.InMessage() == ev.Fin {
					fail("InMessage()=%v after data event with Fin=%v", r.InMessage(), ev.Fin)
				}
				if ev.Fin {
					cur.Payload = string(curData)
					res.records = append(res.records, *cur)
					cur, curData = nil, curData[:0]
				}
			case wsproto.EventPing, wsproto.EventPong, wsproto.EventClose:
				if !ev.Start || !ev.Fin {
					fail("control event without Start and Fin")
				}
				if len(ev.Payload) > wsproto.MaxControlPayload {
					fail("control payload of %d bytes", len(ev.Payload))
				}
				rec := record{Kind: ev.Kind, Opcode: ev.Opcode, Payload: string(ev.Payload)}
				if ev.Kind == wsproto.EventClose {
					rec.Code, rec.Reason = ev.CloseCode, string(ev.CloseReason)
					if !r.CloseReceived() {
						fail("CloseReceived() false after a close event")
					}
					cur, curData = nil, curData[:0] // a message in progress is abandoned
				}
				res.records = append(res.records, rec)
			default:
				fail("unknown event kind %v", ev.Kind)
			}
			buf = buf[n:]
			if ev.Kind == wsproto.EventNeedMore {
				break
			}
		}
		if pos == len(input) {
			res.partial = cur != nil
			return res
		}
	}
}

func recordsString(rs []record) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func sameRecords(a, b []record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkErr asserts that err is want (by errors.Is), that it carries code, and
// that it matches the class sentinel of that code.
func checkErr(t testing.TB, err, want error, code wsproto.CloseCode) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var we *wsproto.Error
	if !errors.As(err, &we) {
		t.Fatalf("error %T is not a *wsproto.Error", err)
	}
	if we.Code != code {
		t.Fatalf("error %v has code %d, want %d", err, we.Code, code)
	}
	class := map[wsproto.CloseCode]error{
		wsproto.CloseProtocolError:  wsproto.ErrProtocol,
		wsproto.CloseInvalidPayload: wsproto.ErrInvalidPayload,
		wsproto.CloseMessageTooBig:  wsproto.ErrMessageTooBig,
	}
	for c, sentinel := range class {
		if got := errors.Is(err, sentinel); got != (c == code) {
			t.Fatalf("errors.Is(%v, class %d) = %v", err, c, got)
		}
	}
}
