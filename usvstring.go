package websocket

import "unicode/utf8"

// A JavaScript string given to send() or close() is converted to a
// USVString, and a received close reason is decoded with "UTF-8 decode
// without BOM" (API-66, API-74, API-90). Go strings may hold any bytes, so
// the equivalent here is the WHATWG Encoding Standard's UTF-8 decoder: each
// maximal subpart of an ill-formed sequence becomes one U+FFFD. That is the
// "U+FFFD substitution of maximal subparts" of the Unicode Standard, chapter
// 3. It differs from strings.ToValidUTF8, which replaces a whole run of
// invalid bytes with one U+FFFD, and from decoding rune by rune with
// utf8.DecodeRuneInString, which replaces a truncated sequence with one
// U+FFFD per byte.

// toUSVString returns s with every maximal subpart of an ill-formed UTF-8
// sequence replaced by U+FFFD, exactly as the WHATWG Encoding Standard's
// UTF-8 decoder does. A valid s is returned unchanged, without allocation.
// A leading byte order mark is kept (it is valid UTF-8).
func toUSVString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(appendUSV(make([]byte, 0, len(s)+2*utf8.UTFMax), s))
}

// toUSVBytes is toUSVString for bytes: the Encoding Standard's "UTF-8 decode
// without BOM" (a leading EF BB BF stays as U+FEFF).
func toUSVBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(appendUSV(make([]byte, 0, len(b)+2*utf8.UTFMax), b))
}

// utf8Decode is the Encoding Standard's "UTF-8 decode", as blob.text() and
// TextDecoder use: a leading byte order mark is dropped, then the bytes are
// decoded as toUSVBytes does.
func utf8Decode(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	return toUSVBytes(b)
}

// appendUSV appends p to dst with each maximal subpart of an ill-formed
// sequence replaced by U+FFFD.
func appendUSV[T string | []byte](dst []byte, p T) []byte {
	start := 0 // p[start:i] is valid and not yet appended
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		n, ok := utf8Sequence(p[i:])
		if !ok {
			dst = append(dst, p[start:i]...)
			dst = append(dst, "\uFFFD"...)
			start = i + n
		}
		i += n
	}
	return append(dst, p[start:]...)
}

// utf8Sequence reads the multi-byte sequence at the start of p (p[0] is not
// ASCII), following the Encoding Standard's UTF-8 decoder: the lead byte
// fixes how many continuation bytes follow and the range of the first one
// (which excludes overlong forms, surrogates and code points above
// U+10FFFF); the others are 80..BF. It returns the sequence's length and
// true if it is well formed, or else the length of its maximal subpart (the
// lead and the continuation bytes that were in range, at least 1) and false:
// the decoder emits one U+FFFD for those and goes on with the next byte.
func utf8Sequence[T string | []byte](p T) (n int, ok bool) {
	lo, hi := byte(0x80), byte(0xBF)
	var need int
	switch c := p[0]; {
	case 0xC2 <= c && c <= 0xDF:
		need = 1
	case 0xE0 <= c && c <= 0xEF:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F
		}
	case 0xF0 <= c && c <= 0xF4:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default: // 80..C1 (continuation bytes, overlong C0 C1) and F5..FF
		return 1, false
	}
	n = 1
	for n <= need {
		if n >= len(p) || p[n] < lo || p[n] > hi {
			return n, false
		}
		lo, hi = 0x80, 0xBF
		n++
	}
	return n, true
}
