package wsproto

import "strings"

// isTokenChar reports whether c may appear in an RFC 7230 token (tchar):
// printable ASCII except the separators ()<>@,;:\"/[]?={} (P-30).
func isTokenChar(c byte) bool {
	if c <= 0x20 || c >= 0x7F {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return false
	}
	return true
}

// IsToken reports whether s is a non-empty RFC 7230 token, the syntax of
// subprotocol and extension names (P-30).
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isSpace reports whether c is optional white space (RFC 7230 OWS).
func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func trimOWS(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// HeaderHasToken reports whether any of the comma-separated lists in values
// holds token, compared ASCII case-insensitively (Connection: keep-alive,
// Upgrade; P-15, P-22).
func HeaderHasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var elem string
			elem, v, _ = strings.Cut(v, ",")
			if equalFoldASCII(trimOWS(elem), token) {
				return true
			}
		}
	}
	return false
}

// equalFoldASCII compares s and t ignoring ASCII case only (never Unicode folding).
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// ParseTokenList splits the comma-separated lists in values (several header
// lines and commas alike, P-32) into their elements, skipping empty ones as
// RFC 7230 section 7 asks, and fails if an element is not a token. It is the parser of Sec-WebSocket-Protocol.
func ParseTokenList(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			elem = trimOWS(elem)
			if elem == "" {
				continue // RFC 7230 section 7: empty elements are ignored
			}
			if !IsToken(elem) {
				return nil, &HandshakeError{Status: 400, Msg: "malformed token list " + quote(v)}
			}
			out = append(out, elem)
		}
	}
	return out, nil
}

// quote renders untrusted header input for an error message, escaping control
// characters so that it can never inject lines anywhere (P-96).
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7F || c == '"' || c == '\\' {
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&0xF])
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}
