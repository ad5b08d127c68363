package wsproto_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// Every specific error matches its class sentinel (by close code) and
// itself, but no other specific error and no other class, also when wrapped.
func TestErrorClasses(t *testing.T) {
	specific := map[error]wsproto.CloseCode{
		wsproto.ErrReservedOpcode:     1002,
		wsproto.ErrReservedBits:       1002,
		wsproto.ErrNonMinimalLength:   1002,
		wsproto.ErrLengthTopBit:       1002,
		wsproto.ErrFragmentedControl:  1002,
		wsproto.ErrControlTooLong:     1002,
		wsproto.ErrUnexpectedCont:     1002,
		wsproto.ErrExpectedCont:       1002,
		wsproto.ErrUnmaskedFrame:      1002,
		wsproto.ErrMaskedFrame:        1002,
		wsproto.ErrCloseTooShort:      1002,
		wsproto.ErrInvalidCloseCode:   1002,
		wsproto.ErrDataAfterClose:     1002,
		wsproto.ErrCloseSent:          1002,
		wsproto.ErrMessageInProgress:  1002,
		wsproto.ErrNoMessage:          1002,
		wsproto.ErrInvalidUTF8:        1007,
		wsproto.ErrInvalidCloseReason: 1007,
		wsproto.ErrFrameTooBig:        1009,
	}
	for err, code := range specific {
		checkErr(t, err, err, code)
		wrapped := fmt.Errorf("reading: %w", err)
		checkErr(t, wrapped, err, code)
		for other := range specific {
			if other != err && errors.Is(err, other) {
				t.Errorf("errors.Is(%v, %v) = true", err, other)
			}
		}
		for _, class := range []error{wsproto.ErrProtocol, wsproto.ErrInvalidPayload, wsproto.ErrMessageTooBig} {
			if errors.Is(class, err) {
				t.Errorf("errors.Is(class %v, %v) = true", class, err)
			}
		}
		if errors.Is(err, io.EOF) {
			t.Errorf("errors.Is(%v, io.EOF) = true", err)
		}
		if errors.Is(err, (*wsproto.Error)(nil)) {
			t.Errorf("errors.Is(%v, nil *Error) = true", err)
		}
	}
	// An Error made elsewhere with the same code and message is the same error.
	if !errors.Is(&wsproto.Error{Code: 1002, Msg: "reserved opcode"}, wsproto.ErrReservedOpcode) {
		t.Errorf("equal Error values do not match")
	}
	for err, want := range map[error]string{
		wsproto.ErrProtocol:        "websocket: 1002 (protocol error)",
		wsproto.ErrMessageTooBig:   "websocket: 1009 (message too big)",
		wsproto.ErrReservedOpcode:  "websocket: reserved opcode",
		&wsproto.Error{Code: 4000}: "websocket: 4000",
	} {
		if err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	}
}
