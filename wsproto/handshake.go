package wsproto

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
)

// acceptGUID is the constant RFC 6455 section 1.3 appends to the key.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Version is the only protocol version, sent in Sec-WebSocket-Version.
const Version = "13"

// NewKey returns a fresh Sec-WebSocket-Key: 16 random bytes from
// crypto/rand, base64-encoded (P-8, P-94).
func NewKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("websocket: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

// AcceptKey returns the Sec-WebSocket-Accept value for key: the base64 of
// the SHA-1 of the key, as sent, followed by the RFC's GUID (P-16).
func AcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0]))
}

// validKey reports whether key is the base64 of exactly 16 bytes (P-22).
func validKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	var b [18]byte
	n, err := base64.StdEncoding.Decode(b[:], []byte(key))
	return err == nil && n == 16
}

// HandshakeError is a failed opening handshake. On the server it says which
// HTTP status to answer with (and any header to add); on the client it says
// what was wrong with the server's response, whose status it carries.
type HandshakeError struct {
	Status int               // HTTP status: to answer with (server) or received (client)
	Msg    string            // what was wrong
	Header map[string]string // headers to add to the server's error response
}

func (e *HandshakeError) Error() string {
	return "websocket: handshake: " + e.Msg
}

func badRequest(msg string) *HandshakeError { return &HandshakeError{Status: 400, Msg: msg} }

// header returns the values of a header from h, whose keys are in canonical
// form (as net/http keeps them).
func header(h map[string][]string, key string) []string { return h[key] }

// Request is a checked opening-handshake request, the server's view of it.
type Request struct {
	Key        string      // Sec-WebSocket-Key
	Protocols  []string    // Sec-WebSocket-Protocol, in the client's order
	Extensions []Extension // Sec-WebSocket-Extensions offers, in order
	Origin     string      // Origin, "" if absent
}

// CheckRequest checks an opening-handshake request as RFC 6455 section 4.2.1
// requires (P-21..P-23, P-29, P-33): method GET, HTTP/1.1 or later, a Host,
// Upgrade: websocket, Connection: Upgrade, version 13 and one well-formed key;
// well-formed Sec-WebSocket-Protocol and Sec-WebSocket-Extensions. h holds the
// other headers with canonical keys (an http.Header fits). A failure is a
// *HandshakeError whose Status is the HTTP status to answer with: 405 for the
// method, 426 (with Sec-WebSocket-Version: 13) for a missing or other version
// (P-23), 400 for the rest (P-22).
func CheckRequest(method string, protoMajor, protoMinor int, host string, h map[string][]string) (Request, error) {
	var req Request
	if method != "GET" {
		return req, &HandshakeError{Status: 405, Msg: "method " + quote(method) + " is not GET", Header: map[string]string{"Allow": "GET"}}
	}
	if protoMajor < 1 || protoMajor == 1 && protoMinor < 1 {
		return req, badRequest("HTTP/1.1 or later is required")
	}
	if host == "" {
		return req, badRequest("missing Host header")
	}
	if !HeaderHasToken(header(h, "Upgrade"), "websocket") {
		return req, badRequest(`"Upgrade: websocket" header is missing: this is a WebSocket endpoint`)
	}
	if !HeaderHasToken(header(h, "Connection"), "upgrade") {
		return req, badRequest(`"Connection: Upgrade" header is missing`)
	}
	if v := header(h, "Sec-Websocket-Version"); len(v) != 1 || strings.TrimSpace(v[0]) != Version {
		msg := "missing Sec-WebSocket-Version"
		if len(v) > 0 {
			msg = "unsupported Sec-WebSocket-Version " + quote(strings.Join(v, ", ")) + "; this server speaks 13"
		}
		return req, &HandshakeError{Status: 426, Msg: msg,
			Header: map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": Version}}
	}
	keys := header(h, "Sec-Websocket-Key")
	switch {
	case len(keys) == 0:
		return req, badRequest("missing Sec-WebSocket-Key")
	case len(keys) > 1:
		return req, badRequest("more than one Sec-WebSocket-Key")
	}
	req.Key = strings.TrimSpace(keys[0])
	if !validKey(req.Key) {
		return req, badRequest("Sec-WebSocket-Key " + quote(keys[0]) + " is not the base64 of 16 bytes")
	}
	var err error
	if v := header(h, "Sec-Websocket-Protocol"); len(v) > 0 {
		if req.Protocols, err = ParseTokenList(v); err != nil {
			return req, badRequest("malformed Sec-WebSocket-Protocol " + quote(strings.Join(v, ", ")))
		}
	}
	if req.Extensions, err = ParseExtensions(header(h, "Sec-Websocket-Extensions")); err != nil {
		return req, badRequest(err.(*HandshakeError).Msg)
	}
	if o := header(h, "Origin"); len(o) > 0 {
		req.Origin = o[0]
	}
	return req, nil
}

// Response is a checked opening-handshake response, the client's view of it.
type Response struct {
	Protocol   string      // the subprotocol the server chose, "" for none
	Extensions []Extension // the extensions the server accepted, in order
}

// CheckResponse checks the server's response to a handshake that sent key
// and offered protocols and the extensions named in offeredExts, as RFC 6455
// section 4.1 requires of a client (P-13..P-18, P-35): status 101, Upgrade:
// websocket, Connection: Upgrade, the right Sec-WebSocket-Accept, a
// subprotocol among those offered (and one if any was offered, as the WHATWG
// standard requires), only offered extensions. Extension parameters are the
// extension's own business (for permessage-deflate, see the deflate code).
func CheckResponse(status int, h map[string][]string, key string, protocols, offeredExts []string) (Response, error) {
	var resp Response
	fail := func(msg string) (Response, error) { return resp, &HandshakeError{Status: status, Msg: msg} }
	if status != 101 {
		return fail("server answered with status " + strconv.Itoa(status) + ", not 101 Switching Protocols")
	}
	if !HeaderHasToken(header(h, "Upgrade"), "websocket") {
		return fail(`response lacks "Upgrade: websocket"`)
	}
	if !HeaderHasToken(header(h, "Connection"), "upgrade") {
		return fail(`response lacks "Connection: Upgrade"`)
	}
	acc := header(h, "Sec-Websocket-Accept")
	if len(acc) != 1 || strings.TrimSpace(acc[0]) != AcceptKey(key) {
		return fail("wrong or missing Sec-WebSocket-Accept")
	}
	switch p := header(h, "Sec-Websocket-Protocol"); {
	case len(p) > 1:
		return fail("more than one Sec-WebSocket-Protocol header")
	case len(p) == 1:
		resp.Protocol = trimOWS(p[0])
		if !contains(protocols, resp.Protocol) {
			return fail("server chose subprotocol " + quote(p[0]) + ", which was not offered")
		}
	case len(protocols) > 0:
		return fail("server chose none of the offered subprotocols")
	}
	exts, err := ParseExtensions(header(h, "Sec-Websocket-Extensions"))
	if err != nil {
		return fail(err.(*HandshakeError).Msg)
	}
	for _, e := range exts {
		if !contains(offeredExts, e.Name) {
			return fail("server accepted extension " + quote(e.Name) + ", which was not offered")
		}
	}
	resp.Extensions = exts
	return resp, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
