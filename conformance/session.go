package conformance

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// closeTimeout bounds each wait of the closing phase: for the peer's close
// frame after ours, and (as the client) for the server to close TCP after
// the closing handshake. Autobahn waits one second; a little more keeps a
// loaded CI machine from turning slowness into failures.
const closeTimeout = 2 * time.Second

// alternative is one acceptable sequence of recorded events and the verdict
// it earns.
type alternative struct {
	verdict Verdict
	events  []event
}

// closeExpect is what a case expects of the connection's end.
type closeExpect struct {
	byTester     bool  // the tester sends the first close frame; else the peer must fail the connection
	codes        []int // acceptable close codes from the peer (an empty close frame or none at all also passes)
	requireClean bool  // close frames sent and received, then the server closed TCP
	// wrongEndpointFatal fails the case's behaviour if the wrong endpoint
	// started the close (UTF-8 cases: the peer never saw the bad payload).
	wrongEndpointFatal bool
}

// session plays one case over one WebSocket connection. The case's run
// function drives it from its own goroutine; a reader goroutine records
// what the peer sends and answers pings and close frames; a writer
// goroutine puts every frame on the wire in order, so that the reader never
// blocks on a write.
type session struct {
	c      *Case
	client bool // the tester is the client: it masks, and the server must close TCP
	conn   net.Conn
	br     *bufio.Reader
	limit  time.Duration
	start  time.Time

	done chan struct{} // closed when the connection is gone

	qmu   sync.Mutex
	queue []*outItem
	kick  chan struct{}

	mu            sync.Mutex
	expect        []alternative
	expClose      closeExpect
	suppressClose bool
	// onMessage, when set, replaces recording of messages (section 9).
	onMessage func(binary bool, p []byte)
	custom    bool // behaviour and result were set by the case itself
	behavior  Verdict
	result    string
	received  []event

	closeSent, closeRecv bool
	closedByTester       bool // the tester sent the first close frame
	droppedByTester      bool // the tester dropped TCP before the peer closed it
	killed               bool // a kill timer or the case limit fired with the connection open
	timedOut             bool // the case limit fired
	gone                 bool // the TCP connection is closed
	notClean             string
	remoteCode           int // -1: no close frame, 0: close frame without code
	remoteReason         []byte
	violation            string
	timers               []*time.Timer
	framesSent           map[int]int // data frames sent per opcode

	// pmd is the tester's permessage-deflate, when the handshake agreed
	// it (sections 12 and 13); set before play, then used by the case's
	// sends and the reader.
	pmd *deflateSession
	// deflateBudget is the effective Options.DeflateBudget (0: Autobahn's counts).
	deflateBudget int64
}

type outItem struct {
	b     []byte
	chop  int
	sync  bool
	after func()        // runs after the bytes were written
	sent  chan struct{} // closed when written, if not nil
}

func newSession(c *Case, client bool, conn net.Conn, br *bufio.Reader, limit time.Duration) *session {
	return &session{
		c: c, client: client, conn: conn, br: br, limit: limit, start: time.Now(),
		done:       make(chan struct{}),
		kick:       make(chan struct{}, 1),
		remoteCode: -1,
		behavior:   Failed,
		framesSent: map[int]int{},
	}
}

// play runs the case to its end and returns what happened.
func (s *session) play() outcome {
	// The kill timer ends the case at its limit; the deadline, a little
	// later, only unblocks I/O should anything still hang.
	s.conn.SetDeadline(s.start.Add(s.limit + time.Second))
	s.after(s.limit, func() { s.kill("the case did not finish within "+s.limit.String(), true) })
	go s.writeLoop()
	go s.readLoop()
	s.c.run(s)
	<-s.done
	return s.outcome()
}

// --- used by the case functions ---

// expectEvents adds an acceptable outcome: exactly these events, in order.
func (s *session) expectEvents(v Verdict, evs ...event) {
	s.mu.Lock()
	s.expect = append(s.expect, alternative{v, evs})
	s.mu.Unlock()
}

// expectClosing sets what the case expects of the connection's end.
func (s *session) expectClosing(ce closeExpect) {
	s.mu.Lock()
	s.expClose = ce
	s.mu.Unlock()
}

// judgeMessages makes the case judge messages itself: f is called for each
// complete message instead of recording it.
func (s *session) judgeMessages(initial string, f func(binary bool, p []byte)) {
	s.mu.Lock()
	s.custom, s.behavior, s.result, s.onMessage = true, Failed, initial, f
	s.mu.Unlock()
}

// setResult sets the case's own verdict and result text.
func (s *session) setResult(v Verdict, result string) {
	s.mu.Lock()
	s.behavior, s.result = v, result
	s.mu.Unlock()
}

// noAutoClose keeps the tester from closing when the expected events are
// in: the case does its own closing.
func (s *session) noAutoClose() {
	s.mu.Lock()
	s.suppressClose = true
	s.mu.Unlock()
}

// send writes frames in order and returns when they are on the wire.
func (s *session) send(fs ...frame) {
	for _, f := range fs {
		s.count(f)
		s.enqueue(&outItem{b: f.encode(s.client), chop: f.chop, sync: f.sync}, true)
	}
}

// sendLater queues frames without waiting (for use from callbacks).
func (s *session) sendLater(fs ...frame) {
	for _, f := range fs {
		s.count(f)
		s.enqueue(&outItem{b: f.encode(s.client), chop: f.chop, sync: f.sync}, false)
	}
}

func (s *session) count(f frame) {
	if f.op <= opBinary {
		s.mu.Lock()
		s.framesSent[int(f.op)]++
		s.mu.Unlock()
	}
}

// sendClose starts the closing handshake with a close frame carrying code
// (no code at all if code < 0).
func (s *session) sendClose(code int) {
	var p []byte
	if code >= 0 {
		p = closePayload(code, "")
	}
	s.sendCloseRaw(p, true)
}

// sendCloseRaw starts the closing handshake with a close frame carrying
// exactly payload, valid or not. It does nothing if a close frame was
// already sent or the connection is gone.
func (s *session) sendCloseRaw(payload []byte, wait bool) {
	s.mu.Lock()
	if s.closeSent || s.gone {
		s.mu.Unlock()
		return
	}
	s.closeSent = true
	if !s.closeRecv {
		s.closedByTester = true
	}
	s.mu.Unlock()
	b := frb(opClose, payload).encode(s.client)
	s.enqueue(&outItem{b: b, after: func() {
		s.after(closeTimeout, func() {
			s.mu.Lock()
			waiting := !s.closeRecv
			s.mu.Unlock()
			if waiting {
				s.kill("the peer did not answer the close frame within "+closeTimeout.String(), false)
			}
		})
	}}, wait)
}

// streamFrame is a frame whose header was sent and whose payload the case
// sends in pieces (Autobahn's chops of one frame, case 6.4.3).
type streamFrame struct {
	s   *session
	key [4]byte
	pos int
}

// beginFrame sends the header of a final frame of length n.
func (s *session) beginFrame(op wsproto.Opcode, n int) *streamFrame {
	sf := &streamFrame{s: s}
	h := wsproto.Header{Fin: true, Opcode: op, Length: int64(n), Masked: s.client}
	if s.client {
		h.Mask = newMaskKey()
		sf.key = h.Mask
	}
	s.enqueue(&outItem{b: wsproto.AppendHeader(nil, h)}, true)
	return sf
}

// write sends the next piece of the frame's payload.
func (sf *streamFrame) write(p string) {
	b := []byte(p)
	if sf.s.client {
		sf.pos = wsproto.Mask(sf.key, sf.pos, b)
	}
	sf.s.enqueue(&outItem{b: b}, true)
}

// sleep waits d unless the connection goes; it reports whether the
// connection is still there (Autobahn's "continue later").
func (s *session) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.gone
}

// waitOpen waits d and, if the connection is then still open (no close
// frame sent or received, TCP up), records a timeout event with tag and
// reports true. Cases 6.4.x use it to see whether the peer failed fast.
func (s *session) waitOpen(d time.Duration, tag string) bool {
	if !s.sleep(d) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closeSent || s.closeRecv || s.gone {
		return false
	}
	s.received = append(s.received, timeoutMark(tag))
	return true
}

// killAfter drops the connection after d if it is still up and no closing
// handshake has started (Autobahn's killAfter: the peer should have closed,
// or the expected events come in, by then).
func (s *session) killAfter(d time.Duration) {
	s.after(d, func() {
		// A closing handshake under way has its own timers.
		s.mu.Lock()
		closing := s.closeSent || s.closeRecv
		s.mu.Unlock()
		if !closing {
			s.kill("the tester dropped the connection after waiting "+d.String(), false)
		}
	})
}

// closeAfter starts the closing handshake after d if nobody has yet.
func (s *session) closeAfter(d time.Duration) {
	if max := s.limit - 2*closeTimeout; d > max && max > 0 {
		d = max
	}
	s.after(d, func() { s.sendCloseRaw(closePayload(1000, ""), false) })
}

// --- internals ---

func (s *session) after(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return
	}
	s.timers = append(s.timers, time.AfterFunc(d, f))
}

// kill drops the TCP connection if it is still up.
func (s *session) kill(reason string, timedOut bool) {
	s.mu.Lock()
	if s.gone {
		s.mu.Unlock()
		return
	}
	if !s.droppedByTester {
		s.droppedByTester = true
		s.killed = true
		s.timedOut = timedOut
		s.notClean = reason
	}
	s.mu.Unlock()
	s.conn.Close()
}

// enqueue hands an item to the writer goroutine, and waits until it is
// written if wait is set.
func (s *session) enqueue(it *outItem, wait bool) {
	if wait {
		it.sent = make(chan struct{})
	}
	s.qmu.Lock()
	s.queue = append(s.queue, it)
	s.qmu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	if wait {
		select {
		case <-it.sent:
		case <-s.done:
		}
	}
}

func (s *session) writeLoop() {
	for {
		select {
		case <-s.kick:
		case <-s.done:
			return
		}
		for {
			s.qmu.Lock()
			if len(s.queue) == 0 {
				s.qmu.Unlock()
				break
			}
			it := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.qmu.Unlock()
			s.write(it)
		}
	}
}

func (s *session) write(it *outItem) {
	b := it.b
	if it.chop <= 0 {
		s.conn.Write(b)
	} else {
		for len(b) > 0 {
			n := min(it.chop, len(b))
			if _, err := s.conn.Write(b[:n]); err != nil {
				break
			}
			b = b[n:]
		}
	}
	if it.sync {
		time.Sleep(time.Millisecond)
	}
	if it.after != nil {
		it.after()
	}
	if it.sent != nil {
		close(it.sent)
	}
}

// connectionLost runs when the reader stops: the connection is over.
func (s *session) connectionLost() {
	s.mu.Lock()
	s.gone = true
	for _, t := range s.timers {
		t.Stop()
	}
	s.mu.Unlock()
	s.conn.Close()
	close(s.done)
}
