package websocket

import (
	"bytes"
	"io"
	"sync"
	"testing"
)

func TestAPI60_Blob(t *testing.T) {
	p1, p2 := []byte("hello, "), []byte("world")
	b := NewBlob(p1, nil, p2, []byte{})
	p1[0], p2[0] = 'X', 'X' // NewBlob copied the parts

	if b.Size() != 12 {
		t.Errorf("Size() = %d, want 12", b.Size())
	}
	if b.Type() != "" {
		t.Errorf("Type() = %q, want \"\"", b.Type())
	}
	got, err := b.Bytes()
	if err != nil || string(got) != "hello, world" {
		t.Fatalf("Bytes() = %q, %v", got, err)
	}
	got[0] = 'Y' // Bytes returned a copy
	if again, _ := b.Bytes(); string(again) != "hello, world" {
		t.Errorf("Blob changed through Bytes(): %q", again)
	}
	r1, r2 := b.Reader(), b.Reader()
	head := make([]byte, 5)
	if _, err := io.ReadFull(r1, head); err != nil || string(head) != "hello" {
		t.Fatalf("Reader: %q, %v", head, err)
	}
	if all, err := io.ReadAll(r2); err != nil || string(all) != "hello, world" {
		t.Errorf("second Reader is not independent: %q, %v", all, err)
	}
	if text, err := b.Text(); err != nil || text != "hello, world" {
		t.Errorf("Text() = %q, %v", text, err)
	}
}

func TestAPI60_BlobEmpty(t *testing.T) {
	var nilBlob *Blob
	for name, b := range map[string]*Blob{"NewBlob()": NewBlob(), "zero": {}, "nil": nilBlob, "NewBlob(nil)": NewBlob(nil)} {
		if b.Size() != 0 || b.Type() != "" {
			t.Errorf("%s: Size %d Type %q", name, b.Size(), b.Type())
		}
		if p, err := b.Bytes(); err != nil || p == nil || len(p) != 0 {
			t.Errorf("%s: Bytes() = %#v, %v; want empty non-nil", name, p, err)
		}
		if all, err := io.ReadAll(b.Reader()); err != nil || len(all) != 0 {
			t.Errorf("%s: Reader gave %q, %v", name, all, err)
		}
		if s, err := b.Text(); err != nil || s != "" {
			t.Errorf("%s: Text() = %q, %v", name, s, err)
		}
		if s := b.Slice(-5, 5); s.Size() != 0 {
			t.Errorf("%s: Slice size %d", name, s.Size())
		}
	}
}

func TestAPI60_BlobNoCopyTakesOwnership(t *testing.T) {
	p := []byte("received")
	b := newBlobNoCopy(p)
	if b.Size() != int64(len(p)) || b.Type() != "" {
		t.Fatalf("Size %d Type %q", b.Size(), b.Type())
	}
	// The caller still gets copies, never the owned slice.
	got, _ := b.Bytes()
	if &got[0] == &p[0] {
		t.Error("Bytes() returned the owned slice")
	}
}

// TestAPI60_BlobSlice follows the File API's slice(start, end): negative
// offsets count from the end, then both clamp to [0, size]; an end before
// start is empty.
func TestAPI60_BlobSlice(t *testing.T) {
	b := NewBlobWithType("text/plain", []byte("0123456789"))
	tests := []struct {
		start, end int64
		want       string
	}{
		{0, 10, "0123456789"},
		{0, 100, "0123456789"},
		{2, 5, "234"},
		{5, 2, ""},
		{5, 5, ""},
		{-3, 10, "789"},
		{-3, -1, "78"},
		{-100, 3, "012"},
		{-100, -100, ""},
		{3, -100, ""},
		{10, 10, ""},
		{11, 20, ""},
		{0, -1, "012345678"},
		{-1, 10, "9"},
		{-10, -9, "0"},
		{9, -1, ""},
	}
	for _, tt := range tests {
		s := b.Slice(tt.start, tt.end)
		got, _ := s.Bytes()
		if string(got) != tt.want || s.Size() != int64(len(tt.want)) {
			t.Errorf("Slice(%d, %d) = %q (size %d), want %q", tt.start, tt.end, got, s.Size(), tt.want)
		}
		if s.Type() != "" {
			t.Errorf("Slice(%d, %d).Type() = %q, want \"\"", tt.start, tt.end, s.Type())
		}
	}
	// Slices of slices.
	inner := b.Slice(2, 8).Slice(1, -1)
	if got, _ := inner.Bytes(); string(got) != "3456" {
		t.Errorf("nested slice = %q, want 3456", got)
	}
	// A slice can never reach past its end into the parent's bytes.
	if all, _ := io.ReadAll(b.Slice(0, 3).Reader()); string(all) != "012" {
		t.Errorf("slice reader = %q", all)
	}
}

// TestAPI60_BlobType follows the File API's Blob constructor: a type with a
// character outside U+0020..U+007E becomes "", otherwise it is lowercased.
func TestAPI60_BlobType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"text/plain", "text/plain"},
		{"Text/HTML; Charset=UTF-8", "text/html; charset=utf-8"},
		{"APPLICATION/OCTET-STREAM", "application/octet-stream"},
		{" spaced ~ ", " spaced ~ "},
		{"bad\x00type", ""},
		{"tab\there", ""},
		{"del\x7F", ""},
		{"non-ascii/é", ""},
		{"ÉTÉ", ""},
	}
	for _, tt := range tests {
		if got := NewBlobWithType(tt.in, []byte("x")).Type(); got != tt.want {
			t.Errorf("NewBlobWithType(%q).Type() = %q, want %q", tt.in, got, tt.want)
		}
	}
	b := NewBlobWithType("A/B", []byte("1"), []byte("2"))
	if got, _ := b.Bytes(); string(got) != "12" {
		t.Errorf("NewBlobWithType bytes = %q", got)
	}
}

func TestAPI60_BlobText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\xEF\xBB\xBFbom dropped", "bom dropped"},
		{"mid\xEF\xBB\xBFbom kept", "mid\uFEFFbom kept"},
		{"trunc\xF0\x9F\x98", "trunc\uFFFD"},
		{"\xC0\x80", "\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		if got, err := NewBlob([]byte(tt.in)).Text(); err != nil || got != tt.want {
			t.Errorf("Text() of %q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestAPI60_BlobConcurrentReads: a Blob is immutable, so concurrent use is
// safe (run with -race).
func TestAPI60_BlobConcurrentReads(t *testing.T) {
	b := newBlobNoCopy(bytes.Repeat([]byte("ab"), 1000))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				p, _ := b.Bytes()
				p[0] = 'z'
				io.Copy(io.Discard, b.Reader())
				_ = b.Slice(-10, -1).Size()
				b.Text()
			}
		})
	}
	wg.Wait()
	if p, _ := b.Bytes(); p[0] != 'a' {
		t.Error("blob was modified")
	}
}
