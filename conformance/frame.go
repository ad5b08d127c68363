package conformance

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"

	"github.com/wsstack/websocket/wsproto"
)

// Opcodes, short for the case tables.
const (
	opCont   = wsproto.OpContinuation
	opText   = wsproto.OpText
	opBinary = wsproto.OpBinary
	opClose  = wsproto.OpClose
	opPing   = wsproto.OpPing
	opPong   = wsproto.OpPong
)

// frame is a frame the tester sends, possibly malformed: any opcode,
// reserved bits, FIN on control frames, oversized control payloads. It also
// says how its bytes go onto the TCP connection.
type frame struct {
	op      wsproto.Opcode
	fin     bool
	rsv     uint8  // reserved bits as Autobahn numbers them: 1 = RSV3, 2 = RSV2, 4 = RSV1
	payload []byte // payload, or the pattern repeated up to size
	size    int    // payload length when larger than len(payload)
	chop    int    // write the frame's bytes in pieces of this size (0: at once)
	sync    bool   // pause after the frame, so that it travels in its own TCP segments
}

// fr returns a final frame with opcode op and payload p.
func fr(op wsproto.Opcode, p string) frame { return frame{op: op, fin: true, payload: []byte(p)} }

// frb is fr for a payload held in bytes.
func frb(op wsproto.Opcode, p []byte) frame { return frame{op: op, fin: true, payload: p} }

// more clears FIN.
func (f frame) more() frame { f.fin = false; return f }

// withRSV sets the reserved bits (1..7, Autobahn's numbering).
func (f frame) withRSV(r uint8) frame { f.rsv = r; return f }

// chopped writes the frame in pieces of n bytes.
func (f frame) chopped(n int) frame { f.chop = n; return f }

// synced writes the frame on its own.
func (f frame) synced() frame { f.sync = true; return f }

// repeated makes the payload n bytes long by repeating the pattern.
func (f frame) repeated(n int) frame { f.size = n; return f }

// body returns the frame's payload bytes.
func (f frame) body() []byte {
	if f.size <= len(f.payload) || len(f.payload) == 0 {
		return f.payload
	}
	b := bytes.Repeat(f.payload, f.size/len(f.payload)+1)
	return b[:f.size]
}

// encode returns the frame's wire bytes, masked with a fresh key if mask is set.
func (f frame) encode(mask bool) []byte {
	p := f.body()
	h := wsproto.Header{Fin: f.fin, Rsv: f.rsv << 4, Opcode: f.op, Masked: mask, Length: int64(len(p))}
	if mask {
		h.Mask = newMaskKey()
	}
	b := make([]byte, 0, h.Size()+len(p))
	b = wsproto.AppendHeader(b, h)
	start := len(b)
	b = append(b, p...)
	if mask {
		wsproto.Mask(h.Mask, 0, b[start:])
	}
	return b
}

// newMaskKey returns a masking key. The tester's keys need not be
// unpredictable, so a fast generator will do.
func newMaskKey() [4]byte {
	var k [4]byte
	binary.LittleEndian.PutUint32(k[:], rand.Uint32())
	return k
}

// fragments splits p into frames of at most size bytes (one frame if size
// is 0 or p is shorter), the first with opcode op, the others continuations.
// An empty p still makes one frame.
func fragments(op wsproto.Opcode, p []byte, size int) []frame {
	if size <= 0 || len(p) <= size {
		return []frame{frb(op, p)}
	}
	var fs []frame
	for len(p) > 0 {
		n := min(size, len(p))
		f := frb(opCont, p[:n]).more()
		if len(fs) == 0 {
			f.op = op
		}
		fs = append(fs, f)
		p = p[n:]
	}
	fs[len(fs)-1].fin = true
	return fs
}

// closePayload returns a close frame body with code and reason.
func closePayload(code int, reason string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(code))
	return append(b, reason...)
}
