// Package wire is the load generator's own WebSocket client side: the
// opening handshake written and checked by hand, pre-built masked frames,
// and a streaming frame parser that counts the messages a server sends
// without copying their payloads. Nothing here allocates once a connection
// is set up, so that the load generator's loops do not either.
//
// It is deliberately minimal: it speaks just enough of RFC 6455 to drive a
// benchmark against well-behaved servers, and reports anything unexpected
// (a close frame, a wrong message length) as an error rather than handling
// it.
package wire

import (
	"bytes"
	"compress/flate"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
)

// Opcodes of the frames the load generator sends or meets.
const (
	OpContinuation = 0x0
	OpText         = 0x1
	OpBinary       = 0x2
	OpClose        = 0x8
	OpPing         = 0x9
	OpPong         = 0xA
)

// Key is the Sec-WebSocket-Key of every handshake: the servers only hash
// it, so a fixed value costs them what a random one would.
const Key = "dGhlIHNhbXBsZSBub25jZQ=="

// DeflateOffer is the permessage-deflate offer made when compression is
// asked for. Both sides reset their compressor for each message, which
// every library compared supports, and which lets the load generator send
// the same pre-compressed frame again and again.
const DeflateOffer = "permessage-deflate; client_no_context_takeover; server_no_context_takeover"

// acceptValue is the Sec-WebSocket-Accept a server must answer Key with.
var acceptValue = func() []byte {
	h := sha1.Sum([]byte(Key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return []byte(base64.StdEncoding.EncodeToString(h[:]))
}()

// UpgradeRequest returns the bytes of a handshake request for path on the
// server at hostport, offering permessage-deflate when deflate is set.
func UpgradeRequest(hostport, path string, deflate bool) []byte {
	var b bytes.Buffer
	b.WriteString("GET " + path + " HTTP/1.1\r\n")
	b.WriteString("Host: " + hostport + "\r\n")
	b.WriteString("Upgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Key: " + Key + "\r\n")
	b.WriteString("Sec-WebSocket-Version: 13\r\n")
	if deflate {
		b.WriteString("Sec-WebSocket-Extensions: " + DeflateOffer + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// Response is what ReadResponse learnt from a handshake response.
type Response struct {
	// Deflate: the server accepted permessage-deflate.
	Deflate bool
	// Leftover is the number of bytes after the response's end that were
	// read into the buffer: the start of the server's first frames. They
	// sit at buf[Consumed:Consumed+Leftover].
	Consumed, Leftover int
}

// ErrHandshake reports a handshake response that is not a valid 101.
var ErrHandshake = errors.New("wire: handshake refused or invalid")

// ReadResponse reads a handshake response from c into buf and checks it:
// status 101 and the right Sec-WebSocket-Accept. buf must hold the whole
// response (a few hundred bytes).
func ReadResponse(c io.Reader, buf []byte) (Response, error) {
	n := 0
	for {
		if n == len(buf) {
			return Response{}, fmt.Errorf("%w: response longer than %d bytes", ErrHandshake, len(buf))
		}
		m, err := c.Read(buf[n:])
		n += m
		if end := bytes.Index(buf[:n], []byte("\r\n\r\n")); end >= 0 {
			resp, err := checkResponse(buf[:end+2])
			resp.Consumed = end + 4
			resp.Leftover = n - resp.Consumed
			return resp, err
		}
		if err != nil {
			return Response{}, fmt.Errorf("%w: %v", ErrHandshake, err)
		}
	}
}

// checkResponse checks a response head, each line ending in CRLF.
func checkResponse(head []byte) (Response, error) {
	var resp Response
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 101 ")) && !bytes.Equal(line, []byte("HTTP/1.1 101")) {
		return resp, fmt.Errorf("%w: status line %q", ErrHandshake, line)
	}
	accepted := false
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Accept")):
			accepted = bytes.Equal(value, acceptValue)
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Extensions")):
			resp.Deflate = resp.Deflate || bytes.Contains(value, []byte("permessage-deflate"))
		}
	}
	if !accepted {
		return resp, fmt.Errorf("%w: missing or wrong Sec-WebSocket-Accept", ErrHandshake)
	}
	return resp, nil
}

// AppendClientFrame appends one final frame of opcode op carrying payload,
// masked with mask as a client must, with RSV1 set when compressed is true.
func AppendClientFrame(dst []byte, op byte, compressed bool, payload []byte, mask [4]byte) []byte {
	b0 := 0x80 | op
	if compressed {
		b0 |= 0x40
	}
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, b0, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, b0, 0x80|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b0, 0x80|127)
		for s := 56; s >= 0; s -= 8 {
			dst = append(dst, byte(uint64(n)>>s))
		}
	}
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	for i := range payload {
		dst[start+i] ^= mask[i&3]
	}
	return dst
}

// Mask is the masking key of every frame the load generator sends. RFC 6455
// wants it unpredictable, which matters against proxies, not here; a
// server unmasks with any key at the same cost.
var Mask = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// Text returns n bytes of deterministic English-like text (words from a
// small vocabulary, chosen by a fixed pseudo-random sequence): compressible
// as chat messages are, about 2-3x with DEFLATE, and valid UTF-8.
func Text(n int) []byte {
	words := []string{"the", "socket", "message", "frame", "server", "client", "sends", "reads",
		"a", "of", "and", "to", "binary", "text", "ping", "pong", "close", "buffer", "window",
		"compressed", "payload", "header", "mask", "key", "value", "order", "event", "stream",
		"quick", "brown", "fox", "jumps", "over", "lazy", "dog", "42", "1024", "user", "id"}
	out := make([]byte, 0, n+16)
	x := uint32(2463534242)
	for len(out) < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out = append(out, words[x%uint32(len(words))]...)
		out = append(out, ' ')
	}
	return out[:n]
}

// Deflate compresses one message for a connection on which the client
// resets its compressor for each message: a raw DEFLATE stream, flushed,
// without its final empty stored block (RFC 7692, 7.2.1).
func Deflate(msg []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.DefaultCompression)
	w.Write(msg)
	w.Flush()
	out := b.Bytes()
	return bytes.TrimSuffix(out, []byte{0, 0, 0xff, 0xff})
}

// ErrClosed reports a close frame from the server.
var ErrClosed = errors.New("wire: the server sent a close frame")

// Parser counts the data messages in the byte stream a server sends. It
// keeps at most one frame header between calls and never copies payloads.
// Control frames are skipped, except close, which is an error.
type Parser struct {
	// ExpectLen, when not negative, is the length every data message must
	// have: a message of another length is an error.
	ExpectLen int64
	// Bytes counts the payload bytes of data frames seen so far.
	Bytes int64

	hdr     [14]byte
	hn      int   // bytes of hdr collected
	inFrame bool  // reading a frame's payload
	left    int64 // payload bytes still to come in the current frame
	ctrl    bool  // the current frame is a control frame
	fin     bool  // the current frame ends its message
	msgLen  int64 // payload bytes of the current message so far
}

// NewParser returns a parser that checks message lengths against
// expectLen (negative: no check).
func NewParser(expectLen int64) *Parser { return &Parser{ExpectLen: expectLen} }

// Feed consumes b and returns the number of data messages that ended in it.
func (p *Parser) Feed(b []byte) (msgs int, err error) {
	for len(b) > 0 {
		if p.inFrame {
			n := p.left
			if int64(len(b)) < n {
				n = int64(len(b))
			}
			b = b[n:]
			p.left -= n
			if !p.ctrl {
				p.msgLen += n
				p.Bytes += n
			}
			if p.left == 0 {
				done, err := p.endFrame()
				msgs += done
				if err != nil {
					return msgs, err
				}
			}
			continue
		}
		// Collect the header: 2 bytes, then as many more as they announce.
		need := 2
		if p.hn >= 2 {
			need = headerLen(p.hdr[0], p.hdr[1])
		}
		for p.hn < need && len(b) > 0 {
			p.hdr[p.hn] = b[0]
			p.hn++
			b = b[1:]
			if p.hn == 2 {
				need = headerLen(p.hdr[0], p.hdr[1])
			}
		}
		if p.hn < need {
			break
		}
		done, err := p.startFrame()
		msgs += done
		if err != nil {
			return msgs, err
		}
	}
	return msgs, nil
}

// headerLen is the length of a frame header starting with b0, b1.
func headerLen(b0, b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// startFrame decodes the collected header.
func (p *Parser) startFrame() (int, error) {
	h := p.hdr[:p.hn]
	p.hn = 0
	op := h[0] & 0x0f
	p.fin = h[0]&0x80 != 0
	var length int64
	switch l := h[1] & 0x7f; l {
	case 126:
		length = int64(h[2])<<8 | int64(h[3])
	case 127:
		for _, c := range h[2:10] {
			length = length<<8 | int64(c)
		}
	default:
		length = int64(l)
	}
	switch op {
	case OpClose:
		return 0, ErrClosed
	case OpPing, OpPong:
		p.ctrl = true
	case OpText, OpBinary, OpContinuation:
		p.ctrl = false
	default:
		return 0, fmt.Errorf("wire: unexpected opcode %#x", op)
	}
	p.inFrame, p.left = true, length
	if length == 0 {
		return p.endFrame()
	}
	return 0, nil
}

// endFrame ends the current frame and reports whether a message ended.
func (p *Parser) endFrame() (int, error) {
	p.inFrame = false
	if p.ctrl || !p.fin {
		return 0, nil
	}
	n := p.msgLen
	p.msgLen = 0
	if p.ExpectLen >= 0 && n != p.ExpectLen {
		return 1, fmt.Errorf("wire: message of %d bytes, want %d", n, p.ExpectLen)
	}
	return 1, nil
}

// LocalIP returns the loopback address that connection number i of a
// load of conns connections binds to: 127.0.0.1 while one address has
// enough ephemeral ports, else 127.0.0.2, 127.0.0.3, ... in turn, perAddr
// connections each.
func LocalIP(i, perAddr int) net.IP {
	return net.IPv4(127, 0, 0, byte(1+i/perAddr))
}
