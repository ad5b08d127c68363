package wsproto

import (
	"encoding/binary"
	"unicode/utf8"
)

// UTF8Validator checks UTF-8 fed to it in pieces, as the fragments of a text
// message arrive. It fails as soon as a byte cannot continue any valid
// sequence (P-54, Autobahn 6.4), while a code point split across two pieces is
// fine. Call Complete at the end of the message: a sequence left unfinished
// there is invalid. The zero value is ready to use.
type UTF8Validator struct {
	need   uint8 // continuation bytes still expected
	lo, hi uint8 // range allowed for the next continuation byte
}

// Reset makes v ready for a new message.
func (v *UTF8Validator) Reset() { *v = UTF8Validator{} }

// Complete reports whether the bytes fed so far end on a code point boundary.
func (v *UTF8Validator) Complete() bool { return v.need == 0 }

// Write feeds p to v and reports whether everything fed so far is the start
// of valid UTF-8. Once it has returned false, v stays invalid until Reset.
func (v *UTF8Validator) Write(p []byte) bool {
	if v.need == 0xFF {
		return false
	}
	i := v.continueSeq(p, 0)
	if i < 0 {
		return v.fail()
	}
	if i == len(p) {
		return true
	}
	// Everything up to the start of a sequence that p leaves unfinished goes
	// to the standard library's validator, which runs at memory speed; the
	// unfinished tail, at most three bytes, goes through the byte machine.
	cut := len(p)
	for j := len(p) - 1; j >= i && j >= len(p)-3; j-- {
		c := p[j]
		if c < 0x80 {
			break
		}
		if c >= 0xC0 {
			if j+seqLen(c) > len(p) {
				cut = j
			}
			break
		}
	}
	if !validRun(p[i:cut]) {
		return v.fail()
	}
	for k := cut; k < len(p); {
		if !v.lead(p[k]) {
			return v.fail()
		}
		k = v.continueSeq(p, k+1)
		if k < 0 {
			return v.fail()
		}
	}
	return true
}

func (v *UTF8Validator) fail() bool {
	v.need = 0xFF
	return false
}

// validRun is utf8.Valid with a fast path for plain ASCII.
func validRun(p []byte) bool {
	for len(p) >= 8 {
		if binary.LittleEndian.Uint64(p)&0x8080808080808080 != 0 {
			return utf8.Valid(p)
		}
		p = p[8:]
	}
	return utf8.Valid(p)
}

// seqLen returns the length of the sequence that lead byte c starts (c >= 0xC0).
func seqLen(c byte) int {
	switch {
	case c < 0xE0:
		return 2
	case c < 0xF0:
		return 3
	}
	return 4
}

// lead starts a sequence with byte c, setting the range of the next byte
// (RFC 3629 section 4), and reports whether c may start one.
func (v *UTF8Validator) lead(c byte) bool {
	v.lo, v.hi = 0x80, 0xBF
	switch {
	case c < 0x80:
		v.need = 0
	case c >= 0xC2 && c <= 0xDF:
		v.need = 1
	case c == 0xE0:
		v.need, v.lo = 2, 0xA0
	case c == 0xED:
		v.need, v.hi = 2, 0x9F // no surrogates
	case c >= 0xE1 && c <= 0xEF:
		v.need = 2
	case c == 0xF0:
		v.need, v.lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		v.need = 3
	case c == 0xF4:
		v.need, v.hi = 3, 0x8F // nothing above U+10FFFF
	default:
		return false
	}
	return true
}

// continueSeq consumes the continuation bytes v expects from p[i:] and
// returns the index after them, or -1 if one is out of range.
func (v *UTF8Validator) continueSeq(p []byte, i int) int {
	for v.need > 0 && i < len(p) {
		c := p[i]
		if c < v.lo || c > v.hi {
			return -1
		}
		v.lo, v.hi = 0x80, 0xBF
		v.need--
		i++
	}
	return i
}
