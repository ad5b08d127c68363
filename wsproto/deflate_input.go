package wsproto

import "io"

// deflateTail follows a compressed message's payload on its way into the
// decompressor: 00 00 ff ff, the part of the sync flush the sender removed
// (RFC 7692 section 7.2.2), then an empty stored block with BFINAL set,
// which ends the DEFLATE stream cleanly (compress/flate's reader would
// otherwise report io.ErrUnexpectedEOF after the sync flush, P-80).
var deflateTail = [...]byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// deflateInput is what the decompressor reads: a message's payload, from a
// byte slice or from an io.Reader, then deflateTail. A payload that still
// ends with 00 00 ff ff (its sender did not remove the trailer) gets only
// the final block: a payload that follows RFC 7692 section 7.2.1 never
// ends so, since its last byte holds the header of the empty stored block
// and zero padding. It is an
// io.ByteReader, so compress/flate reads no byte past the end of a block
// with BFINAL set (flate.NewReader documents this), which tells where such
// a block ended and whether more of the message follows it.
type deflateInput struct {
	data    []byte    // payload bytes at hand
	src     io.Reader // the rest of the payload, nil when there is none
	buf     []byte    // buffer for reads from src
	srcDone bool      // src returned io.EOF
	err     error     // src's error, other than io.EOF
	last4   uint32    // the last four payload bytes handed out, the newest low
	seen    int       // payload bytes handed out, up to 4
	tail    int       // bytes of deflateTail handed out
	tailAt  int       // where in deflateTail this message's tail starts; -1 until the payload's end
}

// start begins a message whose payload is data followed by what src
// yields (src may be nil).
func (in *deflateInput) start(data []byte, src io.Reader, buf []byte) {
	*in = deflateInput{data: data, src: src, buf: buf, srcDone: src == nil, tailAt: -1}
}

// take records the payload bytes p as handed out.
func (in *deflateInput) take(p []byte) {
	if len(p) >= 4 {
		p = p[len(p)-4:]
	}
	for _, b := range p {
		in.last4 = in.last4<<8 | uint32(b)
	}
	in.seen = min(in.seen+len(p), 4)
}

// startTail is called at the payload's end: it picks where the tail starts.
func (in *deflateInput) startTail() {
	if in.tailAt >= 0 {
		return
	}
	in.tailAt = 0
	if in.seen == 4 && in.last4 == 0x0000ffff {
		in.tailAt = 4
	}
	in.tail = in.tailAt
}

// fill gets more payload from src into data, if there is any; it returns
// false at the end of the payload or on an error of src.
func (in *deflateInput) fill() bool {
	for tries := 0; len(in.data) == 0 && !in.srcDone; tries++ {
		n, err := in.src.Read(in.buf)
		in.data = in.buf[:n]
		switch {
		case err == io.EOF:
			in.srcDone = true
		case err != nil:
			in.err, in.srcDone = err, true
		case n == 0 && tries >= 100:
			in.err, in.srcDone = io.ErrNoProgress, true
		}
	}
	return len(in.data) > 0
}

// ReadByte implements io.ByteReader.
func (in *deflateInput) ReadByte() (byte, error) {
	if len(in.data) > 0 || in.fill() {
		b := in.data[0]
		in.data = in.data[1:]
		in.last4 = in.last4<<8 | uint32(b)
		in.seen = min(in.seen+1, 4)
		return b, nil
	}
	if in.err != nil {
		return 0, in.err
	}
	in.startTail()
	if in.tail < len(deflateTail) {
		in.tail++
		return deflateTail[in.tail-1], nil
	}
	return 0, io.EOF
}

// Read implements io.Reader; compress/flate uses it for stored blocks.
func (in *deflateInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(in.data) > 0 || in.fill() {
		n := copy(p, in.data)
		in.take(in.data[:n])
		in.data = in.data[n:]
		return n, nil
	}
	if in.err != nil {
		return 0, in.err
	}
	in.startTail()
	if in.tail < len(deflateTail) {
		n := copy(p, deflateTail[in.tail:])
		in.tail += n
		return n, nil
	}
	return 0, io.EOF
}

// empty reports whether the payload has no byte at all (looked at before
// anything is read).
func (in *deflateInput) empty() bool { return !in.fill() && in.err == nil }

// atEnd reports whether nothing is left of the message after a block with
// BFINAL set: no payload, and either none of the tail read (the block was
// the payload's last) or all of it (the block was our final one).
func (in *deflateInput) atEnd() bool {
	if in.fill() || in.err != nil {
		return false
	}
	in.startTail()
	return in.tail == in.tailAt || in.tail == len(deflateTail)
}
