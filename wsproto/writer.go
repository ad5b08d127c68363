package wsproto

import (
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"sync"
)

// Writer is the sending half of the protocol state machine, free of I/O: it
// encodes frames into the caller's buffer, masking them when it plays the
// client, and enforces the sending rules: no data frame after a close frame
// (P-65), fragments of one message never interleaved with another (P-51),
// control payloads of at most 125 bytes, valid close codes and reasons.
//
// A Writer is not safe for concurrent use; the driver serializes its calls
// (one write path per connection).
type Writer struct {
	role      Role
	msgOp     Opcode // message in progress, else 0
	closeSent bool
}

// NewWriter returns a Writer for the given role.
func NewWriter(role Role) *Writer { return &Writer{role: role} }

// Init resets w to a fresh Writer for role.
func (w *Writer) Init(role Role) { *w = Writer{role: role} }

// CloseSent reports whether a close frame has been encoded.
func (w *Writer) CloseSent() bool { return w.closeSent }

// InMessage reports whether a fragmented message has been started and not finished.
func (w *Writer) InMessage() bool { return w.msgOp != 0 }

// ErrCloseSent is returned for a data frame after the close frame (P-65).
var ErrCloseSent = &Error{Code: CloseProtocolError, Msg: "close frame already sent"}

// ErrMessageInProgress is returned when a new message starts before the last
// fragmented one ended (P-51).
var ErrMessageInProgress = &Error{Code: CloseProtocolError, Msg: "a fragmented message is in progress"}

// ErrNoMessage is returned for a continuation with no message in progress.
var ErrNoMessage = &Error{Code: CloseProtocolError, Msg: "no fragmented message in progress"}

// AppendData appends one frame of a data message to dst. op is OpText or
// OpBinary for a message's first frame and OpContinuation for the others; fin
// marks the last. rsv1 marks a compressed message and is only honoured on the
// first frame. The payload is copied (and masked, for a client).
func (w *Writer) AppendData(dst []byte, op Opcode, fin, rsv1 bool, payload []byte) ([]byte, error) {
	h, err := w.dataHeader(op, fin, rsv1)
	if err != nil {
		return dst, err
	}
	return w.appendFrame(dst, h, payload), nil
}

// dataHeader applies the sending rules for a data frame and updates the
// fragmentation state.
func (w *Writer) dataHeader(op Opcode, fin, rsv1 bool) (Header, error) {
	if w.closeSent {
		return Header{}, ErrCloseSent
	}
	switch op {
	case OpText, OpBinary:
		if w.msgOp != 0 {
			return Header{}, ErrMessageInProgress
		}
	case OpContinuation:
		if w.msgOp == 0 {
			return Header{}, ErrNoMessage
		}
		rsv1 = false
	default:
		return Header{}, ErrReservedOpcode
	}
	if fin {
		w.msgOp = 0
	} else if op != OpContinuation {
		w.msgOp = op
	}
	h := Header{Fin: fin, Opcode: op}
	if rsv1 {
		h.Rsv = RSV1
	}
	return h, nil
}

// AppendPing appends a ping frame. Pings may be sent until the close frame is.
func (w *Writer) AppendPing(dst []byte, payload []byte) ([]byte, error) {
	if w.closeSent {
		return dst, ErrCloseSent
	}
	return w.appendControl(dst, OpPing, payload)
}

// AppendPong appends a pong frame. A pong stays allowed after our close
// frame (P-57): only data frames are forbidden then.
func (w *Writer) AppendPong(dst []byte, payload []byte) ([]byte, error) {
	return w.appendControl(dst, OpPong, payload)
}

// AppendClose appends a close frame with code and reason (CloseNoStatus for
// an empty body). Only one close frame is ever sent; a second call fails with
// ErrCloseSent.
func (w *Writer) AppendClose(dst []byte, code CloseCode, reason string) ([]byte, error) {
	if w.closeSent {
		return dst, ErrCloseSent
	}
	var buf [MaxControlPayload]byte
	p, err := AppendClosePayload(buf[:0], code, reason)
	if err != nil {
		return dst, err
	}
	w.closeSent = true
	return w.appendFrame(dst, Header{Fin: true, Opcode: OpClose}, p), nil
}

func (w *Writer) appendControl(dst []byte, op Opcode, payload []byte) ([]byte, error) {
	if len(payload) > MaxControlPayload {
		return dst, ErrControlTooLong
	}
	return w.appendFrame(dst, Header{Fin: true, Opcode: op}, payload), nil
}

func (w *Writer) appendFrame(dst []byte, h Header, payload []byte) []byte {
	h.Length = int64(len(payload))
	if w.role == Client {
		h.Masked = true
		binary.LittleEndian.PutUint32(h.Mask[:], NewMaskKey())
	}
	dst = AppendHeader(dst, h)
	start := len(dst)
	dst = append(dst, payload...)
	if h.Masked {
		Mask(h.Mask, 0, dst[start:])
	}
	return dst
}

// FrameHeader returns the header of a data frame as AppendData would write
// it, with a fresh masking key for a client, for drivers that write the
// payload themselves (masked with Mask). It applies AppendData's rules.
func (w *Writer) FrameHeader(op Opcode, fin, rsv1 bool, length int64) (Header, error) {
	if length < 0 {
		return Header{}, &Error{Code: CloseInternalError, Msg: "negative frame length"}
	}
	h, err := w.dataHeader(op, fin, rsv1)
	if err != nil {
		return Header{}, err
	}
	h.Length = length
	if w.role == Client {
		h.Masked = true
		binary.LittleEndian.PutUint32(h.Mask[:], NewMaskKey())
	}
	return h, nil
}

// Masking keys come from ChaCha8 generators seeded from crypto/rand: a
// cryptographically strong source (P-41, P-94) that costs no system call per
// frame. The pool spreads them over goroutines without a lock.
var maskPool = sync.Pool{New: func() any {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("websocket: crypto/rand failed: " + err.Error())
	}
	return rand.NewChaCha8(seed)
}}

// NewMaskKey returns a fresh, unpredictable 32-bit masking key.
func NewMaskKey() uint32 {
	g := maskPool.Get().(*rand.ChaCha8)
	k := uint32(g.Uint64())
	maskPool.Put(g)
	return k
}
