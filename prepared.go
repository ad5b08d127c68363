package websocket

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/wsstack/websocket/wsproto"
)

// PreparedMessage is a message encoded once for many connections, for
// broadcasting: WritePrepared sends it on any number of connections, and
// the work of encoding it is shared between those in the same state,
// instead of repeated per connection as Write does.
//
// What is shared depends on each connection's permessage-deflate state:
//
//   - no compression (not agreed, or turned off with SetWriteCompression):
//     the frame is built once. A server's frames are cached whole, header
//     and payload; a client's are masked with a fresh key for each write,
//     as RFC 6455 requires, so only the payload is shared.
//   - compression without context takeover for the messages the
//     connection sends (server_no_context_takeover for a server,
//     client_no_context_takeover for a client, as agreed in the
//     handshake): the message is compressed once per window size
//     (server_max_window_bits / client_max_window_bits), whatever the
//     number of connections, and the frame is built once as above.
//   - compression with context takeover: each message's compression
//     depends on what the connection sent before, so WritePrepared
//     compresses it with the connection's own compressor, as Write does:
//     nothing is shared. A server that broadcasts to many connections
//     should set CompressionOptions.ServerNoContextTakeover.
//
// A prepared message is compressed at the default level, and sent
// uncompressed if it is shorter than wsproto.DefaultDeflateThreshold
// (128 bytes) or does not shrink, whatever the connection's own
// CompressionOptions say about level and threshold. A client whose
// handshake response does not state its own window and context takeover
// (it may have promised them in its offer) is treated as one with context
// takeover.
//
// A PreparedMessage is safe for concurrent use by several connections.
type PreparedMessage struct {
	typ  MessageType
	op   wsproto.Opcode
	data []byte

	mu    sync.Mutex
	forms map[int]*preparedForm // by window bits; 0: uncompressed

	// compressions counts how many times the message was compressed for
	// the forms (connections with context takeover not included).
	compressions atomic.Int64
}

// preparedForm is the message as sent in one compression state.
type preparedForm struct {
	once    sync.Once
	rsv1    bool   // payload is compressed
	payload []byte // the frame's payload
	frame   []byte // a server's whole frame: header and payload
}

// NewPreparedMessage returns a prepared message of type typ with a copy
// of data. Text must be valid UTF-8.
func NewPreparedMessage(typ MessageType, data []byte) (*PreparedMessage, error) {
	op, err := messageOpcode(typ, data)
	if err != nil {
		return nil, err
	}
	return &PreparedMessage{
		typ:   typ,
		op:    op,
		data:  append([]byte{}, data...),
		forms: make(map[int]*preparedForm),
	}, nil
}

// Type returns the message's type.
func (pm *PreparedMessage) Type() MessageType { return pm.typ }

// form returns the message prepared for a window of bits (0: uncompressed),
// building it on first use. Concurrent callers for the same form wait for
// one build.
func (pm *PreparedMessage) form(bits int) *preparedForm {
	pm.mu.Lock()
	f := pm.forms[bits]
	if f == nil {
		f = &preparedForm{}
		pm.forms[bits] = f
	}
	pm.mu.Unlock()
	f.once.Do(func() {
		f.payload = pm.data
		if bits > 0 && len(pm.data) >= wsproto.DefaultDeflateThreshold {
			pm.compressions.Add(1)
			d := wsproto.NewDeflater(wsproto.DeflateDirection{NoContextTakeover: true, WindowBits: bits}, wsproto.DeflateConfig{})
			if out, ok := d.Compress(nil, pm.data); ok {
				f.payload, f.rsv1 = out, true
			}
		}
		// A server's frame is the same on every connection: no mask.
		h := wsproto.Header{Fin: true, Opcode: pm.op, Length: int64(len(f.payload))}
		if f.rsv1 {
			h.Rsv = wsproto.RSV1
		}
		f.frame = append(wsproto.AppendHeader(make([]byte, 0, h.Size()+len(f.payload)), h), f.payload...)
	})
	return f
}

// WritePrepared sends a prepared message, as Write would send its data:
// whole, after the messages before it, and with the same handling of ctx
// and errors. See PreparedMessage for what it shares between connections.
func (c *Conn) WritePrepared(ctx context.Context, pm *PreparedMessage) error {
	if pm == nil {
		return errors.New("websocket: WritePrepared of a nil message")
	}
	if err := c.msgLock.lock(ctx); err != nil {
		return err
	}
	defer c.msgLock.unlock()
	bits := 0
	if c.compressing() {
		if !c.pmd.resetOK {
			return c.writeOwnCompressor(ctx, pm.op, pm.data)
		}
		bits = c.pmd.resetBits
	}
	f := pm.form(bits)
	if c.role == wsproto.Client {
		return c.writeFrame(ctx, pm.op, true, f.rsv1, f.payload) // masked afresh
	}
	return c.writePreparedFrame(ctx, pm.op, f)
}

// resetWindow works out the window of the connection's compressor when the
// handshake agreed that it resets for each message (no context takeover),
// so that a message compressed alone for that window is what it would
// send; ok is false otherwise. It reads the agreement from the handshake's
// Sec-WebSocket-Extensions response, which states everything about a
// server's messages; about a client's, a response without
// client_no_context_takeover, or without client_max_window_bits, leaves
// open what the client's offer promised, so ok is false then.
func (c *Conn) resetWindow() (bits int, ok bool) {
	exts, err := wsproto.ParseExtensions([]string{c.extensions})
	if err != nil {
		return 0, false
	}
	for _, e := range exts {
		if e.Name != wsproto.DeflateExtension {
			continue
		}
		p, err := wsproto.ParseDeflateResponse(e)
		if err != nil {
			return 0, false
		}
		if c.role == wsproto.Server {
			if !p.ServerNoContextTakeover {
				return 0, false
			}
			if p.ServerMaxWindowBits == 0 {
				return 15, true
			}
			return p.ServerMaxWindowBits, true
		}
		if !p.ClientNoContextTakeover || p.ClientMaxWindowBits <= 0 {
			return 0, false
		}
		return p.ClientMaxWindowBits, true
	}
	return 0, false
}

// writePreparedFrame sends a server's prepared frame as it is, under the
// rules of the write path (nothing after the close frame). The caller
// holds msgLock.
func (c *Conn) writePreparedFrame(ctx context.Context, op wsproto.Opcode, f *preparedForm) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	// The header the Writer would use is the prepared one (a server does
	// not mask); asking for it applies the sending rules.
	if _, err := c.frameHeader(op, true, f.rsv1, len(f.payload)); err != nil {
		return err
	}
	return c.sendLocked(ctx, f.frame)
}

// writeOwnCompressor sends a message compressed by the connection's own
// compressor, as Write does, for connections with context takeover. The
// caller holds msgLock. As in Write, the message is compressed only once
// the frame can go out: compressed and then abandoned (ctx ending while
// another frame holds the connection), it would leave our window ahead of
// the peer's.
func (c *Conn) writeOwnCompressor(ctx context.Context, op wsproto.Opcode, p []byte) error {
	if err := c.frameLock.lock(ctx); err != nil {
		return err
	}
	defer c.frameLock.unlock()
	bp := compressBufs.Get().(*[]byte)
	out, compressed := c.pmd.deflater.Compress((*bp)[:0], p)
	var err error
	if compressed {
		err = c.writeFrameLocked(ctx, op, true, true, out)
	} else {
		err = c.writeFrameLocked(ctx, op, true, false, p)
	}
	if cap(out) <= 64<<10 {
		*bp = out[:0]
		compressBufs.Put(bp)
	}
	return err
}
