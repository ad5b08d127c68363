package wire

import (
	"bytes"
	"compress/flate"
	"io"
	"testing"
)

// serverFrame encodes an unmasked frame as a server sends it.
func serverFrame(op byte, fin bool, payload []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	n := len(payload)
	var h []byte
	switch {
	case n < 126:
		h = []byte{b0, byte(n)}
	case n <= 0xFFFF:
		h = []byte{b0, 126, byte(n >> 8), byte(n)}
	default:
		h = []byte{b0, 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return append(h, payload...)
}

func TestParserCountsMessagesAcrossSplits(t *testing.T) {
	var stream []byte
	stream = append(stream, serverFrame(OpBinary, true, make([]byte, 16))...)
	stream = append(stream, serverFrame(OpPing, true, []byte("hi"))...)
	stream = append(stream, serverFrame(OpBinary, false, make([]byte, 200))...)
	stream = append(stream, serverFrame(OpContinuation, false, make([]byte, 0))...)
	stream = append(stream, serverFrame(OpContinuation, true, make([]byte, 70000-200))...)
	stream = append(stream, serverFrame(OpText, true, nil)...)
	for _, chunk := range []int{1, 2, 3, 7, 13, 100, 4096, len(stream)} {
		p := NewParser(-1)
		total := 0
		for b := stream; len(b) > 0; {
			n := min(chunk, len(b))
			m, err := p.Feed(b[:n])
			if err != nil {
				t.Fatalf("chunk %d: %v", chunk, err)
			}
			total += m
			b = b[n:]
		}
		if total != 3 {
			t.Errorf("chunk %d: %d messages, want 3", chunk, total)
		}
		if p.Bytes != 16+70000 {
			t.Errorf("chunk %d: %d payload bytes, want %d", chunk, p.Bytes, 16+70000)
		}
	}
}

func TestParserChecksLength(t *testing.T) {
	p := NewParser(16)
	if _, err := p.Feed(serverFrame(OpBinary, true, make([]byte, 16))); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Feed(serverFrame(OpBinary, true, make([]byte, 15))); err == nil {
		t.Fatal("a 15-byte message passed a 16-byte check")
	}
	if _, err := NewParser(-1).Feed(serverFrame(OpClose, true, []byte{3, 232})); err != ErrClosed {
		t.Fatalf("close frame: %v, want ErrClosed", err)
	}
}

func TestParserAllocatesNothing(t *testing.T) {
	frame := serverFrame(OpBinary, true, make([]byte, 1024))
	p := NewParser(1024)
	if a := testing.AllocsPerRun(100, func() { p.Feed(frame) }); a != 0 {
		t.Fatalf("%v allocations per Feed", a)
	}
}

func TestClientFrameUnmasks(t *testing.T) {
	for _, n := range []int{0, 16, 125, 126, 1024, 65535, 65536} {
		payload := Text(n)
		f := AppendClientFrame(nil, OpBinary, false, payload, Mask)
		hl := headerLen(f[0], f[1])
		if len(f) != hl+n {
			t.Fatalf("%d: frame of %d bytes, header %d", n, len(f), hl)
		}
		key := f[hl-4 : hl]
		got := append([]byte(nil), f[hl:]...)
		for i := range got {
			got[i] ^= key[i&3]
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("%d: payload does not unmask", n)
		}
	}
}

func TestDeflateRoundTrip(t *testing.T) {
	msg := Text(4096)
	c := Deflate(msg)
	if len(c) >= len(msg)/2 {
		t.Errorf("text compressed to %d of %d bytes", len(c), len(msg))
	}
	r := flate.NewReader(io.MultiReader(bytes.NewReader(c), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("inflate: %v, equal %v", err, bytes.Equal(got, msg))
	}
}

func TestReadResponse(t *testing.T) {
	ok := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"sec-websocket-accept: " + string(acceptValue) + "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n\x82\x00"
	buf := make([]byte, 1024)
	resp, err := ReadResponse(bytes.NewReader([]byte(ok)), buf)
	if err != nil || !resp.Deflate || resp.Leftover != 2 {
		t.Fatalf("%+v, %v", resp, err)
	}
	bad := "HTTP/1.1 400 Bad Request\r\n\r\n"
	if _, err := ReadResponse(bytes.NewReader([]byte(bad)), buf); err == nil {
		t.Fatal("400 accepted")
	}
}
