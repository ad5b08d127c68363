package wsproto_test

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

const rfcKey = "dGhlIHNhbXBsZSBub25jZQ=="

// P-16: the accept value, with the RFC's vector and against the formula
// computed here from its parts.
func TestP16_AcceptKey(t *testing.T) {
	if got := wsproto.AcceptKey(rfcKey); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("AcceptKey(%q) = %q, want s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", rfcKey, got)
	}
	for range 20 {
		key := wsproto.NewKey()
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		if got, want := wsproto.AcceptKey(key), base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Fatalf("AcceptKey(%q) = %q, want %q", key, got, want)
		}
	}
	// The key string as sent, not its decoded bytes: two encodings of the
	// same bytes (the RFC's erratum key) give different accepts.
	if wsproto.AcceptKey("AQIDBAUGBwgJCgsMDQ4PEC==") == wsproto.AcceptKey("AQIDBAUGBwgJCgsMDQ4PEA==") {
		t.Fatalf("AcceptKey depends only on the decoded key")
	}
}

// P-8: a key is the base64 of 16 random bytes, fresh each time.
func TestP8_NewKeyIs16RandomBytes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k := wsproto.NewKey()
		b, err := base64.StdEncoding.Strict().DecodeString(k)
		if err != nil || len(b) != 16 || len(k) != 24 {
			t.Fatalf("NewKey() = %q: %d bytes, %v", k, len(b), err)
		}
		if seen[k] {
			t.Fatalf("NewKey() repeated %q", k)
		}
		seen[k] = true
		// The server accepts it.
		h := validRequest()
		h["Sec-Websocket-Key"] = []string{k}
		if _, err := wsproto.CheckRequest("GET", 1, 1, "example.com", h); err != nil {
			t.Fatalf("CheckRequest refused NewKey() %q: %v", k, err)
		}
	}
}

func validRequest() map[string][]string {
	return map[string][]string{
		"Upgrade":               {"websocket"},
		"Connection":            {"Upgrade"},
		"Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key":     {rfcKey},
	}
}

var version13 = map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}

// P-21, P-22, P-23, P-29, P-32, P-33: the server's checks of the request.
func TestP22_CheckRequest(t *testing.T) {
	set := func(k string, v ...string) func(map[string][]string) {
		return func(h map[string][]string) { h[k] = v }
	}
	del := func(k string) func(map[string][]string) {
		return func(h map[string][]string) { delete(h, k) }
	}
	tests := []struct {
		name   string
		method string
		major  int
		minor  int
		host   string
		mut    func(map[string][]string)
		status int               // 0: accepted
		header map[string]string // for a refusal
		want   wsproto.Request   // for an acceptance (Key is checked too)
	}{
		{name: "valid", want: wsproto.Request{Key: rfcKey}},
		{name: "HTTP/2.0", major: 2, minor: 0, want: wsproto.Request{Key: rfcKey}},
		{name: "HTTP/1.2", major: 1, minor: 2, want: wsproto.Request{Key: rfcKey}},
		// P-21: method and version.
		{name: "POST", method: "POST", status: 405, header: map[string]string{"Allow": "GET"}},
		{name: "HEAD", method: "HEAD", status: 405, header: map[string]string{"Allow": "GET"}},
		{name: "lower-case get", method: "get", status: 405, header: map[string]string{"Allow": "GET"}},
		{name: "HTTP/1.0", major: 1, minor: 0, status: 400},
		{name: "HTTP/0.9", major: 0, minor: 9, status: 400},
		// P-22: headers.
		{name: "missing Host", host: "-", status: 400},
		{name: "missing Upgrade", mut: del("Upgrade"), status: 400},
		{name: "Upgrade h2c", mut: set("Upgrade", "h2c"), status: 400},
		{name: "Upgrade websocket2", mut: set("Upgrade", "websocket2"), status: 400},
		{name: "Upgrade mixed case", mut: set("Upgrade", "WebSocket"), want: wsproto.Request{Key: rfcKey}},
		{name: "Upgrade list", mut: set("Upgrade", "h2c, websocket"), want: wsproto.Request{Key: rfcKey}},
		{name: "missing Connection", mut: del("Connection"), status: 400},
		{name: "Connection keep-alive", mut: set("Connection", "keep-alive"), status: 400},
		{name: "Connection Upgraded", mut: set("Connection", "Upgraded"), status: 400},
		{name: "Connection keep-alive, Upgrade", mut: set("Connection", "keep-alive, Upgrade"), want: wsproto.Request{Key: rfcKey}},
		{name: "Connection lower case", mut: set("Connection", "upgrade"), want: wsproto.Request{Key: rfcKey}},
		{name: "Connection on two lines", mut: set("Connection", "keep-alive", "UPGRADE"), want: wsproto.Request{Key: rfcKey}},
		// P-23: version.
		{name: "version 8", mut: set("Sec-Websocket-Version", "8"), status: 426, header: version13},
		{name: "version missing", mut: del("Sec-Websocket-Version"), status: 426, header: version13},
		{name: "version twice", mut: set("Sec-Websocket-Version", "13", "13"), status: 426, header: version13},
		{name: "version list", mut: set("Sec-Websocket-Version", "13, 8"), status: 426, header: version13},
		{name: "version 013", mut: set("Sec-Websocket-Version", "013"), status: 426, header: version13},
		{name: "version with spaces", mut: set("Sec-Websocket-Version", " 13 "), want: wsproto.Request{Key: rfcKey}},
		// P-22, P-29: the key.
		{name: "missing key", mut: del("Sec-Websocket-Key"), status: 400},
		{name: "two keys", mut: set("Sec-Websocket-Key", rfcKey, rfcKey), status: 400},
		{name: "empty key", mut: set("Sec-Websocket-Key", ""), status: 400},
		{name: "key of 15 bytes", mut: set("Sec-Websocket-Key", base64.StdEncoding.EncodeToString(make([]byte, 15))), status: 400},
		{name: "key of 17 bytes", mut: set("Sec-Websocket-Key", base64.StdEncoding.EncodeToString(make([]byte, 17))), status: 400},
		{name: "key of 18 bytes", mut: set("Sec-Websocket-Key", base64.StdEncoding.EncodeToString(make([]byte, 18))), status: 400},
		{name: "key unpadded", mut: set("Sec-Websocket-Key", strings.TrimRight(rfcKey, "=")), status: 400},
		{name: "key not base64", mut: set("Sec-Websocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="), status: 400},
		{name: "key url alphabet", mut: set("Sec-Websocket-Key", "-_-_-_-_-_-_-_-_-_-_-w=="), status: 400},
		{name: "key with spaces", mut: set("Sec-Websocket-Key", "  "+rfcKey+" "), want: wsproto.Request{Key: rfcKey}},
		{name: "key with non-zero padding bits", mut: set("Sec-Websocket-Key", "AQIDBAUGBwgJCgsMDQ4PEC=="), want: wsproto.Request{Key: "AQIDBAUGBwgJCgsMDQ4PEC=="}},
		// P-30, P-32: subprotocols.
		{name: "protocols", mut: set("Sec-Websocket-Protocol", "chat, superchat", "v2.proto"),
			want: wsproto.Request{Key: rfcKey, Protocols: []string{"chat", "superchat", "v2.proto"}}},
		{name: "protocol empty element ignored", mut: set("Sec-Websocket-Protocol", "chat, "), want: wsproto.Request{Key: rfcKey, Protocols: []string{"chat"}}},
		{name: "protocol with space", mut: set("Sec-Websocket-Protocol", "a b"), status: 400},
		{name: "protocol separator", mut: set("Sec-Websocket-Protocol", "chat;v=1"), status: 400},
		{name: "protocol empty", mut: set("Sec-Websocket-Protocol", ""), want: wsproto.Request{Key: rfcKey}},
		// P-33: extensions.
		{name: "extensions", mut: set("Sec-Websocket-Extensions", "permessage-deflate; client_max_window_bits, x-foo"),
			want: wsproto.Request{Key: rfcKey, Extensions: []wsproto.Extension{
				{Name: "permessage-deflate", Params: []wsproto.ExtensionParam{{Name: "client_max_window_bits"}}},
				{Name: "x-foo"},
			}}},
		{name: "extension trailing semicolon", mut: set("Sec-Websocket-Extensions", "permessage-deflate;"), status: 400},
		{name: "extension bad quoted value", mut: set("Sec-Websocket-Extensions", `a; b="1 0"`), status: 400},
		// Origin is reported, not judged here.
		{name: "origin", mut: set("Origin", "https://example.com"), want: wsproto.Request{Key: rfcKey, Origin: "https://example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, major, minor, host := "GET", 1, 1, "example.com"
			if tt.method != "" {
				method = tt.method
			}
			if tt.major != 0 || tt.minor != 0 {
				major, minor = tt.major, tt.minor
			}
			if tt.host == "-" {
				host = ""
			}
			h := validRequest()
			if tt.mut != nil {
				tt.mut(h)
			}
			req, err := wsproto.CheckRequest(method, major, minor, host, h)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !reflect.DeepEqual(req, tt.want) {
					t.Fatalf("request %+v, want %+v", req, tt.want)
				}
				return
			}
			var he *wsproto.HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("error %v (%T), want a *HandshakeError", err, err)
			}
			if he.Status != tt.status {
				t.Fatalf("status %d (%v), want %d", he.Status, err, tt.status)
			}
			for k, v := range tt.header {
				if he.Header[k] != v {
					t.Fatalf("header %s = %q, want %q (all: %v)", k, he.Header[k], v, he.Header)
				}
			}
			if !strings.HasPrefix(err.Error(), "websocket: handshake: ") || he.Msg == "" {
				t.Fatalf("error text %q", err.Error())
			}
		})
	}
}

// The header keys CheckRequest reads are the ones net/http produces.
func TestCheckRequestWithHTTPHeader(t *testing.T) {
	h := http.Header{}
	h.Set("upgrade", "websocket")
	h.Set("connection", "Upgrade")
	h.Set("sec-websocket-version", "13")
	h.Set("sec-websocket-key", rfcKey)
	h.Add("sec-websocket-protocol", "chat")
	h.Add("sec-websocket-extensions", "permessage-deflate")
	req, err := wsproto.CheckRequest("GET", 1, 1, "h", h)
	if err != nil || req.Key != rfcKey || len(req.Protocols) != 1 || len(req.Extensions) != 1 {
		t.Fatalf("CheckRequest(http.Header) = (%+v, %v)", req, err)
	}
}

// decodedKeyAccept is the accept a server computes by mistake from the
// key's decoded bytes instead of the key string.
func decodedKeyAccept() string {
	raw, _ := base64.StdEncoding.DecodeString(rfcKey)
	sum := sha1.Sum(append(raw, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"...))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func validResponse(key string) map[string][]string {
	return map[string][]string{
		"Upgrade":              {"websocket"},
		"Connection":           {"Upgrade"},
		"Sec-Websocket-Accept": {wsproto.AcceptKey(key)},
	}
}

// P-13..P-18, P-35: the client's checks of the response.
func TestP16_CheckResponse(t *testing.T) {
	accept := wsproto.AcceptKey(rfcKey)
	set := func(k string, v ...string) func(map[string][]string) {
		return func(h map[string][]string) { h[k] = v }
	}
	del := func(k string) func(map[string][]string) {
		return func(h map[string][]string) { delete(h, k) }
	}
	pmd := []string{"permessage-deflate"}
	tests := []struct {
		name      string
		status    int
		mut       func(map[string][]string)
		protocols []string
		exts      []string
		fail      bool
		want      wsproto.Response
	}{
		{name: "valid"},
		{name: "extra headers", mut: set("Set-Cookie", "a=b")},
		// P-13: status.
		{name: "200", status: 200, fail: true},
		{name: "401", status: 401, fail: true},
		{name: "426", status: 426, fail: true},
		{name: "100", status: 100, fail: true},
		// P-14: Upgrade.
		{name: "missing Upgrade", mut: del("Upgrade"), fail: true},
		{name: "Upgrade h2c", mut: set("Upgrade", "h2c"), fail: true},
		{name: "Upgrade WEBSOCKET", mut: set("Upgrade", "WEBSOCKET")},
		// P-15: Connection.
		{name: "missing Connection", mut: del("Connection"), fail: true},
		{name: "Connection close", mut: set("Connection", "close"), fail: true},
		{name: "Connection list", mut: set("Connection", "keep-alive, upgrade")},
		// P-16: accept.
		{name: "missing accept", mut: del("Sec-Websocket-Accept"), fail: true},
		{name: "wrong accept", mut: set("Sec-Websocket-Accept", wsproto.AcceptKey("AQIDBAUGBwgJCgsMDQ4PEA==")), fail: true},
		{name: "accept lower case", mut: set("Sec-Websocket-Accept", strings.ToLower(accept)), fail: true},
		{name: "accept of the decoded key", mut: set("Sec-Websocket-Accept", decodedKeyAccept()), fail: true},
		{name: "accept empty", mut: set("Sec-Websocket-Accept", ""), fail: true},
		{name: "accept with spaces", mut: set("Sec-Websocket-Accept", " "+accept+"\t")},
		{name: "two accepts", mut: set("Sec-Websocket-Accept", accept, accept), fail: true},
		{name: "accept pair in one line", mut: set("Sec-Websocket-Accept", accept+", "+accept), fail: true},
		// P-18: subprotocol.
		{name: "protocol chosen", protocols: []string{"chat", "superchat"}, mut: set("Sec-Websocket-Protocol", "superchat"),
			want: wsproto.Response{Protocol: "superchat"}},
		{name: "protocol with spaces", protocols: []string{"chat"}, mut: set("Sec-Websocket-Protocol", " chat "),
			want: wsproto.Response{Protocol: "chat"}},
		{name: "protocol not offered", protocols: []string{"chat"}, mut: set("Sec-Websocket-Protocol", "other"), fail: true},
		{name: "protocol differs in case", protocols: []string{"chat"}, mut: set("Sec-Websocket-Protocol", "Chat"), fail: true},
		{name: "protocol when none offered", mut: set("Sec-Websocket-Protocol", "chat"), fail: true},
		{name: "empty protocol when none offered", mut: set("Sec-Websocket-Protocol", ""), fail: true},
		{name: "no protocol chosen", protocols: []string{"chat"}, fail: true},
		{name: "two protocol headers", protocols: []string{"chat", "superchat"}, mut: set("Sec-Websocket-Protocol", "chat", "superchat"), fail: true},
		{name: "two protocols in one header", protocols: []string{"chat", "superchat"}, mut: set("Sec-Websocket-Protocol", "chat, superchat"), fail: true},
		// P-17: extensions.
		{name: "extension accepted", exts: pmd, mut: set("Sec-Websocket-Extensions", "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"),
			want: wsproto.Response{Extensions: []wsproto.Extension{{Name: "permessage-deflate", Params: []wsproto.ExtensionParam{
				{Name: "server_no_context_takeover"}, {Name: "client_max_window_bits", Value: "10", HasValue: true}}}}}},
		{name: "extension declined", exts: pmd},
		{name: "extension not offered", exts: pmd, mut: set("Sec-Websocket-Extensions", "x-webkit-deflate-frame"), fail: true},
		{name: "extension without offers", mut: set("Sec-Websocket-Extensions", "permessage-deflate"), fail: true},
		{name: "second extension not offered", exts: pmd, mut: set("Sec-Websocket-Extensions", "permessage-deflate, x-foo"), fail: true},
		{name: "malformed extensions", exts: pmd, mut: set("Sec-Websocket-Extensions", "permessage-deflate; a=\"unterminated"), fail: true},
		{name: "extension name case", exts: pmd, mut: set("Sec-Websocket-Extensions", "Permessage-Deflate"), fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := 101
			if tt.status != 0 {
				status = tt.status
			}
			h := validResponse(rfcKey)
			if tt.mut != nil {
				tt.mut(h)
			}
			resp, err := wsproto.CheckResponse(status, h, rfcKey, tt.protocols, tt.exts)
			if tt.fail {
				var he *wsproto.HandshakeError
				if !errors.As(err, &he) {
					t.Fatalf("error %v (%T), want a *HandshakeError", err, err)
				}
				if he.Status != status {
					t.Fatalf("Status = %d, want the received %d", he.Status, status)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(resp, tt.want) {
				t.Fatalf("response %+v, want %+v", resp, tt.want)
			}
		})
	}
}

// Odd statuses produce an error message, not a crash.
func TestCheckResponseStatusInMessage(t *testing.T) {
	for _, status := range []int{0, 7, 200, 404, -1, -500, math.MaxInt, math.MinInt} {
		_, err := wsproto.CheckResponse(status, validResponse(rfcKey), rfcKey, nil, nil)
		if err == nil {
			t.Fatalf("status %d accepted", status)
		}
		if status == 404 && !strings.Contains(err.Error(), "404") {
			t.Fatalf("status 404: message %q", err.Error())
		}
		if status == math.MinInt && !strings.Contains(err.Error(), "-9223372036854775808") {
			t.Fatalf("status MinInt: message %q", err.Error())
		}
	}
}

// P-96: untrusted header input never reaches an error message (which may be
// logged or sent in a response) with line breaks or other control bytes.
func TestP96_ErrorsEscapeControlCharacters(t *testing.T) {
	const evil = "x\r\nSet-Cookie: pwned=1\r\n\r\n<script>\x00\x7f"
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		msg := err.Error()
		for _, c := range []byte(msg) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("%s: message %q holds control byte %#x", name, msg, c)
			}
		}
	}
	req := func(method string, mut func(map[string][]string)) error {
		h := validRequest()
		if mut != nil {
			mut(h)
		}
		_, err := wsproto.CheckRequest(method, 1, 1, "example.com", h)
		return err
	}
	check("method", req(evil, nil))
	check("version", req("GET", func(h map[string][]string) { h["Sec-Websocket-Version"] = []string{evil} }))
	check("key", req("GET", func(h map[string][]string) { h["Sec-Websocket-Key"] = []string{evil} }))
	check("protocol", req("GET", func(h map[string][]string) { h["Sec-Websocket-Protocol"] = []string{evil} }))
	check("extensions", req("GET", func(h map[string][]string) { h["Sec-Websocket-Extensions"] = []string{evil} }))
	check("long extensions", req("GET", func(h map[string][]string) {
		h["Sec-Websocket-Extensions"] = []string{strings.Repeat("a", 62) + evil}
	}))
	resp := func(protocols []string, mut func(map[string][]string)) error {
		h := validResponse(rfcKey)
		mut(h)
		_, err := wsproto.CheckResponse(101, h, rfcKey, protocols, []string{"permessage-deflate"})
		return err
	}
	check("response protocol", resp([]string{"chat"}, func(h map[string][]string) { h["Sec-Websocket-Protocol"] = []string{evil} }))
	check("response extension", resp(nil, func(h map[string][]string) { h["Sec-Websocket-Extensions"] = []string{evil} }))
	check("response extension name", resp(nil, func(h map[string][]string) { h["Sec-Websocket-Extensions"] = []string{"x\x7fy"} }))
	_, err := wsproto.ParseTokenList([]string{evil})
	check("token list", err)
	_, err = wsproto.ParseExtensions([]string{evil})
	check("extension list", err)
}
