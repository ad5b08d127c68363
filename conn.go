package websocket

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// MessageType is the type of a data message.
type MessageType int

// Message types, with the opcodes' values.
const (
	// MessageText is a message of UTF-8 text.
	MessageText MessageType = MessageType(wsproto.OpText)
	// MessageBinary is a message of bytes.
	MessageBinary MessageType = MessageType(wsproto.OpBinary)
)

func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "text"
	case MessageBinary:
		return "binary"
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Conn is an established WebSocket connection, client or server. It is
// obtained from Dial, Accept or Pipe.
//
// Concurrency: one goroutine at a time may read (Read, Reader and the
// reader it returns); any number of goroutines may write (Write, Writer,
// Ping, Close, CloseNow) at once: messages are sent whole, one after the
// other, and pongs and close frames slip in between the frames of a long
// message. Control frames are only processed while the connection is read:
// every application must keep a goroutine reading, or pongs, pings and the
// peer's close frame go unseen.
type Conn struct {
	nc          net.Conn
	role        wsproto.Role
	cfg         connConfig
	subprotocol string
	extensions  string

	readState
	writeState
	closeState
	keepalive
	pmd *deflateState // permessage-deflate, nil unless agreed

	// poll is set when a Poller reads the connection (event-loop mode,
	// poll.go): the poller's goroutine then owns the reading side, and
	// the read path neither waits for input nor writes (see fill,
	// nextPiece, failRead and receivedClose).
	poll atomic.Pointer[pollConn]
}

// newConn wraps an established WebSocket connection. br holds the reader
// used for the handshake, whose buffered bytes (frames that arrived with the
// 101 response or after the request) are consumed before reading nc again;
// it may be nil.
func newConn(nc net.Conn, br *bufio.Reader, role wsproto.Role, cfg connConfig, subprotocol, extensions string) *Conn {
	c := &Conn{
		nc:          nc,
		role:        role,
		cfg:         cfg,
		subprotocol: subprotocol,
		extensions:  extensions,
	}
	c.initRead(br)
	c.initWrite()
	c.startKeepalive()
	return c
}

// Subprotocol returns the subprotocol agreed in the handshake, or "".
func (c *Conn) Subprotocol() string { return c.subprotocol }

// Extensions returns the extensions agreed in the handshake, as the
// Sec-WebSocket-Extensions header listed them, or "".
func (c *Conn) Extensions() string { return c.extensions }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// NetConn returns the underlying connection. Reading from or writing to it
// corrupts the WebSocket stream; it is there for deadlines, addresses and
// connection state (for instance *tls.Conn's ConnectionState).
func (c *Conn) NetConn() net.Conn { return c.nc }

// SetReadLimit sets the largest message, in bytes, that the connection
// accepts; a negative n removes the limit. A larger message fails the
// connection with close code 1009 (ErrMessageTooBig) before its payload is
// read. It applies from the next frame on.
func (c *Conn) SetReadLimit(n int64) {
	if n < 0 {
		n = 0
	}
	c.readLimit.Store(n)
}

// aLongTimeAgo is a deadline in the past, to interrupt blocked I/O.
var aLongTimeAgo = time.Unix(1, 0)

// deadlineFor arranges for a blocked read or write on nc to be interrupted
// when ctx ends. The returned function undoes it and reports whether ctx
// fired; it must be called once the I/O has returned. It allocates nothing
// for a context that cannot end.
func deadlineFor(ctx context.Context, set func(time.Time) error) (release func() bool) {
	if ctx.Done() == nil {
		return nil
	}
	var mu sync.Mutex
	fired := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		fired = true
		set(aLongTimeAgo)
	})
	return func() bool {
		if stop() {
			return false
		}
		mu.Lock() // wait for the AfterFunc to finish
		defer mu.Unlock()
		if fired {
			set(time.Time{})
		}
		return fired
	}
}

// readDeadlineFor is deadlineFor on reads of c, without the cost of a
// method value when ctx cannot end (the common case on hot paths).
func (c *Conn) readDeadlineFor(ctx context.Context) func() bool {
	if ctx.Done() == nil {
		return nil
	}
	return deadlineFor(ctx, c.nc.SetReadDeadline)
}

// writeDeadlineFor is readDeadlineFor for writes.
func (c *Conn) writeDeadlineFor(ctx context.Context) func() bool {
	if ctx.Done() == nil {
		return nil
	}
	return deadlineFor(ctx, c.nc.SetWriteDeadline)
}
