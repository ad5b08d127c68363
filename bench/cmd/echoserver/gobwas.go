package main

import (
	"bufio"
	"io"
	"net"
	"sync"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
)

// gobwasServer is gobwas/ws at its low level, the way its README shows for
// speed: a raw listener, the zero-copy ws.Upgrade on the net.Conn, then one
// goroutine per connection reading frame headers (ws.ReadHeaderBuffer
// through a bufio.Reader), unmasking payloads in place (ws.Cipher) and
// writing each echo as one frame (ws.WriteHeader into room left before the
// payload, so that header and payload go out in one write). Frames are
// echoed one by one, as they come. With -compress it follows the README's
// wsflate example instead: ws.Upgrader with wsflate.Extension's Negotiate
// and wsflate.DecompressFrame/CompressFrame per frame.
type gobwasServer struct {
	compress bool
	set      connSet[*gobwasConn]
}

type gobwasConn struct {
	mu sync.Mutex // one writer at a time: the echo loop or a broadcast
	c  net.Conn
}

func newGobwas(compress bool) server { return &gobwasServer{compress: compress} }

func (s *gobwasServer) serve(ln net.Listener) error {
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.handle(c)
		}
	}()
	return nil
}

func (s *gobwasServer) handle(c net.Conn) {
	defer c.Close()
	deflate := false
	if s.compress {
		e := wsflate.Extension{Parameters: wsflate.DefaultParameters}
		if _, err := (ws.Upgrader{Negotiate: e.Negotiate}).Upgrade(c); err != nil {
			return
		}
		_, deflate = e.Accepted()
	} else if _, err := ws.Upgrade(c); err != nil {
		return
	}
	gc := &gobwasConn{c: c}
	s.set.add(gc, deflate)
	defer s.set.remove(gc, deflate)
	if deflate {
		s.echoDeflate(gc)
	} else {
		s.echo(gc)
	}
}

// room is the space kept before a payload for the header of its echo.
const room = ws.MaxHeaderSize

// echo is the loop without compression.
func (s *gobwasServer) echo(gc *gobwasConn) {
	br := bufio.NewReaderSize(gc.c, 4096)
	hbuf := make([]byte, 2, ws.MaxHeaderSize-2)
	buf := make([]byte, room+4096)
	for {
		h, err := ws.ReadHeaderBuffer(br, hbuf)
		if err != nil {
			return
		}
		if h.Length > readLimit {
			return
		}
		n := int(h.Length)
		if room+n > len(buf) {
			buf = make([]byte, room+n)
		}
		payload := buf[room : room+n]
		if _, err := io.ReadFull(br, payload); err != nil {
			return
		}
		if h.Masked {
			ws.Cipher(payload, h.Mask, 0)
		}
		switch h.OpCode {
		case ws.OpClose:
			gc.mu.Lock()
			ws.WriteFrame(gc.c, ws.NewCloseFrame(payload))
			gc.mu.Unlock()
			return
		case ws.OpPing:
			gc.mu.Lock()
			err = ws.WriteFrame(gc.c, ws.NewPongFrame(payload))
			gc.mu.Unlock()
		case ws.OpPong:
		default:
			out := ws.Header{Fin: h.Fin, OpCode: h.OpCode, Length: h.Length}
			start := room - ws.HeaderSize(out)
			ws.WriteHeader(&fixedWriter{b: buf[start:room]}, out)
			gc.mu.Lock()
			_, err = gc.c.Write(buf[start : room+n])
			gc.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// echoDeflate is the loop with compression, as in gobwas's README: read
// the header, then the payload, unmask, decompress, compress the echo.
func (s *gobwasServer) echoDeflate(gc *gobwasConn) {
	br := bufio.NewReaderSize(gc.c, 4096)
	hbuf := make([]byte, 2, ws.MaxHeaderSize-2)
	for {
		h, err := ws.ReadHeaderBuffer(br, hbuf)
		if err != nil || h.Length > readLimit {
			return
		}
		f := ws.Frame{Header: h, Payload: make([]byte, h.Length)}
		if _, err := io.ReadFull(br, f.Payload); err != nil {
			return
		}
		f = ws.UnmaskFrameInPlace(f)
		switch f.Header.OpCode {
		case ws.OpClose:
			gc.mu.Lock()
			ws.WriteFrame(gc.c, ws.NewCloseFrame(f.Payload))
			gc.mu.Unlock()
			return
		case ws.OpPing:
			gc.mu.Lock()
			err = ws.WriteFrame(gc.c, ws.NewPongFrame(f.Payload))
			gc.mu.Unlock()
		case ws.OpPong:
		default:
			if ok, _ := wsflate.IsCompressed(f.Header); ok {
				if f, err = wsflate.DecompressFrame(f); err != nil {
					return
				}
			}
			var out ws.Frame
			if out, err = wsflate.CompressFrame(ws.NewFrame(f.Header.OpCode, f.Header.Fin, f.Payload)); err != nil {
				return
			}
			gc.mu.Lock()
			err = ws.WriteFrame(gc.c, out)
			gc.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// fixedWriter writes into a slice of exactly the right size.
type fixedWriter struct{ b []byte }

func (w *fixedWriter) Write(p []byte) (int, error) {
	n := copy(w.b, p)
	w.b = w.b[n:]
	if n < len(p) {
		return n, io.ErrShortWrite
	}
	return n, nil
}

func (s *gobwasServer) broadcast(msg []byte) int {
	frame, err := ws.CompileFrame(ws.NewBinaryFrame(msg))
	if err != nil {
		return 0
	}
	n := 0
	for _, gc := range s.set.snapshot() {
		gc.mu.Lock()
		if _, err := gc.c.Write(frame); err == nil {
			n++
		}
		gc.mu.Unlock()
	}
	return n
}

func (s *gobwasServer) stats() (int, int) { return s.set.stats() }
