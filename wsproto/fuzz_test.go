package wsproto_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wsstack/websocket/wsproto"
)

// seedFrames are whole conversations, as each role's peer sends them, plus
// malformed input, for the fuzz targets that read frames.
func seedFrames(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
		fs := func(fin bool, op wsproto.Opcode, p string) []byte { return fr(role, fin, op, p) }
		seeds = append(seeds,
			fs(true, opText, "hello"),
			fs(true, opBinary, strings.Repeat("\x00\xff", 100)),
			cat(fs(false, opText, "κό"), fs(true, opPing, "p"), fs(false, opCont, "σμ"), fs(true, opCont, "ε")),
			cat(fs(false, opText, "\xe2"), fs(false, opCont, ""), fs(true, opCont, "\x82\xac")),
			fs(true, opClose, "\x03\xe8bye"),
			cat(fs(true, opPong, ""), fs(true, opClose, ""), fs(true, opText, "ignored")),
			fs(true, opText, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"),
			frRSV(role, true, wsproto.RSV1, opText, "\xf2\x48\xcd\xc9\xc9\x07\x00"),
			cat(frRSV(role, false, wsproto.RSV1, opBinary, "a"), frRSV(role, true, wsproto.RSV1, opCont, "b")),
			fs(true, opBinary, strings.Repeat("x", 300)),
			fs(true, 3, ""),
			fs(false, opPing, ""),
			fs(true, opClose, "\x03"),
			fs(true, opClose, "\x03\xed"),
		)
		w := wsproto.NewWriter(peer(role))
		var wire []byte
		wire, _ = w.AppendData(wire, opText, false, false, []byte("frag"))
		wire, _ = w.AppendPing(wire, []byte("ping"))
		wire, _ = w.AppendData(wire, opCont, true, false, []byte("ment"))
		wire, _ = w.AppendData(wire, opBinary, true, false, make([]byte, 70000))
		wire, _ = w.AppendClose(wire, 4000, "done")
		seeds = append(seeds, wire)
	}
	seeds = append(seeds,
		[]byte{0x82, 0x7e, 0x00, 0x05, 1, 2, 3, 4, 5},
		[]byte{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0},
		[]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0},
		[]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4},
		nil,
	)
	return seeds
}

func FuzzParseHeader(f *testing.F) {
	for _, s := range seedFrames(f) {
		f.Add(s[:min(len(s), 16)])
	}
	f.Add([]byte{0x89, 0xfe, 0x00, 0x7e})
	f.Add([]byte{0x0a, 0x80, 1, 2, 3, 4})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, n, err := wsproto.ParseHeader(data)
		if err != nil {
			var we *wsproto.Error
			if !errors.As(err, &we) || we.Code != wsproto.CloseProtocolError || n != 0 {
				t.Fatalf("ParseHeader(%x) = (%d, %v)", data, n, err)
			}
			return
		}
		if n == 0 {
			if len(data) >= wsproto.MaxHeaderSize {
				t.Fatalf("ParseHeader(%x): need more with %d bytes", data, len(data))
			}
			return
		}
		if n > len(data) || n != h.Size() {
			t.Fatalf("ParseHeader(%x) consumed %d bytes, Size() = %d", data, n, h.Size())
		}
		// Only minimal encodings are accepted, so encoding gives back the input.
		if enc := wsproto.AppendHeader(nil, h); !bytes.Equal(enc, data[:n]) {
			t.Fatalf("ParseHeader(%x) = %+v, which encodes as %x", data[:n], h, enc)
		}
		if h.Length < 0 {
			t.Fatalf("negative length %d", h.Length)
		}
		if h.Opcode.IsControl() && (!h.Fin || h.Length > wsproto.MaxControlPayload) {
			t.Fatalf("control header %+v accepted", h)
		}
		for i := 0; i < n; i++ {
			if _, m, err := wsproto.ParseHeader(data[:i]); m != 0 || err != nil {
				t.Fatalf("prefix %x of a valid header: (%d, %v)", data[:i], m, err)
			}
		}
	})
}

// FuzzReader feeds random bytes to Readers of both roles, whole and in
// random chunks. Next must never panic, must make progress, must never hand
// out more payload than it consumed, and the outcome must not depend on the
// chunking. Completed text messages are valid UTF-8 and no message exceeds
// the size limit.
func FuzzReader(f *testing.F) {
	for i, s := range seedFrames(f) {
		f.Add(s, uint64(i), uint8(i%4), uint16(i*37))
	}
	// Regression: a continuation whose length overflows the message size
	// sum must still be refused (reader.go once added before comparing).
	overflow := cat(fr(wsproto.Client, false, opText, "a"),
		wsproto.AppendHeader(nil, wsproto.Header{Fin: true, Opcode: opCont, Length: 1<<63 - 1}),
		bytes.Repeat([]byte("b"), 2000))
	f.Add(overflow, uint64(0), uint8(2), uint16(1000))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, flags uint8, limit uint16) {
		for _, role := range []wsproto.Role{wsproto.Client, wsproto.Server} {
			newReader := func() *wsproto.Reader {
				r := wsproto.NewReader(role)
				r.AllowRSV1(flags&1 != 0)
				if flags&2 != 0 {
					r.MaxMessageSize = int64(limit)
				}
				return r
			}
			r := newReader()
			whole := drive(r, bytes.Clone(data), wholeChunks, t.Fatalf)
			chunked := drive(newReader(), bytes.Clone(data), randomChunks(seed), t.Fatalf)
			for _, res := range []driveResult{whole, chunked} {
				if res.payload > res.consumed || res.consumed > len(data) {
					t.Fatalf("%v: %d payload bytes from %d consumed of %d input", role, res.payload, res.consumed, len(data))
				}
				if flags&2 != 0 && limit > 0 && res.maxMsg > int(limit) {
					t.Fatalf("%v: %d bytes of one message handed out, over the limit %d", role, res.maxMsg, limit)
				}
			}
			if !sameRecords(whole.records, chunked.records) || whole.err != chunked.err {
				t.Fatalf("%v: whole input gave %s, %v; chunked %s, %v", role,
					recordsString(whole.records), whole.err, recordsString(chunked.records), chunked.err)
			}
			if whole.err != nil {
				var we *wsproto.Error
				errors.As(whole.err, &we)
				switch we.Code {
				case wsproto.CloseProtocolError, wsproto.CloseInvalidPayload, wsproto.CloseMessageTooBig:
				default:
					t.Fatalf("%v: error %v with code %d", role, whole.err, we.Code)
				}
				if r.Err() != whole.err {
					t.Fatalf("%v: Err() = %v, want %v", role, r.Err(), whole.err)
				}
			}
			for _, rec := range whole.records {
				if rec.Kind == wsproto.EventData && rec.Opcode == opText && !rec.Compressed && !utf8.ValidString(rec.Payload) {
					t.Fatalf("%v: invalid UTF-8 text delivered: %q", role, rec.Payload)
				}
				if rec.Kind == wsproto.EventData && flags&2 != 0 && limit > 0 && len(rec.Payload) > int(limit) {
					t.Fatalf("%v: %d-byte message over the limit %d", role, len(rec.Payload), limit)
				}
				if rec.Compressed && flags&1 == 0 {
					t.Fatalf("%v: compressed message without RSV1 allowed", role)
				}
				if rec.Kind == wsproto.EventClose {
					if rec.Code != wsproto.CloseNoStatus && !rec.Code.ValidReceived() || !utf8.ValidString(rec.Reason) {
						t.Fatalf("%v: close %d %q delivered", role, rec.Code, rec.Reason)
					}
				}
			}
		}
	})
}

// FuzzUTF8Validator checks the validator, fed in two pieces, against
// utf8.Valid, and each Write's answer against the valid-prefix oracle.
func FuzzUTF8Validator(f *testing.F) {
	for _, s := range utf8Samples {
		f.Add([]byte(s), uint(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, split uint) {
		k := int(split % uint(len(data)+1))
		var v wsproto.UTF8Validator
		first := v.Write(data[:k])
		if want := validPrefix(data[:k]); first != want {
			t.Fatalf("Write(%x) = %v, want %v", data[:k], first, want)
		}
		second := v.Write(data[k:])
		if want := validPrefix(data); second != want {
			t.Fatalf("Write(%x) after %x = %v, want %v", data[k:], data[:k], second, want)
		}
		if got, want := second && v.Complete(), utf8.Valid(data); got != want {
			t.Fatalf("%x split at %d: %v, utf8.Valid says %v", data, k, got, want)
		}
	})
}

// FuzzClosePayload checks ParseClosePayload against the rules written out
// here, its round trip through AppendClosePayload, and that the Reader
// decides a close frame the same way.
func FuzzClosePayload(f *testing.F) {
	for _, s := range []string{"", "\x03", "\x03\xe8", "\x03\xe8bye", "\x0f\xa0κόσμε", "\x03\xed", "\x13\x88",
		"\x03\xe8\xed\xa0\x80", "\x03\xe8\xe2\x82", "\x0b\xb8" + strings.Repeat("r", 123), "\x0b\xb8" + strings.Repeat("r", 124)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		code, reason, err := wsproto.ParseClosePayload(data)
		var want error
		switch {
		case len(data) == 0:
		case len(data) == 1:
			want = wsproto.ErrCloseTooShort
		case len(data) > wsproto.MaxControlPayload:
			want = wsproto.ErrControlTooLong
		case !wsproto.CloseCode(uint16(data[0])<<8 | uint16(data[1])).ValidReceived():
			want = wsproto.ErrInvalidCloseCode
		case !utf8.Valid(data[2:]):
			want = wsproto.ErrInvalidCloseReason
		}
		if err != want {
			t.Fatalf("ParseClosePayload(%x) error %v, want %v", data, err, want)
		}
		if err == nil {
			if len(data) == 0 && (code != wsproto.CloseNoStatus || len(reason) != 0) {
				t.Fatalf("empty payload: (%v, %q)", code, reason)
			}
			enc, err := wsproto.AppendClosePayload(nil, code, string(reason))
			if err != nil || !bytes.Equal(enc, data) {
				t.Fatalf("AppendClosePayload(%v, %q) = (%x, %v), want %x", code, reason, enc, err, data)
			}
		}
		if len(data) > wsproto.MaxControlPayload {
			return
		}
		r := wsproto.NewReader(wsproto.Client)
		ev, _, rerr := r.Next(fr(wsproto.Client, true, opClose, string(data)))
		if rerr != err {
			t.Fatalf("Reader error %v, ParseClosePayload error %v", rerr, err)
		}
		if err == nil && (ev.Kind != wsproto.EventClose || ev.CloseCode != code || !bytes.Equal(ev.CloseReason, reason)) {
			t.Fatalf("Reader event %+v, want close %v %q", ev, code, reason)
		}
	})
}

// FuzzParseExtensions checks the parser against the grammar oracle, and
// that a parsed list survives formatting and parsing again.
func FuzzParseExtensions(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate; client_max_window_bits",
		"permessage-deflate; client_max_window_bits=10; server_no_context_takeover, permessage-deflate",
		`a; b="10"`, `a; b="1\0"`, " a , b ;c= d ", "a, ,b", ",",
		`a; b="1 0"`, "a;", ";a", "a b", `a; b="10`, "a; =x", "a\x00b", "a=b",
	} {
		f.Add(s, "")
	}
	f.Add("a", "b; c")
	f.Add("", "x;")
	f.Fuzz(func(t *testing.T, a, b string) {
		values := []string{a, b}
		exts, err := wsproto.ParseExtensions(values)
		if ok := grammarAccepts(values); (err == nil) != ok {
			t.Fatalf("ParseExtensions(%q) error %v, grammar says ok=%v", values, err, ok)
		}
		if err != nil {
			if he, isHE := err.(*wsproto.HandshakeError); !isHE || he.Status != 400 {
				t.Fatalf("error %#v, want a 400 HandshakeError", err)
			}
			return
		}
		for _, e := range exts {
			if !wsproto.IsToken(e.Name) {
				t.Fatalf("extension name %q", e.Name)
			}
			for _, p := range e.Params {
				if !wsproto.IsToken(p.Name) || p.HasValue && !wsproto.IsToken(p.Value) || !p.HasValue && p.Value != "" {
					t.Fatalf("parameter %+v", p)
				}
			}
		}
		// Lines concatenate.
		ea, _ := wsproto.ParseExtensions([]string{a})
		eb, _ := wsproto.ParseExtensions([]string{b})
		if !reflect.DeepEqual(exts, append(ea, eb...)) && !(len(exts) == 0 && len(ea)+len(eb) == 0) {
			t.Fatalf("ParseExtensions(%q) = %+v, lines alone %+v and %+v", values, exts, ea, eb)
		}
		s := wsproto.FormatExtensions(exts)
		again, err := wsproto.ParseExtensions([]string{s})
		if err != nil || len(again)+len(exts) > 0 && !reflect.DeepEqual(again, exts) {
			t.Fatalf("round trip of %+v through %q: (%+v, %v)", exts, s, again, err)
		}
	})
}

// noControl fails if msg holds a control byte (P-96).
func noControl(t *testing.T, msg string) {
	t.Helper()
	for i := 0; i < len(msg); i++ {
		if msg[i] < 0x20 || msg[i] == 0x7f {
			t.Fatalf("message %q holds control byte %#x", msg, msg[i])
		}
	}
}

// FuzzCheckRequest builds requests from fuzz input. CheckRequest must not
// panic, must refuse with 400, 405 or 426 and a clean message, and what it
// accepts must really be a valid request.
func FuzzCheckRequest(f *testing.F) {
	f.Add("GET", 1, 1, "example.com", "websocket", "Upgrade", "13", rfcKey, "chat, superchat", "permessage-deflate; client_max_window_bits", "https://x", uint8(0xff))
	f.Add("GET", 1, 1, "h", "WebSocket", "keep-alive, Upgrade", " 13", "AQIDBAUGBwgJCgsMDQ4PEC==", "", "", "", uint8(0x0f))
	f.Add("POST", 1, 1, "h", "websocket", "Upgrade", "13", rfcKey, "", "", "", uint8(0x0f))
	f.Add("GET", 1, 0, "h", "websocket", "Upgrade", "8", rfcKey, "a b", `a; b="1 0"`, "", uint8(0xff))
	f.Add("GET", 2, 0, "", "h2c", "close", "13", "x\r\ny", "chat,", "a;", "null", uint8(0xff))
	f.Fuzz(func(t *testing.T, method string, major, minor int, host, upgrade, connection, version, key, protocol, extensions, origin string, present uint8) {
		h := map[string][]string{}
		for i, kv := range []struct{ k, v string }{
			{"Upgrade", upgrade}, {"Connection", connection}, {"Sec-Websocket-Version", version},
			{"Sec-Websocket-Key", key}, {"Sec-Websocket-Protocol", protocol},
			{"Sec-Websocket-Extensions", extensions}, {"Origin", origin},
		} {
			if present&(1<<i) != 0 {
				h[kv.k] = []string{kv.v}
			}
		}
		if present&0x80 != 0 { // a second line for the comma-list headers
			h["Connection"] = append(h["Connection"], "keep-alive")
			h["Sec-Websocket-Protocol"] = append(h["Sec-Websocket-Protocol"], "v2")
		}
		req, err := wsproto.CheckRequest(method, major, minor, host, h)
		if err != nil {
			he, ok := err.(*wsproto.HandshakeError)
			if !ok {
				t.Fatalf("error %T %v", err, err)
			}
			switch he.Status {
			case 400, 405, 426:
			default:
				t.Fatalf("status %d", he.Status)
			}
			if he.Status == 426 && he.Header["Sec-WebSocket-Version"] != "13" {
				t.Fatalf("426 without Sec-WebSocket-Version: 13: %v", he.Header)
			}
			if (he.Status == 405) != (method != "GET") {
				t.Fatalf("status %d for method %q", he.Status, method)
			}
			noControl(t, err.Error())
			return
		}
		if method != "GET" || major < 1 || major == 1 && minor < 1 || host == "" {
			t.Fatalf("accepted %q HTTP/%d.%d host %q", method, major, minor, host)
		}
		if !wsproto.HeaderHasToken(h["Upgrade"], "websocket") || !wsproto.HeaderHasToken(h["Connection"], "upgrade") {
			t.Fatalf("accepted without upgrade headers: %q", h)
		}
		if len(h["Sec-Websocket-Version"]) != 1 || strings.TrimSpace(h["Sec-Websocket-Version"][0]) != "13" {
			t.Fatalf("accepted version %q", h["Sec-Websocket-Version"])
		}
		raw, derr := base64.StdEncoding.DecodeString(req.Key)
		if derr != nil || len(raw) != 16 || len(h["Sec-Websocket-Key"]) != 1 {
			t.Fatalf("accepted key %q (%d bytes, %v)", h["Sec-Websocket-Key"], len(raw), derr)
		}
		for _, p := range req.Protocols {
			if !wsproto.IsToken(p) {
				t.Fatalf("accepted protocol %q", p)
			}
		}
		if !grammarAccepts(h["Sec-Websocket-Extensions"]) {
			t.Fatalf("accepted extensions %q", h["Sec-Websocket-Extensions"])
		}
	})
}

// FuzzCheckResponse builds responses from fuzz input. CheckResponse must not
// panic, must report the received status with a clean message, and what it
// accepts must hold the right accept value and only offered choices.
func FuzzCheckResponse(f *testing.F) {
	accept := wsproto.AcceptKey(rfcKey)
	f.Add(101, "websocket", "Upgrade", accept, "chat", "permessage-deflate; server_no_context_takeover", rfcKey, "chat", "permessage-deflate", uint8(0xff))
	f.Add(101, "websocket", "Upgrade", accept, "", "", rfcKey, "", "", uint8(0x07))
	f.Add(101, "WebSocket", "keep-alive, upgrade", " "+accept, "other", "x-foo", rfcKey, "chat", "permessage-deflate", uint8(0xff))
	f.Add(200, "websocket", "Upgrade", accept, "", "", rfcKey, "", "", uint8(0x07))
	f.Add(math.MinInt, "", "", "", "", "", "", "", "", uint8(0))
	f.Add(-1, "websocket", "Upgrade", "x\r\ny", "a\x00", "b;", "k", "a\x00", "b", uint8(0xff))
	f.Fuzz(func(t *testing.T, status int, upgrade, connection, acc, protocol, extensions, key, offeredProto, offeredExt string, present uint8) {
		h := map[string][]string{}
		for i, kv := range []struct{ k, v string }{
			{"Upgrade", upgrade}, {"Connection", connection}, {"Sec-Websocket-Accept", acc},
			{"Sec-Websocket-Protocol", protocol}, {"Sec-Websocket-Extensions", extensions},
		} {
			if present&(1<<i) != 0 {
				h[kv.k] = []string{kv.v}
			}
		}
		var protos, exts []string
		if present&0x20 != 0 && offeredProto != "" {
			protos = strings.Split(offeredProto, ",")
		}
		if present&0x40 != 0 && offeredExt != "" {
			exts = strings.Split(offeredExt, ",")
		}
		if present&0x80 != 0 {
			h["Sec-Websocket-Extensions"] = append(h["Sec-Websocket-Extensions"], "permessage-deflate")
		}
		resp, err := wsproto.CheckResponse(status, h, key, protos, exts)
		if err != nil {
			he, ok := err.(*wsproto.HandshakeError)
			if !ok || he.Status != status {
				t.Fatalf("error %#v for status %d", err, status)
			}
			noControl(t, err.Error())
			return
		}
		if status != 101 {
			t.Fatalf("accepted status %d", status)
		}
		if len(h["Sec-Websocket-Accept"]) != 1 || strings.TrimSpace(h["Sec-Websocket-Accept"][0]) != wsproto.AcceptKey(key) {
			t.Fatalf("accepted accept %q for key %q", h["Sec-Websocket-Accept"], key)
		}
		if _, sent := h["Sec-Websocket-Protocol"]; sent && !contains(protos, resp.Protocol) || !sent && (len(protos) > 0 || resp.Protocol != "") {
			t.Fatalf("accepted protocol %q (header %q), offered %q", resp.Protocol, h["Sec-Websocket-Protocol"], protos)
		}
		for _, e := range resp.Extensions {
			if !contains(exts, e.Name) {
				t.Fatalf("accepted extension %q, offered %q", e.Name, exts)
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
