package wsproto_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

var (
	validReceivedCodes   = []wsproto.CloseCode{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}
	invalidReceivedCodes = []wsproto.CloseCode{0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}
)

// P-62: which codes a received close frame may carry.
func TestP62_CloseCodeValidity(t *testing.T) {
	for _, c := range validReceivedCodes {
		if !c.ValidReceived() {
			t.Errorf("%v.ValidReceived() = false", c)
		}
	}
	for _, c := range invalidReceivedCodes {
		if c.ValidReceived() {
			t.Errorf("%v.ValidReceived() = true", c)
		}
	}
	// Every code, against the policy as written.
	for i := 0; i <= 0xFFFF; i++ {
		c := wsproto.CloseCode(i)
		want := i >= 1000 && i <= 1003 || i >= 1007 && i <= 1014 || i >= 3000 && i <= 4999
		if c.ValidReceived() != want {
			t.Fatalf("%d.ValidReceived() = %v, want %v", i, !want, want)
		}
	}
	// Through the wire: a close frame with each code.
	for _, c := range append(append([]wsproto.CloseCode{}, validReceivedCodes...), invalidReceivedCodes...) {
		p := []byte{byte(c >> 8), byte(c)}
		code, _, err := wsproto.ParseClosePayload(p)
		if c.ValidReceived() {
			if err != nil || code != c {
				t.Errorf("ParseClosePayload(%d) = (%v, %v)", c, code, err)
			}
		} else {
			checkErr(t, err, wsproto.ErrInvalidCloseCode, wsproto.CloseProtocolError)
		}
	}
}

// P-63: codes that may never be sent.
func TestP63_CloseCodesToSend(t *testing.T) {
	for _, c := range validReceivedCodes {
		if !c.ValidToSend() {
			t.Errorf("%v.ValidToSend() = false", c)
		}
		p, err := wsproto.AppendClosePayload(nil, c, "bye")
		if err != nil || !bytes.Equal(p, []byte{byte(c >> 8), byte(c), 'b', 'y', 'e'}) {
			t.Errorf("AppendClosePayload(%d) = (%x, %v)", c, p, err)
		}
	}
	for _, c := range invalidReceivedCodes {
		if c.ValidToSend() {
			t.Errorf("%v.ValidToSend() = true", c)
		}
		if c == wsproto.CloseNoStatus {
			continue // means "empty body", tested below
		}
		p, err := wsproto.AppendClosePayload([]byte("x"), c, "")
		checkErr(t, err, wsproto.ErrProtocol, wsproto.CloseProtocolError)
		if string(p) != "x" {
			t.Errorf("AppendClosePayload(%d) changed dst to %q on failure", c, p)
		}
	}
}

// P-61: the close frame body, both ways.
func TestP61_ClosePayload(t *testing.T) {
	long := strings.Repeat("r", wsproto.MaxCloseReason)
	tests := []struct {
		name    string
		payload string
		code    wsproto.CloseCode
		reason  string
		err     error
		errCode wsproto.CloseCode
	}{
		{"empty", "", wsproto.CloseNoStatus, "", nil, 0},
		{"one byte", "\x03", 0, "", wsproto.ErrCloseTooShort, wsproto.CloseProtocolError},
		{"code only", "\x03\xe8", wsproto.CloseNormal, "", nil, 0},
		{"code and reason", "\x03\xe9going", wsproto.CloseGoingAway, "going", nil, 0},
		{"utf-8 reason", "\x0f\xa0κόσμε", 4000, "κόσμε", nil, 0},
		{"noncharacter reason", "\x0b\xb8\xef\xbf\xbf", 3000, "\uffff", nil, 0},
		{"123-byte reason", "\x03\xe8" + long, wsproto.CloseNormal, long, nil, 0},
		{"124-byte reason", "\x03\xe8" + long + "r", 0, "", wsproto.ErrControlTooLong, wsproto.CloseProtocolError},
		{"invalid code", "\x03\xed", 0, "", wsproto.ErrInvalidCloseCode, wsproto.CloseProtocolError},
		{"code 0", "\x00\x00", 0, "", wsproto.ErrInvalidCloseCode, wsproto.CloseProtocolError},
		{"invalid code with reason", "\x13\x88reason", 0, "", wsproto.ErrInvalidCloseCode, wsproto.CloseProtocolError},
		{"surrogate in reason", "\x03\xe8ab\xed\xa0\x80", 0, "", wsproto.ErrInvalidCloseReason, wsproto.CloseInvalidPayload},
		{"truncated reason", "\x03\xe8ab\xe2\x82", 0, "", wsproto.ErrInvalidCloseReason, wsproto.CloseInvalidPayload},
		{"overlong in reason", "\x03\xe8\xc0\x80", 0, "", wsproto.ErrInvalidCloseReason, wsproto.CloseInvalidPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason, err := wsproto.ParseClosePayload([]byte(tt.payload))
			if tt.err != nil {
				checkErr(t, err, tt.err, tt.errCode)
				return
			}
			if err != nil || code != tt.code || string(reason) != tt.reason {
				t.Fatalf("ParseClosePayload = (%v, %q, %v), want (%v, %q, nil)", code, reason, err, tt.code, tt.reason)
			}
			// And back: encoding what was decoded gives the same body.
			enc, err := wsproto.AppendClosePayload(nil, code, string(reason))
			if err != nil || string(enc) != tt.payload {
				t.Fatalf("AppendClosePayload(%v, %q) = (%q, %v), want %q", code, reason, enc, err, tt.payload)
			}
		})
	}

	// Sending side refusals.
	refuse := []struct {
		name   string
		code   wsproto.CloseCode
		reason string
		err    error
	}{
		{"reason without code", wsproto.CloseNoStatus, "why", wsproto.ErrProtocol},
		{"reason too long", wsproto.CloseNormal, long + "r", wsproto.ErrProtocol},
		{"invalid UTF-8 reason", wsproto.CloseNormal, "\xff", wsproto.ErrInvalidCloseReason},
		{"1006", wsproto.CloseAbnormal, "", wsproto.ErrProtocol},
		{"1015", wsproto.CloseTLSHandshake, "", wsproto.ErrProtocol},
	}
	for _, tt := range refuse {
		if _, err := wsproto.AppendClosePayload(nil, tt.code, tt.reason); err == nil || !errors.Is(err, tt.err) {
			t.Errorf("AppendClosePayload(%s) = %v, want %v", tt.name, err, tt.err)
		}
	}
	if p, err := wsproto.AppendClosePayload(nil, wsproto.CloseNoStatus, ""); err != nil || len(p) != 0 {
		t.Errorf("AppendClosePayload(CloseNoStatus) = (%x, %v), want empty", p, err)
	}
}

func TestCloseCodeString(t *testing.T) {
	for c, want := range map[wsproto.CloseCode]string{
		1000: "1000 (normal closure)",
		1002: "1002 (protocol error)",
		1009: "1009 (message too big)",
		4000: "4000",
	} {
		if got := c.String(); got != want {
			t.Errorf("CloseCode(%d).String() = %q, want %q", uint16(c), got, want)
		}
	}
}
