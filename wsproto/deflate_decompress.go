package wsproto

import (
	"compress/flate"
	"io"
	"slices"
	"sync"
)

// Errors of decompression. Each matches its class sentinel (errors.Is).
var (
	// ErrDeflateCorrupt: a compressed message is not valid DEFLATE data
	// (P-85: close code 1007).
	ErrDeflateCorrupt = &Error{Code: CloseInvalidPayload, Msg: "invalid compressed data"}
	// ErrDeflateTooBig: a message decompresses to more than the limit
	// (P-84: close code 1009).
	ErrDeflateTooBig = &Error{Code: CloseMessageTooBig, Msg: "decompressed message exceeds the size limit"}
	// ErrDeflateAbandoned: with context takeover, a message's reader was
	// not closed before the next message began, so the window no longer
	// follows the peer's (close code 1011: our own fault).
	ErrDeflateAbandoned = &Error{Code: CloseInternalError, Msg: "compressed message abandoned before its end"}
)

// Inflater decompresses the messages one end receives, for one connection
// (RFC 7692 section 7.2.2): the payload of a message with RSV1, followed by
// 00 00 ff ff, inflated with compress/flate. It enforces a limit on the
// decompressed size while inflating, so a decompression bomb stops at the
// limit (P-84), and reports corrupt data as ErrDeflateCorrupt (P-85).
// Blocks with BFINAL set may come anywhere, even in the middle of a message,
// and the stream goes on after them with the same window (P-80). A message
// with RSV1 and an empty payload is an empty message.
//
// Memory: a decompressor (compress/flate's, about 45 KiB, with 40 KiB of
// buffers) is taken from a pool shared by all connections for each message
// and put back at its end. Between messages a connection keeps only the
// last 2^N bytes of output, N being the peer's agreed window bits (32 KiB
// at 15), and only with context takeover (P-82); without it, nothing.
//
// It is not safe for concurrent use; the connection's read path serializes
// its calls. After an error it refuses further use: the connection must be
// failed with the error's close code.
type Inflater struct {
	// MaxMessageSize is the largest decompressed message, in bytes; 0
	// means no limit. It is read when a message starts.
	MaxMessageSize int64

	takeover bool    // the peer keeps its window: so do we
	size     int     // 2^N: the peer's window
	hist     history // the window kept across messages (takeover only)
	msg      inflateMessage
	err      error
}

// NewInflater returns the decompressor for messages received under dir (as
// from DeflateAgreement.Incoming), with a limit of maxSize decompressed bytes
// per message (0: none).
func NewInflater(dir DeflateDirection, maxSize int64) *Inflater {
	return &Inflater{MaxMessageSize: maxSize, takeover: !dir.NoContextTakeover, size: 1 << windowBits(dir.WindowBits)}
}

// Inflate decompresses a whole message's payload and appends the result to
// dst. The payload is not modified. On an error it returns dst as it was.
func (f *Inflater) Inflate(dst, payload []byte) ([]byte, error) {
	r := f.begin(payload, nil)
	if r == nil {
		return dst, f.err
	}
	start := len(dst)
	want := min(max(2*len(payload), 512), 1<<20)
	if f.MaxMessageSize > 0 {
		want = int(min(int64(want), f.MaxMessageSize+1))
	}
	dst = slices.Grow(dst, want)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		switch {
		case err == io.EOF:
			return dst, nil
		case err != nil:
			return dst[:start], err
		}
	}
}

// Reader returns a reader of the decompressed message whose payload src
// yields (src returns io.EOF at the payload's end). It returns io.EOF at
// the message's end, and is valid until the next Reader or Inflate call.
// Close it before the next message, unless it returned io.EOF or an error:
// with context takeover Close inflates and discards what was not read, to
// keep the window in step with the peer's, and the next message fails
// with ErrDeflateAbandoned if that was not done. An error of src is
// returned as it is, and breaks the Inflater like any other error: the
// window no longer follows the peer's.
func (f *Inflater) Reader(src io.Reader) io.ReadCloser {
	if r := f.begin(nil, src); r != nil {
		return r
	}
	return errReadCloser{f.err}
}

// Release gives back what the Inflater holds, for when the connection
// ends. A message in progress is abandoned.
func (f *Inflater) Release() {
	f.msg.finish()
	f.hist = history{}
}

// begin starts a message, or returns nil after an error.
func (f *Inflater) begin(data []byte, src io.Reader) *inflateMessage {
	if f.err != nil {
		return nil
	}
	m := &f.msg
	if m.st != nil { // the previous message's reader was not closed
		abandoned := !m.done && f.takeover
		m.finish()
		if abandoned {
			f.err = ErrDeflateAbandoned
			return nil
		}
	}
	st := inflatePool.Get().(*inflateState)
	*m = inflateMessage{f: f, st: st, limit: f.MaxMessageSize}
	st.in.start(data, src, st.inBuf[:])
	if f.takeover {
		if f.hist.buf == nil {
			f.hist.init(make([]byte, f.size))
		}
		m.hist = &f.hist
	} else {
		st.hist.init(st.histBuf[:f.size])
		m.hist = &st.hist
	}
	return m
}

// inflateState is what decompressing a message needs, pooled.
type inflateState struct {
	dec     io.ReadCloser // compress/flate's decompressor, a flate.Resetter
	in      deflateInput
	inBuf   [4096]byte
	hist    history // the message's own window, without context takeover
	histBuf [32 << 10]byte
	drain   [2048]byte // Close's sink
}

var inflatePool = sync.Pool{New: func() any {
	st := new(inflateState)
	st.dec = flate.NewReader(&st.in)
	return st
}}

// inflateMessage reads one decompressed message.
type inflateMessage struct {
	f       *Inflater
	st      *inflateState // nil when the message is over
	hist    *history
	limit   int64
	n       int64 // bytes produced
	started bool
	done    bool
	err     error
}

func (m *inflateMessage) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if m.done || m.st == nil {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	st := m.st
	if !m.started {
		m.started = true
		if st.in.empty() {
			m.end()
			return 0, io.EOF
		}
		st.dec.(flate.Resetter).Reset(&st.in, m.dict())
	}
	if m.limit > 0 && int64(len(p)) > m.limit-m.n {
		p = p[:m.limit-m.n+1] // one byte more shows a message over the limit
	}
	for {
		n, err := st.dec.Read(p)
		if n > 0 {
			m.n += int64(n)
			if m.limit > 0 && m.n > m.limit {
				return 0, m.fail(ErrDeflateTooBig)
			}
			m.hist.write(p[:n])
		}
		switch {
		case err == nil:
			if n > 0 {
				return n, nil
			}
		case err == io.EOF:
			// A block with BFINAL set ended. The message ends too, unless
			// more blocks follow; they go on with the same window.
			if st.in.atEnd() {
				m.end()
			} else if st.in.err == nil {
				st.dec.(flate.Resetter).Reset(&st.in, m.dict())
			}
			if n > 0 || m.done {
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			if st.in.err != nil {
				return 0, m.fail(st.in.err)
			}
		case st.in.err != nil:
			return 0, m.fail(st.in.err)
		default:
			return 0, m.fail(ErrDeflateCorrupt)
		}
	}
}

// dict returns the window for the decompressor: with context takeover the
// Inflater's history, copied in order into the state's spare buffer;
// without, the message's own history, put in order in place.
func (m *inflateMessage) dict() []byte {
	if m.f.takeover {
		return m.hist.copyTo(m.st.histBuf[:])
	}
	return m.hist.linear()
}

// Close ends the message; see Inflater.Reader.
func (m *inflateMessage) Close() error {
	if m.st == nil || m.err != nil {
		return m.err
	}
	if m.f.takeover {
		for !m.done && m.err == nil {
			m.Read(m.st.drain[:])
		}
	}
	m.end()
	return m.err
}

// end finishes a message that was read whole.
func (m *inflateMessage) end() {
	m.done = true
	m.finish()
}

// fail breaks the message and the Inflater.
func (m *inflateMessage) fail(err error) error {
	m.err = err
	m.f.err = err
	m.finish()
	return err
}

// finish puts the pooled state back.
func (m *inflateMessage) finish() {
	if m.st == nil {
		return
	}
	m.st.in = deflateInput{}
	inflatePool.Put(m.st)
	m.st, m.hist = nil, nil
	m.done = true
}

type errReadCloser struct{ err error }

func (r errReadCloser) Read([]byte) (int, error) { return 0, r.err }
func (r errReadCloser) Close() error             { return r.err }
