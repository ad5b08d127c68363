package wsproto_test

import (
	"reflect"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// tchars is every byte RFC 7230 allows in a token.
const tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// P-30: token syntax, byte by byte.
func TestP30_IsToken(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := false
		for i := 0; i < len(tchars); i++ {
			if tchars[i] == byte(c) {
				want = true
			}
		}
		if got := wsproto.IsToken(string([]byte{byte(c)})); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", byte(c), got, want)
		}
	}
	for s, want := range map[string]bool{
		"":             false,
		"chat":         true,
		"v1.chat.json": true,
		"a b":          false,
		"a,b":          false,
		"a;b":          false,
		"a=b":          false,
		`"a"`:          false,
		"a/b":          false,
		"a\tb":         false,
		"é":            false,
		tchars:         true,
	} {
		if got := wsproto.IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}

// P-15, P-22: token search in comma lists, ASCII case-insensitive.
func TestP15_HeaderHasToken(t *testing.T) {
	tests := []struct {
		values []string
		token  string
		want   bool
	}{
		{[]string{"Upgrade"}, "upgrade", true},
		{[]string{"UPGRADE"}, "upgrade", true},
		{[]string{"upgrade"}, "UpGrade", true},
		{[]string{"keep-alive, Upgrade"}, "upgrade", true},
		{[]string{"keep-alive,Upgrade"}, "upgrade", true},
		{[]string{"keep-alive", "Upgrade"}, "upgrade", true},
		{[]string{" \tUpgrade\t , close"}, "upgrade", true},
		{[]string{"Upgrade2"}, "upgrade", false},
		{[]string{"Up grade"}, "upgrade", false},
		{[]string{"keep-alive"}, "upgrade", false},
		{[]string{""}, "upgrade", false},
		{nil, "upgrade", false},
		{[]string{",,websocket,,"}, "websocket", true},
		// No Unicode case folding: K (U+212A KELVIN SIGN) is not k.
		{[]string{"\u212aeep-alive"}, "keep-alive", false},
		{[]string{"websocket/13"}, "websocket", false},
	}
	for _, tt := range tests {
		if got := wsproto.HeaderHasToken(tt.values, tt.token); got != tt.want {
			t.Errorf("HeaderHasToken(%q, %q) = %v, want %v", tt.values, tt.token, got, tt.want)
		}
	}
}

// P-32: subprotocol lists over several lines and commas.
func TestP32_ParseTokenList(t *testing.T) {
	tests := []struct {
		values []string
		want   []string
		ok     bool
	}{
		{nil, nil, true},
		{[]string{"chat"}, []string{"chat"}, true},
		{[]string{"chat, superchat"}, []string{"chat", "superchat"}, true},
		{[]string{"chat,superchat", " v2 "}, []string{"chat", "superchat", "v2"}, true},
		{[]string{"\tchat\t,\tx"}, []string{"chat", "x"}, true},
		{[]string{""}, nil, true},
		{[]string{"chat,"}, []string{"chat"}, true},
		{[]string{",chat"}, []string{"chat"}, true},
		{[]string{"chat, , x"}, []string{"chat", "x"}, true},
		{[]string{"chat", ""}, []string{"chat"}, true},
		{[]string{"a b"}, nil, false},
		{[]string{"chat;q=1"}, nil, false},
		{[]string{`"chat"`}, nil, false},
		{[]string{"chät"}, nil, false},
	}
	for _, tt := range tests {
		got, err := wsproto.ParseTokenList(tt.values)
		if (err == nil) != tt.ok {
			t.Errorf("ParseTokenList(%q) error %v, want ok=%v", tt.values, err, tt.ok)
			continue
		}
		if tt.ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTokenList(%q) = %q, want %q", tt.values, got, tt.want)
		}
		if !tt.ok {
			if he, isHE := err.(*wsproto.HandshakeError); !isHE || he.Status != 400 {
				t.Errorf("ParseTokenList(%q) error %#v, want a 400 HandshakeError", tt.values, err)
			}
		}
	}
}
