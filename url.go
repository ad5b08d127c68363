package websocket

// This file parses the URL given to the WebSocket constructor with the
// WHATWG URL Standard's rules (API-7 to API-18), not those of net/url.
//
// parseURLRecord is the URL Standard's basic URL parser (without its
// encoding, url and state override arguments: the encoding is always UTF-8)
// for the special schemes other than "file": ftp, http, https, ws and wss.
// Those are the only schemes a WebSocket URL can have after the
// http-to-ws mapping; a URL of any other scheme fails the constructor
// whether or not the URL Standard could parse it, so the parser stops as
// soon as it sees such a scheme (foreignSchemeError) instead of implementing
// the file state, opaque paths and opaque hosts. A base URL of a foreign
// scheme is kept by scheme only: a relative reference resolved against it
// never yields a ws or wss URL.
//
// Host parsing follows the URL Standard (percent-decoding, IPv4 with its
// hexadecimal, octal and short forms, IPv6 with compression, forbidden code
// points); the domain to ASCII step is the approximation of idna.go.

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"
)

// wsURL is a parsed WebSocket URL: a URL record of the URL Standard whose
// scheme is "ws" or "wss" and which has no fragment. Its methods give what
// the WebSocket object and its opening handshake need.
type wsURL struct {
	rec  *urlRecord
	href string // rec serialized
}

// String returns the serialized URL, the value of the url attribute
// (WebSocket.URL, API-19).
func (u *wsURL) String() string { return u.href }

// Scheme returns "ws" or "wss".
func (u *wsURL) Scheme() string { return u.rec.scheme }

// Secure reports whether the scheme is wss.
func (u *wsURL) Secure() bool { return u.rec.scheme == "wss" }

// Hostname returns the serialized host, as the URL Standard's hostname
// getter does: a lower-case ASCII domain, a dotted-decimal IPv4 address, or
// an IPv6 address in brackets ("[::1]").
func (u *wsURL) Hostname() string { return u.rec.host }

// Host returns the value for the Host header of the handshake: Hostname,
// followed by ":" and the port when the port is not the scheme's default.
func (u *wsURL) Host() string {
	if u.rec.port < 0 {
		return u.rec.host
	}
	return u.rec.host + ":" + strconv.Itoa(u.rec.port)
}

// Port returns the port to connect to: the URL's port, or the scheme's
// default (80 for ws, 443 for wss) when the URL has none.
func (u *wsURL) Port() int {
	if u.rec.port >= 0 {
		return u.rec.port
	}
	return specialDefaultPort(u.rec.scheme)
}

// DialAddr returns the "host:port" address to dial, in the form of
// net.JoinHostPort: the host without brackets and the port of Port.
func (u *wsURL) DialAddr() string {
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(u.rec.host, "["), "]"), strconv.Itoa(u.Port()))
}

// ResourceName returns the request target of the handshake's request line
// (RFC 6455 section 3): the path, then "?" and the query when the URL has a
// query, even an empty one ("ws://h/?" gives "/?").
func (u *wsURL) ResourceName() string {
	s := u.rec.serializePath()
	if u.rec.hasQuery {
		s += "?" + u.rec.query
	}
	return s
}

// HasCredentials reports whether the URL has a non-empty username or
// password (the URL Standard's "includes credentials").
func (u *wsURL) HasCredentials() bool { return u.rec.username != "" || u.rec.password != "" }

// Username returns the username, percent-decoded, for HTTP Basic
// authentication (API-18, API-33). The bytes may not be valid UTF-8.
func (u *wsURL) Username() string { return percentDecodeString(u.rec.username) }

// Password returns the password, percent-decoded. The bytes may not be
// valid UTF-8.
func (u *wsURL) Password() string { return percentDecodeString(u.rec.password) }

// parseWebSocketAPIURL runs the URL steps of the WebSocket constructor
// (API-7 to API-18): it parses input with the URL Standard's parser against
// base (the analog of the document's API base URL; "" for none), maps http
// to ws and https to wss, and fails if the scheme is then neither ws nor
// wss or if the URL has a fragment, even an empty one. The caller turns any
// error into a SyntaxError DOMException.
func parseWebSocketAPIURL(input, base string) (*wsURL, error) {
	var b *urlRecord
	if base != "" {
		var err error
		b, err = parseURLRecord(base, nil)
		var fs *foreignSchemeError
		if errors.As(err, &fs) {
			b = &urlRecord{scheme: fs.scheme, foreign: true}
		} else if err != nil {
			return nil, fmt.Errorf("invalid base URL %q: %v", base, err)
		}
	}
	rec, err := parseURLRecord(input, b)
	if err != nil {
		var fs *foreignSchemeError
		if errors.As(err, &fs) {
			return nil, fmt.Errorf("invalid WebSocket URL %q: the scheme %q is not ws, wss, http or https", input, fs.scheme)
		}
		return nil, fmt.Errorf("invalid URL %q: %v", input, err)
	}
	switch rec.scheme {
	case "http":
		rec.scheme = "ws"
	case "https":
		rec.scheme = "wss"
	}
	if rec.scheme != "ws" && rec.scheme != "wss" {
		return nil, fmt.Errorf("invalid WebSocket URL %q: the scheme %q is not ws, wss, http or https", input, rec.scheme)
	}
	if rec.hasFragment {
		return nil, fmt.Errorf("invalid WebSocket URL %q: a fragment is not allowed (write a literal # as %%23)", input)
	}
	return &wsURL{rec: rec, href: rec.serialize()}, nil
}

// urlRecord is a URL record of the URL Standard, for special schemes other
// than "file" (so the host is never null and the path is a list), or, when
// foreign is set, only the scheme of a URL of any other scheme, used as a
// base.
type urlRecord struct {
	scheme   string
	username string // percent-encoded
	password string // percent-encoded
	host     string // serialized: domain, dotted IPv4, or "[IPv6]"
	port     int    // -1 for null
	path     []string
	query    string
	fragment string

	hasQuery    bool
	hasFragment bool
	foreign     bool
}

// foreignSchemeError is returned by parseURLRecord for a URL whose scheme is
// not one of the special schemes it handles (ftp, http, https, ws, wss), or
// for a relative reference against a base of such a scheme.
type foreignSchemeError struct{ scheme string }

// Error implements error.
func (e *foreignSchemeError) Error() string {
	return "the scheme " + strconv.Quote(e.scheme) + " is not supported"
}

// specialDefaultPort returns the default port of a special scheme handled
// here, or -1.
func specialDefaultPort(scheme string) int {
	switch scheme {
	case "ws", "http":
		return 80
	case "wss", "https":
		return 443
	case "ftp":
		return 21
	}
	return -1
}

// isHandledSpecialScheme reports whether scheme is a special scheme other
// than "file".
func isHandledSpecialScheme(scheme string) bool { return specialDefaultPort(scheme) >= 0 }

// The states of the basic URL parser that special URLs go through.
type urlParserState int

const (
	stSchemeStart urlParserState = iota
	stScheme
	stNoScheme
	stSpecialRelativeOrAuthority
	stRelative
	stRelativeSlash
	stSpecialAuthoritySlashes
	stSpecialAuthorityIgnoreSlashes
	stAuthority
	stHost
	stPort
	stPathStart
	stPath
	stQuery
	stFragment
)

// urlEOF stands for the URL Standard's EOF code point.
const urlEOF = -1

// parseURLRecord runs the URL Standard's basic URL parser on input with the
// optional base (nil for none). It returns foreignSchemeError when the
// scheme is not ftp, http, https, ws or wss.
func parseURLRecord(input string, base *urlRecord) (*urlRecord, error) {
	in := prepareURLInput(input)
	url := &urlRecord{port: -1}
	state := stSchemeStart
	var buf []rune
	// The userinfo, query and fragment grow as byte slices (appending to
	// strings would be quadratic) and are stored in url at the end.
	var username, password, query, fragment []byte
	atSignSeen, insideBrackets, passwordTokenSeen := false, false, false
	remainingStartsWith := func(p int, r rune) bool { return p+1 < len(in) && in[p+1] == r }

	for p := 0; ; p++ {
		c := rune(urlEOF)
		if p < len(in) {
			c = in[p]
		}
		switch state {
		case stSchemeStart:
			if isASCIIAlpha(c) {
				buf = append(buf, asciiLowerRune(c))
				state = stScheme
			} else {
				state = stNoScheme
				p--
			}

		case stScheme:
			switch {
			case isASCIIAlphanumeric(c) || c == '+' || c == '-' || c == '.':
				buf = append(buf, asciiLowerRune(c))
			case c == ':':
				url.scheme = string(buf)
				buf = buf[:0]
				if !isHandledSpecialScheme(url.scheme) {
					return nil, &foreignSchemeError{scheme: url.scheme}
				}
				if base != nil && base.scheme == url.scheme {
					state = stSpecialRelativeOrAuthority
				} else {
					state = stSpecialAuthoritySlashes
				}
			default:
				buf = buf[:0]
				state = stNoScheme
				p = -1 // Start over from the first code point.
			}

		case stNoScheme:
			if base == nil {
				return nil, errors.New("it is a relative URL and there is no base URL")
			}
			if base.foreign {
				// The base has an opaque path, is a file URL or has a
				// non-special scheme: the result, if any, has its scheme.
				return nil, &foreignSchemeError{scheme: base.scheme}
			}
			state = stRelative
			p--

		case stSpecialRelativeOrAuthority:
			if c == '/' && remainingStartsWith(p, '/') {
				state = stSpecialAuthorityIgnoreSlashes
				p++
			} else {
				state = stRelative
				p--
			}

		case stRelative:
			url.scheme = base.scheme
			switch c {
			case '/', '\\':
				state = stRelativeSlash
			default:
				username, password = []byte(base.username), []byte(base.password)
				url.host, url.port = base.host, base.port
				url.path = append([]string(nil), base.path...)
				query, url.hasQuery = []byte(base.query), base.hasQuery
				switch c {
				case '?':
					query, url.hasQuery = nil, true
					state = stQuery
				case '#':
					url.hasFragment = true
					state = stFragment
				case urlEOF:
				default:
					query, url.hasQuery = nil, false
					url.shortenPath()
					state = stPath
					p--
				}
			}

		case stRelativeSlash:
			if c == '/' || c == '\\' {
				state = stSpecialAuthorityIgnoreSlashes
			} else {
				username, password = []byte(base.username), []byte(base.password)
				url.host, url.port = base.host, base.port
				state = stPath
				p--
			}

		case stSpecialAuthoritySlashes:
			if c == '/' && remainingStartsWith(p, '/') {
				state = stSpecialAuthorityIgnoreSlashes
				p++
			} else {
				state = stSpecialAuthorityIgnoreSlashes
				p--
			}

		case stSpecialAuthorityIgnoreSlashes:
			if c != '/' && c != '\\' {
				state = stAuthority
				p--
			}

		case stAuthority:
			switch c {
			case '@':
				if atSignSeen {
					buf = append([]rune("%40"), buf...)
				}
				atSignSeen = true
				for _, cp := range buf {
					if cp == ':' && !passwordTokenSeen {
						passwordTokenSeen = true
						continue
					}
					if passwordTokenSeen {
						password = appendPercentEncoded(password, cp, inUserinfoSet)
					} else {
						username = appendPercentEncoded(username, cp, inUserinfoSet)
					}
				}
				buf = buf[:0]
			case urlEOF, '/', '?', '#', '\\':
				if atSignSeen && len(buf) == 0 {
					return nil, errors.New("it has credentials but no host")
				}
				p -= len(buf) + 1
				buf = buf[:0]
				state = stHost
			default:
				buf = append(buf, c)
			}

		case stHost:
			switch {
			case c == ':' && !insideBrackets:
				if len(buf) == 0 {
					return nil, errors.New("it has a port but no host")
				}
				host, err := parseHost(string(buf))
				if err != nil {
					return nil, err
				}
				url.host = host
				buf = buf[:0]
				state = stPort
			case c == urlEOF || c == '/' || c == '?' || c == '#' || c == '\\':
				p--
				if len(buf) == 0 {
					return nil, errors.New("it has no host")
				}
				host, err := parseHost(string(buf))
				if err != nil {
					return nil, err
				}
				url.host = host
				buf = buf[:0]
				state = stPathStart
			default:
				if c == '[' {
					insideBrackets = true
				} else if c == ']' {
					insideBrackets = false
				}
				buf = append(buf, c)
			}

		case stPort:
			switch {
			case isASCIIDigit(c):
				buf = append(buf, c)
			case c == urlEOF || c == '/' || c == '?' || c == '#' || c == '\\':
				if len(buf) > 0 {
					port := 0
					for _, d := range buf {
						port = port*10 + int(d-'0')
						if port > 65535 {
							return nil, fmt.Errorf("the port %s is out of range (0 to 65535)", string(buf))
						}
					}
					if port == specialDefaultPort(url.scheme) {
						url.port = -1
					} else {
						url.port = port
					}
					buf = buf[:0]
				}
				state = stPathStart
				p--
			default:
				return nil, fmt.Errorf("the port contains %q, which is not a digit", c)
			}

		case stPathStart:
			state = stPath
			if c != '/' && c != '\\' {
				p--
			}

		case stPath:
			if c == urlEOF || c == '/' || c == '\\' || c == '?' || c == '#' {
				seg := string(buf)
				slash := c == '/' || c == '\\'
				switch {
				case isDoubleDotSegment(seg):
					url.shortenPath()
					if !slash {
						url.path = append(url.path, "")
					}
				case isSingleDotSegment(seg):
					if !slash {
						url.path = append(url.path, "")
					}
				default:
					url.path = append(url.path, seg)
				}
				buf = buf[:0]
				switch c {
				case '?':
					url.hasQuery = true
					state = stQuery
				case '#':
					url.hasFragment = true
					state = stFragment
				}
			} else {
				buf = appendPercentEncodedRunes(buf, c, inPathSet)
			}

		case stQuery:
			// The encoding is UTF-8 (and would be forced to UTF-8 for ws
			// and wss anyway): the query can be encoded code point by code
			// point.
			switch c {
			case '#':
				url.hasFragment = true
				state = stFragment
			case urlEOF:
			default:
				query = appendPercentEncoded(query, c, inSpecialQuerySet)
			}

		case stFragment:
			if c != urlEOF {
				fragment = appendPercentEncoded(fragment, c, inFragmentSet)
			}
		}
		if p >= len(in) {
			break
		}
	}
	url.username, url.password = string(username), string(password)
	url.query, url.fragment = string(query), string(fragment)
	return url, nil
}

// prepareURLInput removes the leading and trailing C0 controls and spaces
// from input, then every ASCII tab and newline, and returns the code points
// (an invalid UTF-8 sequence becomes U+FFFD, as a JavaScript string with a
// lone surrogate becomes a scalar value string).
func prepareURLInput(input string) []rune {
	start, end := 0, len(input)
	for start < end && input[start] <= 0x20 {
		start++
	}
	for end > start && input[end-1] <= 0x20 {
		end--
	}
	s := input[start:end]
	in := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		in = append(in, r)
	}
	return in
}

// shortenPath removes the last path segment, if any (the URL Standard's
// "shorten", without the file-scheme drive letter rule).
func (u *urlRecord) shortenPath() {
	if len(u.path) > 0 {
		u.path = u.path[:len(u.path)-1]
	}
}

// serializePath returns the URL path serialization: "/" before each segment.
func (u *urlRecord) serializePath() string {
	var b strings.Builder
	for _, seg := range u.path {
		b.WriteByte('/')
		b.WriteString(seg)
	}
	return b.String()
}

// serialize is the URL Standard's URL serializer.
func (u *urlRecord) serialize() string {
	var b strings.Builder
	b.WriteString(u.scheme)
	b.WriteString("://")
	if u.username != "" || u.password != "" {
		b.WriteString(u.username)
		if u.password != "" {
			b.WriteByte(':')
			b.WriteString(u.password)
		}
		b.WriteByte('@')
	}
	b.WriteString(u.host)
	if u.port >= 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(u.port))
	}
	b.WriteString(u.serializePath())
	if u.hasQuery {
		b.WriteByte('?')
		b.WriteString(u.query)
	}
	if u.hasFragment {
		b.WriteByte('#')
		b.WriteString(u.fragment)
	}
	return b.String()
}

// isSingleDotSegment reports whether seg is "." or an ASCII
// case-insensitive match for "%2e".
func isSingleDotSegment(seg string) bool {
	return seg == "." || strings.EqualFold(seg, "%2e")
}

// isDoubleDotSegment reports whether seg is ".." or an ASCII
// case-insensitive match for ".%2e", "%2e." or "%2e%2e".
func isDoubleDotSegment(seg string) bool {
	switch len(seg) {
	case 2:
		return seg == ".."
	case 4:
		return strings.EqualFold(seg, ".%2e") || strings.EqualFold(seg, "%2e.")
	case 6:
		return strings.EqualFold(seg, "%2e%2e")
	}
	return false
}

// inC0ControlSet reports whether r is in the C0 control percent-encode set.
func inC0ControlSet(r rune) bool { return r < 0x20 || r > 0x7E }

// inFragmentSet reports whether r is in the fragment percent-encode set.
func inFragmentSet(r rune) bool {
	return inC0ControlSet(r) || r == ' ' || r == '"' || r == '<' || r == '>' || r == '`'
}

// inQuerySet reports whether r is in the query percent-encode set.
func inQuerySet(r rune) bool {
	return inC0ControlSet(r) || r == ' ' || r == '"' || r == '#' || r == '<' || r == '>'
}

// inSpecialQuerySet reports whether r is in the special-query percent-encode
// set.
func inSpecialQuerySet(r rune) bool { return inQuerySet(r) || r == '\'' }

// inPathSet reports whether r is in the path percent-encode set.
func inPathSet(r rune) bool {
	return inQuerySet(r) || r == '?' || r == '^' || r == '`' || r == '{' || r == '}'
}

// inUserinfoSet reports whether r is in the userinfo percent-encode set.
func inUserinfoSet(r rune) bool {
	return inPathSet(r) || r == '/' || r == ':' || r == ';' || r == '=' || r == '@' ||
		('[' <= r && r <= ']') || r == '|'
}

// appendPercentEncoded appends r to dst, UTF-8 percent-encoded if inSet(r).
func appendPercentEncoded(dst []byte, r rune, inSet func(rune) bool) []byte {
	if !inSet(r) {
		return utf8.AppendRune(dst, r)
	}
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	for _, c := range enc[:n] {
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xF])
	}
	return dst
}

// appendPercentEncodedRunes is appendPercentEncoded for a rune buffer.
func appendPercentEncodedRunes(buf []rune, r rune, inSet func(rune) bool) []rune {
	if !inSet(r) {
		return append(buf, r)
	}
	var enc [utf8.UTFMax]byte
	n := utf8.EncodeRune(enc[:], r)
	for _, c := range enc[:n] {
		buf = append(buf, '%', rune(upperHex[c>>4]), rune(upperHex[c&0xF]))
	}
	return buf
}

// upperHex are the ASCII upper hex digits used by percent-encoding.
const upperHex = "0123456789ABCDEF"

// percentDecodeString is the URL Standard's string percent-decode: every
// "%" followed by two ASCII hex digits becomes the byte they spell; every
// other byte is kept.
func percentDecodeString(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isASCIIHexDigit(rune(s[i+1])) && isASCIIHexDigit(rune(s[i+2])) {
			out = append(out, hexValue(s[i+1])<<4|hexValue(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// hexValue returns the value of the ASCII hex digit c.
func hexValue(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isASCIIAlpha reports whether r is an ASCII letter.
func isASCIIAlpha(r rune) bool { return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') }

// isASCIIDigit reports whether r is an ASCII digit.
func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// isASCIIAlphanumeric reports whether r is an ASCII letter or digit.
func isASCIIAlphanumeric(r rune) bool { return isASCIIAlpha(r) || isASCIIDigit(r) }

// isASCIIHexDigit reports whether r is an ASCII hex digit.
func isASCIIHexDigit(r rune) bool {
	return isASCIIDigit(r) || ('a' <= r && r <= 'f') || ('A' <= r && r <= 'F')
}

// asciiLowerRune lowercases an ASCII upper-case letter.
func asciiLowerRune(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// parseHost is the URL Standard's host parser with isOpaque false (special
// URLs). It returns the serialized host.
func parseHost(input string) (string, error) {
	if strings.HasPrefix(input, "[") {
		if !strings.HasSuffix(input, "]") || len(input) < 2 {
			return "", fmt.Errorf("the IPv6 address %q has no closing ]", input)
		}
		addr, err := parseIPv6(input[1 : len(input)-1])
		if err != nil {
			return "", fmt.Errorf("invalid IPv6 address %q: %v", input, err)
		}
		return "[" + serializeIPv6(addr) + "]", nil
	}
	// Percent-decode, then UTF-8 decode without BOM: string(bytes) keeps
	// the bytes, and ranging over it (in domainToASCII) turns invalid
	// sequences into U+FFFD, which the domain parser refuses.
	domain := percentDecodeString(input)
	if !utf8.ValidString(domain) {
		domain = strings.ToValidUTF8(domain, "\uFFFD")
	}
	ascii, err := domainToASCII(domain)
	if err != nil {
		return "", fmt.Errorf("invalid host %q: %v", input, err)
	}
	if endsInANumber(ascii) {
		v4, err := parseIPv4(ascii)
		if err != nil {
			return "", fmt.Errorf("invalid IPv4 address %q: %v", ascii, err)
		}
		return serializeIPv4(v4), nil
	}
	return ascii, nil
}

// endsInANumber is the URL Standard's "ends in a number checker".
func endsInANumber(s string) bool {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, _, err := parseIPv4Number(last)
	return err == nil
}

// ipv4Saturated stands for any IPv4 number part too large for an address:
// parseIPv4Number saturates at it instead of overflowing.
const ipv4Saturated = 1 << 32

// parseIPv4Number is the URL Standard's IPv4 number parser. It returns the
// value (saturated at ipv4Saturated) and whether the part was written in a
// non-decimal form.
func parseIPv4Number(s string) (uint64, bool, error) {
	if s == "" {
		return 0, false, errors.New("empty number")
	}
	radix := uint64(10)
	nonDecimal := false
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, radix, nonDecimal = s[2:], 16, true
	case len(s) >= 2 && s[0] == '0':
		s, radix, nonDecimal = s[1:], 8, true
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		var d uint64
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			d = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			d = uint64(c-'a') + 10
		case 'A' <= c && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false, fmt.Errorf("%q is not a digit", c)
		}
		if d >= radix {
			return 0, false, fmt.Errorf("%q is not a base-%d digit", c, radix)
		}
		if v < ipv4Saturated {
			v = v*radix + d
		}
		if v > ipv4Saturated {
			v = ipv4Saturated
		}
	}
	return v, nonDecimal, nil
}

// parseIPv4 is the URL Standard's IPv4 parser: one to four parts, each
// decimal, octal (leading 0) or hexadecimal (0x), the last one filling the
// remaining bytes.
func parseIPv4(s string) (uint32, error) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return 0, errors.New("more than four parts")
	}
	numbers := make([]uint64, 0, 4)
	for _, part := range parts {
		n, _, err := parseIPv4Number(part)
		if err != nil {
			return 0, fmt.Errorf("the part %q is not a number", part)
		}
		numbers = append(numbers, n)
	}
	for _, n := range numbers[:len(numbers)-1] {
		if n > 255 {
			return 0, errors.New("a part other than the last is more than 255")
		}
	}
	last := numbers[len(numbers)-1]
	if last >= 1<<(8*(5-len(numbers))) {
		return 0, errors.New("the last part is out of range")
	}
	ipv4 := last
	for i, n := range numbers[:len(numbers)-1] {
		ipv4 += n << (8 * (3 - i))
	}
	return uint32(ipv4), nil
}

// serializeIPv4 is the URL Standard's IPv4 serializer (dotted decimal).
func serializeIPv4(a uint32) string {
	return strconv.Itoa(int(a>>24)) + "." + strconv.Itoa(int(a>>16&0xFF)) + "." +
		strconv.Itoa(int(a>>8&0xFF)) + "." + strconv.Itoa(int(a&0xFF))
}

// parseIPv6 is the URL Standard's IPv6 parser, for the text between the
// brackets.
func parseIPv6(s string) ([8]uint16, error) {
	var addr [8]uint16
	in := []rune(s)
	pieceIndex := 0
	compress := -1
	p := 0
	c := func() rune {
		if p < len(in) {
			return in[p]
		}
		return urlEOF
	}
	if c() == ':' {
		if p+1 >= len(in) || in[p+1] != ':' {
			return addr, errors.New("it starts with a single colon")
		}
		p += 2
		pieceIndex++
		compress = pieceIndex
	}
	for c() != urlEOF {
		if pieceIndex == 8 {
			return addr, errors.New("too many pieces")
		}
		if c() == ':' {
			if compress >= 0 {
				return addr, errors.New("more than one \"::\" in the address")
			}
			p++
			pieceIndex++
			compress = pieceIndex
			continue
		}
		value, length := 0, 0
		for length < 4 && isASCIIHexDigit(c()) {
			value = value*0x10 + int(hexValue(byte(c())))
			p++
			length++
		}
		if c() == '.' {
			if length == 0 {
				return addr, errors.New("an IPv4 part is empty")
			}
			p -= length
			if pieceIndex > 6 {
				return addr, errors.New("no room for the IPv4 address")
			}
			numbersSeen := 0
			for c() != urlEOF {
				ipv4Piece := -1
				if numbersSeen > 0 {
					if c() == '.' && numbersSeen < 4 {
						p++
					} else {
						return addr, errors.New("invalid IPv4 address in the IPv6 address")
					}
				}
				if !isASCIIDigit(c()) {
					return addr, errors.New("invalid IPv4 address in the IPv6 address")
				}
				for isASCIIDigit(c()) {
					number := int(c() - '0')
					switch ipv4Piece {
					case -1:
						ipv4Piece = number
					case 0:
						return addr, errors.New("an IPv4 part has a leading zero")
					default:
						ipv4Piece = ipv4Piece*10 + number
					}
					if ipv4Piece > 255 {
						return addr, errors.New("an IPv4 part is more than 255")
					}
					p++
				}
				addr[pieceIndex] = addr[pieceIndex]*0x100 + uint16(ipv4Piece)
				numbersSeen++
				if numbersSeen == 2 || numbersSeen == 4 {
					pieceIndex++
				}
			}
			if numbersSeen != 4 {
				return addr, errors.New("the IPv4 address has fewer than four parts")
			}
			break
		} else if c() == ':' {
			p++
			if c() == urlEOF {
				return addr, errors.New("it ends with a single colon")
			}
		} else if c() != urlEOF {
			return addr, fmt.Errorf("%q is not allowed", c())
		}
		addr[pieceIndex] = uint16(value)
		pieceIndex++
	}
	if compress >= 0 {
		swaps := pieceIndex - compress
		pieceIndex = 7
		for pieceIndex != 0 && swaps > 0 {
			addr[pieceIndex], addr[compress+swaps-1] = addr[compress+swaps-1], addr[pieceIndex]
			pieceIndex--
			swaps--
		}
	} else if pieceIndex != 8 {
		return addr, errors.New("too few pieces")
	}
	return addr, nil
}

// serializeIPv6 is the URL Standard's IPv6 serializer: lower-case hex pieces
// without leading zeros, the first longest run of two or more zero pieces
// compressed to "::".
func serializeIPv6(addr [8]uint16) string {
	// Find the compressed piece index.
	compress, longest := -1, 1
	for i := 0; i < 8; {
		if addr[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && addr[j] == 0 {
			j++
		}
		if j-i > longest {
			compress, longest = i, j-i
		}
		i = j
	}
	var b strings.Builder
	ignore0 := false
	for i, piece := range addr {
		if ignore0 && piece == 0 {
			continue
		}
		ignore0 = false
		if compress == i {
			if i == 0 {
				b.WriteString("::")
			} else {
				b.WriteByte(':')
			}
			ignore0 = true
			continue
		}
		b.WriteString(strconv.FormatUint(uint64(piece), 16))
		if i != 7 {
			b.WriteByte(':')
		}
	}
	return b.String()
}
