package wsproto

import "github.com/wsstack/websocket/internal/flate"

// Deflater compresses the messages one end sends, for one connection
// (RFC 7692 section 7.2.1, P-79): DEFLATE with the agreed window, ended
// with a sync flush whose trailing 00 00 ff ff is removed. It is not safe
// for concurrent use; the connection's write path serializes its calls.
//
// Memory between messages, per connection, for N window bits:
//
//   - without context takeover: only this struct (under 200 bytes); the
//     compressor's buffers come from pools shared by all connections for
//     each message and go back at its end;
//   - with context takeover: the compressor's window, about 6*2^N bytes
//     (history, lookahead, hash chains: 192 KiB at 15 bits, 33 KiB at 12,
//     8 KiB at 9), or only the 2^N bytes of history with
//     DeflateConfig.LowMemoryTakeover.
//
// The block encoder (token buffer and Huffman tables, up to 75 KiB) is
// pooled in every mode: it is held only while a message is compressed.
type Deflater struct {
	z         *flate.Writer
	out       appendWriter
	takeover  bool
	park      bool // LowMemoryTakeover
	threshold int
}

// NewDeflater returns the compressor for messages sent under dir (as from
// DeflateAgreement.Outgoing), with cfg's level, memory level and threshold.
// cfg must pass Check.
func NewDeflater(dir DeflateDirection, cfg DeflateConfig) *Deflater {
	d := &Deflater{takeover: !dir.NoContextTakeover, park: cfg.LowMemoryTakeover, threshold: cfg.threshold()}
	level := flate.Default
	switch cfg.Level {
	case CompressionFast:
		level = flate.Fast
	case CompressionBest:
		level = flate.Best
	}
	z, err := flate.NewWriter(&d.out, flate.Options{WindowBits: windowBits(dir.WindowBits), Level: level, MemLevel: cfg.MemLevel})
	if err != nil {
		panic("wsproto: NewDeflater: " + err.Error() + " (call DeflateConfig.Check first)")
	}
	d.z = z
	return d
}

// Compress appends the compressed form of the whole message msg to dst, as
// the payload of a message whose first frame has RSV1 set, and reports
// true. It appends nothing and reports false when the message is better
// sent uncompressed (RSV1 clear, P-81): when it is shorter than the
// threshold, or, without context takeover, when compressing did not make it
// smaller. (With context takeover the compressed form must go out, since the
// peer's window must follow ours.)
func (d *Deflater) Compress(dst, msg []byte) ([]byte, bool) {
	if len(msg) < d.threshold {
		return dst, false
	}
	start := len(dst)
	dst = d.Write(dst, msg)
	dst = d.Finish(dst)
	if !d.takeover && len(dst)-start >= len(msg) {
		return dst[:start], false
	}
	return dst, true
}

// Write compresses a piece of a message streamed in pieces and appends the
// compressed bytes that are ready to dst (perhaps none: the compressor
// keeps some input until a block is complete or the message ends). The
// pieces of compressed data may go out in frames as they come; the first
// frame has RSV1 set.
func (d *Deflater) Write(dst, p []byte) []byte {
	d.out.b = dst
	d.z.Write(p) // appendWriter never fails
	dst, d.out.b = d.out.b, nil
	return dst
}

// Finish ends the message: it appends the rest of the compressed data, the
// sync flush without its last four bytes 00 00 ff ff (P-79). An empty
// message compresses to the single byte 0x00. Without context takeover,
// the compressor's buffers go back to the pool; with LowMemoryTakeover,
// all but the history do.
func (d *Deflater) Finish(dst []byte) []byte {
	d.out.b = dst
	d.z.Flush()
	dst, d.out.b = d.out.b, nil
	dst = dst[:len(dst)-4] // the flush always ends with 00 00 ff ff
	switch {
	case !d.takeover:
		d.z.Release()
	case d.park:
		d.z.Park()
	}
	return dst
}

// Release gives the compressor's buffers back to the pools, for when the
// connection ends. A message in progress is abandoned.
func (d *Deflater) Release() {
	d.z.Release()
}

// appendWriter is an io.Writer that appends to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
