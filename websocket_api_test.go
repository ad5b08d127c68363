//go:build !js

package websocket

// Tests of the WebSocket object against the numbered behaviours of
// shared/spec/websocket-api.md (API-1..API-111). Every test names the ids
// it proves. This file holds the helpers shared by the websocket_api*_test.go
// files and the tests of the event-loop model (section 1) and of the
// constructor (section 2); the others are split by area:
//
//	websocket_api_handshake_test.go  API-20, 23, 25..42, 109..111
//	websocket_api_state_test.go      API-43..60
//	websocket_api_send_test.go       API-61..70, SendContext, drain
//	websocket_api_close_test.go      API-71..82
//	websocket_api_events_test.go     API-83..108
//
// Items proven elsewhere, by tests that carry their id in their name:
// API-7..18 (url_test.go), API-21, 22 (protocols_test.go), API-39 list
// (ports_test.go), API-60 (blob_test.go, events_test.go), API-66, 74, 90
// (usvstring_test.go), API-95..103 (events_test.go, eventtarget_test.go).
// Each of those ids also has an end-to-end test here.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// apiTimeout bounds every wait of these tests: nothing legitimately takes
// more than a fraction of it.
const apiTimeout = 10 * time.Second

// apiServer is a raw TCP server that plays the server side of a WebSocket
// by hand, well-behaved or not: for each connection it reads the handshake
// request and gives an apiPeer to handle.
type apiServer struct {
	addr string // host:port
	url  string // ws://host:port

	mu    sync.Mutex
	conns int       // connections accepted
	reqs  []apiPeer // requests read, in order
}

// apiPeer is one connection of an apiServer, after its request was read.
type apiPeer struct {
	t   *testing.T
	nc  net.Conn
	br  *bufio.Reader // reads after the request
	req *http.Request
	raw string // the request's bytes
}

// startAPIServer starts an apiServer; the end of the test closes it and
// its connections and waits for the handlers. handle runs in its own
// goroutine per connection; it reports problems with t.Errorf.
func startAPIServer(t *testing.T, handle func(p *apiPeer)) *apiServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &apiServer{addr: ln.Addr().String()}
	s.url = "ws://" + s.addr
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				var raw bytes.Buffer
				c.SetReadDeadline(time.Now().Add(apiTimeout))
				br := bufio.NewReader(io.TeeReader(c, &raw))
				req, err := readAPIRequest(br)
				if err != nil {
					return
				}
				c.SetReadDeadline(time.Time{})
				p := &apiPeer{t: t, nc: c, br: br, req: req, raw: raw.String()}
				s.mu.Lock()
				s.reqs = append(s.reqs, *p)
				s.mu.Unlock()
				handle(p)
			}()
		}
	}()
	return s
}

// readAPIRequest reads a request's line and header, without parsing its
// target (http.ReadRequest refuses targets such as "/%zz", which a
// WebSocket URL may have). Only Method, RequestURI, Proto, Header and Host
// are set.
func readAPIRequest(br *bufio.Reader) (*http.Request, error) {
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		return nil, fmt.Errorf("malformed request line %q", line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, err
	}
	return &http.Request{Method: f[0], RequestURI: f[1], Proto: f[2], Header: http.Header(h), Host: h.Get("Host")}, nil
}

// requests returns the requests read so far.
func (s *apiServer) requests() []apiPeer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]apiPeer(nil), s.reqs...)
}

// accepted returns the number of TCP connections accepted so far.
func (s *apiServer) accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// response101 returns a valid 101 response to the peer's request, with the
// extra header lines (each ending in CRLF).
func (p *apiPeer) response101(extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + wsproto.AcceptKey(p.req.Header.Get("Sec-WebSocket-Key")) + "\r\n" + extra + "\r\n"
}

// accept answers with a valid 101 response, echoing the first offered
// subprotocol if any.
func (p *apiPeer) accept() bool {
	extra := ""
	if offered := p.req.Header.Get("Sec-WebSocket-Protocol"); offered != "" {
		first, _, _ := strings.Cut(offered, ",")
		extra = "Sec-WebSocket-Protocol: " + strings.TrimSpace(first) + "\r\n"
	}
	return p.write([]byte(p.response101(extra)))
}

// write writes raw bytes, reporting a failure.
func (p *apiPeer) write(b []byte) bool {
	if _, err := p.nc.Write(b); err != nil {
		p.t.Errorf("server write: %v", err)
		return false
	}
	return true
}

// apiFrame returns an unmasked frame, as a server sends it.
func apiFrame(op wsproto.Opcode, payload []byte) []byte {
	h := wsproto.Header{Fin: true, Opcode: op, Length: int64(len(payload))}
	return append(wsproto.AppendHeader(nil, h), payload...)
}

// apiClosePayload returns a close frame's payload; code 0 gives the empty one.
func apiClosePayload(code CloseCode, reason string) []byte {
	if code == 0 {
		return nil
	}
	p, err := wsproto.AppendClosePayload(nil, code, reason)
	if err != nil {
		panic(err)
	}
	return p
}

// send writes one unmasked frame.
func (p *apiPeer) send(op wsproto.Opcode, payload []byte) bool {
	return p.write(apiFrame(op, payload))
}

// sendClose writes a close frame; code 0 sends an empty one.
func (p *apiPeer) sendClose(code CloseCode, reason string) bool {
	return p.send(wsproto.OpClose, apiClosePayload(code, reason))
}

// readFrame reads the client's next frame, unmasked; it fails after apiTimeout.
func (p *apiPeer) readFrame() (wsproto.Header, []byte, error) {
	p.nc.SetReadDeadline(time.Now().Add(apiTimeout))
	defer p.nc.SetReadDeadline(time.Time{})
	var hdr [wsproto.MaxHeaderSize]byte
	n := 0
	for {
		h, size, err := wsproto.ParseHeader(hdr[:n])
		if err != nil {
			return h, nil, err
		}
		if size > 0 {
			if !h.Masked {
				return h, nil, errors.New("client frame not masked")
			}
			payload := make([]byte, h.Length)
			if _, err := io.ReadFull(p.br, payload); err != nil {
				return h, nil, err
			}
			wsproto.Mask(h.Mask, 0, payload)
			return h, payload, nil
		}
		if n == len(hdr) {
			return h, nil, errors.New("frame header too long")
		}
		c, err := p.br.ReadByte()
		if err != nil {
			return h, nil, err
		}
		hdr[n] = c
		n++
	}
}

// apiMsg is a data message the server received.
type apiMsg struct {
	op   wsproto.Opcode
	data string
}

func (m apiMsg) String() string {
	if m.op == wsproto.OpBinary {
		return fmt.Sprintf("bin:%q", m.data)
	}
	return fmt.Sprintf("text:%q", m.data)
}

// readUntilClose reads the client's frames up to its close frame,
// answering pings; it returns the data frames and the close payload.
func (p *apiPeer) readUntilClose() (msgs []apiMsg, closeBody []byte, err error) {
	for {
		h, payload, err := p.readFrame()
		if err != nil {
			return msgs, nil, err
		}
		switch h.Opcode {
		case wsproto.OpClose:
			return msgs, payload, nil
		case wsproto.OpPing:
			p.send(wsproto.OpPong, payload)
		case wsproto.OpPong:
		default:
			msgs = append(msgs, apiMsg{h.Opcode, string(payload)})
		}
	}
}

// waitEOF reads until the client closes the connection.
func (p *apiPeer) waitEOF() error {
	p.nc.SetReadDeadline(time.Now().Add(apiTimeout))
	_, err := io.Copy(io.Discard, p.br)
	return err
}

// closeHandshake answers the client's close frame with the same payload
// and closes TCP, as a well-behaved server does after reading msgs.
func (p *apiPeer) echoClose() (msgs []apiMsg, closeBody []byte) {
	msgs, body, err := p.readUntilClose()
	if err != nil {
		p.t.Errorf("server: reading up to the close frame: %v", err)
		return msgs, nil
	}
	p.send(wsproto.OpClose, body)
	return msgs, body
}

// reset closes the connection abruptly, with a TCP RST.
func (p *apiPeer) reset() {
	if tc, ok := p.nc.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	p.nc.Close()
}

// events returns a copy of the recorded events.
func (r *recorder) apiEvents() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// recordAll records every event of ws with AddEventListener, in the forms
// "open", "message:<data>", "error", "close:<wasClean>:<code>:<reason>",
// each followed by "@<ReadyState>".
func recordAll(ws *WebSocket, rec *recorder) {
	for _, typ := range []string{EventOpen, EventMessage, EventError, EventClose} {
		ws.AddEventListener(typ, func(e AnyEvent) { rec.add("%s@%v", describeEvent(e), ws.ReadyState()) })
	}
}

// recordingOptions returns options whose handlers record every event as
// recordAll does (without the state), for a socket created outside a loop.
func recordingOptions(rec *recorder) *Options {
	return &Options{
		OnOpen:    func(e *Event) { rec.add("%s", describeEvent(e)) },
		OnMessage: func(e *MessageEvent) { rec.add("%s", describeEvent(e)) },
		OnError:   func(e *Event) { rec.add("%s", describeEvent(e)) },
		OnClose:   func(e *CloseEvent) { rec.add("%s", describeEvent(e)) },
	}
}

// describeEvent returns the form recordAll records.
func describeEvent(e AnyEvent) string {
	switch x := e.(type) {
	case *MessageEvent:
		switch d := x.Data.(type) {
		case string:
			return "message:" + d
		case []byte:
			return fmt.Sprintf("message:[]byte%q", d)
		case *Blob:
			b, _ := d.Bytes()
			return fmt.Sprintf("message:blob%q", b)
		}
		return fmt.Sprintf("message:%T", x.Data)
	case *CloseEvent:
		return fmt.Sprintf("close:%v:%d:%s", x.WasClean, x.Code, x.Reason)
	}
	return e.BaseEvent().Type()
}

// checkEventOrder checks the order rules of API-93 on recorded events:
// exactly one close, last; open at most once and first; error at most
// once and right before close; messages only after open.
func checkEventOrder(t *testing.T, events []string) {
	t.Helper()
	typ := func(e string) string {
		e, _, _ = strings.Cut(e, "@")
		e, _, _ = strings.Cut(e, ":")
		return e
	}
	closes, opens, errs := 0, 0, 0
	for i, e := range events {
		switch typ(e) {
		case "close":
			closes++
			if i != len(events)-1 {
				t.Errorf("API-93: close is not the last event: %q", events)
			}
		case "open":
			opens++
			if i != 0 {
				t.Errorf("API-93: open is not the first event: %q", events)
			}
		case "error":
			errs++
			if i != len(events)-2 || typ(events[len(events)-1]) != "close" {
				t.Errorf("API-93: error is not right before close: %q", events)
			}
		case "message":
			if opens == 0 {
				t.Errorf("API-93: message before open: %q", events)
			}
		}
	}
	if closes != 1 || opens > 1 || errs > 1 {
		t.Errorf("API-93: %d close, %d open, %d error events: %q", closes, opens, errs, events)
	}
}

// waitFor waits for ch, failing the test after apiTimeout. Only for the
// test's goroutine: handlers use await.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	v, ok := await(t, ch, what)
	if !ok {
		t.FailNow()
	}
	return v
}

// await waits for ch from any goroutine (a handler, a server), reporting a
// timeout after apiTimeout with t.Errorf; ok is false then.
func await[T any](t *testing.T, ch <-chan T, what string) (v T, ok bool) {
	t.Helper()
	select {
	case v = <-ch:
		return v, true
	case <-time.After(apiTimeout):
		t.Errorf("timed out waiting for %s", what)
		return v, false
	}
}

// waitDone waits for the socket's close event to have run.
func waitDone(t *testing.T, ws *WebSocket) {
	t.Helper()
	waitFor(t, ws.Done(), "the close event")
}

// eventually polls cond until it holds, failing after apiTimeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(apiTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// noDial is a NetDialContext that fails at once, for tests that only need
// a socket that never opens.
func noDial(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("no network in this test")
}

// ---- Section 1: the event-loop model ----

// TestAPI1_SharedLoopNeverOverlaps: sockets sharing a loop never run two
// handlers at once, and each socket's events come in order.
func TestAPI1_SharedLoopNeverOverlaps(t *testing.T) {
	url := newEchoServer(t)
	loop := NewEventLoop()
	var running, overlaps atomic.Int32
	var rec [3]recorder
	enter := func() func() {
		if running.Add(1) != 1 {
			overlaps.Add(1)
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond) // widen the window for an overlap
		return func() { running.Add(-1) }
	}
	const n = 20
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop.Run(func() {
			for i := range rec {
				ws, err := NewWithOptions(url, nil, &Options{Loop: loop})
				if err != nil {
					t.Error(err)
					return
				}
				ws.SetOnOpen(func(*Event) {
					defer enter()()
					for j := range n {
						ws.Send(fmt.Sprint(j))
					}
				})
				ws.SetOnMessage(func(e *MessageEvent) {
					defer enter()()
					rec[i].add("%v", e.Data)
					if e.Data == fmt.Sprint(n-1) {
						ws.Close()
					}
				})
				ws.SetOnClose(func(*CloseEvent) { defer enter()() })
			}
		})
	}()
	waitFor(t, done, "the shared loop to finish")
	if overlaps.Load() != 0 {
		t.Fatalf("%d handlers overlapped on a shared loop", overlaps.Load())
	}
	want := make([]string, n)
	for j := range want {
		want[j] = fmt.Sprint(j)
	}
	for i := range rec {
		if got := rec[i].String(); got != strings.Join(want, " ") {
			t.Errorf("socket %d: messages %s", i, got)
		}
	}
}

// TestAPI1_NotReentrant: a method called inside a handler never runs
// another handler before it returns, even one of another socket of the
// same loop (the loop runs one task at a time).
func TestAPI1_NotReentrant(t *testing.T) {
	url := newEchoServer(t)
	var depth, maxDepth atomic.Int32
	in := func() func() {
		if d := depth.Add(1); d > maxDepth.Load() {
			maxDepth.Store(d)
		}
		return func() { depth.Add(-1) }
	}
	runWithin(t, apiTimeout, func() {
		a, _ := New(url)
		b, _ := New(url)
		for _, ws := range []*WebSocket{a, b} {
			ws.SetOnOpen(func(*Event) {
				defer in()()
				ws.Send("x")
				a.Send("from-any")
			})
			ws.SetOnMessage(func(*MessageEvent) {
				defer in()()
				a.Close()
				b.Close()
			})
			ws.SetOnClose(func(*CloseEvent) { defer in()() })
		}
	})
	if maxDepth.Load() != 1 {
		t.Fatalf("handlers nested %d deep", maxDepth.Load())
	}
}

// TestAPI2_NoHandlerInsideMethods: New, Close in CONNECTING and Send never
// dispatch an event before returning; a flag set after Close is already
// set in the error and close handlers (WPT close-connecting-async).
func TestAPI2_NoHandlerInsideMethods(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	runWithin(t, apiTimeout, func() {
		flag := false
		ws, _ := New(url)
		ws.SetOnError(func(*Event) { rec.add("error:%v", flag) })
		ws.SetOnClose(func(*CloseEvent) { rec.add("close:%v", flag) })
		ws.Close()
		ws.Send("ignored") // CLOSING now: counted, not sent, no event
		flag = true
	})
	if got, want := rec.String(), "error:true close:true"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestAPI2_API83_OptionsHandlersMissNothing: a socket created outside any
// loop task, with its handlers given in Options, sees every event, the
// open event included (decision 8).
func TestAPI2_API83_OptionsHandlersMissNothing(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		// The 101 response and the first message in one write: the open
		// task and the message task are queued at once.
		p.write(append([]byte(p.response101("")), apiFrame(wsproto.OpText, []byte("hi"))...))
		p.sendClose(4000, "bye")
		p.readUntilClose()
	})
	for range 20 { // a race would show on some runs
		var rec recorder
		opts := recordingOptions(&rec)
		target := make(chan any, 1)
		opts.OnOpen = func(e *Event) { rec.add("open"); target <- e.Target() }
		ws, err := NewWithOptions(srv.url, nil, opts)
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, ws)
		if got, want := rec.String(), "open message:hi close:true:4000:bye"; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
		// The way to reach the socket from such a handler.
		if got := <-target; got != any(ws) {
			t.Fatalf("the open event's Target is %v, not the socket", got)
		}
	}
}

// TestAPI3_TaskOrder: open, the messages in arrival order, the CLOSING
// change, then close; the state seen at each event follows.
func TestAPI3_TaskOrder(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		var b []byte
		b = append(b, p.response101("")...)
		for _, m := range []string{"one", "two", "three"} {
			b = append(b, apiFrame(wsproto.OpText, []byte(m))...)
		}
		b = append(b, apiFrame(wsproto.OpClose, apiClosePayload(4001, "end"))...)
		p.write(b)
		p.readUntilClose()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
	})
	got := rec.apiEvents()
	checkEventOrder(t, got)
	want := "open@OPEN message:one@OPEN message:two@OPEN message:three@OPEN close:true:4001:end@CLOSED"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestAPI4_OnlySynchronousChanges: while a handler runs, the getters change
// only through the program's own Send (BufferedAmount up) and Close
// (CLOSING) and SetBinaryType, even though the server's close frame came
// and our bytes went out meanwhile; a Send after the server's close frame
// still reads OPEN and is counted but not sent (API-63).
func TestAPI4_OnlySynchronousChanges(t *testing.T) {
	serverDone := make(chan []apiMsg, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		h, payload, err := p.readFrame()
		if err != nil || h.Opcode != wsproto.OpText {
			t.Errorf("server: %v %v", h.Opcode, err)
		}
		p.sendClose(4000, "server")
		msgs, _, _ := p.readUntilClose() // the client's reply
		serverDone <- append([]apiMsg{{h.Opcode, string(payload)}}, msgs...)
	})
	var states []string
	var stop atomic.Bool
	var pollerSaw recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			// A poller on another goroutine: what it sees during this
			// handler must not change but for our own calls.
			pollDone := make(chan struct{})
			go func() {
				defer close(pollDone)
				for !stop.Load() {
					pollerSaw.add("%v/%d/%s", ws.ReadyState(), ws.BufferedAmount(), ws.BinaryType())
					time.Sleep(time.Millisecond)
				}
			}()
			ws.Send("hello") // 5 bytes
			msgs, _ := await(t, serverDone, "the server's close handshake")
			// The message went out, the server's close frame came and was
			// answered: still OPEN, still 5 until this task ends.
			states = append(states, fmt.Sprintf("%v/%d", ws.ReadyState(), ws.BufferedAmount()))
			ws.Send("late") // the closing handshake has started: counted, not sent
			states = append(states, fmt.Sprintf("%v/%d", ws.ReadyState(), ws.BufferedAmount()))
			ws.SetBinaryType(BinaryTypeArrayBuffer)
			stop.Store(true)
			<-pollDone
			if fmt.Sprint(msgs) != `[text:"hello"]` {
				t.Errorf("server received %v", msgs)
			}
		})
		ws.SetOnClose(func(e *CloseEvent) {
			states = append(states, fmt.Sprintf("%v/%d/%d", ws.ReadyState(), ws.BufferedAmount(), e.Code))
		})
	})
	if got, want := strings.Join(states, " "), "OPEN/5 OPEN/9 CLOSED/4/4000"; got != want {
		t.Fatalf("states %s, want %s", got, want)
	}
	allowed := map[string]bool{"OPEN/0/blob": true, "OPEN/5/blob": true, "OPEN/9/blob": true, "OPEN/9/arraybuffer": true}
	for _, s := range pollerSaw.apiEvents() {
		if !allowed[s] {
			t.Fatalf("a poller saw %s during the handler", s)
		}
	}
}

// TestAPI5_BlockingHandlerDelaysButLosesNothing: a handler that blocks
// while the server sends delays the message events, which all arrive
// afterwards, in order.
func TestAPI5_BlockingHandlerDelaysButLosesNothing(t *testing.T) {
	sent := make(chan struct{})
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		for i := range 5 {
			p.send(wsproto.OpText, []byte(fmt.Sprint("m", i)))
		}
		close(sent)
		p.echoClose()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			await(t, sent, "the server's messages")
			rec.add("open-end")
		})
		ws.SetOnMessage(func(e *MessageEvent) {
			rec.add("%v", e.Data)
			if e.Data == "m4" {
				ws.Close()
			}
		})
	})
	if got, want := rec.String(), "open-end m0 m1 m2 m3 m4"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestAPI6_MethodsFromAnyGoroutine: every method may be called from any
// goroutine while handlers run (checked by -race); Send and Close inside
// handlers never deadlock; Close inside OnClose keeps CLOSED and fires
// nothing more (WPT close-nested).
func TestAPI6_MethodsFromAnyGoroutine(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	var got atomic.Int32
	runWithin(t, apiTimeout, func() {
		ws, _ := New(url)
		ws.SetOnOpen(func(*Event) {
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 25 {
						ws.Send(fmt.Sprint(g, "-", i))
						ws.BufferedAmount()
						ws.ReadyState()
						ws.Protocol()
						ws.Extensions()
						ws.SetBinaryType(BinaryTypeArrayBuffer)
						ws.BinaryType()
						ws.URL()
					}
				}()
			}
			// The handler goes on while the goroutines send: no waiting
			// for them here would be needed, but the last one closes.
			go func() {
				wg.Wait()
				ws.Send("last")
			}()
		})
		ws.SetOnMessage(func(e *MessageEvent) {
			got.Add(1)
			if e.Data == "last" {
				ws.Close(WithCode(4000))
			}
		})
		ws.SetOnClose(func(e *CloseEvent) {
			rec.add("close:%d", e.Code)
			if err := ws.Close(); err != nil {
				t.Errorf("Close in OnClose: %v", err)
			}
			if err := ws.Close(WithCode(1000), WithReason("again")); err != nil {
				t.Errorf("Close in OnClose: %v", err)
			}
			rec.add("state:%v", ws.ReadyState())
		})
	})
	if got, want := rec.String(), "close:4000 state:CLOSED"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got.Load() != 101 {
		t.Fatalf("%d echoes, want 101", got.Load())
	}
}

// ---- Section 2: the constructor ----

// TestAPI19_API43_URLNeverChanges: URL() is the serialization stored at
// construction, the same in every state (here with http mapped to ws,
// API-8, and dot segments and a space resolved and encoded, API-15).
func TestAPI19_API43_URLNeverChanges(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.echoClose()
	})
	in := "HTTP://" + srv.addr + "/a/../b?q=1 2"
	want := "ws://" + srv.addr + "/b?q=1%202"
	var seen []string
	runWithin(t, apiTimeout, func() {
		ws, err := New(in)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ws.URL())
		ws.SetOnOpen(func(*Event) { seen = append(seen, ws.URL()); ws.Close() })
		ws.SetOnClose(func(*CloseEvent) { seen = append(seen, ws.URL()) })
	})
	if len(seen) != 3 {
		t.Fatalf("saw %q", seen)
	}
	for _, u := range seen {
		if u != want {
			t.Fatalf("URL() = %q, want %q", u, want)
		}
	}
	if reqs := srv.requests(); len(reqs) != 1 || reqs[0].req.RequestURI != "/b?q=1%202" {
		t.Fatalf("request target: %+v", reqs)
	}
}

// TestAPI20_ProtocolsVariadic: one string is a one-element list; nil, no
// argument and an empty list are the same (no header at all).
func TestAPI20_ProtocolsVariadic(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.echoClose()
	})
	for _, tc := range []struct {
		name string
		make func() (*WebSocket, error)
		want []string
	}{
		{"none", func() (*WebSocket, error) { return New(srv.url) }, nil},
		{"nil", func() (*WebSocket, error) { return NewWithOptions(srv.url, nil, nil) }, nil},
		{"empty", func() (*WebSocket, error) { return NewWithOptions(srv.url, []string{}, nil) }, nil},
		{"one", func() (*WebSocket, error) { return New(srv.url, "chat") }, []string{"chat"}},
		{"slice", func() (*WebSocket, error) { return New(srv.url, []string{"chat", "v2"}...) }, []string{"chat, v2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(srv.requests())
			var protocol string
			runWithin(t, apiTimeout, func() {
				ws, err := tc.make()
				if err != nil {
					t.Fatal(err)
				}
				ws.SetOnOpen(func(*Event) { protocol = ws.Protocol(); ws.Close() })
			})
			reqs := srv.requests()
			if len(reqs) != n+1 {
				t.Fatalf("%d requests", len(reqs)-n)
			}
			if got := reqs[n].req.Header.Values("Sec-WebSocket-Protocol"); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("Sec-WebSocket-Protocol %q, want %q", got, tc.want)
			}
			if tc.want != nil && protocol != "chat" {
				t.Fatalf("Protocol() = %q", protocol)
			}
		})
	}
}

// TestAPI23_ValidationOrderNoNetwork: a URL error is reported before a
// protocol error, and no check failure touches the network. The cases are
// a bad host (API-7), a foreign scheme (API-9), a fragment (API-10), a bad
// or repeated subprotocol (API-21, API-22), an insecure URL in a secure
// context (API-41) and refused headers (API-109).
func TestAPI23_ValidationOrderNoNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	var dials atomic.Int32
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}
	for _, tc := range []struct {
		url       string
		protocols []string
		opts      Options
		want      error
		mention   string
	}{
		{"ws://a b/", []string{"bad protocol"}, Options{}, ErrSyntax, "URL"},
		{"ftp://" + addr + "/", []string{""}, Options{}, ErrSyntax, "scheme"},
		{"ws://" + addr + "/#frag", []string{"a", "a"}, Options{}, ErrSyntax, "fragment"},
		{"ws://" + addr + "/", []string{"a", "a"}, Options{}, ErrSyntax, "more than once"},
		{"ws://" + addr + "/", []string{"a b"}, Options{}, ErrSyntax, "subprotocol"},
		{"ws://" + addr + "/", nil, Options{SecureContext: true}, ErrSecurity, "insecure"},
		{"ws://" + addr + "/", nil, Options{Header: http.Header{"Sec-Websocket-Key": {"x"}}}, ErrSyntax, "handshake"},
		{"ws://" + addr + "/", nil, Options{Header: http.Header{"X-Bad": {"a\r\nb"}}}, ErrSyntax, "control character"},
	} {
		o := tc.opts
		o.NetDialContext = dial
		ws, err := NewWithOptions(tc.url, tc.protocols, &o)
		if !errors.Is(err, tc.want) || ws != nil {
			t.Errorf("New(%q, %q): %v, %v; want %v", tc.url, tc.protocols, ws, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("New(%q, %q): %v, which does not mention %q", tc.url, tc.protocols, err, tc.mention)
		}
	}
	// Nothing may connect: a connection attempt would be accepted at once.
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
	if c, err := ln.Accept(); err == nil {
		c.Close()
		t.Fatal("a refused constructor call connected")
	}
	if dials.Load() != 0 {
		t.Fatalf("%d dials", dials.Load())
	}
}
