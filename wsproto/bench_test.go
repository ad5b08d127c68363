package wsproto_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

func BenchmarkMask(b *testing.B) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	for _, size := range []int{16, 1024, 65536} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			for b.Loop() {
				wsproto.Mask(key, 1, buf)
			}
		})
	}
}

func BenchmarkUTF8Validator(b *testing.B) {
	texts := map[string][]byte{
		"ascii": bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 1500),
		"mixed": bytes.Repeat([]byte("Grüße, κόσμε, 日本語, emoji 😀 and plain ASCII text. "), 1000),
	}
	for _, name := range []string{"ascii", "mixed"} {
		text := texts[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var v wsproto.UTF8Validator
			for b.Loop() {
				v.Reset()
				// In 4 KiB pieces, as fragments or reads would cut it.
				for p := text; len(p) > 0; {
					k := min(len(p), 4096)
					if !v.Write(p[:k]) {
						b.Fatal("valid text refused")
					}
					p = p[k:]
				}
				if !v.Complete() {
					b.Fatal("incomplete")
				}
			}
		})
	}
}

// readerFrame is a 1 KiB masked binary frame, as a client sends it.
func readerFrame() []byte {
	return frame(wsproto.Header{Fin: true, Opcode: wsproto.OpBinary, Masked: true, Mask: testKey}, bytes.Repeat([]byte("x"), 1024))
}

func BenchmarkReaderNext(b *testing.B) {
	in := readerFrame()
	r := wsproto.NewReader(wsproto.Server)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		// Unmasking in place flips the payload between masked and clear;
		// for a binary frame either is fine, and the header stays intact.
		ev, n, err := r.Next(in)
		if err != nil || n != len(in) || ev.Kind != wsproto.EventData || !ev.Fin {
			b.Fatalf("Next = (%v, %d, %v)", ev.Kind, n, err)
		}
	}
}

// The Reader's hot path allocates nothing.
func TestReaderNextDoesNotAllocate(t *testing.T) {
	in := readerFrame()
	r := wsproto.NewReader(wsproto.Server)
	textPayload := []byte(strings.Repeat("κόσμε ", 100))
	text := frame(wsproto.Header{Fin: true, Opcode: wsproto.OpText, Masked: true, Mask: testKey}, textPayload)
	ping := frame(wsproto.Header{Fin: true, Opcode: wsproto.OpPing, Masked: true, Mask: testKey}, []byte("ping"))
	allocs := testing.AllocsPerRun(100, func() {
		if _, n, err := r.Next(in); err != nil || n != len(in) {
			t.Fatalf("binary: %d, %v", n, err)
		}
		// Re-mask the text: its payload must be valid UTF-8 each time.
		if _, n, err := r.Next(text); err != nil || n != len(text) {
			t.Fatalf("text: %d, %v", n, err)
		}
		wsproto.Mask(testKey, 0, text[len(text)-len(textPayload):])
		if _, n, err := r.Next(ping); err != nil || n != len(ping) {
			t.Fatalf("ping: %d, %v", n, err)
		}
		wsproto.Mask(testKey, 0, ping[len(ping)-4:])
	})
	if allocs != 0 {
		t.Fatalf("Reader.Next allocates %.1f times per round", allocs)
	}
}

func BenchmarkWriterAppendData(b *testing.B) {
	payload := bytes.Repeat([]byte("y"), 1024)
	for _, role := range []wsproto.Role{wsproto.Server, wsproto.Client} {
		b.Run(role.String(), func(b *testing.B) {
			w := wsproto.NewWriter(role)
			buf := make([]byte, 0, wsproto.MaxHeaderSize+len(payload))
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				buf, err = w.AppendData(buf[:0], wsproto.OpBinary, true, false, payload)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
