package wsproto_test

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// extGrammar is RFC 6455 section 9.1's Sec-WebSocket-Extensions grammar
// (with RFC 7230's list rule: empty elements allowed, OWS around
// separators) as a regular expression, an oracle independent of the parser.
// A quoted value must be a token once unquoted, so it holds tchars, each
// possibly escaped, and at least one.
var extGrammar = func() *regexp.Regexp {
	const (
		tchar  = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]"
		token  = tchar + "+"
		quoted = `"(?:` + tchar + `|\\` + tchar + `)+"`
		ows    = `[ \t]*`
		param  = token + `(?:` + ows + `=` + ows + `(?:` + token + `|` + quoted + `))?`
		ext    = token + `(?:` + ows + `;` + ows + param + `)*`
	)
	return regexp.MustCompile(`^(?:` + ows + `(?:` + ext + ows + `)?,)*` + ows + `(?:` + ext + ows + `)?$`)
}()

func grammarAccepts(values []string) bool {
	for _, v := range values {
		if !extGrammar.MatchString(v) {
			return false
		}
	}
	return true
}

type ext = wsproto.Extension
type prm = wsproto.ExtensionParam

// P-33: the extension grammar.
func TestP33_ParseExtensions(t *testing.T) {
	pmd := "permessage-deflate"
	tests := []struct {
		name   string
		values []string
		want   []ext
		ok     bool
	}{
		{"no header", nil, nil, true},
		{"empty", []string{""}, nil, true},
		{"name only", []string{pmd}, []ext{{Name: pmd}}, true},
		{"param without value", []string{"permessage-deflate; client_max_window_bits"},
			[]ext{{Name: pmd, Params: []prm{{Name: "client_max_window_bits"}}}}, true},
		{"params", []string{"permessage-deflate; client_max_window_bits=10;server_no_context_takeover"},
			[]ext{{Name: pmd, Params: []prm{{Name: "client_max_window_bits", Value: "10", HasValue: true}, {Name: "server_no_context_takeover"}}}}, true},
		{"quoted value", []string{`a; b="10"`}, []ext{{Name: "a", Params: []prm{{Name: "b", Value: "10", HasValue: true}}}}, true},
		{"escaped quoted value", []string{`a; b="1\0"`}, []ext{{Name: "a", Params: []prm{{Name: "b", Value: "10", HasValue: true}}}}, true},
		{"whitespace", []string{" \ta \t; \tb \t= \t\"x\" \t; c , d\t"},
			[]ext{{Name: "a", Params: []prm{{Name: "b", Value: "x", HasValue: true}, {Name: "c"}}}, {Name: "d"}}, true},
		{"several extensions", []string{"a, b; x=1, c"}, []ext{{Name: "a"}, {Name: "b", Params: []prm{{Name: "x", Value: "1", HasValue: true}}}, {Name: "c"}}, true},
		{"several lines", []string{"a", "b; c=d", ""}, []ext{{Name: "a"}, {Name: "b", Params: []prm{{Name: "c", Value: "d", HasValue: true}}}}, true},
		{"empty element", []string{"a, ,b"}, []ext{{Name: "a"}, {Name: "b"}}, true},
		{"empty elements at the ends", []string{",a,,b,"}, []ext{{Name: "a"}, {Name: "b"}}, true},
		{"repeated extension", []string{"a, a"}, []ext{{Name: "a"}, {Name: "a"}}, true},

		{"space in quoted value", []string{`a; b="1 0"`}, nil, false},
		{"trailing semicolon", []string{"a;"}, nil, false},
		{"leading semicolon", []string{";a"}, nil, false},
		{"two names", []string{"a b"}, nil, false},
		{"unterminated quote", []string{`a; b="10`}, nil, false},
		{"unterminated escape", []string{`a; b="10\`}, nil, false},
		{"escaped closing quote", []string{`a; b="x\"`}, nil, false},
		{"empty param name", []string{"a; =x"}, nil, false},
		{"missing value", []string{"a; b="}, nil, false},
		{"empty quoted value", []string{`a; b=""`}, nil, false},
		{"separator in quoted value", []string{`a; b="x,y"`}, nil, false},
		{"value on the name", []string{"a=b"}, nil, false},
		{"two values", []string{"a; b=c=d"}, nil, false},
		{"space in value", []string{"a; b=c d"}, nil, false},
		{"quoted name", []string{`"a"`}, nil, false},
		{"quote after token", []string{`a; b=x"y"`}, nil, false},
		{"NUL after name", []string{"a\x00b"}, nil, false},
		{"NUL alone", []string{"\x00"}, nil, false},
		{"NUL after param", []string{"a; b\x00"}, nil, false},
		{"NUL after list", []string{"a,\x00"}, nil, false},
		{"CR LF", []string{"a\r\nb"}, nil, false},
		{"non-ASCII", []string{"défl"}, nil, false},
		{"one bad line of two", []string{"a", "b;"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if grammarAccepts(tt.values) != tt.ok {
				t.Fatalf("test table disagrees with the grammar oracle for %q", tt.values)
			}
			got, err := wsproto.ParseExtensions(tt.values)
			if !tt.ok {
				he, isHE := err.(*wsproto.HandshakeError)
				if !isHE || he.Status != 400 {
					t.Fatalf("ParseExtensions(%q) = (%+v, %v), want a 400 HandshakeError", tt.values, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseExtensions(%q): %v", tt.values, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseExtensions(%q) = %+v, want %+v", tt.values, got, tt.want)
			}
			// Formatting and parsing again gives the same list.
			s := wsproto.FormatExtensions(got)
			again, err := wsproto.ParseExtensions([]string{s})
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("round trip through %q: (%+v, %v)", s, again, err)
			}
		})
	}
}

func TestFormatExtensions(t *testing.T) {
	exts := []ext{
		{Name: "permessage-deflate", Params: []prm{{Name: "client_max_window_bits", Value: "10", HasValue: true}, {Name: "server_no_context_takeover"}}},
		{Name: "permessage-deflate"},
	}
	const want = "permessage-deflate; client_max_window_bits=10; server_no_context_takeover, permessage-deflate"
	if got := wsproto.FormatExtensions(exts); got != want {
		t.Fatalf("FormatExtensions = %q, want %q", got, want)
	}
	if got := wsproto.FormatExtensions(nil); got != "" {
		t.Fatalf("FormatExtensions(nil) = %q", got)
	}
	p, ok := exts[0].Param("client_max_window_bits")
	if !ok || p.Value != "10" || !p.HasValue {
		t.Fatalf("Param(client_max_window_bits) = (%+v, %v)", p, ok)
	}
	if _, ok := exts[0].Param("client_no_context_takeover"); ok {
		t.Fatalf("Param found an absent parameter")
	}
}

// P-34: well-formed offers of unknown extensions are not errors (the server
// declines them by leaving them out); a client sees the accepted extensions
// in the response's order, which is the order they process outgoing data.
func TestP34_ExtensionOffersAndOrder(t *testing.T) {
	h := validRequest()
	h["Sec-Websocket-Extensions"] = []string{"x-unknown; foo=bar; baz, permessage-deflate", "x-other"}
	req, err := wsproto.CheckRequest("GET", 1, 1, "example.com", h)
	if err != nil {
		t.Fatalf("unknown offers refused: %v", err)
	}
	var names []string
	for _, e := range req.Extensions {
		names = append(names, e.Name)
	}
	if !reflect.DeepEqual(names, []string{"x-unknown", "permessage-deflate", "x-other"}) {
		t.Fatalf("offers %q", names)
	}

	rh := validResponse(rfcKey)
	rh["Sec-Websocket-Extensions"] = []string{"x-b, x-a"}
	resp, err := wsproto.CheckResponse(101, rh, rfcKey, nil, []string{"x-a", "x-b"})
	if err != nil || len(resp.Extensions) != 2 || resp.Extensions[0].Name != "x-b" || resp.Extensions[1].Name != "x-a" {
		t.Fatalf("CheckResponse = (%+v, %v), want x-b then x-a", resp, err)
	}
}
