package websocket

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

const fffd = "\uFFFD"

// usvRefDecode is the WHATWG Encoding Standard's UTF-8 decoder written out
// step by step (UTF-8 bytes needed/seen, lower/upper boundary, "restore
// byte to the stream" on a bad continuation, one error at the end of the
// stream if a sequence is pending). It is the oracle the fast decoder is
// checked against.
func usvRefDecode(in []byte) string {
	var out []rune
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i <= len(in); i++ {
		if i == len(in) { // end-of-queue
			if needed != 0 {
				out = append(out, utf8.RuneError)
			}
			break
		}
		b := in[i]
		if needed == 0 {
			switch {
			case b <= 0x7F:
				out = append(out, rune(b))
			case 0xC2 <= b && b <= 0xDF:
				needed, cp = 1, rune(b&0x1F)
			case 0xE0 <= b && b <= 0xEF:
				if b == 0xE0 {
					lower = 0xA0
				}
				if b == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(b&0xF)
			case 0xF0 <= b && b <= 0xF4:
				if b == 0xF0 {
					lower = 0x90
				}
				if b == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(b&0x7)
			default:
				out = append(out, utf8.RuneError)
			}
			continue
		}
		if b < lower || b > upper {
			cp, needed, seen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			i-- // restore byte to the stream
			out = append(out, utf8.RuneError)
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(b&0x3F)
		seen++
		if seen != needed {
			continue
		}
		out = append(out, cp)
		cp, needed, seen = 0, 0, 0
	}
	return string(out)
}

func TestAPI66_USVReplacement(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "hello", "hello"},
		{"valid multi-byte", "å卶😀", "å卶😀"},
		{"valid U+FFFD itself", fffd, fffd},
		{"lone continuation", "\x80", fffd},
		{"two continuations", "\x80\xBF", fffd + fffd},
		{"FF", "\xFF", fffd},
		{"FE", "\xFE", fffd},
		{"F5 lead never valid", "\xF5\x80\x80\x80", fffd + fffd + fffd + fffd},
		{"C0 80 overlong NUL", "\xC0\x80", fffd + fffd},
		{"C1 BF overlong", "\xC1\xBF", fffd + fffd},
		{"C2 truncated at end", "\xC2", fffd},
		{"C2 then ASCII", "\xC2a", fffd + "a"},
		{"E0 80 80 overlong 3-byte", "\xE0\x80\x80", fffd + fffd + fffd},
		{"E0 9F BF overlong 3-byte", "\xE0\x9F\xBF", fffd + fffd + fffd},
		{"E0 A0 80 smallest 3-byte", "\xE0\xA0\x80", "\u0800"},
		{"surrogate ED A0 80", "\xED\xA0\x80", fffd + fffd + fffd},
		{"surrogate pair encoded (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80", strings.Repeat(fffd, 6)},
		{"ED 9F BF last before surrogates", "\xED\x9F\xBF", "\uD7FF"},
		{"truncated 3-byte at end", "a\xE2\x82", "a" + fffd},
		{"truncated 3-byte then ASCII", "\xE2\x82a", fffd + "a"},
		{"truncated 3-byte lead only", "\xE2a", fffd + "a"},
		{"truncated 4-byte at end", "\xF0\x9F\x98", fffd},
		{"truncated 4-byte then ASCII", "\xF0\x9F\x98!", fffd + "!"},
		{"truncated 4-byte then valid 4-byte", "\xF0\x9F\x98\xF0\x9F\x98\x80", fffd + "😀"},
		{"F0 80 overlong 4-byte", "\xF0\x80\x80\x80", fffd + fffd + fffd + fffd},
		{"F0 8F overlong 4-byte", "\xF0\x8F\xBF\xBF", fffd + fffd + fffd + fffd},
		{"F0 90 80 80 smallest 4-byte", "\xF0\x90\x80\x80", "\U00010000"},
		{"F4 8F BF BF largest", "\xF4\x8F\xBF\xBF", "\U0010FFFF"},
		{"F4 90 above U+10FFFF", "\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},
		{"2-byte lead then lead", "\xC3\xC3\xA5", fffd + "å"},
		{"valid, invalid, valid", "a\xFFb\xC3\xA5c\xE2\x82d", "a" + fffd + "bå" + "c" + fffd + "d"},
		{"BOM is kept", "\xEF\xBB\xBFx", "\uFEFFx"},
		{"BOM then invalid", "\xEF\xBB\xBF\xFF", "\uFEFF" + fffd},
		{"invalid at both ends", "\xFFok\xFF", fffd + "ok" + fffd},
		{"run of invalid bytes (not one U+FFFD)", "\xFF\xFE\xFD", fffd + fffd + fffd},
		{"NUL is valid", "a\x00b", "a\x00b"},
		// The Unicode Standard, chapter 3, "U+FFFD Substitution of Maximal
		// Subparts" (tables 3-8 to 3-11), byte for byte.
		{"Unicode table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
			"a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d"},
		{"Unicode table 3-9 (non-shortest forms)", "\xC0\xAF\xE0\x80\xBF\xF0\x81\x82\x41",
			strings.Repeat(fffd, 8) + "A"},
		{"Unicode table 3-10 (surrogates)", "\xED\xA0\x80\xED\xBF\xBF\xED\xAF\x41",
			strings.Repeat(fffd, 8) + "A"},
		{"Unicode table 3-11 (other ill-formed)", "\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42",
			strings.Repeat(fffd, 5) + "A" + fffd + fffd + "B"},
		{"Unicode table 3-12 (truncated)", "\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41",
			strings.Repeat(fffd, 4) + "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toUSVString(tt.in); got != tt.want {
				t.Errorf("toUSVString(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := toUSVBytes([]byte(tt.in)); got != tt.want {
				t.Errorf("toUSVBytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := usvRefDecode([]byte(tt.in)); got != tt.want {
				t.Errorf("reference decoder(%q) = %q, want %q (the table is wrong)", tt.in, got, tt.want)
			}
		})
	}
}

// TestAPI66_USVDiffersFromStdlib pins the two stdlib behaviours the
// decoder must not have.
func TestAPI66_USVDiffersFromStdlib(t *testing.T) {
	// strings.ToValidUTF8 replaces a run with one U+FFFD.
	in := "\xFF\xFE"
	if strings.ToValidUTF8(in, fffd) == toUSVString(in) {
		t.Errorf("toUSVString(%q) equals strings.ToValidUTF8's run replacement", in)
	}
	// Rune-by-rune decoding replaces a truncated sequence byte by byte.
	in = "\xF0\x9F\x98"
	var perRune []rune
	for _, r := range in {
		perRune = append(perRune, r)
	}
	if string(perRune) == toUSVString(in) {
		t.Errorf("toUSVString(%q) equals per-byte replacement", in)
	}
}

// usvInterestingBytes are the boundaries of every range the decoder
// distinguishes.
var usvInterestingBytes = []byte{
	0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
	0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
}

// TestAPI66_USVMatchesEncodingStandard compares with the reference decoder:
// every input of up to 2 bytes, every input of 3 and 4 bytes drawn from the
// boundary bytes, and random inputs.
func TestAPI66_USVMatchesEncodingStandard(t *testing.T) {
	check := func(in []byte) {
		t.Helper()
		want := usvRefDecode(in)
		if got := toUSVBytes(in); got != want {
			t.Fatalf("toUSVBytes(%q) = %q, want %q", in, got, want)
		}
		if got := toUSVString(string(in)); got != want {
			t.Fatalf("toUSVString(%q) = %q, want %q", in, got, want)
		}
	}
	for a := 0; a < 256; a++ {
		check([]byte{byte(a)})
		for b := 0; b < 256; b++ {
			check([]byte{byte(a), byte(b)})
		}
	}
	ib := usvInterestingBytes
	for _, a := range ib {
		for _, b := range ib {
			for _, c := range ib {
				check([]byte{a, b, c})
				if testing.Short() {
					continue
				}
				for _, d := range ib {
					check([]byte{a, b, c, d})
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 0, 32)
	for range 20000 {
		buf = buf[:rng.IntN(cap(buf))]
		for i := range buf {
			if rng.IntN(3) == 0 {
				buf[i] = usvInterestingBytes[rng.IntN(len(usvInterestingBytes))]
			} else {
				buf[i] = byte(rng.IntN(256))
			}
		}
		check(buf)
	}
}

func TestAPI66_USVValidNoAllocation(t *testing.T) {
	s := strings.Repeat("valid ✓ text 😀 ", 100)
	if got := toUSVString(s); got != s {
		t.Fatal("valid string changed")
	}
	if n := testing.AllocsPerRun(100, func() { _ = toUSVString(s) }); n != 0 {
		t.Errorf("toUSVString of a valid string allocates %v times", n)
	}
}

// TestAPI74_CloseReasonReplacement: an unpaired surrogate in a JS close
// reason becomes "\uFFFD"; in Go, the analog input is an encoded surrogate
// or a truncated sequence. The byte limit applies after replacement.
func TestAPI74_CloseReasonReplacement(t *testing.T) {
	if got := toUSVString("\xED\xA0\x80"); got != fffd+fffd+fffd || len(got) != 9 {
		t.Errorf("surrogate reason = %q (%d bytes)", got, len(got))
	}
	// 41 invalid single bytes become 41 × 3 = 123 bytes; 42 become 126.
	if got := toUSVString(strings.Repeat("\xFF", 41)); len(got) != 123 {
		t.Errorf("41 invalid bytes -> %d bytes, want 123", len(got))
	}
	if got := toUSVString(strings.Repeat("\xFF", 42)); len(got) != 126 {
		t.Errorf("42 invalid bytes -> %d bytes, want 126", len(got))
	}
}

// TestAPI90_ReasonKeepsBOM: the close reason is "UTF-8 decode without
// BOM": a leading EF BB BF stays as U+FEFF. Blob.text()'s "UTF-8 decode"
// drops it.
func TestAPI90_ReasonKeepsBOM(t *testing.T) {
	in := []byte("\xEF\xBB\xBFbye")
	if got := toUSVBytes(in); got != "\uFEFFbye" {
		t.Errorf("toUSVBytes = %q, want BOM kept", got)
	}
	if got := utf8Decode(in); got != "bye" {
		t.Errorf("utf8Decode = %q, want BOM dropped", got)
	}
	if got := utf8Decode([]byte("\xEF\xBB\xBF\xEF\xBB\xBF")); got != "\uFEFF" {
		t.Errorf("utf8Decode of two BOMs = %q, want one U+FEFF", got)
	}
	if got := utf8Decode([]byte("\xEF\xBB")); got != fffd {
		t.Errorf("utf8Decode of a truncated BOM = %q, want U+FFFD", got)
	}
}

func FuzzUSV(f *testing.F) {
	for _, s := range []string{"", "a", "\xF0\x9F\x98", "\xED\xA0\x80", "\xC0\x80", "å\xFF卶"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want := usvRefDecode(in)
		if got := toUSVBytes(in); got != want {
			t.Fatalf("toUSVBytes(%q) = %q, want %q", in, got, want)
		}
		if got := toUSVString(string(in)); got != want {
			t.Fatalf("toUSVString(%q) = %q, want %q", in, got, want)
		}
		if !utf8.ValidString(want) {
			t.Fatalf("result %q is not valid UTF-8", want)
		}
	})
}

func BenchmarkUSVInvalid(b *testing.B) {
	s := strings.Repeat("text \xF0\x9F\x98 more \xFF", 64)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = toUSVString(s)
	}
}
