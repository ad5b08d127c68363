//go:build !js

package websocket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"
)

// socket is the inner part of a WebSocket: what its goroutines and its
// event loop hold. It never points back to the WebSocket handle except while
// the handle must stay alive (API-104), so that a forgotten handle can be
// collected and its cleanup start the closing handshake (API-105).
type socket struct {
	url    string   // serialized URL (API-19)
	origin string   // serialized origin, for MessageEvent.Origin
	opts   *Options // shared with other sockets: read only (see sharedOptions)
	loop   *EventLoop
	target eventTarget
	handle weak.Pointer[WebSocket]

	state    atomic.Uint32 // ReadyState
	buffered atomic.Uint64
	binary   atomic.Uint32 // 0: blob, 1: arraybuffer

	mu           sync.Mutex
	pinned       *WebSocket // the handle, kept alive while it must be (API-104)
	orphaned     bool       // the handle was collected while connecting (API-105)
	*socketRare             // nil until needed: see rare
	closeStarted bool       // a close frame was sent or received, or the connection failed
	failed       bool       // the connection was failed or flagged as full: error event due
	conn         *Conn
	cancel       context.CancelFunc // ends the connecting phase
	sendq        []outgoing
	writing      bool // a writer goroutine drains sendq
	closedPosted bool
	aboveHWM     bool
	doneClosed   bool          // the close event was dispatched: Done is closed
	done         chan struct{} // Done's channel, made when first asked for
	room         chan struct{} // closed when BufferedAmount falls to the high-water mark; made by waitRoom
}

// socketRare holds what few sockets need, or only while connecting or
// closing: it is made when first needed (rare), so that an open server
// socket does without.
type socketRare struct {
	protocol   string      // the subprotocol agreed, once open
	extensions string      // the extensions agreed, once open
	cause      error       // why the connection was failed
	stopOwner  func() bool // stops watching Options.Context
}

// rare returns the socket's socketRare, making it. The caller holds s.mu,
// or is the only one to know s.
func (s *socket) rare() *socketRare {
	if s.socketRare == nil {
		s.socketRare = new(socketRare)
	}
	return s.socketRare
}

// negotiated returns the subprotocol and the extensions agreed, "" until
// open.
func (s *socket) negotiated() (protocol, extensions string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.socketRare; r != nil {
		return r.protocol, r.extensions
	}
	return "", ""
}

// outgoing is a queued message, or the close frame.
type outgoing struct {
	typ    MessageType
	data   []byte
	close  bool
	code   CloseCode
	reason string
}

// WebSocket is the WHATWG WebSocket interface in Go: the object that MDN
// documents, with the standard's states, attributes, events and errors.
// See the package documentation for the event model.
type WebSocket struct {
	s *socket
}

// New opens a WebSocket to url, offering the given subprotocols, exactly as
// `new WebSocket(url, protocols)` does: it checks its arguments at once
// (a *DOMException matching ErrSyntax for a bad URL or protocol list) and
// returns a socket in the CONNECTING state; the connection is made in the
// background and reported by events. It never fails because of the network.
//
// Called from a task of an event loop (inside Run, or a handler), the
// socket joins that loop and handlers set right after New miss nothing.
// Called from anywhere else, it gets its own loop, which may dispatch the
// first events before the caller sets its handlers: give them in Options
// (OnOpen, OnMessage, OnError, OnClose) instead, or use Run.
func New(url string, protocols ...string) (*WebSocket, error) {
	return NewWithOptions(url, protocols, nil)
}

// NewWithOptions is New with options beyond the standard's.
func NewWithOptions(rawURL string, protocols []string, opts *Options) (*WebSocket, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	base := ""
	if o.BaseURL != nil {
		base = o.BaseURL.String()
	}
	u, err := parseWebSocketAPIURL(rawURL, base)
	if err != nil {
		return nil, newDOMException("SyntaxError", "%v", err)
	}
	if o.SecureContext && !u.Secure() {
		return nil, newDOMException("SecurityError", "insecure ws: URL %q from a secure context", u.String())
	}
	if err := validateProtocols(protocols); err != nil {
		return nil, newDOMException("SyntaxError", "%v", err)
	}
	if err := checkOptionHeaders(o.Header); err != nil {
		return nil, err
	}
	loop := o.Loop
	if loop == nil {
		loop = currentLoop()
	}
	if loop == nil {
		loop = NewEventLoop()
	}
	s := &socket{
		url:    u.String(),
		origin: u.Scheme() + "://" + u.Host(),
		opts:   &o,
		loop:   loop,
	}
	ws := s.newHandle()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	loop.ref()
	s.watchOwner()
	go s.connect(ctx, u, slices.Clone(protocols))
	return ws, nil
}

// newHandle makes the WebSocket handle for s, with its handlers from the
// options and the cleanup that closes a forgotten socket.
func (s *socket) newHandle() *WebSocket {
	ws := &WebSocket{s: s}
	s.handle = weak.Make(ws)
	o := s.opts
	if o.OnOpen != nil {
		ws.SetOnOpen(o.OnOpen)
	}
	if o.OnMessage != nil {
		ws.SetOnMessage(o.OnMessage)
	}
	if o.OnError != nil {
		ws.SetOnError(o.OnError)
	}
	if o.OnClose != nil {
		ws.SetOnClose(o.OnClose)
	}
	runtime.AddCleanup(ws, (*socket).forgotten, s)
	return ws
}

// watchOwner arranges for ownerGone to run when Options.Context ends.
func (s *socket) watchOwner() {
	if s.opts.Context != nil {
		stop := context.AfterFunc(s.opts.Context, s.ownerGone)
		s.mu.Lock()
		s.rare().stopOwner = stop
		s.mu.Unlock()
	}
}

// checkOptionHeaders refuses the handshake's own headers (API-109), and
// whatever Dial would refuse later (a header that cannot be sent as it
// is), so that every check of the options happens before any network
// activity (API-23).
func checkOptionHeaders(h http.Header) error {
	for name := range h {
		switch k := http.CanonicalHeaderKey(name); {
		case k == "Host", k == "Upgrade", k == "Connection", strings.HasPrefix(k, "Sec-Websocket-"):
			return newDOMException("SyntaxError", "header %q belongs to the handshake and may not be set", name)
		}
	}
	if err := checkExtraHeader(h, reservedRequestHeaders, "Options.Header"); err != nil {
		return newDOMException("SyntaxError", "%v", err)
	}
	return nil
}

// connect runs the opening handshake, then reads until the connection ends.
func (s *socket) connect(ctx context.Context, u *wsURL, protocols []string) {
	if !s.opts.AllowBadPorts && isBadPort(u.Port()) {
		s.finish(nil, fmt.Errorf("websocket: port %d is blocked (a Fetch bad port; see Options.AllowBadPorts)", u.Port()))
		return
	}
	target := targetOfWSURL(u)
	dopts := s.dialOptions(u, protocols)
	// The endpoint is the resolved address, unless the name is resolved
	// elsewhere: by a proxy, or by a dialer of the application's.
	resolve := dopts.NetDialContext == nil
	if proxy, err := proxyFor(dopts, target.url); err != nil || proxy != nil {
		resolve = false
	}
	host, _, _ := net.SplitHostPort(u.DialAddr())
	release, err := acquireEndpoint(ctx, host, u.Port(), resolve, orDefault(dopts.HandshakeTimeout, DefaultHandshakeTimeout))
	if err != nil {
		s.finish(nil, err)
		return
	}
	c, resp, err := dialTarget(ctx, target, dopts)
	release()
	if err != nil {
		s.finish(nil, err)
		return
	}
	if s.opts.Jar != nil {
		if cookies := resp.Cookies(); len(cookies) > 0 {
			s.opts.Jar.SetCookies(httpURLOf(u), cookies)
		}
	}
	s.established(c)
}

// established takes over a connection whose handshake succeeded: it queues
// the open task and reads until the connection ends.
func (s *socket) established(c *Conn) {
	s.mu.Lock()
	if ReadyState(s.state.Load()) != Connecting { // Close was called meanwhile (API-77)
		s.mu.Unlock()
		c.CloseNow()
		s.finish(nil, errors.New("websocket: closed before the connection opened"))
		return
	}
	s.conn = c
	c.onCloseFrame = s.peerClosing
	s.mu.Unlock()
	// Event-loop mode (Options.Poller): the poller becomes c's reader
	// before the open task can let anything close c, and starts reading
	// after it was queued, so that no message task comes first.
	pc := s.opts.Poller.claim(c, s)
	protocol, extensions := c.Subprotocol(), c.Extensions()
	s.loop.post(func() { s.openTask(protocol, extensions) })
	if pc != nil && pc.start(s.opts.Poller) {
		return // no goroutine waits for c's messages from now on
	}
	s.readLoop(c)
}

// dialOptions turns the socket's options into Dial's.
func (s *socket) dialOptions(u *wsURL, protocols []string) *DialOptions {
	o := s.opts
	h := o.Header.Clone()
	if h == nil {
		h = make(http.Header)
	}
	if o.Origin != "" {
		h.Set("Origin", o.Origin)
	}
	if o.Jar != nil {
		// One Cookie header (RFC 6265 section 5.4), after the
		// application's own cookies, if any.
		var pairs []string
		if v := h.Get("Cookie"); v != "" {
			pairs = append(pairs, v)
		}
		for _, c := range o.Jar.Cookies(httpURLOf(u)) {
			pairs = append(pairs, c.String())
		}
		if len(pairs) > 0 {
			h.Set("Cookie", strings.Join(pairs, "; "))
		}
	}
	h.Set("Cache-Control", "no-cache") // cache mode "no-store" (API-32)
	h.Set("Pragma", "no-cache")
	var compression *CompressionOptions
	if !o.DisableCompression {
		compression = &CompressionOptions{} // offered by default, as by a browser (API-27)
	}
	return &DialOptions{
		Header:           h,
		Subprotocols:     protocols,
		TLSConfig:        o.TLSConfig,
		HandshakeTimeout: o.HandshakeTimeout,
		NetDialContext:   o.NetDialContext,
		Proxy:            o.Proxy,
		ConnOptions: ConnOptions{
			ReadLimit:    o.MaxMessageSize,
			PingInterval: o.PingInterval,
			PingTimeout:  o.PingTimeout,
			CloseTimeout: o.CloseTimeout,
			Compression:  compression,
		},
	}
}

// readLoop turns the messages of c into message tasks until c ends.
func (s *socket) readLoop(c *Conn) {
	for {
		typ, data, err := c.Read(context.Background())
		if err != nil {
			s.finish(c, err)
			return
		}
		s.postMessage(typ, data)
	}
}

// postMessage queues the "message received" task.
func (s *socket) postMessage(typ MessageType, data []byte) {
	s.loop.postTask(task{kind: taskMessage, s: s, typ: uint8(typ), data: data})
}

// socketTask runs a task of the socket's own kinds.
func (s *socket) socketTask(t *task) {
	switch t.kind {
	case taskMessage:
		s.messageTask(MessageType(t.typ), t.data)
	case taskSent:
		s.sent(t.n)
	}
}

// postSent queues the report that n bytes were handed to the network.
func (s *socket) postSent(n uint64) {
	s.loop.postTask(task{kind: taskSent, s: s, n: n})
}

// openTask is the "connection established" task (API-83).
func (s *socket) openTask(protocol, extensions string) {
	s.mu.Lock()
	if ReadyState(s.state.Load()) != Connecting { // API-45 guard
		s.mu.Unlock()
		return
	}
	if protocol != "" || extensions != "" {
		r := s.rare()
		r.protocol, r.extensions = protocol, extensions
	}
	s.state.Store(uint32(Open))
	if s.orphaned {
		// Nobody can see this socket any more: close it as a collected
		// open socket is closed (API-105).
		s.startCloseLocked(CloseNoStatus, "")
	}
	s.mu.Unlock()
	s.dispatch(newTrustedEvent(EventOpen))
	s.retain() // open listeners alone no longer keep the handle (API-104)
}

// messageTask is the "message received" task (API-84).
func (s *socket) messageTask(typ MessageType, data []byte) {
	if ReadyState(s.state.Load()) != Open {
		return
	}
	var v any
	switch {
	case typ == MessageText:
		v = string(data)
	case s.binary.Load() == 1:
		v = data
	default:
		v = newBlobNoCopy(data)
	}
	s.dispatch(newTrustedMessageEvent(v, s.origin))
}

// peerClosing runs on the reading goroutine when the peer's close frame
// arrives: the closing handshake has started (API-48, API-85).
func (s *socket) peerClosing() {
	s.mu.Lock()
	s.closeStarted = true
	s.mu.Unlock()
	s.loop.post(func() {
		s.mu.Lock()
		if ReadyState(s.state.Load()) == Open {
			s.state.Store(uint32(Closing))
			s.retainLocked()
		}
		s.mu.Unlock()
	})
}

// finish queues the "connection closed" task (API-87), once. c is the
// connection if one was established; err is why it ended.
func (s *socket) finish(c *Conn, err error) {
	ev := closeResult(c, err)
	s.mu.Lock()
	if s.closedPosted {
		s.mu.Unlock()
		return
	}
	s.closedPosted = true
	s.closeStarted = true
	failed := s.failed || ev.failed
	if s.socketRare != nil && s.cause != nil {
		ev.cause = s.cause
	}
	s.mu.Unlock()
	s.cancel()
	s.loop.post(func() { s.closedTask(failed, ev) })
}

// closeOutcome is what the close event will say.
type closeOutcome struct {
	wasClean bool
	code     CloseCode
	reason   string
	failed   bool // the connection was failed: an error event goes first
	cause    error
}

// closeResult works out the close event from how the connection ended.
func closeResult(c *Conn, err error) closeOutcome {
	var ce *CloseError
	switch {
	case errors.As(err, &ce):
		return closeOutcome{wasClean: c.cleanClose() == nil, code: ce.Code, reason: ce.Reason}
	case c == nil, // the handshake failed: always a failure (API-92)
		errors.Is(err, ErrProtocol), errors.Is(err, ErrInvalidPayload), errors.Is(err, ErrMessageTooBig),
		errors.Is(err, ErrKeepaliveTimeout), errors.Is(err, errFlaggedFull):
		return closeOutcome{code: CloseAbnormal, failed: true, cause: err}
	}
	// The transport ended without a close frame: closed, not failed.
	return closeOutcome{code: CloseAbnormal, cause: err}
}

var errFlaggedFull = errors.New("websocket: send buffer full (MaxBufferedAmount): connection closed")

// closedTask is the "connection closed" task: CLOSED, then error if the
// connection was failed, then close, the last event (API-87, API-93).
func (s *socket) closedTask(failed bool, ev closeOutcome) {
	s.mu.Lock()
	s.state.Store(uint32(Closed))
	s.mu.Unlock()
	if failed {
		s.dispatch(newTrustedEvent(EventError))
	}
	s.dispatch(newTrustedCloseEvent(ev.wasClean, uint16(ev.code), ev.reason, ev.cause))
	s.mu.Lock()
	s.pinned = nil
	room := s.room
	s.room = nil
	var stopOwner func() bool
	if s.socketRare != nil {
		stopOwner = s.stopOwner
	}
	s.doneClosed = true
	done := s.done
	s.mu.Unlock()
	if room != nil {
		close(room)
	}
	if stopOwner != nil {
		stopOwner()
	}
	if done != nil {
		close(done)
	}
	s.loop.unref()
}

// doneChan is Done's channel. It is made only when asked for, so that a
// socket nobody waits on costs no channel.
func (s *socket) doneChan() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		if s.doneClosed {
			return closedChan
		}
		s.done = make(chan struct{})
	}
	return s.done
}

// sharedOptions returns a copy of *o (the zero Options for nil) for a
// socket to keep. It is the copy made by the previous call if *o has the
// same bytes as that copy, that is if it is a shallow copy of the same
// values: a server that passes the same Options to every AcceptWebSocket
// keeps one copy for all its sockets instead of one each (a couple of
// hundred bytes a connection).
func sharedOptions(o *Options) *Options {
	if o == nil {
		return &zeroOptions
	}
	if last := lastOptions.Load(); last != nil && optionBytes(last) == optionBytes(o) {
		return last
	}
	c := new(Options)
	*c = *o
	lastOptions.Store(c)
	return c
}

var (
	zeroOptions Options
	lastOptions atomic.Pointer[Options]
)

// optionBytes returns the bytes of *o, as a string for comparison.
func optionBytes(o *Options) string {
	return unsafe.String((*byte)(unsafe.Pointer(o)), unsafe.Sizeof(*o))
}

// dispatch fires an event at the socket's handle.
func (s *socket) dispatch(e AnyEvent) {
	s.target.dispatch(e, any(s.handle.Value()), s.panicHook)
}

// ownerGone is "make disappear" (API-106): the owner's context ended.
func (s *socket) ownerGone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.failLocked(errors.New("websocket: owner's context ended while connecting"))
	case Open:
		if !s.closeStarted {
			s.startCloseLocked(CloseGoingAway, "")
		}
	}
}

// forgotten runs when the handle is collected while the socket lives
// (API-105): an open socket starts the closing handshake with no code; a
// connecting one does so as soon as it opens, rather than staying open
// with nobody to close it.
func (s *socket) forgotten() {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.orphaned = true
	case Open:
		if !s.closeStarted {
			s.startCloseLocked(CloseNoStatus, "")
		}
	}
}

// retain re-evaluates whether the handle must be kept alive, after a
// listener was added or removed.
func (s *socket) retain() {
	s.mu.Lock()
	s.retainLocked()
	s.mu.Unlock()
}

// retainLocked keeps the handle alive while the standard says the object
// must not be collected (API-104): while CONNECTING with any listener,
// OPEN with message, error or close listeners (and the drain listeners of
// this package), CLOSING with error or close listeners, and while queued
// data exists. Otherwise it lets the handle go, so that a forgotten open
// socket can be closed (API-105). The goroutines and the loop hold only the
// socket, never the handle, so this is the only strong reference they keep.
func (s *socket) retainLocked() {
	if !s.mustLiveLocked() {
		s.pinned = nil
		return
	}
	if s.pinned == nil {
		s.pinned = s.handle.Value() // nil if already collected
	}
}

func (s *socket) mustLiveLocked() bool {
	if len(s.sendq) > 0 || s.writing {
		return true
	}
	var types []string
	switch ReadyState(s.state.Load()) {
	case Connecting:
		types = []string{EventOpen, EventMessage, EventError, EventClose, EventDrain}
	case Open:
		types = []string{EventMessage, EventError, EventClose, EventDrain}
	case Closing:
		types = []string{EventError, EventClose}
	default:
		return false
	}
	for _, typ := range types {
		if s.target.hasListeners(typ) {
			return true
		}
	}
	return false
}

// failLocked fails a connecting socket (API-77): CLOSING now, error and
// close events later.
func (s *socket) failLocked(cause error) {
	s.state.Store(uint32(Closing))
	s.failed = true
	s.rare().cause = cause
	s.closeStarted = true
	s.cancel()
	if s.conn != nil {
		s.conn.CloseNow()
	}
	s.retainLocked()
}

// startCloseLocked starts the closing handshake after the queued messages.
func (s *socket) startCloseLocked(code CloseCode, reason string) {
	s.state.Store(uint32(Closing))
	s.closeStarted = true
	s.enqueueLocked(outgoing{close: true, code: code, reason: reason})
}

// enqueueLocked queues an outgoing item and makes sure a writer runs.
func (s *socket) enqueueLocked(o outgoing) {
	s.sendq = append(s.sendq, o)
	if !s.writing {
		s.writing = true
		go s.writeLoop(s.conn)
	}
	s.retainLocked() // queued data keeps the socket alive (API-104)
}

// panicHook reports a listener's panic through Options.OnPanic, or prints it.
func (s *socket) panicHook(typ string, v any) { reportPanic(s.opts.OnPanic, typ, v) }

// writeLoop sends the queued messages in order, then ends.
func (s *socket) writeLoop(c *Conn) {
	for {
		s.mu.Lock()
		if len(s.sendq) == 0 {
			s.writing = false
			s.retainLocked() // nothing queued: only listeners may keep it (API-104, API-105)
			s.mu.Unlock()
			return
		}
		if len(s.sendq) > 1 && !s.sendq[0].close && !s.sendq[1].close {
			// Several messages are queued: as many as fit together go
			// out in one write (writeBatch).
			if !s.writeQueuedBatchLocked(c) {
				return
			}
			continue
		}
		o := s.sendq[0]
		s.sendq[0] = outgoing{}
		s.sendq = s.sendq[1:]
		s.mu.Unlock()
		if o.close {
			c.Close(o.code, o.reason)
			continue
		}
		// The message is handed to the network now: its bytes come off
		// BufferedAmount at the next task boundary (API-52). The report is
		// queued before the write, not after it: a task queued by the
		// reader for a message that answers this one (an echo) then always
		// comes after it, so that BufferedAmount no longer counts bytes the
		// peer has already answered (API-53). Reporting after the write
		// would race with the reader: the writer may wait for the CPU after
		// its write while the echo is read and dispatched.
		s.postSent(uint64(len(o.data)))
		if err := c.Write(context.Background(), o.typ, o.data); err != nil {
			s.mu.Lock()
			s.sendq, s.writing = nil, false // the rest stays counted (API-55)
			s.retainLocked()
			s.mu.Unlock()
			return
		}
	}
}

// writeQueuedBatchLocked sends the data messages at the head of the queue
// that fit in one write, called with s.mu held; it returns with s.mu
// released, and reports whether writeLoop goes on (false: the write failed,
// as in writeLoop).
func (s *socket) writeQueuedBatchLocked(c *Conn) bool {
	bp := batchPool.Get().(*[]batchMessage)
	batch := (*bp)[:0]
	for _, o := range s.sendq {
		if o.close || len(batch) == maxBatch {
			break
		}
		batch = append(batch, batchMessage{o.typ, o.data})
	}
	n := c.batchFits(batch)
	var size uint64
	for i := range n {
		size += uint64(len(s.sendq[i].data))
		s.sendq[i] = outgoing{}
	}
	s.sendq = s.sendq[n:]
	s.mu.Unlock()
	s.postSent(size) // before the write: see writeLoop
	_, err := c.writeBatch(context.Background(), batch[:n])
	clear(batch)
	*bp = batch[:0]
	batchPool.Put(bp)
	if err != nil {
		s.mu.Lock()
		s.sendq, s.writing = nil, false // the rest stays counted (API-55)
		s.retainLocked()
		s.mu.Unlock()
		return false
	}
	return true
}

// maxBatch bounds the messages writeQueuedBatchLocked gathers at once.
const maxBatch = 64

// batchPool holds writeQueuedBatchLocked's lists.
var batchPool = sync.Pool{New: func() any { b := make([]batchMessage, 0, maxBatch); return &b }}

// sent takes bytes handed to the network off BufferedAmount, and wakes
// producers waiting for room.
func (s *socket) sent(n uint64) {
	if ReadyState(s.state.Load()) == Closed {
		return // a late report: after CLOSED nothing is subtracted (API-55)
	}
	b := s.buffered.Add(-n)
	s.mu.Lock()
	hwm := s.highWaterMark()
	var room chan struct{}
	drained := false
	if b <= hwm {
		room, s.room = s.room, nil
		drained, s.aboveHWM = s.aboveHWM, false
	}
	s.mu.Unlock()
	if room != nil {
		close(room)
	}
	if drained && ReadyState(s.state.Load()) == Open {
		s.dispatch(newTrustedEvent(EventDrain))
	}
}

// DefaultHighWaterMark is the high-water mark SendContext uses when
// Options.HighWaterMark is zero.
const DefaultHighWaterMark = 1 << 20

func (s *socket) highWaterMark() uint64 {
	if s.opts.HighWaterMark > 0 {
		return s.opts.HighWaterMark
	}
	return DefaultHighWaterMark
}

// send is the standard's send() once the data is bytes (API-61..70).
func (s *socket) send(typ MessageType, p []byte) error { return s.sendData(typ, p, false) }

// sendBorrowed is send of bytes that the caller may change once it
// returns: they are copied if they must wait in the queue, and not at all
// when they are written at once.
func (s *socket) sendBorrowed(typ MessageType, p []byte) error { return s.sendData(typ, p, true) }

func (s *socket) sendData(typ MessageType, p []byte, borrowed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ReadyState(s.state.Load()) == Connecting {
		return newDOMException("InvalidStateError", "send while CONNECTING")
	}
	n := uint64(len(p))
	b := s.buffered.Add(n)
	if s.closeStarted {
		return nil // counted, never sent (API-63)
	}
	if max := s.opts.MaxBufferedAmount; max > 0 && b > max {
		// Flagged as full (API-69): the connection closes at once, no
		// close frame; error and close events follow.
		s.failed, s.rare().cause, s.closeStarted = true, errFlaggedFull, true
		s.conn.CloseNow()
		return nil
	}
	if b > s.highWaterMark() {
		s.aboveHWM = true
	}
	if !s.writing && s.writeNowLocked(typ, p) {
		return nil
	}
	if borrowed {
		p = append(make([]byte, 0, len(p)), p...)
	}
	s.enqueueLocked(outgoing{typ: typ, data: p})
	return nil
}

// writeNowLocked writes a message straight to the socket when nothing is
// queued or being written, and the connection can take it without waiting
// (Conn.tryLockWrite): no writer goroutine then, and no copy of the data.
// If the socket takes only part of it, a writer goroutine sends the rest
// and goes on with the queue. It reports whether it handed the message to
// the network; if not, the message must be queued.
func (s *socket) writeNowLocked(typ MessageType, p []byte) bool {
	c := s.conn
	if len(s.sendq) > 0 || c == nil || !c.tryLockWrite() {
		return false
	}
	s.postSent(uint64(len(p))) // before the write: see writeLoop
	rest := c.writeNowLocked(typ, p)
	if rest == nil {
		c.unlockWrite()
		return true
	}
	s.writing = true
	s.retainLocked()
	go func() {
		c.sendLocked(context.Background(), rest) // a failure is sticky: writeLoop sees it
		c.unlockWrite()
		s.writeLoop(c)
	}()
	return true
}

// waitRoom waits until BufferedAmount is at or below the high-water mark.
func (s *socket) waitRoom(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.buffered.Load() <= s.highWaterMark() || s.closeStarted {
			s.mu.Unlock()
			return nil
		}
		if s.room == nil {
			s.room = make(chan struct{}) // one for all the waiters
		}
		ch := s.room
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close is the standard's close() after validation (API-76..79).
func (s *socket) close(code CloseCode, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ReadyState(s.state.Load()) {
	case Connecting:
		s.failLocked(errors.New("websocket: Close called while connecting"))
	case Open:
		if s.closeStarted {
			s.state.Store(uint32(Closing))
			s.retainLocked()
			return
		}
		s.startCloseLocked(code, reason)
	}
}

// httpURLOf returns u with its scheme mapped back to http or https, the
// URL whose cookies a handshake carries and under which the cookies of its
// response are stored (API-31). Its Path is the URL's path as serialized
// (percent-encoded), the path a browser matches cookie paths against.
func httpURLOf(u *wsURL) *url.URL {
	scheme := "http"
	if u.Secure() {
		scheme = "https"
	}
	path, _, _ := strings.Cut(u.ResourceName(), "?")
	return &url.URL{Scheme: scheme, Host: u.Host(), Path: path}
}
