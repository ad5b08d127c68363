package websocket

import "fmt"

// validateProtocols checks the protocols argument of the WebSocket
// constructor (API-21, API-22): every element must be a token of RFC 6455
// (at least one byte, each in U+0021-U+007E and none of the separators
// ( ) < > @ , ; : \ " / [ ] ? = { }), and no element may occur twice. The
// duplicate check compares bytes exactly, as the WebSockets Standard says
// (section 16, decision 7): "echo" and "eCho" are two different
// subprotocols. The caller turns any error into a SyntaxError DOMException.
func validateProtocols(protocols []string) error {
	var seen map[string]struct{}
	for _, p := range protocols {
		if p == "" {
			return fmt.Errorf("invalid subprotocol %q: it is empty", p)
		}
		for i := 0; i < len(p); i++ {
			if !isProtocolTokenByte(p[i]) {
				return fmt.Errorf("invalid subprotocol %q: the byte %#02x at offset %d is not allowed in a token", p, p[i], i)
			}
		}
		if seen == nil {
			seen = make(map[string]struct{}, len(protocols))
		}
		if _, dup := seen[p]; dup {
			return fmt.Errorf("invalid subprotocols: %q occurs more than once", p)
		}
		seen[p] = struct{}{}
	}
	return nil
}

// isProtocolTokenByte reports whether c may appear in a subprotocol name:
// a visible ASCII character (U+0021-U+007E) that is not an HTTP separator.
func isProtocolTokenByte(c byte) bool {
	if c < 0x21 || c > 0x7E {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return false
	}
	return true
}
