package wsproto

import "strings"

// Extension is one element of a Sec-WebSocket-Extensions header: an offer
// from a client or an accepted extension in a response (RFC 6455 section 9.1).
type Extension struct {
	Name   string
	Params []ExtensionParam
}

// ExtensionParam is an extension parameter. A quoted value is stored
// unquoted; HasValue tells "name" from "name=value".
type ExtensionParam struct {
	Name     string
	Value    string
	HasValue bool
}

// Param returns the parameter called name and whether it is present.
func (e Extension) Param(name string) (ExtensionParam, bool) {
	for _, p := range e.Params {
		if p.Name == name {
			return p, true
		}
	}
	return ExtensionParam{}, false
}

// String formats e as it goes into a header: name; p1; p2=v.
func (e Extension) String() string {
	var b strings.Builder
	b.WriteString(e.Name)
	for _, p := range e.Params {
		b.WriteString("; ")
		b.WriteString(p.Name)
		if p.HasValue {
			b.WriteByte('=')
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// FormatExtensions joins extensions into one header value.
func FormatExtensions(exts []Extension) string {
	s := make([]string, len(exts))
	for i, e := range exts {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// ParseExtensions parses the values of Sec-WebSocket-Extensions headers
// (several lines concatenate, P-33) by the grammar of RFC 6455 section 9.1:
//
//	extension-list = 1#extension
//	extension      = token *( ";" param )
//	param          = token [ "=" ( token / quoted-string ) ]
//
// where a quoted value must itself be a token once unquoted. Empty list
// elements are skipped, as RFC 7230 section 7 asks of recipients. A
// malformed header is a *HandshakeError with status 400.
func ParseExtensions(values []string) ([]Extension, error) {
	var out []Extension
	for _, v := range values {
		p := extParser{s: v}
		exts, ok := p.list()
		if !ok {
			return nil, badRequest("malformed Sec-WebSocket-Extensions " + quote(v))
		}
		out = append(out, exts...)
	}
	return out, nil
}

type extParser struct {
	s string
	i int
}

func (p *extParser) ows() {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
}

func (p *extParser) token() (string, bool) {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i], p.i > start
}

// quoted reads a quoted-string whose unquoted content must be a token.
func (p *extParser) quoted() (string, bool) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			v := b.String()
			return v, IsToken(v)
		case c == '\\':
			if p.i == len(p.s) {
				return "", false
			}
			c = p.s[p.i]
			p.i++
		}
		if !isTokenChar(c) {
			return "", false
		}
		b.WriteByte(c)
	}
	return "", false // no closing quote
}

func (p *extParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *extParser) list() ([]Extension, bool) {
	var out []Extension
	// The end is tested by position: peek's 0 is also a NUL byte in the input.
	for {
		p.ows()
		switch {
		case p.i == len(p.s):
			return out, true
		case p.peek() == ',':
			p.i++ // empty element
			continue
		}
		e, ok := p.extension()
		if !ok {
			return nil, false
		}
		out = append(out, e)
		p.ows()
		switch {
		case p.i == len(p.s):
			return out, true
		case p.peek() == ',':
			p.i++
		default:
			return nil, false
		}
	}
}

func (p *extParser) extension() (Extension, bool) {
	var e Extension
	var ok bool
	if e.Name, ok = p.token(); !ok {
		return e, false
	}
	for {
		p.ows()
		if p.peek() != ';' {
			return e, true
		}
		p.i++
		p.ows()
		var prm ExtensionParam
		if prm.Name, ok = p.token(); !ok {
			return e, false
		}
		p.ows()
		if p.peek() == '=' {
			p.i++
			p.ows()
			prm.HasValue = true
			if p.peek() == '"' {
				prm.Value, ok = p.quoted()
			} else {
				prm.Value, ok = p.token()
			}
			if !ok {
				return e, false
			}
		}
		e.Params = append(e.Params, prm)
	}
}
