package websocket

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAPI21_ProtocolTokens checks that only RFC 6455 tokens are accepted as
// subprotocols (API-21).
func TestAPI21_ProtocolTokens(t *testing.T) {
	// Every code point 0x01-0x1F and 0x7F-0xFF between two valid letters
	// fails; in Go, c >= 0x80 is two UTF-8 bytes, both >= 0x80.
	for c := rune(0x01); c <= 0xFF; c++ {
		if c > 0x1F && c < 0x7F {
			continue
		}
		p := "a" + string(c) + "b"
		if err := validateProtocols([]string{p}); err == nil {
			t.Errorf("validateProtocols(%q) succeeded", p)
		}
	}
	// So does every raw byte 0x80-0xFF (invalid UTF-8 on its own).
	for c := 0x80; c <= 0xFF; c++ {
		p := "a" + string([]byte{byte(c)}) + "b"
		if utf8.ValidString(p) {
			t.Fatalf("%q is valid UTF-8", p)
		}
		if err := validateProtocols([]string{p}); err == nil {
			t.Errorf("validateProtocols(%q) succeeded", p)
		}
	}
	for _, p := range []string{
		"", "ec ho", "/echo", "a\x00b", "\x00", "\u0080echo", "foobar, foobar",
		"a b", "a\tb", "a\x7fb", "é", "☕",
		"(", ")", "<", ">", "@", ",", ";", ":", "\\", "\"", "/", "[", "]", "?", "=", "{", "}",
	} {
		if err := validateProtocols([]string{p}); err == nil {
			t.Errorf("validateProtocols(%q) succeeded", p)
		}
		// One bad element fails the whole list.
		if err := validateProtocols([]string{"chat", p}); err == nil {
			t.Errorf("validateProtocols([chat %q]) succeeded", p)
		}
	}
	// Valid tokens: every visible ASCII character that is not a separator.
	var all strings.Builder
	for c := byte(0x21); c <= 0x7E; c++ {
		if strings.IndexByte("()<>@,;:\\\"/[]?={}", c) < 0 {
			all.WriteByte(c)
		}
	}
	for _, list := range [][]string{
		nil,
		{},
		{"echo"},
		{"chat", "superchat"},
		{"v1.json.example.com", "mqtt", "graphql-ws", "x-y_z~!#$%&'*+^`|"},
		{all.String()},
		{"a"},
	} {
		if err := validateProtocols(list); err != nil {
			t.Errorf("validateProtocols(%q): %v", list, err)
		}
	}
}

// TestAPI22_DuplicateProtocols checks that duplicates fail, compared byte
// for byte (API-22).
func TestAPI22_DuplicateProtocols(t *testing.T) {
	for _, list := range [][]string{
		{"echo", "echo"},
		{"a", "b", "a"},
		{"chat", "superchat", "chat"},
		{"x", "y", "z", "y"},
	} {
		if err := validateProtocols(list); err == nil {
			t.Errorf("validateProtocols(%q) succeeded", list)
		} else if !strings.Contains(err.Error(), "more than once") {
			t.Errorf("validateProtocols(%q): %v, want a duplicate error", list, err)
		}
	}
	// Section 16, decision 7: the comparison is byte-exact, so protocols
	// that differ only in case are distinct (WPT
	// Create-protocols-repeated-case-insensitive expects an exception: an
	// expected deviation).
	for _, list := range [][]string{
		{"echo", "eCho"},
		{"ECHO", "echo", "Echo"},
	} {
		if err := validateProtocols(list); err != nil {
			t.Errorf("validateProtocols(%q): %v", list, err)
		}
	}
	// A long list of distinct protocols is fine.
	var many []string
	for i := 0; i < 1000; i++ {
		many = append(many, "p"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26%26)))
	}
	seen := map[string]bool{}
	var uniq []string
	for _, p := range many {
		if !seen[p] {
			seen[p] = true
			uniq = append(uniq, p)
		}
	}
	if err := validateProtocols(uniq); err != nil {
		t.Errorf("%d distinct protocols: %v", len(uniq), err)
	}
}
