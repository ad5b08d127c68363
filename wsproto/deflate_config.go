package wsproto

import (
	"errors"
	"strconv"
)

// DeflateConfig is an endpoint's permessage-deflate policy: what it asks
// for and accepts in the handshake, and how it compresses. Its zero value
// is a sensible default: context takeover both ways, full windows, the
// fast level, messages under DefaultDeflateThreshold bytes sent as they
// are.
//
// The negotiation fields are named, as RFC 7692's parameters are, after the
// direction of the messages they affect: "Server" fields are about the
// messages the server sends (the server's compressor, the client's
// decompressor), "Client" fields about the messages the client sends.
// Asking the peer to reset its compressor, or to use a small window,
// shrinks our decompressor's memory; our own compressor's settings shrink
// our compressor's.
type DeflateConfig struct {
	// ServerNoContextTakeover: the server resets its compressor for each
	// message. A server sets it to keep no compressor between messages (it
	// then says so in every response); a client sets it to ask the server
	// for it (and keeps no decompression window when granted).
	ServerNoContextTakeover bool
	// ClientNoContextTakeover: the client resets its compressor for each
	// message. A server sets it to ask the client for it (and keeps no
	// decompression window); a client sets it to keep no compressor
	// between messages (and promises it in its offer).
	ClientNoContextTakeover bool
	// ServerMaxWindowBits, 8..15 (0 means 15), caps the server's window.
	// A server never compresses with a larger window; a client asks the
	// server for it (as at least 9: some peers cannot do 8, P-83), which
	// caps its decompression window.
	ServerMaxWindowBits int
	// ClientMaxWindowBits, 8..15 (0 means 15), caps the client's window.
	// A server asks the client for it when the client's offer allows (as
	// at least 9, P-83); a client compresses with it and promises it in its
	// offer.
	ClientMaxWindowBits int
	// FullWindowOnly says that our compressor cannot use a window smaller
	// than 32 KiB (as compress/flate's cannot). A server then declines
	// offers that ask for one; a client does not offer
	// client_max_window_bits. Ours can (internal/flate), so this is false
	// unless a test needs otherwise.
	FullWindowOnly bool

	// Level is the compression level; the zero value is CompressionFast.
	Level CompressionLevel
	// MemLevel, 1..9 (0 means 8), trades the compressor's memory for
	// compression as zlib's memLevel does: its hash table has
	// 2^(MemLevel+7) entries and a block holds 2^(MemLevel+6) tokens, both
	// capped by the window size.
	MemLevel int
	// LowMemoryTakeover: with context takeover, our compressor keeps only
	// its history, 2^N bytes for N window bits, between messages, instead
	// of about 6*2^N (history, lookahead and hash chains), and indexes the
	// history again at the start of each message: 32 KiB instead of 192
	// KiB per connection at 15 bits, for about 55 µs more per message (8
	// µs at 12 bits). It suits many connections that send rarely.
	LowMemoryTakeover bool
	// Threshold: messages shorter than this many bytes are sent
	// uncompressed (RSV1 clear, which RFC 7692 allows: P-81), since
	// compressing them costs time and gains little. 0 means
	// DefaultDeflateThreshold; a negative value compresses every message.
	Threshold int
}

// DefaultDeflateThreshold is the default DeflateConfig.Threshold.
const DefaultDeflateThreshold = 128

// CompressionLevel says how hard a compressor looks for repetitions.
type CompressionLevel int

const (
	// CompressionFast, the zero value, looks for matches in one table of
	// recent positions, without chains: about eight times as fast as
	// CompressionDefault, output about 40% bigger (and still smaller than
	// compress/flate's BestSpeed). It is the default, as the other Go
	// libraries' is their fastest level: for messages, speed matters more
	// than the last percents.
	CompressionFast CompressionLevel = iota
	// CompressionDefault looks one position ahead before taking a match,
	// over hash chains of up to 128 candidates (zlib's default level).
	CompressionDefault
	// CompressionBest searches chains of up to 1024 candidates: about half
	// as fast as CompressionDefault, output a few percent smaller.
	CompressionBest
)

// Check reports a field out of range.
func (c *DeflateConfig) Check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"ServerMaxWindowBits", c.ServerMaxWindowBits}, {"ClientMaxWindowBits", c.ClientMaxWindowBits}} {
		if f.v != 0 && (f.v < 8 || f.v > 15) {
			return errors.New("websocket: DeflateConfig." + f.name + " " + strconv.Itoa(f.v) + " is out of range 8..15")
		}
	}
	if c.MemLevel < 0 || c.MemLevel > 9 {
		return errors.New("websocket: DeflateConfig.MemLevel " + strconv.Itoa(c.MemLevel) + " is out of range 1..9")
	}
	if c.Level < CompressionFast || c.Level > CompressionBest {
		return errors.New("websocket: DeflateConfig.Level " + strconv.Itoa(int(c.Level)) + " is unknown")
	}
	return nil
}

// windowBits returns a window-bits field's value, 15 for 0.
func windowBits(v int) int {
	if v == 0 {
		return 15
	}
	return v
}

// threshold returns the effective Threshold.
func (c *DeflateConfig) threshold() int {
	if c.Threshold == 0 {
		return DefaultDeflateThreshold
	}
	return max(c.Threshold, 0)
}
