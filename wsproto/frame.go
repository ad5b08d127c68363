package wsproto

import (
	"encoding/binary"
	"strconv"
)

// Opcode is the frame type in the low four bits of a frame's first byte.
type Opcode uint8

// Opcodes of RFC 6455 section 5.2. The others are reserved.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether o is a control opcode (close, ping, pong or a
// reserved control opcode).
func (o Opcode) IsControl() bool { return o&0x8 != 0 }

// IsReserved reports whether o is one of the reserved opcodes 0x3-0x7 and 0xB-0xF.
func (o Opcode) IsReserved() bool {
	switch o {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return false
	}
	return true
}

func (o Opcode) String() string {
	switch o {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return "opcode(" + strconv.Itoa(int(o)) + ")"
}

// Bits of a frame's first two bytes.
const (
	bitFin  = 0x80
	bitRsv1 = 0x40
	bitRsv2 = 0x20
	bitRsv3 = 0x10
	bitMask = 0x80

	// RSV1 is the first reserved bit as it stands in Header.Rsv; with
	// permessage-deflate it marks a compressed message.
	RSV1 = bitRsv1
	// RSV2 and RSV3 are the other reserved bits, as they stand in Header.Rsv.
	RSV2 = bitRsv2
	RSV3 = bitRsv3
)

// MaxHeaderSize is the largest frame header: 2 bytes, 8 bytes of extended
// length and a 4-byte masking key.
const MaxHeaderSize = 14

// MaxControlPayload is the largest payload of a control frame.
const MaxControlPayload = 125

// Header is a decoded frame header (RFC 6455 section 5.2).
type Header struct {
	Fin    bool
	Rsv    uint8 // RSV1|RSV2|RSV3 bits, in their wire positions (0x40, 0x20, 0x10)
	Opcode Opcode
	Masked bool
	Mask   [4]byte // masking key, valid when Masked
	Length int64   // payload length
}

// Size returns the number of bytes AppendHeader writes for h.
func (h *Header) Size() int {
	n := 2
	switch {
	case h.Length > 0xFFFF:
		n += 8
	case h.Length > 125:
		n += 2
	}
	if h.Masked {
		n += 4
	}
	return n
}

// AppendHeader appends the wire form of h to dst, with the payload length in
// its minimal encoding (P-38). A negative length is encoded as zero.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Opcode&0xF) | h.Rsv&(bitRsv1|bitRsv2|bitRsv3)
	if h.Fin {
		b0 |= bitFin
	}
	var b1 byte
	if h.Masked {
		b1 = bitMask
	}
	switch n := h.Length; {
	case n <= 125:
		if n < 0 {
			n = 0
		}
		dst = append(dst, b0, b1|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, b0, b1|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if h.Masked {
		dst = append(dst, h.Mask[:]...)
	}
	return dst
}

// ParseHeader decodes a frame header from the start of b. It returns the
// header and its size in bytes; n == 0 with a nil error means b holds only
// part of a header. It checks the rules that the header alone decides: the
// 64-bit length's top bit, the minimal length encoding, and the control-frame
// rules (FIN set, payload at most 125 bytes). Rules that need connection state
// (reserved bits, opcodes, masking, fragmentation) belong to the Reader.
func ParseHeader(b []byte) (h Header, n int, err error) {
	if len(b) < 2 {
		return h, 0, nil
	}
	b0, b1 := b[0], b[1]
	h.Fin = b0&bitFin != 0
	h.Rsv = b0 & (bitRsv1 | bitRsv2 | bitRsv3)
	h.Opcode = Opcode(b0 & 0xF)
	h.Masked = b1&bitMask != 0
	n = 2
	switch l := b1 & 0x7F; l {
	case 126:
		if len(b) < 4 {
			return h, 0, nil
		}
		h.Length = int64(binary.BigEndian.Uint16(b[2:]))
		n = 4
		if h.Length <= 125 {
			return h, 0, ErrNonMinimalLength
		}
	case 127:
		if len(b) < 10 {
			return h, 0, nil
		}
		v := binary.BigEndian.Uint64(b[2:])
		if v>>63 != 0 {
			return h, 0, ErrLengthTopBit
		}
		h.Length = int64(v)
		n = 10
		if h.Length <= 0xFFFF {
			return h, 0, ErrNonMinimalLength
		}
	default:
		h.Length = int64(l)
	}
	if h.Opcode.IsControl() {
		if !h.Fin {
			return h, 0, ErrFragmentedControl
		}
		if h.Length > MaxControlPayload {
			return h, 0, ErrControlTooLong
		}
	}
	if h.Masked {
		if len(b) < n+4 {
			return h, 0, nil
		}
		copy(h.Mask[:], b[n:n+4])
		n += 4
	}
	return h, n, nil
}
