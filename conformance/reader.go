package conformance

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/wsstack/websocket/wsproto"
)

// maxPeerMessage bounds what the tester accepts from a peer, so that a
// broken peer cannot make it allocate without end. The largest echo the
// suite expects is 16 MiB.
const maxPeerMessage = 64 << 20

// readLoop reads the peer's frames until the connection ends.
func (s *session) readLoop() {
	defer s.connectionLost()
	var (
		msg           []byte
		msgOp         wsproto.Opcode
		inMsg         bool
		msgCompressed bool // the message's first frame had RSV1 (permessage-deflate)
		header        [wsproto.MaxHeaderSize]byte
	)
	for {
		h, p, err := readFrame(s.br, header[:])
		if err != nil {
			var pe *wsproto.Error
			if errors.As(err, &pe) {
				s.violate("the peer sent a malformed frame header: " + pe.Msg)
			}
			return
		}
		if v := s.checkFrame(&h); v != "" {
			s.violate(v)
			return
		}
		switch h.Opcode {
		case opPing:
			s.onPing(p)
		case opPong:
			s.record(pong(string(p)))
		case opClose:
			if v := s.onClose(p); v != "" {
				s.violate(v)
				return
			}
		case opText, opBinary:
			if inMsg {
				s.violate(fmt.Sprintf("the peer started a new %v message inside a fragmented one", h.Opcode))
				return
			}
			msg, msgOp, inMsg = append(msg[:0], p...), h.Opcode, true
			msgCompressed = h.Rsv&wsproto.RSV1 != 0
		case opCont:
			if !inMsg {
				s.violate("the peer sent a continuation frame with no message in progress")
				return
			}
			msg = append(msg, p...)
		}
		if len(msg) > maxPeerMessage {
			s.violate(fmt.Sprintf("the peer sent a message over %d bytes", maxPeerMessage))
			return
		}
		if inMsg && h.Fin && !h.Opcode.IsControl() {
			inMsg = false
			if msgCompressed {
				plain, v := s.pmd.inflate(msg)
				if v != "" {
					s.violate(v)
					return
				}
				msg = plain
			} else if s.pmd != nil {
				s.pmd.plain++
			}
			if msgOp == opText && !utf8.Valid(msg) {
				s.violate("the peer sent a text message that is not valid UTF-8")
				return
			}
			s.onData(msgOp == opBinary, msg)
			msg = nil
		}
	}
}

// readFrame reads one frame from br, unmasking its payload; buf holds the
// header and must have room for MaxHeaderSize bytes.
func readFrame(br *bufio.Reader, buf []byte) (wsproto.Header, []byte, error) {
	if _, err := io.ReadFull(br, buf[:2]); err != nil {
		return wsproto.Header{}, nil, err
	}
	n := 2
	switch buf[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if buf[1]&0x80 != 0 {
		n += 4
	}
	if _, err := io.ReadFull(br, buf[2:n]); err != nil {
		return wsproto.Header{}, nil, err
	}
	h, _, err := wsproto.ParseHeader(buf[:n])
	if err != nil {
		return h, nil, err
	}
	if h.Length > maxPeerMessage {
		return h, nil, &wsproto.Error{Code: wsproto.CloseMessageTooBig, Msg: fmt.Sprintf("frame of %d bytes", h.Length)}
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(br, p); err != nil {
		return h, nil, err
	}
	if h.Masked {
		wsproto.Mask(h.Mask, 0, p)
	}
	return h, p, nil
}

// checkFrame applies the rules a frame alone decides, beyond the header
// checks of ParseHeader, and returns the violation, if any.
func (s *session) checkFrame(h *wsproto.Header) string {
	s.mu.Lock()
	closeRecv := s.closeRecv
	s.mu.Unlock()
	switch {
	case closeRecv:
		return fmt.Sprintf("the peer sent a %v frame after its close frame", h.Opcode)
	case s.client && h.Masked:
		return "the server sent a masked frame"
	case !s.client && !h.Masked:
		return "the client sent an unmasked frame"
	case h.Rsv != 0 && s.pmd == nil:
		return fmt.Sprintf("the peer set reserved bits 0x%02x with no extension negotiated", h.Rsv)
	case h.Rsv&^wsproto.RSV1 != 0:
		return fmt.Sprintf("the peer set reserved bits 0x%02x; permessage-deflate only uses RSV1 (0x40)", h.Rsv)
	case h.Rsv != 0 && h.Opcode.IsControl():
		return fmt.Sprintf("the peer set RSV1 on a %v frame; permessage-deflate sets it only on a message's first frame (RFC 7692 section 6)", h.Opcode)
	case h.Rsv != 0 && h.Opcode == opCont:
		return "the peer set RSV1 on a continuation frame; permessage-deflate sets it only on a message's first frame (RFC 7692 section 6)"
	case h.Opcode.IsReserved():
		return fmt.Sprintf("the peer sent reserved opcode %d", h.Opcode)
	}
	return ""
}

// violate records the peer's protocol violation and fails the connection.
func (s *session) violate(v string) {
	s.mu.Lock()
	if s.violation == "" {
		s.violation = v
	}
	if !s.gone && !s.droppedByTester {
		s.droppedByTester = true
		s.notClean = "the tester failed the connection: " + v
	}
	s.mu.Unlock()
	s.conn.Close()
}

func (s *session) onPing(p []byte) {
	s.mu.Lock()
	closeRecv := s.closeRecv
	s.mu.Unlock()
	if !closeRecv {
		s.enqueue(&outItem{b: frb(opPong, p).encode(s.client)}, false)
	}
}

// onData handles a complete message.
func (s *session) onData(binary bool, p []byte) {
	s.mu.Lock()
	hook := s.onMessage
	s.mu.Unlock()
	if hook != nil {
		hook(binary, p)
		return
	}
	s.record(message(binary, p))
}

// record adds an event and, once the events match what the case expects,
// starts the closing handshake if the case wants the tester to close
// (Autobahn's "finish when done").
func (s *session) record(e event) {
	s.mu.Lock()
	s.received = append(s.received, e)
	finished := len(s.expect) > 0 && s.expClose.byTester && !s.suppressClose && !s.closeSent
	for _, alt := range s.expect {
		if !eventsEqual(s.received, alt.events) {
			finished = false
		}
	}
	code := 1000
	if len(s.expClose.codes) > 0 {
		code = s.expClose.codes[0]
	}
	s.mu.Unlock()
	if finished {
		s.sendCloseRaw(closePayload(code, ""), false)
	}
}

// onClose handles the peer's close frame: it answers it (echoing the code)
// unless the tester closed first, then finishes the connection as the role
// requires. It returns a violation of the close frame's format, if any.
func (s *session) onClose(p []byte) string {
	code, reason := 0, []byte(nil)
	var bad string
	switch {
	case len(p) == 1:
		bad = "the peer sent a close frame with a 1-byte payload"
	case len(p) >= 2:
		code, reason = int(binary.BigEndian.Uint16(p)), p[2:]
		if !utf8.Valid(reason) {
			bad = "the peer sent a close reason that is not valid UTF-8"
		} else if !wsproto.CloseCode(code).ValidReceived() && !s.c.informational {
			bad = fmt.Sprintf("the peer sent close code %d, which must not be sent", code)
		}
	}
	s.mu.Lock()
	s.closeRecv = true
	s.remoteCode, s.remoteReason = code, reason
	reply := !s.closeSent && bad == ""
	if reply {
		s.closeSent = true
	}
	s.mu.Unlock()
	if bad != "" {
		return bad
	}
	if !reply {
		s.handshakeDone()
		return ""
	}
	var echo []byte
	if len(p) >= 2 {
		echo = p[:2]
	}
	s.enqueue(&outItem{b: frb(opClose, echo).encode(s.client), after: s.handshakeDone}, false)
	return ""
}

// handshakeDone runs once close frames went both ways. A server closes the
// TCP connection now (half-closing first, so that its close frame is not
// lost to a reset); a client waits for the server to do so.
func (s *session) handshakeDone() {
	if s.client {
		s.after(closeTimeout, func() {
			s.kill("the server did not close the TCP connection within "+closeTimeout.String()+" after the closing handshake", false)
		})
		return
	}
	if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		s.after(closeTimeout, func() { s.conn.Close() })
		return
	}
	s.conn.Close()
}
