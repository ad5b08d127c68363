package websocket

import (
	"bytes"
	"io"
)

// Blob is an immutable sequence of bytes, the Go form of the File API's
// Blob. A binary message arrives as a *Blob while the socket's BinaryType is
// BinaryTypeBlob (the default), and Send accepts one.
//
// Nothing can change a Blob's bytes once it is made: NewBlob copies its
// parts, and Bytes returns a copy. A Blob is therefore safe for concurrent
// use. The zero Blob and a nil *Blob are empty.
type Blob struct {
	data []byte // never modified, never handed out
	typ  string
}

// NewBlob returns a Blob holding the concatenation of parts, copied: the
// caller may change the parts afterwards. Its Type is "".
func NewBlob(parts ...[]byte) *Blob {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	data := make([]byte, 0, n)
	for _, p := range parts {
		data = append(data, p...)
	}
	return &Blob{data: data}
}

// NewBlobWithType is NewBlob with a media type, as the File API's
// new Blob(parts, {type}): typ is lowercased if it is all printable ASCII
// (U+0020 to U+007E), and replaced by "" otherwise. The type is not
// otherwise parsed or checked.
func NewBlobWithType(typ string, parts ...[]byte) *Blob {
	b := NewBlob(parts...)
	b.typ = blobType(typ)
	return b
}

// newBlobNoCopy returns a Blob of b without copying it: the Blob takes
// ownership, and nothing may modify b afterwards. For received messages.
func newBlobNoCopy(b []byte) *Blob {
	return &Blob{data: b}
}

// blobType is the File API's rule for a Blob's type: "" if it holds any
// character outside U+0020..U+007E, else ASCII-lowercased.
func blobType(t string) string {
	lower := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < 0x20 || c > 0x7E {
			return ""
		}
		if 'A' <= c && c <= 'Z' {
			lower = false
		}
	}
	if lower {
		return t
	}
	p := []byte(t)
	for i, c := range p {
		if 'A' <= c && c <= 'Z' {
			p[i] = c + ('a' - 'A')
		}
	}
	return string(p)
}

// Size returns the number of bytes in the Blob.
func (b *Blob) Size() int64 {
	if b == nil {
		return 0
	}
	return int64(len(b.data))
}

// Type returns the Blob's media type, lowercase, or "" if unknown. It is
// always "" for a received message.
func (b *Blob) Type() string {
	if b == nil {
		return ""
	}
	return b.typ
}

// Bytes returns a copy of the Blob's bytes, which the caller owns. The
// error is always nil for a Blob held in memory, as every Blob is today; it
// is there for a Blob whose bytes could not be read back.
func (b *Blob) Bytes() ([]byte, error) {
	if b == nil {
		return []byte{}, nil
	}
	return append(make([]byte, 0, len(b.data)), b.data...), nil
}

// Reader returns a reader of the Blob's bytes, from the start. Each call
// returns a new, independent reader. The reader also implements
// io.ReaderAt, io.Seeker and io.WriterTo.
func (b *Blob) Reader() io.Reader {
	if b == nil {
		return bytes.NewReader(nil)
	}
	return bytes.NewReader(b.data)
}

// Slice returns a Blob of the bytes from start up to, not including, end,
// as the File API's blob.slice(start, end) does; it shares the bytes, it
// does not copy them. A negative offset counts from the end (-1 is the last
// byte); offsets are then clamped to [0, Size()], and an end before start
// gives an empty Blob. Pass b.Size() as end for "to the end". The result's
// Type is "", as slice without a content type gives.
func (b *Blob) Slice(start, end int64) *Blob {
	size := b.Size()
	s, e := relativeOffset(start, size), relativeOffset(end, size)
	if e < s {
		e = s
	}
	if b == nil {
		return &Blob{}
	}
	return &Blob{data: b.data[s:e:e]}
}

// relativeOffset is the File API's clamping of a slice offset.
func relativeOffset(off, size int64) int64 {
	if off < 0 {
		return max(size+off, 0)
	}
	return min(off, size)
}

// Text returns the Blob's bytes decoded as UTF-8, as the File API's
// blob.text() does with the Encoding Standard's "UTF-8 decode": a leading
// byte order mark (EF BB BF) is dropped, and each ill-formed sequence is
// replaced by U+FFFD. The error is always nil for a Blob held in memory.
func (b *Blob) Text() (string, error) {
	if b == nil {
		return "", nil
	}
	return utf8Decode(b.data), nil
}
