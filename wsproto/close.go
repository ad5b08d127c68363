package wsproto

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"
)

// CloseCode is a WebSocket close status code (RFC 6455 section 7.4).
type CloseCode uint16

// Close codes defined by RFC 6455 section 7.4.1 and the IANA registry.
const (
	CloseNormal          CloseCode = 1000
	CloseGoingAway       CloseCode = 1001
	CloseProtocolError   CloseCode = 1002
	CloseUnsupportedData CloseCode = 1003
	CloseNoStatus        CloseCode = 1005 // local only: the close frame had no code
	CloseAbnormal        CloseCode = 1006 // local only: no close frame was received
	CloseInvalidPayload  CloseCode = 1007
	ClosePolicyViolation CloseCode = 1008
	CloseMessageTooBig   CloseCode = 1009
	CloseMandatoryExt    CloseCode = 1010
	CloseInternalError   CloseCode = 1011
	CloseServiceRestart  CloseCode = 1012
	CloseTryAgainLater   CloseCode = 1013
	CloseBadGateway      CloseCode = 1014
	CloseTLSHandshake    CloseCode = 1015 // local only: the TLS handshake failed
)

var closeCodeNames = map[CloseCode]string{
	CloseNormal:          "normal closure",
	CloseGoingAway:       "going away",
	CloseProtocolError:   "protocol error",
	CloseUnsupportedData: "unsupported data",
	CloseNoStatus:        "no status received",
	CloseAbnormal:        "abnormal closure",
	CloseInvalidPayload:  "invalid payload data",
	ClosePolicyViolation: "policy violation",
	CloseMessageTooBig:   "message too big",
	CloseMandatoryExt:    "mandatory extension",
	CloseInternalError:   "internal error",
	CloseServiceRestart:  "service restart",
	CloseTryAgainLater:   "try again later",
	CloseBadGateway:      "bad gateway",
	CloseTLSHandshake:    "TLS handshake failure",
}

// String returns the code and its registered name, e.g. "1000 (normal closure)".
func (c CloseCode) String() string {
	s := strconv.Itoa(int(c))
	if n, ok := closeCodeNames[c]; ok {
		return s + " (" + n + ")"
	}
	return s
}

// ValidReceived reports whether c may appear in a close frame received from a
// peer: 1000-1003, 1007-1014 and 3000-4999 (our policy P-62, Autobahn 7.7 and 7.9).
func (c CloseCode) ValidReceived() bool {
	switch {
	case c >= 1000 && c <= 1003, c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// ValidToSend reports whether we may put c in a close frame. It is the same
// set as ValidReceived: 1005, 1006, 1015 and unassigned codes never go on the
// wire (RFC 6455 section 7.4.1, P-63).
func (c CloseCode) ValidToSend() bool { return c.ValidReceived() }

// MaxCloseReason is the longest close reason in bytes: a control frame carries
// at most 125 bytes, two of which are the code.
const MaxCloseReason = 123

// ParseClosePayload decodes the payload of a received close frame. An empty
// payload yields CloseNoStatus and no error. It fails with ErrCloseTooShort,
// ErrInvalidCloseCode or ErrInvalidCloseReason as RFC 6455 and our policy
// require (P-55, P-61, P-62). The reason aliases p.
func ParseClosePayload(p []byte) (code CloseCode, reason []byte, err error) {
	switch {
	case len(p) == 0:
		return CloseNoStatus, nil, nil
	case len(p) == 1:
		return 0, nil, ErrCloseTooShort
	case len(p) > MaxControlPayload:
		return 0, nil, ErrControlTooLong
	}
	code = CloseCode(binary.BigEndian.Uint16(p))
	if !code.ValidReceived() {
		return 0, nil, ErrInvalidCloseCode
	}
	reason = p[2:]
	if !utf8.Valid(reason) {
		return 0, nil, ErrInvalidCloseReason
	}
	return code, reason, nil
}

// AppendClosePayload appends the payload of a close frame with code and
// reason to dst. CloseNoStatus yields the empty payload (and reason must be
// empty). Codes that may not be sent, reasons over MaxCloseReason bytes and
// invalid UTF-8 are refused, so that a close frame we build is always valid.
func AppendClosePayload(dst []byte, code CloseCode, reason string) ([]byte, error) {
	if code == CloseNoStatus {
		if reason != "" {
			return dst, &Error{Code: CloseProtocolError, Msg: "close reason without a code"}
		}
		return dst, nil
	}
	if !code.ValidToSend() {
		return dst, &Error{Code: CloseProtocolError, Msg: "close code " + strconv.Itoa(int(code)) + " may not be sent"}
	}
	if len(reason) > MaxCloseReason {
		return dst, &Error{Code: CloseProtocolError, Msg: "close reason longer than 123 bytes"}
	}
	if !utf8.ValidString(reason) {
		return dst, ErrInvalidCloseReason
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...), nil
}
