package wsproto

// EventKind says what a Reader found in its input.
type EventKind uint8

const (
	// EventNeedMore: the input holds no complete event; read more bytes
	// and call Next again with the unconsumed ones first.
	EventNeedMore EventKind = iota
	// EventData: a piece of a data message's payload.
	EventData
	// EventPing: a ping frame; answer with a pong carrying Payload (P-57).
	EventPing
	// EventPong: a pong frame.
	EventPong
	// EventClose: a close frame; CloseCode and CloseReason hold its contents.
	EventClose
)

func (k EventKind) String() string {
	switch k {
	case EventNeedMore:
		return "need-more"
	case EventData:
		return "data"
	case EventPing:
		return "ping"
	case EventPong:
		return "pong"
	case EventClose:
		return "close"
	}
	return "event(?)"
}

// Event is what Reader.Next found. Payload and CloseReason alias the input
// passed to Next, unmasked in place; they are valid until that input is
// reused.
type Event struct {
	Kind EventKind
	// Opcode is the message type (OpText or OpBinary) for EventData, and the
	// frame's opcode for control events.
	Opcode Opcode
	// Start marks the first piece of a message, Fin its last; a message
	// that fits in one piece has both.
	Start, Fin bool
	// Compressed is set when the message's first frame had RSV1 set under a
	// negotiated permessage-deflate: its payload must be inflated and
	// validated by the caller (the Reader does not check its UTF-8).
	Compressed bool
	// Payload is the (unmasked) payload piece.
	Payload []byte
	// CloseCode and CloseReason describe an EventClose; a close frame
	// without a body reports CloseNoStatus.
	CloseCode   CloseCode
	CloseReason []byte
}

// Reader is the receiving half of the protocol state machine, free of I/O: it
// is handed the bytes read from the transport and turns them into events,
// enforcing every framing rule of RFC 6455 on the way: opcodes, reserved
// bits, masking, control frames, fragmentation, UTF-8 of text messages (fail
// fast, P-54), close payloads and the message size limit, which it checks
// from the frame header before any payload is read (P-40).
//
// A Reader streams: a data frame's payload is handed out as it arrives, so a
// message need never be held whole. Control frames are handed out whole, so
// the input buffer must be able to hold MaxHeaderSize+MaxControlPayload bytes.
//
// After an error the connection must be failed with the error's Code (see
// Error); the Reader refuses further input. After a close frame it discards
// any further input, as RFC 6455 section 1.4 describes.
type Reader struct {
	role Role
	// rsvAllowed holds the reserved bits a negotiated extension gives meaning to.
	rsvAllowed uint8
	// MaxMessageSize is the largest message, in payload bytes as they come
	// off the wire, that the Reader accepts; 0 means no limit. Bigger
	// messages fail with ErrFrameTooBig as soon as a frame header shows it.
	MaxMessageSize int64

	hdr       Header
	inFrame   bool  // inside a data frame's payload
	remaining int64 // payload bytes of the current frame still to come
	maskPos   int

	msgOp      Opcode // OpText or OpBinary while a message is in progress, else 0
	msgStart   bool   // the next data piece is the message's first
	compressed bool
	msgSize    int64
	utf8       UTF8Validator

	closed bool // a close frame was received
	err    error
}

// NewReader returns a Reader for the given role.
func NewReader(role Role) *Reader {
	r := &Reader{}
	r.Init(role)
	return r
}

// Init resets r to a fresh Reader for role, keeping MaxMessageSize. It lets
// a Reader be embedded in a larger struct without its own allocation.
func (r *Reader) Init(role Role) {
	max := r.MaxMessageSize
	*r = Reader{role: role, MaxMessageSize: max}
}

// AllowRSV1 lets frames carry RSV1, as permessage-deflate does (RFC 7692):
// on a message's first frame it marks the message compressed.
func (r *Reader) AllowRSV1(on bool) {
	if on {
		r.rsvAllowed = RSV1
	} else {
		r.rsvAllowed = 0
	}
}

// PayloadRemaining returns how many payload bytes of the current data frame
// are still to come, 0 between frames. A driver may read that many bytes
// straight into their destination and hand them to Next there: they are
// unmasked and checked in place, with no copy.
func (r *Reader) PayloadRemaining() int64 {
	if !r.inFrame || r.err != nil || r.closed {
		return 0
	}
	return r.remaining
}

// InMessage reports whether a data message has started and not yet ended.
func (r *Reader) InMessage() bool { return r.msgOp != 0 }

// CloseReceived reports whether a close frame has been received.
func (r *Reader) CloseReceived() bool { return r.closed }

// Err returns the error that stopped the Reader, if any.
func (r *Reader) Err() error { return r.err }

// Next decodes the next event from the start of in, which it may modify
// (payloads are unmasked in place). It returns the event and the number of
// bytes of in that it consumed; the caller passes the rest, followed by more
// input, to the next call. With EventNeedMore, n may still be positive (a
// frame header was consumed): the caller must drop those bytes too.
func (r *Reader) Next(in []byte) (ev Event, n int, err error) {
	if r.err != nil {
		return Event{}, 0, r.err
	}
	if r.closed {
		return Event{}, len(in), nil // nothing after a close frame counts
	}
	for {
		if r.inFrame {
			ev, m := r.payload(in[n:])
			n += m
			if ev.Kind == EventData {
				if r.msgOp == OpText && !r.compressed {
					if !r.utf8.Write(ev.Payload) || ev.Fin && !r.utf8.Complete() {
						return Event{}, n, r.fail(ErrInvalidUTF8)
					}
				}
				if ev.Fin {
					r.msgOp = 0
				}
			}
			return ev, n, nil
		}
		h, hn, err := ParseHeader(in[n:])
		if err != nil {
			return Event{}, n, r.fail(err)
		}
		if hn == 0 {
			return Event{}, n, nil
		}
		if err := r.check(&h); err != nil {
			return Event{}, n, r.fail(err)
		}
		if h.Opcode.IsControl() {
			end := n + hn + int(h.Length)
			if len(in) < end {
				return Event{}, n, nil // wait for the whole control frame
			}
			p := in[n+hn : end]
			if h.Masked {
				Mask(h.Mask, 0, p)
			}
			ev, err := r.control(h.Opcode, p)
			if err != nil {
				return Event{}, n, r.fail(err)
			}
			return ev, end, nil
		}
		n += hn
		if err := r.startData(&h); err != nil {
			return Event{}, n, r.fail(err)
		}
		// Loop: hand out the payload (or the empty frame) now.
		if h.Length == 0 && !h.Fin && !r.msgStart {
			r.inFrame = false // an empty middle fragment says nothing
			continue
		}
	}
}

// check applies the rules that need connection state to a parsed header.
func (r *Reader) check(h *Header) error {
	if h.Opcode.IsReserved() {
		return ErrReservedOpcode
	}
	if h.Rsv&^r.rsvAllowed != 0 {
		return ErrReservedBits
	}
	if h.Rsv != 0 && (h.Opcode.IsControl() || h.Opcode == OpContinuation) {
		return ErrReservedBits // RSV1 only on a message's first frame (RFC 7692 section 6)
	}
	if r.role == Server && !h.Masked {
		return ErrUnmaskedFrame
	}
	if r.role == Client && h.Masked {
		return ErrMaskedFrame
	}
	return nil
}

// startData begins a data frame, checking the fragmentation rules and the
// message size limit before any of the payload is read.
func (r *Reader) startData(h *Header) error {
	if h.Opcode == OpContinuation {
		if r.msgOp == 0 {
			return ErrUnexpectedCont
		}
	} else {
		if r.msgOp != 0 {
			return ErrExpectedCont
		}
		r.msgOp = h.Opcode
		r.msgStart = true
		r.compressed = h.Rsv&RSV1 != 0
		r.msgSize = 0
		r.utf8.Reset()
	}
	// Compare without adding first: msgSize+h.Length can overflow int64.
	if r.MaxMessageSize > 0 && h.Length > r.MaxMessageSize-r.msgSize {
		return ErrFrameTooBig
	}
	r.msgSize += h.Length
	r.hdr = *h
	r.inFrame = true
	r.remaining = h.Length
	r.maskPos = 0
	return nil
}

// payload hands out as much of the current data frame's payload as in holds.
func (r *Reader) payload(in []byte) (Event, int) {
	m := int64(len(in))
	if m > r.remaining {
		m = r.remaining
	}
	if m == 0 && r.remaining > 0 {
		return Event{}, 0
	}
	p := in[:m]
	if r.hdr.Masked {
		r.maskPos = Mask(r.hdr.Mask, r.maskPos, p)
	}
	r.remaining -= m
	ev := Event{Kind: EventData, Opcode: r.msgOp, Start: r.msgStart, Compressed: r.compressed, Payload: p}
	r.msgStart = false
	if r.remaining == 0 {
		r.inFrame = false
		ev.Fin = r.hdr.Fin
	}
	return ev, int(m)
}

// control decodes a whole control frame.
func (r *Reader) control(op Opcode, p []byte) (Event, error) {
	ev := Event{Opcode: op, Start: true, Fin: true, Payload: p}
	switch op {
	case OpPing:
		ev.Kind = EventPing
	case OpPong:
		ev.Kind = EventPong
	case OpClose:
		code, reason, err := ParseClosePayload(p)
		if err != nil {
			return Event{}, err
		}
		ev.Kind, ev.CloseCode, ev.CloseReason = EventClose, code, reason
		r.closed = true
		r.msgOp = 0 // a message cut short by the close frame is abandoned
	}
	return ev, nil
}

func (r *Reader) fail(err error) error {
	r.err = err
	return err
}
