package interop

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
)

// wireTap records the frames that pass through our end of a connection, so
// that a test can check how a message was cut into frames on the wire: no
// library's API tells whether a message it received came in one frame or in
// several. It reads the raw TCP byte stream with a parser of its own,
// independent of every library under test.
type wireTap struct {
	in  frameLog // frames our end received
	out frameLog // frames our end sent
}

// dial is a DialOptions.NetDialContext that taps the connection.
func (w *wireTap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &tappedConn{Conn: c, tap: w}, nil
}

// listener taps every connection that l accepts.
func (w *wireTap) listener(l net.Listener) net.Listener {
	return &tappedListener{Listener: l, tap: w}
}

type tappedListener struct {
	net.Listener
	tap *wireTap
}

func (l *tappedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &tappedConn{Conn: c, tap: l.tap}, nil
}

// tappedConn copies what is read and written to the tap's logs.
type tappedConn struct {
	net.Conn
	tap *wireTap
}

func (c *tappedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.tap.in.feed(p[:n])
	return n, err
}

func (c *tappedConn) Write(p []byte) (int, error) {
	// Recorded before it is written: once written, the peer may answer and
	// the test look at the tap before this call would have recorded it.
	c.tap.out.feed(p)
	return c.Conn.Write(p)
}

// CloseWrite keeps the half-close of the TCP connection available to the
// library, as it is on the connection the tap wraps.
func (c *tappedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return fmt.Errorf("interop: %T cannot half-close", c.Conn)
}

// wireFrame is the header of a frame seen on the wire.
type wireFrame struct {
	opcode byte
	fin    bool
	length int64
}

// frameLog parses one direction of a connection: first the HTTP handshake,
// which it skips, then WebSocket frames, whose headers it keeps.
type frameLog struct {
	mu       sync.Mutex
	upgraded bool   // the HTTP message of the handshake is over
	crlf     int    // how much of "\r\n\r\n" was just seen, before upgraded
	hdr      []byte // header bytes of the frame being parsed
	skip     int64  // payload bytes of the current frame still to come
	frames   []wireFrame
}

func (l *frameLog) feed(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(p) > 0 {
		switch {
		case !l.upgraded:
			const blankLine = "\r\n\r\n"
			c := p[0]
			p = p[1:]
			switch {
			case c == blankLine[l.crlf]:
				l.crlf++
			case c == '\r':
				l.crlf = 1
			default:
				l.crlf = 0
			}
			l.upgraded = l.crlf == len(blankLine)
		case l.skip > 0:
			n := min(int64(len(p)), l.skip)
			p = p[n:]
			l.skip -= n
		default:
			l.hdr = append(l.hdr, p[0])
			p = p[1:]
			if f, ok := parseFrameHeader(l.hdr); ok {
				l.frames = append(l.frames, f)
				l.skip = f.length
				l.hdr = l.hdr[:0]
			}
		}
	}
}

// parseFrameHeader decodes a frame header (RFC 6455 section 5.2) once h holds
// all of it.
func parseFrameHeader(h []byte) (wireFrame, bool) {
	if len(h) < 2 {
		return wireFrame{}, false
	}
	size := 2
	switch h[1] & 0x7f {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if h[1]&0x80 != 0 { // masked: a 4-byte key follows the length
		size += 4
	}
	if len(h) < size {
		return wireFrame{}, false
	}
	f := wireFrame{opcode: h[0] & 0x0f, fin: h[0]&0x80 != 0}
	switch n := h[1] & 0x7f; n {
	case 126:
		f.length = int64(h[2])<<8 | int64(h[3])
	case 127:
		for _, b := range h[2:10] {
			f.length = f.length<<8 | int64(b)
		}
	default:
		f.length = int64(n)
	}
	return f, true
}

// wireMessage is a data message as it went over the wire: its opcode and the
// payload size of each of its frames.
type wireMessage struct {
	opcode byte
	frames []int64
	fins   []bool
}

func (m wireMessage) size() int64 {
	var n int64
	for _, f := range m.frames {
		n += f
	}
	return n
}

// messages groups the data frames of the log into messages; control frames,
// which may come between the frames of a message, are left out.
func (l *frameLog) messages() []wireMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	var msgs []wireMessage
	for _, f := range l.frames {
		switch {
		case f.opcode >= 0x8: // control frame
			continue
		case f.opcode != 0x0 || len(msgs) == 0: // a message starts
			msgs = append(msgs, wireMessage{opcode: f.opcode})
		}
		m := &msgs[len(msgs)-1]
		m.frames = append(m.frames, f.length)
		m.fins = append(m.fins, f.fin)
	}
	return msgs
}

// expectFragmented checks that the log holds exactly one data message, with
// the given opcode and size, and that it went out in two frames or more, all
// but the last without the FIN bit.
func (l *frameLog) expectFragmented(t *testing.T, what string, opcode byte, size int) {
	t.Helper()
	msgs := l.messages()
	if len(msgs) != 1 {
		t.Errorf("%s: %d data messages on the wire, want 1", what, len(msgs))
		return
	}
	m := msgs[0]
	if m.opcode != opcode || m.size() != int64(size) {
		t.Errorf("%s: message on the wire has opcode %d and %d bytes, want opcode %d and %d bytes",
			what, m.opcode, m.size(), opcode, size)
	}
	if len(m.frames) < 2 {
		t.Errorf("%s: the message went in %d frame, want it fragmented", what, len(m.frames))
	} else {
		t.Logf("%s: %d bytes in %d frames", what, m.size(), len(m.frames))
	}
	for i, fin := range m.fins {
		if last := i == len(m.fins)-1; fin != last {
			t.Errorf("%s: frame %d of %d has FIN=%v", what, i+1, len(m.fins), fin)
		}
	}
}
