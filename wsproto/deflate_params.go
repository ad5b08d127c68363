package wsproto

import (
	"errors"
	"strconv"
)

// DeflateExtension is the name of the permessage-deflate extension (RFC 7692).
const DeflateExtension = "permessage-deflate"

// The parameters of permessage-deflate (RFC 7692 section 7.1).
const (
	paramServerNoContextTakeover = "server_no_context_takeover"
	paramClientNoContextTakeover = "client_no_context_takeover"
	paramServerMaxWindowBits     = "server_max_window_bits"
	paramClientMaxWindowBits     = "client_max_window_bits"
)

// WindowBitsNoValue, as DeflateParams.ClientMaxWindowBits, stands for
// client_max_window_bits without a value, which only a client's offer may
// carry: "my compressor can use whatever window you pick".
const WindowBitsNoValue = -1

// DeflateParams are the parameters of one permessage-deflate element of a
// Sec-WebSocket-Extensions header: an offer or a response (RFC 7692
// section 7.1). "Server" parameters are about the messages the server
// sends, "client" parameters about those the client sends.
type DeflateParams struct {
	// ServerNoContextTakeover: the server resets its compressor for each
	// message (section 7.1.1.1).
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client resets its compressor for each
	// message (section 7.1.1.2).
	ClientNoContextTakeover bool
	// ServerMaxWindowBits caps the server's window at 2^N bytes, N in
	// 8..15; 0 when absent (section 7.1.2.1).
	ServerMaxWindowBits int
	// ClientMaxWindowBits caps the client's window at 2^N bytes, N in
	// 8..15; 0 when absent; WindowBitsNoValue for the parameter without a
	// value in an offer (section 7.1.2.2).
	ClientMaxWindowBits int
}

// ParseDeflateOffer reads a permessage-deflate element of a client's offer
// by the rules of RFC 7692 section 7.1 (P-74): only the four parameters,
// none twice, no value on the *_no_context_takeover ones, window bits 8..15
// written in decimal without leading zeros (a quoted value counts as the
// same value unquoted; ParseExtensions has unquoted it), and
// client_max_window_bits may lack a value. A server declines an offer it
// fails on (P-75). Names are compared exactly, as they are registered.
func ParseDeflateOffer(e Extension) (DeflateParams, error) { return parseDeflate(e, false) }

// ParseDeflateResponse reads a server's permessage-deflate response element
// by the same rules, except that client_max_window_bits needs a value. A
// client fails the connection on an element it fails on (P-77).
func ParseDeflateResponse(e Extension) (DeflateParams, error) { return parseDeflate(e, true) }

func parseDeflate(e Extension, response bool) (DeflateParams, error) {
	var p DeflateParams
	if e.Name != DeflateExtension {
		return p, errors.New("not " + DeflateExtension + ": " + quote(e.Name))
	}
	var seen [4]bool
	for _, prm := range e.Params {
		var i int
		switch prm.Name {
		case paramServerNoContextTakeover, paramClientNoContextTakeover:
			if prm.HasValue {
				return p, errors.New(prm.Name + " takes no value, got " + quote(prm.Value))
			}
			if prm.Name == paramServerNoContextTakeover {
				i, p.ServerNoContextTakeover = 0, true
			} else {
				i, p.ClientNoContextTakeover = 1, true
			}
		case paramServerMaxWindowBits, paramClientMaxWindowBits:
			bits := WindowBitsNoValue
			switch {
			case prm.HasValue:
				var ok bool
				if bits, ok = parseWindowBits(prm.Value); !ok {
					return p, errors.New(prm.Name + " has an invalid value " + quote(prm.Value) + "; it must be 8..15 without leading zeros")
				}
			case prm.Name == paramServerMaxWindowBits || response:
				return p, errors.New(prm.Name + " needs a value")
			}
			if prm.Name == paramServerMaxWindowBits {
				i, p.ServerMaxWindowBits = 2, bits
			} else {
				i, p.ClientMaxWindowBits = 3, bits
			}
		default:
			return p, errors.New("unknown parameter " + quote(prm.Name))
		}
		if seen[i] {
			return p, errors.New("parameter " + prm.Name + " appears twice")
		}
		seen[i] = true
	}
	return p, nil
}

// parseWindowBits reads a window size: "8" to "15", nothing else (no sign,
// no leading zero, no space).
func parseWindowBits(v string) (int, bool) {
	switch {
	case len(v) == 1 && (v[0] == '8' || v[0] == '9'):
		return int(v[0] - '0'), true
	case len(v) == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5':
		return 10 + int(v[1]-'0'), true
	}
	return 0, false
}

// Extension formats p as a header element: permessage-deflate followed by
// the parameters present, in the order of the struct's fields.
func (p DeflateParams) Extension() Extension {
	e := Extension{Name: DeflateExtension}
	if p.ServerNoContextTakeover {
		e.Params = append(e.Params, ExtensionParam{Name: paramServerNoContextTakeover})
	}
	if p.ClientNoContextTakeover {
		e.Params = append(e.Params, ExtensionParam{Name: paramClientNoContextTakeover})
	}
	if p.ServerMaxWindowBits > 0 {
		e.Params = append(e.Params, ExtensionParam{Name: paramServerMaxWindowBits, Value: strconv.Itoa(p.ServerMaxWindowBits), HasValue: true})
	}
	switch {
	case p.ClientMaxWindowBits > 0:
		e.Params = append(e.Params, ExtensionParam{Name: paramClientMaxWindowBits, Value: strconv.Itoa(p.ClientMaxWindowBits), HasValue: true})
	case p.ClientMaxWindowBits == WindowBitsNoValue:
		e.Params = append(e.Params, ExtensionParam{Name: paramClientMaxWindowBits})
	}
	return e
}

// String formats p as it goes into a header.
func (p DeflateParams) String() string { return p.Extension().String() }
