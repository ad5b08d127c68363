package websocket

// This file converts domain names to ASCII for the URL parser of url.go: the
// URL Standard's "domain parser" with beStrict = false, which runs
// "Unicode ToASCII" of UTS #46 (Unicode IDNA Compatibility Processing) with
// CheckHyphens = false, CheckBidi = true, CheckJoiners = true,
// UseSTD3ASCIIRules = false, Transitional_Processing = false,
// VerifyDnsLength = false and IgnoreInvalidPunycode = false, for non-ASCII
// domains only (an ASCII domain is just lowercased, see domainToASCII).
//
// Full UTS #46 needs the IDNA mapping table (IdnaMappingTable.txt), NFC
// normalization and the Bidi_Class, Joining_Type and
// Canonical_Combining_Class properties. The Go standard library has none of
// these, and the core module depends on the standard library only, so
// uts46ToASCII below is an APPROXIMATION, meant to be replaced by a
// table-driven implementation (for example golang.org/x/net/idna with the
// URL Standard's options, in a module that may depend on it). It is exact
// for:
//
//   - ASCII domains (domainToASCII's fast path, the common case);
//   - domains in NFC whose non-ASCII code points are letters, digits, marks
//     or symbols of the world's scripts that UTS #46 leaves as they are
//     ("münchen", "faß", "ελληνικά", "пример", "例え", "☕"), or that it
//     maps by case folding (upper-case and title-case letters, ſ, µ, ϐ,
//     U+0130, Cherokee small letters), plus full-width ASCII
//     (U+FF01-U+FF5E), the full stops U+3002, U+FF0E and U+FF61 (label
//     separators) and the code points UTS #46 ignores (soft hyphen, zero
//     width space, variation selectors, U+FEFF...);
//   - Punycode (RFC 3492, written from the RFC), the decoding and
//     validation of "xn--" labels, and the URL Standard's checks that
//     follow (empty result, forbidden domain code points).
//
// Measured against the UTS #46 15.1 mapping table, code point by code point:
// of the 149,453 non-ASCII code points that UTS #46 does not disallow,
// idnaMapRune handles 143,988 exactly as the table does; it refuses 3,954
// mapped ones (the non-ASCII spaces, which the table maps to U+0020 and the
// URL Standard then refuses anyway, and the blocks of idnaUnsupported) and
// 622 valid ones (CJK Extension I, added in Unicode 15.1, which the Go 15.0
// tables do not have); it keeps 889 mapped ones unmapped (see point 2). It
// accepts none of the 962,483 disallowed ones.
//
// The deviations from UTS #46, for whoever replaces this file:
//
//  1. No NFC normalization (Processing step 2). A domain that is not in
//     NFC, say "e" followed by U+0301 COMBINING ACUTE ACCENT, is encoded as
//     given, while UTS #46 first composes it to "é": the xn-- label then
//     differs from a browser's. The validity criterion "the label must be
//     in NFC" is not checked, so a decoded xn-- label that is not in NFC
//     is accepted.
//  2. No mapping table (Processing step 1): idnaMapRune maps as listed
//     above and nothing else. Compatibility (NFKC) mappings are not
//     applied: 889 code points that UTS #46 maps, such as "ª", "²", "½",
//     "ĳ", "ǆ", the modifier letters, "ℌ" and "™", are kept as they are,
//     so the xn-- label differs from a browser's; a decoded xn-- label
//     holding one is accepted although UTS #46 refuses it. In the blocks
//     of idnaUnsupported (enclosed alphanumerics, CJK compatibility forms
//     and ideographs, presentation forms, half-width forms, mathematical
//     alphanumerics...), whose code points UTS #46 nearly all maps or
//     disallows, the domain is refused instead (except the valid code
//     points of idnaValidInUnsupported).
//  3. Disallowed code points are recognized by general category
//     (controls, private use, surrogates, unassigned, non-ASCII spaces,
//     line and paragraph separators, format characters other than the
//     ignored ones and the joiners) plus the short list
//     idnaDisallowedExtra; code points that Unicode assigned after the
//     version of the Go unicode tables count as unassigned.
//  4. CheckBidi (RFC 5893 section 2) uses Bidi classes approximated from
//     scripts and general categories (bidiClassOf), not the Bidi_Class
//     property. Of the valid code points, about 2,800 symbols and modifier
//     letters get ON instead of L or L instead of ON, and fewer than 60
//     others a wrong class.
//  5. CheckJoiners (RFC 5892 appendix A) uses the list of viramas
//     idnaViramas (Canonical_Combining_Class 9, complete for Unicode 15.1)
//     for both joiners, and for ZERO WIDTH NON-JOINER outside a virama
//     context treats every letter of a joining script (Arabic, Syriac,
//     N'Ko, Mongolian...) as dual-joining and Mn, Me and Cf code points as
//     transparent, instead of the Joining_Type property: a ZWNJ after or
//     before a right-joining or non-joining letter of those scripts is
//     accepted where UTS #46 refuses it.
//  6. Implementation limit: a non-ASCII domain longer than
//     idnaMaxDomainLen bytes is refused (the Punycode algorithms are
//     quadratic; DNS names have at most 253 bytes). The URL Standard has
//     no limit.
//
// CheckHyphens, UseSTD3ASCIIRules and VerifyDnsLength are false in the URL
// Standard's non-strict mode and are therefore not implemented: no label or
// domain length rule, hyphens anywhere, and every ASCII code point valid as
// far as UTS #46 is concerned (the URL Standard's forbidden domain code
// points are checked afterwards).

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// domainToASCII implements the URL Standard's "domain parser" with
// beStrict = false. domain is the percent-decoded host, as UTF-8 (invalid
// sequences must already have been replaced by U+FFFD, which is
// disallowed). It returns the ASCII domain, or an error when the domain is
// empty after processing, contains a forbidden domain code point, or (for
// a non-ASCII domain) when Unicode ToASCII fails.
//
// An ASCII domain is only lowercased: the URL Standard returns it whatever
// UTS #46 thinks of it (so "xn--8i7caa", whose Punycode decodes to
// full-width "ｗｗｗ", is kept), for web compatibility.
func domainToASCII(domain string) (string, error) {
	var result string
	if isASCIIString(domain) {
		result = asciiLowercase(domain)
	} else {
		r, err := uts46ToASCII(domain)
		if err != nil {
			return "", err
		}
		result = r
	}
	if result == "" {
		return "", errors.New("the host is empty")
	}
	for i := 0; i < len(result); i++ {
		if isForbiddenDomainByte(result[i]) {
			return "", fmt.Errorf("the host contains the forbidden code point %q", result[i])
		}
	}
	return result, nil
}

// isForbiddenDomainByte reports whether the ASCII byte c is a forbidden
// domain code point of the URL Standard: a forbidden host code point, a C0
// control, U+0025 (%) or U+007F DELETE.
func isForbiddenDomainByte(c byte) bool {
	return c <= 0x1F || c == '%' || c == 0x7F || isForbiddenHostByte(c)
}

// isForbiddenHostByte reports whether the ASCII byte c is a forbidden host
// code point of the URL Standard.
func isForbiddenHostByte(c byte) bool {
	switch c {
	case 0x00, '\t', '\n', '\r', ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
		return true
	}
	return false
}

// isASCIIString reports whether s has only bytes below 0x80.
func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiLowercase returns s with the ASCII upper-case letters lowercased and
// every other byte unchanged.
func asciiLowercase(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// idnaMaxDomainLen is an implementation limit on the length of a non-ASCII
// domain, in bytes, that keeps the quadratic Punycode algorithms fast. DNS
// names are at most 253 bytes, so no domain beyond it can be looked up
// anyway (the URL Standard itself has no limit).
const idnaMaxDomainLen = 4096

// uts46ToASCII approximates UTS #46 Unicode ToASCII with the URL Standard's
// non-strict flags (see the file comment for where it deviates). It is
// called for non-ASCII domains only.
func uts46ToASCII(domain string) (string, error) {
	if len(domain) > idnaMaxDomainLen {
		return "", fmt.Errorf("the host is %d bytes long; international domain names are limited to %d bytes here", len(domain), idnaMaxDomainLen)
	}
	// Processing step 1: map. Step 2 (NFC) is not implemented.
	mapped := make([]rune, 0, len(domain))
	for _, r := range domain {
		var ok bool
		mapped, ok = idnaMapRune(mapped, r)
		if !ok {
			return "", fmt.Errorf("the host contains %U, which international domain names do not allow", r)
		}
	}

	// Steps 3 and 4: break into labels, decode "xn--" labels, validate.
	labels := splitRunes(mapped, '.')
	bidiDomain := false
	for i, label := range labels {
		orig := string(label)
		decoded := false
		if hasPrefixRunes(label, "xn--") {
			for _, r := range label {
				if r >= utf8.RuneSelf {
					return "", fmt.Errorf("the label %q starts with xn-- but is not ASCII", orig)
				}
			}
			u, err := punycodeDecode(string(label[4:]))
			if err != nil {
				return "", fmt.Errorf("the label %q is not valid Punycode: %v", orig, err)
			}
			if len(u) == 0 || isASCIIRunes(u) {
				return "", fmt.Errorf("the label %q does not encode a non-ASCII label", orig)
			}
			labels[i] = u
			label = u
			decoded = true
		}
		if err := idnaValidLabel(label, decoded); err != nil {
			if decoded {
				return "", fmt.Errorf("the label %q decodes to an invalid label: %v", orig, err)
			}
			return "", err
		}
		if isRTLLabel(label) {
			bidiDomain = true
		}
	}
	if bidiDomain {
		for _, label := range labels {
			if err := checkBidiLabel(label); err != nil {
				return "", err
			}
		}
	}

	// ToASCII: encode the labels that have non-ASCII code points.
	var b strings.Builder
	for i, label := range labels {
		if i > 0 {
			b.WriteByte('.')
		}
		if isASCIIRunes(label) {
			b.WriteString(string(label))
			continue
		}
		enc, err := punycodeEncode(label)
		if err != nil {
			return "", fmt.Errorf("the label %q cannot be encoded: %v", string(label), err)
		}
		b.WriteString("xn--")
		b.WriteString(enc)
	}
	return b.String(), nil
}

// idnaValidLabel checks the UTS #46 validity criteria (section 4.1) that
// apply with the URL Standard's flags, as far as this approximation can.
// decoded tells that the label came from an "xn--" label, whose code points
// must then all be valid (or deviations): a label that the mapping would
// change is not the canonical form of anything.
func idnaValidLabel(label []rune, decoded bool) error {
	if len(label) == 0 {
		return nil // Empty labels are allowed when VerifyDnsLength is false.
	}
	// Criterion 1 (NFC) is not checked: see the file comment.
	// Criteria 2 and 3 are CheckHyphens rules, off in the URL Standard.
	// Criterion 4: with CheckHyphens off, the label must not begin with "xn--".
	if hasPrefixRunes(label, "xn--") {
		return fmt.Errorf("the label %q begins with xn-- after decoding", string(label))
	}
	for i, r := range label {
		// Criterion 5: no U+002E (.) in the label.
		if r == '.' {
			return fmt.Errorf("the label %q contains a full stop", string(label))
		}
		// Criterion 6: the label must not begin with a combining mark.
		if i == 0 && unicode.Is(unicode.M, r) {
			return fmt.Errorf("the label %q begins with the combining mark %U", string(label), r)
		}
		// Criterion 7: every code point valid or deviation.
		if decoded {
			m, ok := idnaMapRune(nil, r)
			if !ok || len(m) != 1 || m[0] != r {
				return fmt.Errorf("the label %q contains %U, which is not valid in a decoded label", string(label), r)
			}
		}
		// Criterion 8: CheckJoiners (ContextJ of RFC 5892).
		if (r == 0x200C || r == 0x200D) && !joinerAllowed(label, i) {
			return fmt.Errorf("the label %q contains %U outside the context where it is allowed", string(label), r)
		}
	}
	return nil
}

// idnaMapRune appends the UTS #46 mapping of r to dst, as approximated here
// (see the file comment), and reports false when r is disallowed.
func idnaMapRune(dst []rune, r rune) ([]rune, bool) {
	switch {
	case r < utf8.RuneSelf:
		// With UseSTD3ASCIIRules off every ASCII code point is valid,
		// except the upper-case letters, which are mapped.
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(dst, r), true
	case r == 0x3002 || r == 0xFF0E || r == 0xFF61:
		// IDEOGRAPHIC FULL STOP, FULLWIDTH FULL STOP, HALFWIDTH
		// IDEOGRAPHIC FULL STOP: mapped to U+002E.
		return append(dst, '.'), true
	case 0xFF01 <= r && r <= 0xFF5E:
		// FULLWIDTH forms of ASCII: mapped to ASCII (and lowercased).
		return idnaMapRune(dst, r-0xFF01+0x21)
	case r == 0x200C || r == 0x200D:
		// ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER: deviations, kept by
		// Nontransitional Processing (and checked by CheckJoiners).
		return append(dst, r), true
	case r == 0x00DF || r == 0x03C2:
		// ß and ς: deviations, kept.
		return append(dst, r), true
	case idnaIgnored(r):
		return dst, true
	case idnaDisallowed(r):
		return dst, false
	case r == 0x0130:
		// LATIN CAPITAL LETTER I WITH DOT ABOVE: full case folding gives
		// "i" + COMBINING DOT ABOVE.
		return append(dst, 'i', 0x0307), true
	case 0x13A0 <= r && r <= 0x13F5:
		// Cherokee capitals are valid: case folding maps Cherokee to
		// upper case.
		return append(dst, r), true
	case 0x13F8 <= r && r <= 0x13FD, 0xAB70 <= r && r <= 0xABBF:
		// Cherokee small letters: mapped to the capitals.
		return append(dst, unicode.ToUpper(r)), true
	case r == 0x0131:
		// LATIN SMALL LETTER DOTLESS I: valid (its upper case is I).
		return append(dst, r), true
	}
	if unicode.IsUpper(r) || unicode.IsTitle(r) {
		if l := unicode.ToLower(r); l != r {
			return append(dst, l), true
		}
	}
	if unicode.IsLower(r) || unicode.Is(unicode.Mn, r) {
		// Case folding of characters such as ſ, ϐ, µ or U+0345: the lower
		// case of their upper case.
		if u := unicode.ToUpper(r); u != r {
			if f := unicode.ToLower(u); f != r && f != u {
				return append(dst, f), true
			}
		}
	}
	return append(dst, r), true
}

// idnaIgnored reports whether UTS #46 gives r the status "ignored"
// (removed from the domain): U+00AD SOFT HYPHEN, U+034F COMBINING GRAPHEME
// JOINER, the Mongolian free variation selectors, U+200B ZERO WIDTH SPACE,
// U+2060 WORD JOINER, U+2064 INVISIBLE PLUS, the variation selectors,
// U+FEFF ZERO WIDTH NO-BREAK SPACE and the shorthand format controls.
func idnaIgnored(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, 0x180B <= r && r <= 0x180D, r == 0x180F,
		r == 0x200B, r == 0x2060, r == 0x2064, 0xFE00 <= r && r <= 0xFE0F,
		r == 0xFEFF, 0x1BCA0 <= r && r <= 0x1BCA3, 0xE0100 <= r && r <= 0xE01EF:
		return true
	}
	return false
}

// idnaDisallowed approximates the UTS #46 status "disallowed" for non-ASCII
// code points (see the file comment, point 3), and refuses the code points
// of idnaUnsupported, which this approximation cannot map.
func idnaDisallowed(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true // U+FFFD, also what invalid UTF-8 becomes.
	case unicode.In(r, unicode.Cc, unicode.Co, unicode.Cs, unicode.Zs, unicode.Zl, unicode.Zp):
		// Controls, private use, surrogates, spaces (non-ASCII spaces map
		// to U+0020, a forbidden domain code point, so refusing them gives
		// the same result), line and paragraph separators.
		return true
	case unicode.Is(unicode.Cf, r):
		// Format characters, except the ignored ones and the joiners,
		// handled by the caller before this function.
		return true
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S):
		// Unassigned (including the noncharacters).
		return true
	}
	for _, v := range idnaDisallowedExtra {
		if v.lo <= r && r <= v.hi {
			return true
		}
	}
	return idnaUnsupported(r)
}

// idnaUnsupported reports whether r lies in a block whose code points UTS #46
// mostly maps (by compatibility decomposition) or disallows, mappings this
// approximation does not have, and is not one of the few valid code points
// of those blocks (idnaValidInUnsupported). Refusing them is better than
// encoding them unmapped: the result would name a different host than the
// one a browser computes.
func idnaUnsupported(r rune) bool {
	switch {
	case 0x2460 <= r && r <= 0x24FF: // Enclosed Alphanumerics
	case 0x2F00 <= r && r <= 0x2FDF: // Kangxi Radicals
	case 0x3200 <= r && r <= 0x33FF: // Enclosed CJK Letters and Months, CJK Compatibility
	case 0xF900 <= r && r <= 0xFAFF: // CJK Compatibility Ideographs
	case 0xFB00 <= r && r <= 0xFB4F: // Alphabetic Presentation Forms
	case 0xFB50 <= r && r <= 0xFDFF: // Arabic Presentation Forms-A
	case 0xFE10 <= r && r <= 0xFE1F: // Vertical Forms
	case 0xFE30 <= r && r <= 0xFE6F: // CJK Compatibility Forms, Small Form Variants
	case 0xFE70 <= r && r <= 0xFEFF: // Arabic Presentation Forms-B
	case 0xFF00 <= r && r <= 0xFFEF: // Halfwidth and Fullwidth Forms (the ASCII part is mapped before)
	case 0x1D400 <= r && r <= 0x1D7FF: // Mathematical Alphanumeric Symbols
	case 0x1F100 <= r && r <= 0x1F1FF: // Enclosed Alphanumeric Supplement
	case 0x1F200 <= r && r <= 0x1F2FF: // Enclosed Ideographic Supplement
	case 0x2F800 <= r && r <= 0x2FA1F: // CJK Compatibility Ideographs Supplement
	default:
		return false
	}
	for _, v := range idnaValidInUnsupported {
		if v.lo <= r && r <= v.hi {
			return false
		}
	}
	return true
}

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// idnaValidInUnsupported lists the code points of the idnaUnsupported blocks
// that UTS #46 (version 15.1) gives the status "valid": they need no mapping.
var idnaValidInUnsupported = [...]runeRange{
	{0x24EB, 0x24FF}, {0x3248, 0x324F}, {0x327F, 0x327F}, {0xFA0E, 0xFA0F},
	{0xFA11, 0xFA11}, {0xFA13, 0xFA14}, {0xFA1F, 0xFA1F}, {0xFA21, 0xFA21},
	{0xFA23, 0xFA24}, {0xFA27, 0xFA29}, {0xFB1E, 0xFB1E}, {0xFBB2, 0xFBC2},
	{0xFD3E, 0xFD4F}, {0xFDCF, 0xFDCF}, {0xFDFD, 0xFDFF}, {0xFE45, 0xFE46},
	{0xFE73, 0xFE73}, {0x1F10B, 0x1F10F}, {0x1F12F, 0x1F12F},
	{0x1F150, 0x1F169}, {0x1F16D, 0x1F18F}, {0x1F191, 0x1F1AD},
	{0x1F1E6, 0x1F1FF}, {0x1F260, 0x1F265},
}

// idnaDisallowedExtra lists assigned letters and symbols that UTS #46
// disallows although the category rules of idnaDisallowed accept them:
// U+04C0 CYRILLIC LETTER PALOCHKA, the Georgian capitals (Asomtavruli),
// the Hangul fillers, two Khmer inherent vowels, U+1806 MONGOLIAN TODO SOFT
// HYPHEN, the one- to three-dot leaders, U+2132 TURNED CAPITAL F, U+2183
// ROMAN NUMERAL REVERSED ONE HUNDRED, the ideographic description
// characters and U+FFFC OBJECT REPLACEMENT CHARACTER.
var idnaDisallowedExtra = [...]runeRange{
	{0x04C0, 0x04C0}, {0x10A0, 0x10C5}, {0x115F, 0x1160}, {0x17B4, 0x17B5},
	{0x1806, 0x1806}, {0x2024, 0x2026},
	{0x2132, 0x2132}, {0x2183, 0x2183}, {0x2FF0, 0x2FFF}, {0x3164, 0x3164},
	{0xFFA0, 0xFFA0}, {0xFFFC, 0xFFFC},
}

// idnaViramas lists the code points whose Canonical_Combining_Class is 9
// (Virama), for the CheckJoiners rules.
var idnaViramas = [...]rune{
	0x094D, 0x09CD, 0x0A4D, 0x0ACD, 0x0B4D, 0x0BCD, 0x0C4D, 0x0CCD, 0x0D3B,
	0x0D3C, 0x0D4D, 0x0DCA, 0x0E3A, 0x0EBA, 0x0F84, 0x1039, 0x103A, 0x1714,
	0x1715, 0x1734, 0x17D2, 0x1A60, 0x1B44, 0x1BAA, 0x1BAB, 0x1BF2, 0x1BF3,
	0x2D7F, 0xA806, 0xA82C, 0xA8C4, 0xA953, 0xA9C0, 0xAAF6, 0xABED, 0x10A3F,
	0x11046, 0x11070, 0x1107F, 0x110B9, 0x11133, 0x11134, 0x111C0, 0x11235,
	0x112EA, 0x1134D, 0x11442, 0x114C2, 0x115BF, 0x1163F, 0x116B6, 0x1172B,
	0x11839, 0x1193D, 0x1193E, 0x119E0, 0x11A34, 0x11A47, 0x11A99, 0x11C3F,
	0x11D44, 0x11D45, 0x11D97, 0x11F41, 0x11F42,
}

// isVirama reports whether r has Canonical_Combining_Class Virama.
func isVirama(r rune) bool {
	for _, v := range idnaViramas {
		if v == r {
			return true
		}
	}
	return false
}

// joiningScripts are the scripts whose letters join cursively; their letters
// are treated as dual-joining by joinerAllowed.
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian,
	unicode.Phags_Pa, unicode.Manichaean, unicode.Psalter_Pahlavi,
	unicode.Adlam, unicode.Hanifi_Rohingya, unicode.Sogdian,
	unicode.Old_Uyghur, unicode.Mandaic, unicode.Chorasmian,
}

// joinerAllowed applies the ContextJ rules of RFC 5892 appendix A.1 (ZERO
// WIDTH NON-JOINER) and A.2 (ZERO WIDTH JOINER) to label[i], approximately
// (see the file comment, point 5).
func joinerAllowed(label []rune, i int) bool {
	if i > 0 && isVirama(label[i-1]) {
		return true
	}
	if label[i] == 0x200D {
		return false
	}
	// (Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D})
	// Mn, Me and Cf code points are transparent, except the joiners
	// themselves (ZWNJ is non-joining, ZWJ join-causing).
	transparent := func(r rune) bool {
		return r != 0x200C && r != 0x200D && unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf)
	}
	joining := func(r rune) bool { return unicode.IsLetter(r) && unicode.In(r, joiningScripts...) }
	j := i - 1
	for j >= 0 && transparent(label[j]) {
		j--
	}
	if j < 0 || !joining(label[j]) {
		return false
	}
	k := i + 1
	for k < len(label) && transparent(label[k]) {
		k++
	}
	return k < len(label) && joining(label[k])
}

// bidiClass is an approximated Unicode Bidi_Class, with only the values
// RFC 5893 distinguishes.
type bidiClass uint8

// The Bidi classes of RFC 5893 section 2. bidiOther stands for every class
// the rules do not name (B, S, WS, LRE, RLO...), which no label may contain.
const (
	bidiL bidiClass = iota
	bidiR
	bidiAL
	bidiAN
	bidiEN
	bidiES
	bidiCS
	bidiET
	bidiON
	bidiBN
	bidiNSM
	bidiOther
)

// rtlScriptsR are scripts written right to left whose letters have the Bidi
// class R.
var rtlScriptsR = []*unicode.RangeTable{
	unicode.Hebrew, unicode.Nko, unicode.Samaritan, unicode.Mandaic,
	unicode.Adlam, unicode.Mende_Kikakui, unicode.Cypriot,
	unicode.Imperial_Aramaic, unicode.Phoenician, unicode.Lydian,
	unicode.Meroitic_Hieroglyphs, unicode.Meroitic_Cursive,
	unicode.Kharoshthi, unicode.Old_South_Arabian, unicode.Old_North_Arabian,
	unicode.Avestan, unicode.Inscriptional_Parthian,
	unicode.Inscriptional_Pahlavi, unicode.Psalter_Pahlavi, unicode.Old_Turkic,
	unicode.Old_Hungarian, unicode.Manichaean, unicode.Nabataean,
	unicode.Palmyrene, unicode.Hatran, unicode.Old_Sogdian, unicode.Elymaic,
	unicode.Chorasmian, unicode.Yezidi, unicode.Old_Uyghur,
}

// rtlScriptsAL are scripts whose letters have the Bidi class AL.
var rtlScriptsAL = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Hanifi_Rohingya,
	unicode.Sogdian,
}

// bidiClassOf approximates the Bidi_Class of r from its general category and
// script (see the file comment, point 4).
func bidiClassOf(r rune) bidiClass {
	switch {
	case '0' <= r && r <= '9', 0x06F0 <= r && r <= 0x06F9, r == 0x00B2, r == 0x00B3, r == 0x00B9,
		0x2070 <= r && r <= 0x2079, 0x2080 <= r && r <= 0x2089, 0x102E1 <= r && r <= 0x102FB:
		return bidiEN
	case 0x0660 <= r && r <= 0x0669, r == 0x066B, r == 0x066C, 0x0600 <= r && r <= 0x0605,
		r == 0x06DD, r == 0x0890, r == 0x0891, r == 0x08E2, 0x10D30 <= r && r <= 0x10D39,
		0x10E60 <= r && r <= 0x10E7E:
		return bidiAN
	case r == '+' || r == '-' || r == 0x2212:
		return bidiES
	case r == ',' || r == '.' || r == '/' || r == ':' || r == 0x00A0 || r == 0x060C || r == 0x2044:
		return bidiCS
	case 0x1EC70 <= r && r <= 0x1ECBF, 0x1ED00 <= r && r <= 0x1ED4F:
		// Indic and Ottoman Siyaq Numbers (script Common).
		return bidiAL
	case r == '#' || r == '$' || r == '%' || r == 0x00B0 || r == 0x00B1 || r == 0x0609 || r == 0x060A ||
		r == 0x066A || (0x2030 <= r && r <= 0x2034) || r == 0x2213 || r == 0x212E || unicode.Is(unicode.Sc, r):
		return bidiET
	case unicode.In(r, unicode.Mn, unicode.Me):
		return bidiNSM
	case r == 0x200C || r == 0x200D || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Cc, r):
		return bidiBN
	case r == 0x0640 || unicode.In(r, rtlScriptsAL...):
		// U+0640 ARABIC TATWEEL has the script Common.
		return bidiAL
	case unicode.In(r, rtlScriptsR...):
		return bidiR
	case unicode.IsLetter(r) || unicode.Is(unicode.Mc, r) || unicode.IsNumber(r):
		return bidiL
	case unicode.IsSpace(r):
		return bidiOther
	}
	return bidiON
}

// isRTLLabel reports whether label has a code point of Bidi class R, AL or
// AN, which makes the domain a Bidi domain name (RFC 5893 section 1.4).
func isRTLLabel(label []rune) bool {
	for _, r := range label {
		switch bidiClassOf(r) {
		case bidiR, bidiAL, bidiAN:
			return true
		}
	}
	return false
}

// checkBidiLabel applies the six rules of RFC 5893 section 2 to one label of
// a Bidi domain name.
func checkBidiLabel(label []rune) error {
	if len(label) == 0 {
		return nil
	}
	bad := func(rule int) error {
		return fmt.Errorf("the label %q breaks rule %d of the Bidi rule (RFC 5893)", string(label), rule)
	}
	first := bidiClassOf(label[0])
	// The class of the last code point that is not a non-spacing mark.
	last := bidiNSM
	for j := len(label) - 1; j >= 0; j-- {
		if c := bidiClassOf(label[j]); c != bidiNSM {
			last = c
			break
		}
	}
	switch first {
	case bidiR, bidiAL:
		hasEN, hasAN := false, false
		for _, r := range label {
			switch bidiClassOf(r) {
			case bidiR, bidiAL, bidiES, bidiCS, bidiET, bidiON, bidiBN, bidiNSM:
			case bidiEN:
				hasEN = true
			case bidiAN:
				hasAN = true
			default:
				return bad(2)
			}
		}
		switch last {
		case bidiR, bidiAL, bidiEN, bidiAN:
		default:
			return bad(3)
		}
		if hasEN && hasAN {
			return bad(4)
		}
	case bidiL:
		for _, r := range label {
			switch bidiClassOf(r) {
			case bidiL, bidiEN, bidiES, bidiCS, bidiET, bidiON, bidiBN, bidiNSM:
			default:
				return bad(5)
			}
		}
		if last != bidiL && last != bidiEN {
			return bad(6)
		}
	default:
		return bad(1)
	}
	return nil
}

// splitRunes splits s at every sep, like strings.Split (an empty s gives one
// empty label).
func splitRunes(s []rune, sep rune) [][]rune {
	var out [][]rune
	start := 0
	for i, r := range s {
		if r == sep {
			out = append(out, s[start:i:i])
			start = i + 1
		}
	}
	return append(out, s[start:len(s):len(s)])
}

// hasPrefixRunes reports whether s begins with the ASCII string prefix.
func hasPrefixRunes(s []rune, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i] != rune(prefix[i]) {
			return false
		}
	}
	return true
}

// isASCIIRunes reports whether every code point of s is ASCII.
func isASCIIRunes(s []rune) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Punycode (RFC 3492) parameters, section 5.
const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 0x80
	punyDelimiter   = '-'
	// punyMaxInt is the overflow limit (section 6.4): the decoder and the
	// encoder fail instead of computing values above it.
	punyMaxInt = 1<<31 - 1
)

// errPunycodeOverflow reports an RFC 3492 overflow.
var errPunycodeOverflow = errors.New("punycode: overflow")

// punyAdapt is the bias adaptation function of RFC 3492 section 6.1.
func punyAdapt(delta, numPoints int, firstTime bool) int {
	if firstTime {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((punyBase-punyTMin)*punyTMax)/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}

// punyThreshold returns t for the digit position k (RFC 3492 section 6.2:
// tmin if k <= bias, tmax if k >= bias + tmax, k - bias otherwise).
func punyThreshold(k, bias int) int {
	switch {
	case k <= bias:
		return punyTMin
	case k >= bias+punyTMax:
		return punyTMax
	}
	return k - bias
}

// punyDigit returns the basic code point for the digit d: a-z for 0-25, 0-9
// for 26-35 (lower case: IDNA does not use the mixed-case annotation).
func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// punyDigitValue returns the value of the basic code point c as a digit, or
// -1 if it is not one. Upper and lower case letters have the same value.
func punyDigitValue(c rune) int {
	switch {
	case 'a' <= c && c <= 'z':
		return int(c - 'a')
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case '0' <= c && c <= '9':
		return int(c-'0') + 26
	}
	return -1
}

// punycodeEncode encodes input with the encoding procedure of RFC 3492
// section 6.3. The basic code points are copied unchanged (case included),
// followed by a delimiter if there were any, then the deltas.
func punycodeEncode(input []rune) (string, error) {
	out := make([]byte, 0, len(input)+8)
	for _, c := range input {
		if c < 0 || c > unicode.MaxRune {
			return "", fmt.Errorf("punycode: invalid code point %U", c)
		}
		if c < punyInitialN {
			out = append(out, byte(c))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, punyDelimiter)
	}
	n := punyInitialN
	delta := 0
	bias := punyInitialBias
	for h < len(input) {
		// The smallest code point >= n in the input.
		m := punyMaxInt
		for _, c := range input {
			if int(c) >= n && int(c) < m {
				m = int(c)
			}
		}
		if (m - n) > (punyMaxInt-delta)/(h+1) {
			return "", errPunycodeOverflow
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, c := range input {
			if int(c) < n {
				if delta == punyMaxInt {
					return "", errPunycodeOverflow
				}
				delta++
			}
			if int(c) == n {
				q := delta
				for k := punyBase; ; k += punyBase {
					t := punyThreshold(k, bias)
					if q < t {
						break
					}
					out = append(out, punyDigit(t+(q-t)%(punyBase-t)))
					q = (q - t) / (punyBase - t)
				}
				out = append(out, punyDigit(q))
				bias = punyAdapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out), nil
}

// punycodeDecode decodes input with the decoding procedure of RFC 3492
// section 6.2. It fails on a non-basic code point, an invalid digit, a
// truncated delta, an overflow, or a result that is not a Unicode scalar
// value.
func punycodeDecode(input string) ([]rune, error) {
	in := []rune(input)
	out := make([]rune, 0, len(in))
	// The basic code points are those before the last delimiter, if any.
	b := 0
	for j := len(in) - 1; j >= 0; j-- {
		if in[j] == punyDelimiter {
			b = j
			break
		}
	}
	for _, c := range in[:b] {
		if c >= punyInitialN {
			return nil, fmt.Errorf("punycode: non-basic code point %U before the delimiter", c)
		}
		out = append(out, c)
	}
	pos := 0
	if b > 0 {
		pos = b + 1
	}
	n := punyInitialN
	i := 0
	bias := punyInitialBias
	for pos < len(in) {
		oldi := i
		w := 1
		for k := punyBase; ; k += punyBase {
			if pos >= len(in) {
				return nil, errors.New("punycode: truncated input")
			}
			digit := punyDigitValue(in[pos])
			pos++
			if digit < 0 {
				return nil, fmt.Errorf("punycode: %q is not a digit", in[pos-1])
			}
			if digit > (punyMaxInt-i)/w {
				return nil, errPunycodeOverflow
			}
			i += digit * w
			t := punyThreshold(k, bias)
			if digit < t {
				break
			}
			if w > punyMaxInt/(punyBase-t) {
				return nil, errPunycodeOverflow
			}
			w *= punyBase - t
		}
		size := len(out) + 1
		bias = punyAdapt(i-oldi, size, oldi == 0)
		if i/size > punyMaxInt-n {
			return nil, errPunycodeOverflow
		}
		n += i / size
		i %= size
		if n > unicode.MaxRune || (0xD800 <= n && n <= 0xDFFF) {
			return nil, fmt.Errorf("punycode: decoded value %#x is not a Unicode scalar value", n)
		}
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = rune(n)
		i++
	}
	return out, nil
}
