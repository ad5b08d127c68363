//go:build !js

package websocket

// Section 2.3 and 4 of the checklist: the state after construction and the
// attributes (API-24, API-44..API-60; API-43 is in websocket_api_test.go).

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestAPI24_InitialStateInSetupTask: right after the constructor, in the
// setup task (where nothing can change it yet): CONNECTING, nothing
// buffered, no protocol or extensions, binary type blob, no handlers.
func TestAPI24_InitialStateInSetupTask(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) { p.accept(); p.echoClose() })
	var got string
	runWithin(t, apiTimeout, func() {
		ws, err := New(srv.url, "chat")
		if err != nil {
			t.Fatal(err)
		}
		got = fmt.Sprintf("%v %d %q %q %v %v %v %v %v", ws.ReadyState(), ws.BufferedAmount(), ws.Protocol(),
			ws.Extensions(), ws.BinaryType(), ws.OnOpen() == nil, ws.OnMessage() == nil, ws.OnError() == nil, ws.OnClose() == nil)
		ws.SetOnOpen(func(*Event) { ws.Close() })
	})
	if want := `CONNECTING 0 "" "" blob true true true true`; got != want {
		t.Fatalf("initial state %s, want %s", got, want)
	}
}

// TestAPI44_ReadyStateConstants: the standard's values and names.
func TestAPI44_ReadyStateConstants(t *testing.T) {
	for _, tc := range []struct {
		s    ReadyState
		n    uint16
		name string
	}{
		{Connecting, 0, "CONNECTING"}, {Open, 1, "OPEN"}, {Closing, 2, "CLOSING"}, {Closed, 3, "CLOSED"},
		{ReadyState(7), 7, "ReadyState(7)"},
	} {
		if uint16(tc.s) != tc.n || tc.s.String() != tc.name {
			t.Errorf("%d %q, want %d %q", uint16(tc.s), tc.s, tc.n, tc.name)
		}
	}
}

// stateWatcher records every distinct ReadyState a poller sees, to check
// that the state never goes backwards or skips CLOSED.
type stateWatcher struct {
	stop chan struct{}
	done chan struct{}
	seen []ReadyState
}

func watchStates(ws *WebSocket) *stateWatcher {
	w := &stateWatcher{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			s := ws.ReadyState()
			if len(w.seen) == 0 || w.seen[len(w.seen)-1] != s {
				w.seen = append(w.seen, s)
			}
			select {
			case <-w.stop:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	return w
}

func (w *stateWatcher) result() []ReadyState {
	close(w.stop)
	<-w.done
	return w.seen
}

// TestAPI45_API46_API47_API49_Transitions: the state at each event and right
// after Close, for every path of the state machine: OPEN inside OnOpen
// (API-46), CLOSING right after Close from OPEN or CONNECTING (API-47),
// CLOSED inside OnError and OnClose (API-49), OPEN straight to CLOSED on an
// abrupt close or a full buffer (API-45); a poller never sees the state go
// backwards.
func TestAPI45_API46_API47_API49_Transitions(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		switch p.req.RequestURI {
		case "/refuse":
			p.write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"))
			return
		case "/abrupt":
			p.accept()
			p.readFrame() // the client's message
			p.reset()
			return
		case "/quiet":
			p.accept()
			p.waitEOF()
			return
		case "/server-close":
			p.accept()
			p.sendClose(4000, "srv")
			p.readUntilClose()
			return
		}
		p.accept()
		p.echoClose()
	})
	for _, tc := range []struct {
		name, path string
		opts       Options
		act        func(ws *WebSocket, rec *recorder) // in OnOpen, or right after New for "connecting"
		want       string
		order      string // states a poller may see, in order
	}{
		{"client-close", "/", Options{}, func(ws *WebSocket, rec *recorder) {
			ws.Close()
			rec.add("after-close@%v", ws.ReadyState())
		}, "open@OPEN after-close@CLOSING close:true:1005:@CLOSED", "CONNECTING OPEN CLOSING CLOSED"},
		{"server-close", "/server-close", Options{}, nil,
			"open@OPEN close:true:4000:srv@CLOSED", "CONNECTING OPEN CLOSING CLOSED"},
		{"connecting-close", "/quiet", Options{}, nil,
			"after-close@CLOSING error@CLOSED close:false:1006:@CLOSED", "CONNECTING CLOSING CLOSED"},
		{"refused", "/refuse", Options{}, nil,
			"error@CLOSED close:false:1006:@CLOSED", "CONNECTING CLOSED"},
		{"abrupt", "/abrupt", Options{}, func(ws *WebSocket, rec *recorder) { ws.Send("x") },
			"open@OPEN close:false:1006:@CLOSED", "CONNECTING OPEN CLOSED"},
		{"full", "/quiet", Options{MaxBufferedAmount: 3}, func(ws *WebSocket, rec *recorder) {
			ws.Send("four")
			rec.add("after-send@%v", ws.ReadyState())
		}, "open@OPEN after-send@OPEN error@CLOSED close:false:1006:@CLOSED", "CONNECTING OPEN CLOSED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec recorder
			var w *stateWatcher
			runWithin(t, apiTimeout, func() {
				ws, err := NewWithOptions(srv.url+tc.path, nil, &tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				w = watchStates(ws)
				recordAll(ws, &rec)
				if tc.name == "connecting-close" {
					ws.Close()
					rec.add("after-close@%v", ws.ReadyState())
					return
				}
				ws.SetOnOpen(func(*Event) {
					if tc.act != nil {
						tc.act(ws, &rec)
					}
				})
			})
			if got := rec.String(); got != tc.want {
				t.Errorf("events %s\nwant   %s", got, tc.want)
			}
			seen := fmt.Sprint(w.result())
			// A fast poller sees every state; a slow one may miss some, but
			// never sees one out of order.
			if !isSubsequence(strings.Fields(strings.Trim(seen, "[]")), strings.Fields(tc.order)) {
				t.Errorf("a poller saw %s, not in the order %s", seen, tc.order)
			}
		})
	}
}

// isSubsequence reports whether sub appears in seq in order.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}

// TestAPI45_OpenSkippedAfterCloseRace: Close called after the handshake
// completed but before the open task ran takes the CONNECTING path: the
// connection is failed, open never fires (the API-45 guard, API-77).
func TestAPI45_OpenSkippedAfterCloseRace(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.waitEOF()
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
		// Inside this task the open task cannot run: wait until the
		// handshake has completed and the open task is queued.
		eventually(t, "the handshake completed", func() bool {
			ws.s.mu.Lock()
			defer ws.s.mu.Unlock()
			return ws.s.conn != nil
		})
		ws.Close()
		rec.add("after-close@%v", ws.ReadyState())
	})
	if got, want := rec.String(), "after-close@CLOSING error@CLOSED close:false:1006:@CLOSED"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestAPI48_API85_ServerCloseSetsClosing: when the server's close frame
// arrives, a task sets CLOSING (with no event) before the close event, even
// though the application never called Close.
func TestAPI48_API85_ServerCloseSetsClosing(t *testing.T) {
	replied := make(chan struct{})
	finish := make(chan struct{})
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.sendClose(4000, "bye")
		if _, _, err := p.readUntilClose(); err != nil {
			t.Errorf("server: %v", err)
		}
		close(replied)
		<-finish // TCP stays open: no close task can be queued yet
	})
	var rec recorder
	ws, _ := NewWithOptions(srv.url, nil, recordingOptions(&rec))
	waitFor(t, replied, "the client's close reply")
	// The client answered the close frame, so the CLOSING task is queued:
	// the state becomes CLOSING, and stays so while TCP is open.
	eventually(t, "CLOSING", func() bool { return ws.ReadyState() == Closing })
	if got := rec.String(); got != "open" {
		t.Errorf("events while CLOSING: %s", got)
	}
	close(finish)
	waitDone(t, ws)
	if got, want := rec.String(), "open close:true:4000:bye"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestAPI50_API52_BufferedAmountFallsBetweenTasks: BufferedAmount is a
// uint64 starting at 0 (API-50); inside a handler it does not fall, even
// once the bytes reached the server; it falls after the handler, with no
// further event, while the loop is idle (API-52).
func TestAPI50_API52_BufferedAmountFallsBetweenTasks(t *testing.T) {
	got := make(chan string, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		_, payload, err := p.readFrame()
		if err != nil {
			t.Errorf("server: %v", err)
		}
		got <- string(payload)
		p.echoClose()
	})
	var inside []uint64
	var ws *WebSocket
	opened := make(chan struct{})
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		Run(func() {
			ws, _ = New(srv.url)
			var initial uint64 = ws.BufferedAmount() // a uint64 (API-50)
			inside = append(inside, initial)
			ws.SetOnOpen(func(*Event) {
				ws.Send("12345")
				inside = append(inside, ws.BufferedAmount())
				if p, ok := await(t, got, "the message at the server"); ok && p != "12345" {
					t.Errorf("server got %q", p)
				}
				time.Sleep(10 * time.Millisecond) // the writer reported long ago
				inside = append(inside, ws.BufferedAmount())
				close(opened)
			})
		})
	}()
	waitFor(t, opened, "the open handler")
	// No more events come until we close: the decrease is applied while idle.
	eventually(t, "BufferedAmount is 0", func() bool { return ws.BufferedAmount() == 0 })
	ws.Close()
	waitFor(t, runDone, "the loop")
	if fmt.Sprint(inside) != "[0 5 5]" {
		t.Fatalf("BufferedAmount in the setup and open handler: %v, want [0 5 5]", inside)
	}
}

// TestAPI53_API54_CountsPayloadOnly: by the time the echo of the last send
// is dispatched, nothing is counted any more; the count is of payload
// bytes only, whatever the frame header size (API-54), so it falls back to
// exactly 0 (WPT bufferedAmount-getting).
func TestAPI53_API54_CountsPayloadOnly(t *testing.T) {
	url := newEchoServer(t)
	sizes := []int{1, 125, 126, 65535, 65536, 100000}
	var total uint64
	for _, n := range sizes {
		total += uint64(n)
	}
	var afterSends uint64
	var atEcho []uint64
	runWithin(t, apiTimeout, func() {
		ws, _ := New(url)
		ws.SetBinaryType(BinaryTypeArrayBuffer)
		ws.SetOnOpen(func(*Event) {
			for _, n := range sizes {
				ws.Send(bytes.Repeat([]byte{'x'}, n))
			}
			afterSends = ws.BufferedAmount()
		})
		ws.SetOnMessage(func(e *MessageEvent) {
			atEcho = append(atEcho, ws.BufferedAmount())
			if len(atEcho) == len(sizes) {
				ws.Close()
			}
		})
	})
	if afterSends != total {
		t.Errorf("after the sends: %d, want %d", afterSends, total)
	}
	if len(atEcho) != len(sizes) || atEcho[len(atEcho)-1] != 0 {
		t.Fatalf("BufferedAmount at each echo: %v, last want 0", atEcho)
	}
	for i, b := range atEcho {
		// At the echo of message i, at least messages 0..i were written.
		var left uint64
		for _, n := range sizes[i+1:] {
			left += uint64(n)
		}
		if b > left {
			t.Errorf("at echo %d: %d counted, at most %d", i, b, left)
		}
	}
}

// TestAPI55_CountsAfterClose: after Close, Send still adds, inside OnClose
// too, and nothing is subtracted again: BufferedAmount never resets. Bytes
// queued but never written because the connection broke stay counted.
func TestAPI55_CountsAfterClose(t *testing.T) {
	t.Run("after-close", func(t *testing.T) {
		srv := startAPIServer(t, func(p *apiPeer) { p.accept(); p.echoClose() })
		var got []uint64
		var ws *WebSocket
		runWithin(t, apiTimeout, func() {
			ws, _ = New(srv.url)
			ws.SetOnOpen(func(*Event) {
				ws.Send("abc")
				ws.Close()
				ws.Send("de")
				got = append(got, ws.BufferedAmount())
			})
			ws.SetOnClose(func(*CloseEvent) {
				got = append(got, ws.BufferedAmount())
				ws.Send("xyz")
				got = append(got, ws.BufferedAmount())
			})
		})
		got = append(got, ws.BufferedAmount())
		if fmt.Sprint(got) != "[5 2 5 5]" {
			t.Fatalf("BufferedAmount %v, want [5 2 5 5]", got)
		}
	})
	t.Run("broken", func(t *testing.T) {
		// The server reads the start of the first message and resets the
		// connection: the messages still queued behind it (more than the
		// socket buffers hold) never go out and stay counted. (The one
		// being written counts as handed to the network.)
		const size = 8 << 20
		srv := startAPIServer(t, func(p *apiPeer) {
			p.accept()
			var start [16]byte
			io.ReadFull(p.br, start[:])
			p.reset()
		})
		var atClose, after uint64
		var ws *WebSocket
		runWithin(t, apiTimeout, func() {
			ws, _ = New(srv.url)
			ws.SetOnOpen(func(*Event) {
				for range 3 {
					ws.Send(make([]byte, size))
				}
			})
			ws.SetOnClose(func(*CloseEvent) { atClose = ws.BufferedAmount() })
		})
		after = ws.BufferedAmount()
		if atClose < size || after != atClose || atClose%size != 0 {
			t.Fatalf("BufferedAmount %d at close, %d after; want a multiple of %d, at least one", atClose, after, size)
		}
	})
}

// TestAPI56_API57_ProtocolAndExtensions: "" until the open task, then the
// server's choice (the first offered one this server speaks), kept after
// CLOSED; "" when the server declines the extensions.
func TestAPI56_API57_ProtocolAndExtensions(t *testing.T) {
	url := newEchoServer(t, "superchat", "chat")
	var got []string
	record := func(where string, ws *WebSocket) {
		got = append(got, fmt.Sprintf("%s:%q/%q", where, ws.Protocol(), ws.Extensions()))
	}
	var ws *WebSocket
	runWithin(t, apiTimeout, func() {
		ws, _ = New(url, "chat", "superchat")
		record("new", ws)
		ws.SetOnOpen(func(*Event) { record("open", ws); ws.Send("x") })
		ws.SetOnMessage(func(*MessageEvent) { record("message", ws); ws.Close() })
		ws.SetOnClose(func(*CloseEvent) { record("close", ws) })
	})
	record("after", ws)
	want := `new:""/"" open:"superchat"/"" message:"superchat"/"" close:"superchat"/"" after:"superchat"/""`
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestAPI58_BinaryTypeValues: only "blob" and "arraybuffer"; anything else
// changes nothing and raises nothing.
func TestAPI58_BinaryTypeValues(t *testing.T) {
	ws, err := NewWithOptions("ws://example.test/", nil, &Options{NetDialContext: noDial})
	if err != nil {
		t.Fatal(err)
	}
	defer waitDone(t, ws)
	defer ws.Close()
	steps := []struct {
		set  BinaryType
		ok   bool
		want BinaryType
	}{
		{"", false, BinaryTypeBlob},
		{BinaryTypeArrayBuffer, true, BinaryTypeArrayBuffer},
		{"Blob", false, BinaryTypeArrayBuffer},
		{"ArrayBuffer", false, BinaryTypeArrayBuffer},
		{"nonsense", false, BinaryTypeArrayBuffer},
		{BinaryTypeBlob, true, BinaryTypeBlob},
	}
	for _, s := range steps {
		if ok := ws.SetBinaryType(s.set); ok != s.ok || ws.BinaryType() != s.want {
			t.Errorf("SetBinaryType(%q) = %v, BinaryType %q; want %v, %q", s.set, ok, ws.BinaryType(), s.ok, s.want)
		}
	}
}

// TestAPI59_API60_BinaryTypeReadAtTaskTime: the binary type is read when
// the message task runs: switching inside the handler of message 1 makes
// message 2 a []byte, although both arrived in one segment; text is
// always a string, blob mode gives a *Blob (API-60).
func TestAPI59_API60_BinaryTypeReadAtTaskTime(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		var b []byte
		b = append(b, apiFrame(wsproto.OpBinary, []byte("one"))...)
		b = append(b, apiFrame(wsproto.OpBinary, []byte("two"))...)
		b = append(b, apiFrame(wsproto.OpText, []byte("three"))...)
		b = append(b, apiFrame(wsproto.OpBinary, []byte("four"))...)
		p.write(b)
		p.echoClose()
	})
	var got []string
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		n := 0
		ws.SetOnMessage(func(e *MessageEvent) {
			n++
			got = append(got, describeEvent(e))
			switch n {
			case 1:
				ws.SetBinaryType(BinaryTypeArrayBuffer)
			case 3:
				ws.SetBinaryType(BinaryTypeBlob)
			case 4:
				ws.Close()
			}
		})
	})
	want := `message:blob"one" message:[]byte"two" message:three message:blob"four"`
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}
