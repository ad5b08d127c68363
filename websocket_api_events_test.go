//go:build !js

package websocket

// Sections 7 to 11 of the checklist: feedback from the protocol (API-83..
// API-94), event handlers, listeners and event objects on a live socket
// (API-95..API-103), lifetime (API-104..API-107) and ping/pong (API-108).

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestAPI84_MessagesDroppedOnceClosing: messages are dispatched only while
// OPEN: Close inside the first of three quick messages leaves one message
// event; what the server sends while we are CLOSING is read and dropped.
// The event's Origin is the URL's origin, without a default port.
func TestAPI84_MessagesDroppedOnceClosing(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		var b []byte
		b = append(b, p.response101("")...)
		for _, m := range []string{"one", "two", "three"} {
			b = append(b, apiFrame(wsproto.OpText, []byte(m))...)
		}
		p.write(b)
		_, body, err := p.readUntilClose()
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		p.send(wsproto.OpText, []byte("while closing")) // allowed before our close reply
		p.send(wsproto.OpClose, body)
	})
	for _, tc := range []struct{ url, origin string }{
		{srv.url + "/a", srv.url},
		{"ws://Example.TEST:80/a", "ws://example.test"},
	} {
		var rec recorder
		var origins []string
		runWithin(t, apiTimeout, func() {
			ws, _ := NewWithOptions(tc.url, nil, &Options{NetDialContext: dialAddr(srv.addr, nil)})
			recordAll(ws, &rec)
			ws.SetOnMessage(func(e *MessageEvent) {
				origins = append(origins, e.Origin)
				ws.Close()
			})
		})
		if got, want := rec.String(), "open@OPEN message:one@OPEN close:true:1005:@CLOSED"; got != want {
			t.Errorf("%s: events %s, want %s", tc.url, got, want)
		}
		if fmt.Sprint(origins) != "["+tc.origin+"]" {
			t.Errorf("%s: origins %q, want %q", tc.url, origins, tc.origin)
		}
	}
}

// TestAPI86_API94_ProtocolViolationAfterOpen: a good message, then a
// reserved opcode: message, then error, then close 1006 not clean (the
// connection was failed, with 1002 in our close frame, which the event does
// not report: API-89); nothing after the violation is processed. Data after
// the server's close frame is ignored.
func TestAPI86_API94_ProtocolViolationAfterOpen(t *testing.T) {
	sentCode := make(chan CloseCode, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		switch p.req.RequestURI {
		case "/violation":
			var b []byte
			b = append(b, apiFrame(wsproto.OpText, []byte("good"))...)
			b = append(b, apiFrame(wsproto.Opcode(3), []byte("bad"))...)
			b = append(b, apiFrame(wsproto.OpText, []byte("after"))...)
			p.write(b)
			_, body, err := p.readUntilClose()
			if err != nil {
				t.Errorf("server: %v", err)
			}
			code, _, _ := wsproto.ParseClosePayload(body)
			sentCode <- code
			p.waitEOF()
		case "/after-close":
			var b []byte
			b = append(b, apiFrame(wsproto.OpClose, apiClosePayload(4000, "bye"))...)
			b = append(b, apiFrame(wsproto.OpText, []byte("ignored"))...)
			p.write(b)
			p.readUntilClose()
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/violation", "open@OPEN message:good@OPEN error@CLOSED close:false:1006:@CLOSED"},
		{"/after-close", "open@OPEN close:true:4000:bye@CLOSED"},
	} {
		var rec recorder
		runWithin(t, apiTimeout, func() {
			ws, _ := New(srv.url + tc.path)
			recordAll(ws, &rec)
		})
		if got := rec.String(); got != tc.want {
			t.Errorf("%s: events %s, want %s", tc.path, got, tc.want)
		}
		checkEventOrder(t, rec.apiEvents())
	}
	if code := waitFor(t, sentCode, "our close frame"); code != CloseProtocolError {
		t.Errorf("our close frame had %v, want 1002", code)
	}
}

// TestAPI87_API88_API89_API90_API92_API93_HowConnectionsEnd: the error
// event comes only for a failed connection (API-87: a malformed close
// frame is a failure; a transport that just ends after open is not, so no
// error, API-92); WasClean only after a completed closing handshake
// (API-88); the code is the received one, 1005 for an empty body, 1006
// when none came (API-89), with the reason decoded without stripping a BOM
// (API-90); every sequence obeys the order rules (API-93).
func TestAPI87_API88_API89_API90_API92_API93_HowConnectionsEnd(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		switch p.req.RequestURI {
		case "/client-close":
			p.echoClose()
		case "/server-close":
			p.sendClose(4000, "srv")
			p.readUntilClose()
		case "/server-close-empty":
			p.sendClose(0, "")
			p.readUntilClose()
		case "/server-close-bom":
			p.sendClose(4000, "\uFEFFreason")
			p.readUntilClose()
		case "/fin":
			p.send(wsproto.OpText, []byte("m"))
			p.nc.Close()
		case "/rst":
			p.send(wsproto.OpText, []byte("m"))
			p.readFrame() // the client has the message: it sent "ack"
			p.reset()
		case "/close-1-byte":
			p.send(wsproto.OpClose, []byte{0x03})
			p.waitEOF()
		case "/close-1005":
			p.send(wsproto.OpClose, []byte{0x03, 0xED})
			p.waitEOF()
		case "/close-1015":
			p.send(wsproto.OpClose, []byte{0x03, 0xF7})
			p.waitEOF()
		case "/close-bad-utf8":
			p.send(wsproto.OpClose, []byte{0x0F, 0xA0, 0xFF})
			p.waitEOF()
		case "/too-big":
			p.send(wsproto.OpBinary, make([]byte, 20))
			p.waitEOF()
		case "/no-reply":
			p.readUntilClose()
			p.waitEOF()
		}
	})
	for _, tc := range []struct {
		path string
		opts Options
		want string
	}{
		{"/client-close", Options{}, "open close:true:1005:"},
		{"/server-close", Options{}, "open close:true:4000:srv"},
		{"/server-close-empty", Options{}, "open close:true:1005:"},
		{"/server-close-bom", Options{}, "open close:true:4000:\uFEFFreason"},
		{"/fin", Options{}, "open message:m close:false:1006:"},
		{"/rst", Options{}, "open message:m close:false:1006:"},
		{"/close-1-byte", Options{}, "open error close:false:1006:"},
		{"/close-1005", Options{}, "open error close:false:1006:"},
		{"/close-1015", Options{}, "open error close:false:1006:"}, // API-91: 1015 never reaches the application
		{"/close-bad-utf8", Options{}, "open error close:false:1006:"},
		{"/too-big", Options{MaxMessageSize: 10}, "open error close:false:1006:"},
		{"/no-reply", Options{CloseTimeout: 100 * time.Millisecond}, "open close:false:1006:"},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			var rec recorder
			var cause error
			runWithin(t, apiTimeout, func() {
				ws, _ := NewWithOptions(srv.url+tc.path, nil, &tc.opts)
				ws.SetOnOpen(func(*Event) {
					rec.add("open")
					if tc.path == "/client-close" || tc.path == "/no-reply" {
						ws.Close()
					}
				})
				ws.SetOnMessage(func(e *MessageEvent) { rec.add("%s", describeEvent(e)); ws.Send("ack") })
				ws.SetOnError(func(e *Event) { rec.add("error") })
				ws.SetOnClose(func(e *CloseEvent) { rec.add("%s", describeEvent(e)); cause = e.Cause })
			})
			if got := rec.String(); got != tc.want {
				t.Errorf("events %s, want %s", got, tc.want)
			}
			checkEventOrder(t, rec.apiEvents())
			if clean := strings.Contains(tc.want, "close:true"); clean != (cause == nil) {
				t.Errorf("Cause %v for a clean close: %v", cause, clean)
			}
		})
	}
}

// TestAPI95_API96_API97_HandlersAndListenersLive: on a live socket, the
// handler slots and listeners run in registration order, a handler keeps
// its place when replaced and moves to the end when cleared and set again
// (API-96); nil clears a slot and the getter says so (API-95); a removed
// listener is not called again (API-97).
func TestAPI95_API96_API97_HandlersAndListenersLive(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		for _, m := range []string{"m1", "m2", "m3"} {
			p.send(wsproto.OpText, []byte(m))
		}
		p.echoClose()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		remove1 := ws.AddEventListener(EventMessage, func(e AnyEvent) { rec.add("L1:%v", e.(*MessageEvent).Data) })
		ws.SetOnMessage(func(e *MessageEvent) { rec.add("H-old:%v", e.Data) })
		ws.AddEventListener(EventMessage, func(e AnyEvent) { rec.add("L3:%v", e.(*MessageEvent).Data) })
		ws.SetOnMessage(func(e *MessageEvent) { rec.add("H:%v", e.Data) }) // replaced: keeps place 2
		if ws.OnMessage() == nil || ws.OnOpen() != nil {
			t.Error("handler getters wrong")
		}
		ws.AddEventListener(EventMessage, func(e AnyEvent) {
			switch e.(*MessageEvent).Data {
			case "m1":
				remove1()
				ws.SetOnMessage(nil)
				if ws.OnMessage() != nil {
					t.Error("OnMessage not nil after SetOnMessage(nil)")
				}
			case "m2":
				ws.SetOnMessage(func(e *MessageEvent) { rec.add("H-new:%v", e.Data) }) // at the end now
			case "m3":
				ws.Close()
			}
		})
	})
	want := "L1:m1 H:m1 L3:m1 L3:m2 L3:m3 H-new:m3"
	if got := rec.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestAPI98_API101_API102_API103_EventObjectsLive: the events of a real
// connection: Target and CurrentTarget are the socket during dispatch,
// phase AT_TARGET, not bubbling, not cancelable, trusted; afterwards
// CurrentTarget is nil and the phase NONE (API-98, API-101); a message
// event has Data, Origin and an empty LastEventID (API-102); the close event
// its fields (API-103).
func TestAPI98_API101_API102_API103_EventObjectsLive(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.send(wsproto.OpText, []byte("data"))
		p.sendClose(4000, "end")
		p.readUntilClose()
	})
	var events []AnyEvent
	var during []string
	var self *WebSocket
	start := time.Now()
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		self = ws
		for _, typ := range []string{EventOpen, EventMessage, EventClose} {
			ws.AddEventListener(typ, func(e AnyEvent) {
				b := e.BaseEvent()
				during = append(during, fmt.Sprintf("%s:%v:%v:%v:%v:%v:%v", b.Type(), b.Target() == any(ws), b.CurrentTarget() == any(ws),
					b.EventPhase(), b.Bubbles(), b.Cancelable(), b.IsTrusted()))
				events = append(events, e)
			})
		}
	})
	want := "open:true:true:AT_TARGET:false:false:true message:true:true:AT_TARGET:false:false:true close:true:true:AT_TARGET:false:false:true"
	if got := strings.Join(during, " "); got != want {
		t.Fatalf("during dispatch:\n got %s\nwant %s", got, want)
	}
	for _, e := range events {
		b := e.BaseEvent()
		if b.Target() != any(self) || b.CurrentTarget() != nil || b.EventPhase() != EventPhaseNone {
			t.Errorf("%s after dispatch: target %v, current %v, phase %v", b.Type(), b.Target() == any(self), b.CurrentTarget(), b.EventPhase())
		}
		if ts := b.TimeStamp(); ts.Before(start) || ts.After(time.Now()) {
			t.Errorf("%s: TimeStamp %v", b.Type(), ts)
		}
	}
	if _, ok := events[0].(*Event); !ok {
		t.Errorf("open is a %T", events[0])
	}
	m, ok := events[1].(*MessageEvent)
	if !ok || m.Data != "data" || m.Origin != srv.url || m.LastEventID != "" {
		t.Errorf("message event %#v", events[1])
	}
	c, ok := events[2].(*CloseEvent)
	if !ok || !c.WasClean || c.Code != 4000 || c.Reason != "end" || c.Cause != nil {
		t.Errorf("close event %#v", events[2])
	}
}

// TestAPI99_PanickingHandlersDoNotStopDispatch: a panic in a handler or
// listener is recovered and reported to OnPanic; the next listeners of
// the event and the later events still run.
func TestAPI99_PanickingHandlersDoNotStopDispatch(t *testing.T) {
	url := newEchoServer(t)
	var rec, panics recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := NewWithOptions(url, nil, &Options{OnPanic: func(typ string, v any) { panics.add("%s:%v", typ, v) }})
		ws.SetOnOpen(func(*Event) { ws.Send("x"); panic("in open") })
		ws.AddEventListener(EventOpen, func(AnyEvent) { rec.add("open-listener") })
		ws.SetOnMessage(func(*MessageEvent) { ws.Close(); panic(errors.New("in message")) })
		ws.AddEventListener(EventMessage, func(AnyEvent) { rec.add("message-listener") })
		ws.SetOnClose(func(*CloseEvent) { rec.add("close"); panic(42) })
	})
	if got, want := rec.String(), "open-listener message-listener close"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if got, want := panics.String(), "open:in open message:in message close:42"; got != want {
		t.Errorf("panics %s, want %s", got, want)
	}
}

// TestAPI100_SyntheticEventsLive: DispatchEvent on a live socket reaches the
// handler and listeners at once, untrusted, and changes no state.
func TestAPI100_SyntheticEventsLive(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(url)
		ws.SetOnClose(func(e *CloseEvent) { rec.add("close:%v:%d:%v@%v", e.IsTrusted(), e.Code, e.WasClean, ws.ReadyState()) })
		ws.SetOnMessage(func(e *MessageEvent) { rec.add("message:%v:%v", e.IsTrusted(), e.Data) })
		ws.SetOnOpen(func(*Event) {
			ok, err := ws.DispatchEvent(NewCloseEvent(EventClose, CloseEventInit{Code: 4321}))
			rec.add("dispatched:%v:%v@%v", ok, err, ws.ReadyState())
			ws.DispatchEvent(NewMessageEvent(EventMessage, "fake", "ws://x"))
			ws.Send("real")
		})
		ws.AddEventListener(EventMessage, func(e AnyEvent) {
			if e.(*MessageEvent).Data == "real" {
				ws.Close()
			}
		})
	})
	want := "close:false:4321:false@OPEN dispatched:true:<nil>@OPEN message:false:fake message:true:real close:true:1005:true@CLOSED"
	if got := rec.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// gcUntil runs the garbage collector until ch delivers or apiTimeout
// passes; the cleanups of collected handles run after a collection.
func gcUntil[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	deadline := time.Now().Add(apiTimeout)
	for {
		runtime.GC()
		select {
		case v := <-ch:
			return v
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out collecting garbage until %s", what)
		}
	}
}

// gcServer is a raw server for the lifetime tests: it accepts, sends each
// string from send as a text message, and reports the data messages it
// received and the body of the client's close frame, which it echoes.
type gcServer struct {
	*apiServer
	send   chan string
	closed chan string // "msgs|body"
}

func startGCServer(t *testing.T) *gcServer {
	s := &gcServer{send: make(chan string, 10), closed: make(chan string, 1)}
	s.apiServer = startAPIServer(t, func(p *apiPeer) {
		p.accept()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case m := <-s.send:
					if m == "" {
						p.sendClose(4000, "server")
						continue
					}
					p.send(wsproto.OpText, []byte(m))
				case <-stop:
					return
				}
			}
		}()
		msgs, body, err := p.readUntilClose()
		if err != nil {
			return
		}
		p.send(wsproto.OpClose, body)
		s.closed <- fmt.Sprintf("%v|%x", msgs, body)
	})
	return s
}

// TestAPI104_API105_Lifetime: a handle nobody holds any more is collected,
// and an open socket then starts the closing handshake with no status code
// (an empty close frame), after the data it had queued (API-105); while it
// has listeners that the standard says keep it alive, it stays: events
// still arrive (API-104). The listeners here do not hold the handle.
func TestAPI104_API105_Lifetime(t *testing.T) {
	t.Run("no-listeners", func(t *testing.T) {
		srv := startGCServer(t)
		func() {
			ws, _ := New(srv.url)
			eventually(t, "OPEN", func() bool { return ws.ReadyState() == Open })
			ws.Send("queued")
		}()
		if got, want := gcUntil(t, srv.closed, "the close frame"), `[text:"queued"]|`; got != want {
			t.Fatalf("server got %s, want %s", got, want)
		}
	})

	t.Run("listeners-removed", func(t *testing.T) {
		srv := startGCServer(t)
		func() {
			ws, _ := New(srv.url)
			remove := ws.AddEventListener(EventMessage, func(AnyEvent) {})
			eventually(t, "OPEN", func() bool { return ws.ReadyState() == Open })
			remove()
		}()
		if got, want := gcUntil(t, srv.closed, "the close frame"), `[]|`; got != want {
			t.Fatalf("server got %s, want %s", got, want)
		}
	})

	t.Run("message-listener-keeps-it", func(t *testing.T) {
		srv := startGCServer(t)
		got := make(chan string, 10)
		done := func() <-chan struct{} {
			var o Options
			o.OnMessage = func(e *MessageEvent) { got <- e.Text() }
			o.OnClose = func(e *CloseEvent) { got <- fmt.Sprintf("close:%d", e.Code) }
			ws, _ := NewWithOptions(srv.url, nil, &o)
			eventually(t, "OPEN", func() bool { return ws.ReadyState() == Open })
			return ws.Done()
		}()
		for range 5 {
			runtime.GC()
			time.Sleep(2 * time.Millisecond) // room for a wrongly queued cleanup to run
		}
		srv.send <- "still there?"
		if m := waitFor(t, got, "the message"); m != "still there?" {
			t.Fatalf("got %q", m)
		}
		srv.send <- "" // the server closes
		if m := waitFor(t, got, "the close event"); m != "close:4000" {
			t.Fatalf("got %q", m)
		}
		waitFor(t, done, "the end")
		if c := waitFor(t, srv.closed, "the server's report"); !strings.HasPrefix(c, "[]|0fa0") { // our reply to 4000, not a close of our own
			t.Fatalf("server got %s", c)
		}
	})

	t.Run("open-listener-only-while-connecting", func(t *testing.T) {
		// CONNECTING with any listener keeps it; once OPEN, an open
		// listener alone does not, so it is then collected and closed.
		srv := startGCServer(t)
		opened := make(chan struct{})
		func() {
			ws, _ := NewWithOptions(srv.url, nil, &Options{OnOpen: func(*Event) { close(opened) }})
			_ = ws
		}()
		runtime.GC()
		waitFor(t, opened, "the open event")
		if got, want := gcUntil(t, srv.closed, "the close frame"), `[]|`; got != want {
			t.Fatalf("server got %s, want %s", got, want)
		}
	})
}

// TestAPI106_OwnerContextInEveryState: the end of Options.Context fails a
// connecting socket, closes an open one with 1001, and does nothing to a
// closing or closed one.
func TestAPI106_OwnerContextInEveryState(t *testing.T) {
	frames := make(chan string, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		if p.req.RequestURI == "/held" {
			p.waitEOF()
			frames <- "eof"
			return
		}
		p.accept()
		_, body, err := p.readUntilClose()
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		p.send(wsproto.OpClose, body)
		p.nc.(interface{ CloseWrite() error }).CloseWrite()
		n := 1
		for {
			h, _, err := p.readFrame()
			if err != nil {
				break
			}
			if h.Opcode == wsproto.OpClose {
				n++
			}
		}
		frames <- fmt.Sprintf("%x/%d", body, n)
	})
	for _, tc := range []struct {
		name, path string
		want       string
		server     string
	}{
		{"connecting", "/held", "error close:false:1006:", "eof"},
		{"open", "/", "open close:true:1001:", "03e9/1"},
		{"closing", "/", "open close:true:4000:", "0fa0/1"},
		{"closed", "/", "open close:true:4000:", "0fa0/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var rec recorder
			runWithin(t, apiTimeout, func() {
				ws, _ := NewWithOptions(srv.url+tc.path, nil, &Options{Context: ctx})
				ws.SetOnOpen(func(*Event) {
					rec.add("open")
					switch tc.name {
					case "open":
						cancel()
					case "closing", "closed":
						ws.Close(WithCode(4000))
						if tc.name == "closing" {
							cancel()
						}
					}
				})
				ws.SetOnError(func(*Event) { rec.add("error") })
				ws.SetOnClose(func(e *CloseEvent) { rec.add("%s", describeEvent(e)) })
				if tc.name == "connecting" {
					go func() {
						defer cancel()
						for deadline := time.Now().Add(apiTimeout); len(srv.requests()) == 0 && time.Now().Before(deadline); {
							time.Sleep(time.Millisecond)
						}
					}()
				}
			})
			if tc.name == "closed" {
				cancel() // after the close event: nothing happens
			}
			if got := rec.String(); got != tc.want {
				t.Errorf("events %s, want %s", got, tc.want)
			}
			if got := waitFor(t, frames, "the server's report"); got != tc.server {
				t.Errorf("server saw %s, want %s", got, tc.server)
			}
		})
	}
}

// TestAPI107_IdleConnectionStaysOpen: an idle connection is not closed:
// with the keepalive's intervals scaled down, many silent intervals pass
// (the keepalive pings, the server answers) and the socket is still open;
// a socket with the default options, idle meanwhile, too (there is no idle
// timeout).
func TestAPI107_IdleConnectionStaysOpen(t *testing.T) {
	const want = 3 // pings: each takes an interval of silence and the pong's wait
	pings := make(chan struct{}, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		n := 0
		for {
			h, payload, err := p.readFrame()
			if err != nil {
				return
			}
			switch h.Opcode {
			case wsproto.OpPing:
				p.send(wsproto.OpPong, payload)
				if n++; n == want && p.req.RequestURI == "/fast" {
					pings <- struct{}{}
				}
			case wsproto.OpClose:
				p.send(wsproto.OpClose, payload)
				return
			}
		}
	})
	var rec recorder
	fast, _ := NewWithOptions(srv.url+"/fast", nil, &Options{PingInterval: 10 * time.Millisecond, PingTimeout: 200 * time.Millisecond,
		OnClose: func(e *CloseEvent) { rec.add("fast:%s", describeEvent(e)) }})
	slow, _ := NewWithOptions(srv.url+"/default", nil, &Options{OnClose: func(e *CloseEvent) { rec.add("default:%s", describeEvent(e)) }})
	waitFor(t, pings, fmt.Sprint(want, " keepalive pings"))
	if fast.ReadyState() != Open || slow.ReadyState() != Open || rec.String() != "" {
		t.Fatalf("after %d keepalive pings: %v, %v, %s", want, fast.ReadyState(), slow.ReadyState(), rec.String())
	}
	fast.Close()
	slow.Close()
	waitDone(t, fast)
	waitDone(t, slow)
}

// TestAPI108_PingPong: the server's pings are answered with their payload
// and never surface as events; a keepalive ping that goes unanswered fails
// the connection: error, then close 1006, with ErrKeepaliveTimeout as the
// cause.
func TestAPI108_PingPong(t *testing.T) {
	pong := make(chan string, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		if p.req.RequestURI == "/silent" {
			p.waitEOF() // never answers the keepalive's ping
			return
		}
		p.send(wsproto.OpPing, []byte("heartbeat"))
		h, payload, err := p.readFrame()
		if err != nil || h.Opcode != wsproto.OpPong {
			t.Errorf("server: %v %v", h.Opcode, err)
		}
		pong <- string(payload)
		p.sendClose(4000, "")
		p.readUntilClose()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
	})
	if got := waitFor(t, pong, "the pong"); got != "heartbeat" {
		t.Errorf("pong %q", got)
	}
	if got, want := rec.String(), "open@OPEN close:true:4000:@CLOSED"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}

	var rec2 recorder
	var cause error
	runWithin(t, apiTimeout, func() {
		ws, _ := NewWithOptions(srv.url+"/silent", nil, &Options{PingInterval: 10 * time.Millisecond, PingTimeout: 30 * time.Millisecond})
		recordAll(ws, &rec2)
		ws.SetOnClose(func(e *CloseEvent) { cause = e.Cause })
	})
	if got, want := rec2.String(), "open@OPEN error@CLOSED close:false:1006:@CLOSED"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if !errors.Is(cause, ErrKeepaliveTimeout) {
		t.Errorf("cause %v", cause)
	}
}
