package websocket

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/wsstack/websocket/wsproto"
)

// deflateState is a Conn's permessage-deflate (RFC 7692) codec, present when
// it was agreed in the handshake. The deflater is used under msgLock (one
// message at a time), the inflater under readLock.
type deflateState struct {
	deflater  *wsproto.Deflater
	inflater  *wsproto.Inflater
	writeComp atomic.Bool // compress outgoing messages (SetWriteCompression)

	// What WritePrepared may share: the window of a compressor that resets
	// for each message (resetOK false: the connection's own compressor
	// must be used). Worked out once, from the handshake (resetWindow).
	resetBits int
	resetOK   bool
}

// enableDeflate turns permessage-deflate on for a new connection.
func (c *Conn) enableDeflate(agreed wsproto.DeflateAgreement, cfg wsproto.DeflateConfig) {
	c.pmd = &deflateState{
		deflater: wsproto.NewDeflater(agreed.Outgoing(c.role), cfg),
		inflater: wsproto.NewInflater(agreed.Incoming(c.role), c.cfg.readLimit),
	}
	c.pmd.writeComp.Store(true)
	c.pmd.resetBits, c.pmd.resetOK = c.resetWindow()
	c.rd.AllowRSV1(true)
}

// SetWriteCompression turns compression of the messages this Conn sends on
// or off, from the next message on, when permessage-deflate was agreed (it
// does nothing otherwise). Messages sent uncompressed stay valid for the
// peer (P-81); use it for data that does not compress, such as images.
func (c *Conn) SetWriteCompression(on bool) {
	if c.pmd != nil {
		c.pmd.writeComp.Store(on)
	}
}

// compressing reports whether the next message goes compressed.
func (c *Conn) compressing() bool { return c.pmd != nil && c.pmd.writeComp.Load() }

// compressBufs hold compressed messages while they are written.
var compressBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// inflated decompresses a whole message read by Read, appending it to
// dst[:0], and checks its text. The caller holds readLock.
func (c *Conn) inflated(typ MessageType, payload, dst []byte) ([]byte, error) {
	c.pmd.inflater.MaxMessageSize = c.readLimit.Load()
	msg, err := c.pmd.inflater.Inflate(dst[:0], payload)
	if err != nil {
		return nil, c.failRead(err)
	}
	if typ == MessageText && !validUTF8(msg) {
		return nil, c.failRead(wsproto.ErrInvalidUTF8) // checked after inflating (P-84)
	}
	if msg == nil {
		msg = []byte{}
	}
	return msg, nil
}

// inflateReader is the reader of a compressed message streamed by Reader:
// it inflates the raw payload and checks the text as it goes.
type inflateReader struct {
	mr   *messageReader
	dec  io.ReadCloser
	text bool
	utf8 wsproto.UTF8Validator
}

func (r *inflateReader) Read(p []byte) (int, error) {
	c := r.mr.c
	n, err := r.dec.Read(p)
	if r.text && !r.utf8.Write(p[:n]) || r.text && err == io.EOF && !r.utf8.Complete() {
		return 0, c.failRead(wsproto.ErrInvalidUTF8)
	}
	if err != nil && err != io.EOF {
		var pe *wsproto.Error
		if errors.As(err, &pe) {
			return n, c.failRead(err)
		}
		// The raw stream broke off (ctx, network): the inflater's window
		// is lost with it, so the connection cannot go on.
		c.failRead(&wsproto.Error{Code: wsproto.CloseInternalError, Msg: "compressed message abandoned"})
		return n, err
	}
	return n, err
}

// rawPayload reads the raw (compressed) payload of the message being
// streamed; the caller holds readLock.
type rawPayload struct{ mr *messageReader }

func (r rawPayload) Read(p []byte) (int, error) { return r.mr.readRaw(p) }
