package websocket

import (
	"strings"
	"testing"
)

// rfc3492Samples are the sample strings of RFC 3492 section 7.1, as code
// points and Punycode (the RFC's upper-case letters are mixed-case
// annotations, which an encoder need not produce).
var rfc3492Samples = []struct {
	name       string
	codePoints []rune
	punycode   string
}{
	{"(A) Arabic (Egyptian)", []rune{
		0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644,
		0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064A, 0x061F,
	}, "egbpdaj6bu4bxfgehfvwxn"},
	{"(B) Chinese (simplified)", []rune{
		0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587,
	}, "ihqwcrb4cv8a8dqg056pqjye"},
	{"(C) Chinese (traditional)", []rune{
		0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587,
	}, "ihqwctvzc91f659drss3x8bo0yb"},
	{"(D) Czech", []rune{
		0x0050, 0x0072, 0x006F, 0x010D, 0x0070, 0x0072, 0x006F, 0x0073, 0x0074,
		0x011B, 0x006E, 0x0065, 0x006D, 0x006C, 0x0075, 0x0076, 0x00ED, 0x010D,
		0x0065, 0x0073, 0x006B, 0x0079,
	}, "Proprostnemluvesky-uyb24dma41a"},
	{"(E) Hebrew", []rune{
		0x05DC, 0x05DE, 0x05D4, 0x05D4, 0x05DD, 0x05E4, 0x05E9, 0x05D5, 0x05D8,
		0x05DC, 0x05D0, 0x05DE, 0x05D3, 0x05D1, 0x05E8, 0x05D9, 0x05DD, 0x05E2,
		0x05D1, 0x05E8, 0x05D9, 0x05EA,
	}, "4dbcagdahymbxekheh6e0a7fei0b"},
	{"(F) Hindi (Devanagari)", []rune{
		0x092F, 0x0939, 0x0932, 0x094B, 0x0917, 0x0939, 0x093F, 0x0928, 0x094D,
		0x0926, 0x0940, 0x0915, 0x094D, 0x092F, 0x094B, 0x0902, 0x0928, 0x0939,
		0x0940, 0x0902, 0x092C, 0x094B, 0x0932, 0x0938, 0x0915, 0x0924, 0x0947,
		0x0939, 0x0948, 0x0902,
	}, "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"},
	{"(G) Japanese (kanji and hiragana)", []rune{
		0x306A, 0x305C, 0x307F, 0x3093, 0x306A, 0x65E5, 0x672C, 0x8A9E, 0x3092,
		0x8A71, 0x3057, 0x3066, 0x304F, 0x308C, 0x306A, 0x3044, 0x306E, 0x304B,
	}, "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
	{"(H) Korean (Hangul syllables)", []rune{
		0xC138, 0xACC4, 0xC758, 0xBAA8, 0xB4E0, 0xC0AC, 0xB78C, 0xB4E4, 0xC774,
		0xD55C, 0xAD6D, 0xC5B4, 0xB97C, 0xC774, 0xD574, 0xD55C, 0xB2E4, 0xBA74,
		0xC5BC, 0xB9C8, 0xB098, 0xC88B, 0xC744, 0xAE4C,
	}, "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c"},
	{"(I) Russian (Cyrillic)", []rune{
		0x043F, 0x043E, 0x0447, 0x0435, 0x043C, 0x0443, 0x0436, 0x0435, 0x043E,
		0x043D, 0x0438, 0x043D, 0x0435, 0x0433, 0x043E, 0x0432, 0x043E, 0x0440,
		0x044F, 0x0442, 0x043F, 0x043E, 0x0440, 0x0443, 0x0441, 0x0441, 0x043A,
		0x0438,
	}, "b1abfaaepdrnnbgefbaDotcwatmq2g4l"},
	{"(J) Spanish", []rune{
		0x0050, 0x006F, 0x0072, 0x0071, 0x0075, 0x00E9, 0x006E, 0x006F, 0x0070,
		0x0075, 0x0065, 0x0064, 0x0065, 0x006E, 0x0073, 0x0069, 0x006D, 0x0070,
		0x006C, 0x0065, 0x006D, 0x0065, 0x006E, 0x0074, 0x0065, 0x0068, 0x0061,
		0x0062, 0x006C, 0x0061, 0x0072, 0x0065, 0x006E, 0x0045, 0x0073, 0x0070,
		0x0061, 0x00F1, 0x006F, 0x006C,
	}, "PorqunopuedensimplementehablarenEspaol-fmd56a"},
	{"(K) Vietnamese", []rune{
		0x0054, 0x1EA1, 0x0069, 0x0073, 0x0061, 0x006F, 0x0068, 0x1ECD, 0x006B,
		0x0068, 0x00F4, 0x006E, 0x0067, 0x0074, 0x0068, 0x1EC3, 0x0063, 0x0068,
		0x1EC9, 0x006E, 0x00F3, 0x0069, 0x0074, 0x0069, 0x1EBF, 0x006E, 0x0067,
		0x0056, 0x0069, 0x1EC7, 0x0074,
	}, "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"},
	{"(L) 3<nen>B<gumi><kinpachi><sensei>", []rune{
		0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F,
	}, "3B-ww4c5e180e575a65lsy2b"},
	{"(M) <amuro><namie>-with-SUPER-MONKEYS", []rune{
		0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075, 0x002D, 0x0077, 0x0069, 0x0074,
		0x0068, 0x002D, 0x0053, 0x0055, 0x0050, 0x0045, 0x0052, 0x002D, 0x004D,
		0x004F, 0x004E, 0x004B, 0x0045, 0x0059, 0x0053,
	}, "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
	{"(N) Hello-Another-Way-<sorezore><no><basho>", []rune{
		0x0048, 0x0065, 0x006C, 0x006C, 0x006F, 0x002D, 0x0041, 0x006E, 0x006F,
		0x0074, 0x0068, 0x0065, 0x0072, 0x002D, 0x0057, 0x0061, 0x0079, 0x002D,
		0x305D, 0x308C, 0x305E, 0x308C, 0x306E, 0x5834, 0x6240,
	}, "Hello-Another-Way--fc4qua05auwb3674vfr0b"},
	{"(O) <hitotsu><yane><no><shita>2", []rune{
		0x3072, 0x3068, 0x3064, 0x5C4B, 0x6839, 0x306E, 0x4E0B, 0x0032,
	}, "2-u9tlzr9756bt3uc0v"},
	{"(P) Maji<de>Koi<suru>5<byou><mae>", []rune{
		0x004D, 0x0061, 0x006A, 0x0069, 0x3067, 0x004B, 0x006F, 0x0069, 0x3059,
		0x308B, 0x0035, 0x79D2, 0x524D,
	}, "MajiKoi5-783gue6qz075azm5e"},
	{"(Q) <pafii>de<runba>", []rune{
		0x30D1, 0x30D5, 0x30A3, 0x30FC, 0x0064, 0x0065, 0x30EB, 0x30F3, 0x30D0,
	}, "de-jg4avhby1noc0d"},
	{"(R) <sono><supiido><de>", []rune{
		0x305D, 0x306E, 0x30B9, 0x30D4, 0x30FC, 0x30C9, 0x3067,
	}, "d9juau41awczczp"},
	{"(S) -> $1.00 <-", []rune{
		0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E, 0x0030, 0x0030, 0x0020,
		0x003C, 0x002D,
	}, "-> $1.00 <--"},
}

// TestPunycodeRFC3492Encode encodes the sample strings of RFC 3492 section
// 7.1.
func TestPunycodeRFC3492Encode(t *testing.T) {
	for _, s := range rfc3492Samples {
		got, err := punycodeEncode(s.codePoints)
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		// The basic code points are copied as they are; the digits are
		// lower case, so compare case-insensitively.
		if !strings.EqualFold(got, s.punycode) {
			t.Errorf("%s: encoded %q, want %q", s.name, got, s.punycode)
		}
	}
}

// TestPunycodeRFC3492Decode decodes the sample strings of RFC 3492 section
// 7.1.
func TestPunycodeRFC3492Decode(t *testing.T) {
	for _, s := range rfc3492Samples {
		got, err := punycodeDecode(s.punycode)
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		if string(got) != string(s.codePoints) {
			t.Errorf("%s: decoded %U, want %U", s.name, got, s.codePoints)
		}
		// The digits are case-insensitive; the basic code points are
		// copied as they are.
		got, err = punycodeDecode(strings.ToLower(s.punycode))
		want := append([]rune(nil), s.codePoints...)
		for i, r := range want {
			if 'A' <= r && r <= 'Z' {
				want[i] = r + 'a' - 'A'
			}
		}
		if err != nil || string(got) != string(want) {
			t.Errorf("%s (lower case): decoded %U, %v; want %U", s.name, got, err, want)
		}
	}
}

// TestPunycodeInvalid checks that malformed Punycode fails to decode.
func TestPunycodeInvalid(t *testing.T) {
	surrogate, err := punycodeEncode([]rune{0xD800})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"ü-tda",          // a non-basic code point before the delimiter
		"a!",             // ! is not a digit
		"-a",             // a leading delimiter is read as a digit, and is not one
		"b",              // truncated: b (1) is not below the threshold, more digits must follow
		"99999999999999", // overflow
		surrogate,        // decodes to U+D800
	} {
		if out, err := punycodeDecode(in); err == nil {
			t.Errorf("punycodeDecode(%q) = %U, want an error", in, out)
		}
	}
	if _, err := punycodeEncode([]rune{0x110000}); err == nil {
		t.Error("punycodeEncode(U+110000) succeeded")
	}
}

// TestPunycodeRoundTrip checks that decoding inverts encoding, and a few
// known encodings.
func TestPunycodeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"münchen", "ü", "faß", "☕", "你好你好", "пример", "\U0001F4A9", "a\u10FFFFb",
		"\u0080", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaü",
		strings.Repeat("\U0010FFFF", 50),
	} {
		enc, err := punycodeEncode([]rune(s))
		if err != nil {
			t.Errorf("punycodeEncode(%q): %v", s, err)
			continue
		}
		dec, err := punycodeDecode(enc)
		if err != nil || string(dec) != s {
			t.Errorf("%q -> %q -> %q, %v", s, enc, string(dec), err)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"münchen", "mnchen-3ya"},
		{"faß", "fa-hia"},
		{"☕", "53h"},
		{"ü", "tda"},
		{"你好你好", "6qqa088eba"},
	} {
		if got, _ := punycodeEncode([]rune(c.in)); got != c.want {
			t.Errorf("punycodeEncode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestIDNADomainToASCII checks the domain parser on accepted and refused
// domains.
func TestIDNADomainToASCII(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// ASCII: lowercased, nothing else.
		{"EXAMPLE.com", "example.com"},
		{"xn--8i7caa", "xn--8i7caa"},
		{"XN--A", "xn--a"},
		{"a..b.", "a..b."},
		{"_under_score-", "_under_score-"},
		// Non-ASCII.
		{"münchen.example", "xn--mnchen-3ya.example"},
		{"MÜNCHEN.EXAMPLE", "xn--mnchen-3ya.example"},
		{"ÉXAMPLE.com", "xn--xample-9ua.com"},
		{"faß.de", "xn--fa-hia.de"},
		{"ΣΊΣΥΦΟΣ", "xn--kxa6akbbkh"}, // final sigma is not applied: Σ maps to σ
		{"ς.example", "xn--3xa.example"},
		{"İ.example", "xn--i-9bb.example"},
		{"ſ.example", "s.example"},
		{"ｅｘａｍｐｌｅ。ｃｏｍ", "example.com"},
		{"a\u00adb\u200b.c", "ab.c"},
		{"xn--mnchen-3ya.ü", "xn--mnchen-3ya.xn--tda"},
		{"ꭰ.example", "xn--58d.example"}, // Cherokee small letter maps to the capital
		{"\u05d0\u05d1\u05d2.com", "xn--4dbcd.com"},
		{"\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "xn--mgbcd4a2b0d2b"},
		{"\u0915\u094d\u200c\u0937", "xn--11b2ezcs70k"},
		{"-\u00fc-", "xn-----xka"},
	} {
		got, err := domainToASCII(c.in)
		if err != nil || got != c.want {
			t.Errorf("domainToASCII(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", "a b", "a%b", "a/b", "a:b", "a<b", "a\x00b", "a\x7fb", "a\x1fb",
		"\u00ad", "\u200b", // empty after mapping
		"a\u3000b",           // ideographic space maps to a space
		"a\ufffdb",           // U+FFFD
		"a\u2028b",           // line separator
		"\ue000",             // private use
		"\U000E0001",         // format character (language tag)
		"\u0378",             // unassigned
		"\ufdd0",             // noncharacter
		"\u0301a",            // leading combining mark
		"\u200da",            // joiner without context
		"a\u200cb",           // non-joiner between non-joining letters
		"xn--a.ü",            // invalid Punycode when the domain is not ASCII
		"xn--8i7caa.ü",       // decodes to full-width letters, which are mapped
		"xn--ü.x",            // xn-- label with non-ASCII
		"xn--tda-.ü",         // decodes to ASCII only
		"xn--.ü",             // empty after decoding
		"a\u05d0.com",        // Bidi rule 5: R in an LTR label
		"\u05d0a.com",        // Bidi rule 2: L in an RTL label
		"1\u05d0",            // Bidi rule 1
		"\u05d0\u0661\u0031", // Bidi rule 4: AN and EN
		"①.example",          // refused: the compatibility mapping is not implemented
		"𝐀.example",          // mathematical bold capital A: refused likewise
		"％.example",          // maps to %, a forbidden domain code point
		"ａ／ｂ",                // maps to /, forbidden
		"Ⴀ",                  // Georgian capital: disallowed
	} {
		if got, err := domainToASCII(in); err == nil {
			t.Errorf("domainToASCII(%q) = %q, want an error", in, got)
		}
	}
}

// TestIDNAMapRune checks the approximated UTS #46 mapping on single code
// points.
func TestIDNAMapRune(t *testing.T) {
	for _, c := range []struct {
		in   rune
		want string
	}{
		{'A', "a"}, {'z', "z"}, {'-', "-"}, {'%', "%"}, // forbidden code points are checked later
		{'É', "é"}, {'Ü', "ü"}, {'ß', "ß"}, {'ς', "ς"}, {'Σ', "σ"}, {'ı', "ı"},
		{'İ', "i\u0307"}, {'ẞ', "ß"}, {'ſ', "s"}, {'µ', "μ"}, {'ϐ', "β"},
		{'Ꭰ', "Ꭰ"}, {'ꭰ', "Ꭰ"}, {'ǅ', "ǆ"},
		{'\u3002', "."}, {'\uff0e', "."}, {'\uff61', "."}, {'Ａ', "a"}, {'ｚ', "z"}, {'０', "0"},
		{'\u00ad', ""}, {'\u200b', ""}, {'\ufeff', ""}, {'\ufe0f', ""},
		{'\u200c', "\u200c"}, {'\u200d', "\u200d"},
		{'☕', "☕"}, {'你', "你"},
	} {
		got, ok := idnaMapRune(nil, c.in)
		if !ok || string(got) != c.want {
			t.Errorf("idnaMapRune(%U) = %q, %v; want %q", c.in, string(got), ok, c.want)
		}
	}
	for _, r := range []rune{0x80, 0x9F, 0xA0, 0x3000, 0x2028, 0x200E, 0xE000, 0xFFFD, 0xFFFF, 0x10FFFF, 0x0378, 0x04C0, 0x10A0, 0x2460, 0x1D400} {
		if got, ok := idnaMapRune(nil, r); ok {
			t.Errorf("idnaMapRune(%U) = %q, want disallowed", r, string(got))
		}
	}
}

// TestIDNABidiClass checks the approximated Bidi classes of typical code
// points.
func TestIDNABidiClass(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want bidiClass
	}{
		{'a', bidiL}, {'é', bidiL}, {'你', bidiL}, {'0', bidiEN}, {'۵', bidiEN},
		{'٥', bidiAN}, {'-', bidiES}, {'.', bidiCS}, {'$', bidiET}, {'€', bidiET},
		{'א', bidiR}, {'ب', bidiAL}, {'ـ', bidiAL}, {'ܐ', bidiAL}, {'\u0301', bidiNSM},
		{'\u064b', bidiNSM}, {'\u200c', bidiBN}, {'_', bidiON}, {'☕', bidiON},
	} {
		if got := bidiClassOf(c.r); got != c.want {
			t.Errorf("bidiClassOf(%U) = %d, want %d", c.r, got, c.want)
		}
	}
}
