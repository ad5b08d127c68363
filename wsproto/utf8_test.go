package wsproto_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wsstack/websocket/wsproto"
)

// validPrefix reports whether p can be extended to valid UTF-8: the oracle
// for fail-fast validation (P-54). p is such a prefix exactly when it splits
// into valid UTF-8 followed by at most three bytes that some continuation
// bytes complete into valid UTF-8.
func validPrefix(p []byte) bool {
	for cut := len(p); cut >= 0 && cut >= len(p)-3; cut-- {
		if completable(p[cut:]) && utf8.Valid(p[:cut]) {
			return true
		}
	}
	return false
}

// completable reports whether t (at most three bytes) followed by one to
// three continuation bytes can be valid UTF-8. The candidates hit every
// range RFC 3629 allows after a lead byte.
func completable(t []byte) bool {
	if len(t) == 0 {
		return true
	}
	cont := []byte{0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF}
	buf := make([]byte, len(t), len(t)+3)
	copy(buf, t)
	for _, a := range cont {
		if utf8.Valid(append(buf, a)) {
			return true
		}
		for _, b := range cont {
			if utf8.Valid(append(buf, a, b)) {
				return true
			}
			for _, c := range cont {
				if utf8.Valid(append(buf, a, b, c)) {
					return true
				}
			}
		}
	}
	return false
}

// utf8Samples are the strings the validator tests split at every point.
var utf8Samples = []string{
	// Valid.
	"",
	"a",
	"Hello-µ@ßöäüàá-UTF-8!!",
	"κόσμε",
	"\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\ufffd",
	"\ufffe", "\uffff", "\xef\xbf\xbf", // noncharacters are valid (P-53)
	"\ufdd0\ufdef", "\U0001fffe\U0001ffff", "\U0010fffe\U0010ffff",
	"\U00010000", "\U0010ffff", "\xf4\x8f\xbf\xbf",
	"𝄞 music 𝄞", "日本語テキスト", "mixed ascii and ünïcödé and 😀 emoji",
	strings.Repeat("abcdefgh", 5) + "é" + strings.Repeat("12345678", 5),
	strings.Repeat("é", 20) + strings.Repeat("€", 10) + strings.Repeat("😀", 5),
	// Invalid: surrogates.
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", "abc\xed\xa0\x80def",
	// Invalid: overlong forms.
	"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
	"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
	// Invalid: above U+10FFFF and impossible bytes.
	"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf", "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "\xfe\xfe\xff\xff",
	// Invalid: stray continuation bytes.
	"\x80", "\xbf", "a\x80b", "\x80\xbf\x80",
	// Invalid: truncated sequences, at the end and in the middle.
	"\xc3", "\xe2\x82", "\xf0\x9f\x98", "a\xc3", "\xe2\x82a", "\xf0\x9f\x98a", "\xf0\x9f\x98\xc3\xa9",
	"\xdf", "\xef\xbf", "\xf4\x8f\xbf",
	// Autobahn 6.x style: valid text with a bad sequence inside.
	"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64",
	"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64",
	strings.Repeat("abcdefgh", 5) + "\xc0\x80" + strings.Repeat("12345678", 5),
	strings.Repeat("😀", 5) + "\xed\xa0\x80" + strings.Repeat("😀", 5),
}

// feed writes pieces to a fresh validator and checks, after every piece,
// that Write's answer is exactly "the input so far is a valid prefix" (fail
// fast, never early). It returns the verdict for the whole input.
func feed(t *testing.T, pieces ...[]byte) bool {
	t.Helper()
	var v wsproto.UTF8Validator
	var sofar []byte
	ok := true
	for _, p := range pieces {
		sofar = append(sofar, p...)
		got := v.Write(p)
		if want := validPrefix(sofar); got != want {
			t.Fatalf("pieces %q: Write after %q = %v, want %v", pieces, sofar, got, want)
		}
		ok = got
	}
	return ok && v.Complete()
}

// P-53, P-54: the streaming validator agrees with utf8.Valid for every
// split of every sample into two and three pieces.
func TestP53_UTF8(t *testing.T) {
	for _, s := range utf8Samples {
		b := []byte(s)
		want := utf8.Valid(b)
		if got := feed(t, b); got != want {
			t.Errorf("%q in one piece: %v, want %v", s, got, want)
		}
		for i := 0; i <= len(b); i++ {
			if got := feed(t, b[:i], b[i:]); got != want {
				t.Errorf("%q split at %d: %v, want %v", s, i, got, want)
			}
		}
		if len(b) > 24 {
			continue
		}
		for i := 0; i <= len(b); i++ {
			for j := i; j <= len(b); j++ {
				if got := feed(t, b[:i], b[i:j], b[j:]); got != want {
					t.Errorf("%q split at %d, %d: %v, want %v", s, i, j, got, want)
				}
			}
		}
	}
}

// P-53: noncharacters, which some validators wrongly refuse.
func TestP53_NoncharactersValid(t *testing.T) {
	for r := rune(0xFDD0); r <= 0xFDEF; r++ {
		if !feed(t, []byte(string(r))) {
			t.Errorf("U+%04X refused", r)
		}
	}
	for plane := rune(0); plane <= 0x10; plane++ {
		for _, r := range []rune{plane<<16 | 0xFFFE, plane<<16 | 0xFFFF} {
			if !feed(t, []byte(string(r))) {
				t.Errorf("U+%04X refused", r)
			}
		}
	}
}

// P-54: fail fast. A piece that makes the input invalid is refused at once,
// even though more pieces would follow; a code point split over pieces is
// accepted; and once refused, the validator stays refused until Reset.
func TestP54_UTF8FailFast(t *testing.T) {
	bad := []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")
	var v wsproto.UTF8Validator
	if v.Write(bad) {
		t.Fatalf("Write(%x) = true in a non-final piece", bad)
	}
	if v.Write([]byte("edited")) {
		t.Fatalf("Write after failure = true")
	}
	if v.Complete() {
		t.Fatalf("Complete after failure = true")
	}
	v.Reset()
	if !v.Write([]byte("ok")) || !v.Complete() {
		t.Fatalf("validator unusable after Reset")
	}

	// Prefixes that no continuation can save: refused on the byte that
	// breaks them.
	for _, s := range []string{"\xed\xa0", "\xe0\x80", "\xf0\x80", "\xf4\x90", "\xc0", "\xc1", "\xf5", "\xff", "\x80", "ab\xe2\x82\xe2"} {
		v.Reset()
		if v.Write([]byte(s)) {
			t.Errorf("Write(%q) = true", s)
		}
	}
	// Prefixes that may still be completed: accepted, but not Complete.
	for _, s := range []string{"\xed\x9f", "\xe0\xa0", "\xf0\x90", "\xf4\x8f\xbf", "\xc2", "ab\xe2\x82"} {
		v.Reset()
		if !v.Write([]byte(s)) {
			t.Errorf("Write(%q) = false for a valid prefix", s)
		}
		if v.Complete() {
			t.Errorf("Complete() after %q = true", s)
		}
	}
	// A code point split byte by byte.
	v.Reset()
	for _, c := range []byte("😀") {
		if !v.Write([]byte{c}) {
			t.Fatalf("split emoji refused at byte %x", c)
		}
	}
	if !v.Complete() {
		t.Fatalf("Complete() = false after a whole emoji")
	}
	// Empty writes change nothing.
	v.Reset()
	if !v.Write([]byte{0xe2}) || !v.Write(nil) || !v.Write([]byte{}) || v.Complete() {
		t.Fatalf("empty writes disturbed a pending sequence")
	}
	if !v.Write([]byte{0x82, 0xac}) || !v.Complete() {
		t.Fatalf("€ split around empty writes refused")
	}
}

// A property test: random byte strings, biased towards the bytes that make
// UTF-8 interesting, split at random points, against utf8.Valid.
func TestP53_UTF8RandomSplits(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	alphabet := []byte{'a', 'z', 0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
		0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff}
	valid := 0
	const rounds = 50000
	for range rounds {
		var b []byte
		n := rng.IntN(40)
		for len(b) < n {
			switch rng.IntN(3) {
			case 0:
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			case 1:
				b = utf8.AppendRune(b, rune(rng.IntN(0x110000)))
			default:
				b = append(b, byte(rng.IntN(0x80)))
			}
		}
		var pieces [][]byte
		rest := b
		for len(rest) > 0 && rng.IntN(4) != 0 {
			k := rng.IntN(len(rest) + 1)
			pieces = append(pieces, rest[:k])
			rest = rest[k:]
		}
		pieces = append(pieces, rest)
		want := utf8.Valid(b)
		if want {
			valid++
		}
		if got := feed(t, pieces...); got != want {
			t.Fatalf("%x in pieces %x: %v, want %v", b, pieces, got, want)
		}
	}
	// Make sure both outcomes were exercised.
	if valid < rounds/20 || valid > rounds-rounds/20 {
		t.Fatalf("unbalanced sample: %d of %d valid", valid, rounds)
	}
}
