//go:build !js

package websocket

// Section 6 of the checklist: close() (API-71..API-82; API-77 is also in
// websocket_test.go and websocket_api_state_test.go).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// closeServer is a raw server that, after accepting, reads up to the
// client's close frame and sends it on bodies, then answers with reply (or
// echoes the body when reply is nil) and closes TCP.
func closeServer(t *testing.T, bodies chan<- []byte, reply func(body []byte) []byte) *apiServer {
	return startAPIServer(t, func(p *apiPeer) {
		p.accept()
		_, body, err := p.readUntilClose()
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		bodies <- body
		if reply != nil {
			body = reply(body)
		}
		p.send(wsproto.OpClose, body)
	})
}

// TestAPI71_API72_API73_ValidationInEveryState: code first (1000 or
// 3000-4999), then reason (at most 123 bytes of UTF-8), in OPEN and in
// CLOSED too; an invalid call changes nothing and fires no event, and a
// valid Close afterwards works as if it had not happened.
func TestAPI71_API72_API73_ValidationInEveryState(t *testing.T) {
	bodies := make(chan []byte, 1)
	srv := closeServer(t, bodies, nil)
	invalid := []struct {
		opts []CloseOption
		want error
	}{
		{[]CloseOption{WithCode(0)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(999)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(1001)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(1005)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(1006)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(1015)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(2999)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(5000)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(-1000)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(1<<16 + 1000)}, ErrInvalidAccess},
		{[]CloseOption{WithCode(2999), WithReason(strings.Repeat("a", 200))}, ErrInvalidAccess}, // code first
		{[]CloseOption{WithCode(1000), WithReason(strings.Repeat("a", 124))}, ErrSyntax},
		{[]CloseOption{WithCode(4000), WithReason(strings.Repeat("é", 62))}, ErrSyntax},
		{[]CloseOption{WithCode(4000), WithReason(strings.Repeat("€", 42))}, ErrSyntax},
		{[]CloseOption{WithReason(strings.Repeat("a", 124))}, ErrSyntax},
	}
	check := func(ws *WebSocket, where string) {
		for _, tc := range invalid {
			state, buffered := ws.ReadyState(), ws.BufferedAmount()
			if err := ws.Close(tc.opts...); !errors.Is(err, tc.want) {
				t.Errorf("%s: Close: %v, want %v", where, err, tc.want)
			}
			if ws.ReadyState() != state || ws.BufferedAmount() != buffered {
				t.Errorf("%s: an invalid Close changed the socket: %v, %d", where, ws.ReadyState(), ws.BufferedAmount())
			}
		}
	}
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
		ws.SetOnOpen(func(*Event) {
			check(ws, "OPEN")
			// The longest valid reasons pass.
			if err := ws.Close(WithCode(4999), WithReason(strings.Repeat("€", 41))); err != nil {
				t.Errorf("Close with 123 bytes: %v", err)
			}
			check(ws, "CLOSING")
		})
		ws.SetOnClose(func(*CloseEvent) { check(ws, "CLOSED") })
	})
	if got, want := rec.String(), "open@OPEN close:true:4999:"+strings.Repeat("€", 41)+"@CLOSED"; got != want {
		t.Fatalf("events %s", got)
	}
	if body := <-bodies; binary.BigEndian.Uint16(body) != 4999 || len(body) != 2+123 {
		t.Fatalf("close frame %q", body)
	}
}

// TestAPI74_API75_API78_CloseFrameOnTheWire: what Close puts in the close
// frame (API-78: no body without arguments, exactly 2 bytes for a code;
// API-75: a reason alone means 1000, an empty one means nothing; API-74: an
// invalid reason is made valid first and measured after), and what the
// close event then reports: the server's reply (1005 for an empty one).
func TestAPI74_API75_API78_CloseFrameOnTheWire(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []CloseOption
		wantBody  []byte
		reply     []byte // nil: echo
		wantEvent string
	}{
		{"none", nil, []byte{}, nil, "true:1005:"},
		{"none-server-says-1000", nil, []byte{}, apiClosePayload(1000, ""), "true:1000:"},
		{"code-1000", []CloseOption{WithCode(1000)}, []byte{0x03, 0xE8}, nil, "true:1000:"},
		{"code-reason", []CloseOption{WithCode(1000), WithReason("Clean Close")}, apiClosePayload(1000, "Clean Close"), nil, "true:1000:Clean Close"},
		{"code-3000", []CloseOption{WithCode(3000)}, []byte{0x0B, 0xB8}, nil, "true:3000:"},
		{"reason-only", []CloseOption{WithReason("x")}, apiClosePayload(1000, "x"), nil, "true:1000:x"},
		{"empty-reason", []CloseOption{WithReason("")}, []byte{}, nil, "true:1005:"},
		{"invalid-reason", []CloseOption{WithCode(4000), WithReason("a\xffb")}, apiClosePayload(4000, "a\uFFFDb"), nil, "true:4000:a\uFFFDb"},
		{"replaced-fits", []CloseOption{WithCode(4000), WithReason(strings.Repeat("\xff", 41))}, apiClosePayload(4000, strings.Repeat("\uFFFD", 41)), nil, "true:4000:" + strings.Repeat("\uFFFD", 41)},
		{"bom-kept", []CloseOption{WithCode(4000), WithReason("\uFEFFbom")}, apiClosePayload(4000, "\uFEFFbom"), nil, "true:4000:\uFEFFbom"}, // API-90
	} {
		t.Run(tc.name, func(t *testing.T) {
			bodies := make(chan []byte, 1)
			srv := closeServer(t, bodies, func(body []byte) []byte {
				if tc.reply != nil {
					return tc.reply
				}
				return body
			})
			var event string
			runWithin(t, apiTimeout, func() {
				ws, _ := New(srv.url)
				ws.SetOnOpen(func(*Event) {
					if err := ws.Close(tc.opts...); err != nil { // API-80
						t.Errorf("Close: %v", err)
					}
				})
				ws.SetOnClose(func(e *CloseEvent) { event = fmt.Sprintf("%v:%d:%s", e.WasClean, e.Code, e.Reason) })
			})
			if body := <-bodies; string(body) != string(tc.wantBody) {
				t.Errorf("close frame body %x, want %x", body, tc.wantBody)
			}
			if event != tc.wantEvent {
				t.Errorf("close event %q, want %q", event, tc.wantEvent)
			}
		})
	}
	// A reason that is too long only after the replacement is refused.
	ws, _ := NewWithOptions("ws://example.test/", nil, &Options{NetDialContext: noDial})
	if err := ws.Close(WithCode(4000), WithReason(strings.Repeat("\xff", 42))); !errors.Is(err, ErrSyntax) {
		t.Errorf("42 invalid bytes (126 after replacement): %v", err)
	}
	ws.Close()
	waitDone(t, ws)
}

// TestAPI76_CloseManyTimes: Close three times sends one close frame and
// yields one close event; Close inside OnClose keeps CLOSED and fires
// nothing (WPT close-multiple, close-nested).
func TestAPI76_CloseManyTimes(t *testing.T) {
	frames := make(chan int, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		_, body, err := p.readUntilClose()
		if err != nil {
			t.Errorf("server: %v", err)
			return
		}
		p.send(wsproto.OpClose, body)
		// Count what else comes before the client closes TCP, which it does
		// once the server did.
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
		frames <- n
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
		ws.SetOnOpen(func(*Event) {
			for i := range 3 {
				if err := ws.Close(WithCode(4000 + i)); err != nil {
					t.Errorf("Close %d: %v", i, err)
				}
			}
		})
		ws.SetOnClose(func(*CloseEvent) {
			for range 3 {
				ws.Close()
			}
			rec.add("nested@%v", ws.ReadyState())
		})
	})
	if got, want := rec.String(), "open@OPEN close:true:4000:@CLOSED nested@CLOSED"; got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
	if n := waitFor(t, frames, "the server's count"); n != 1 {
		t.Fatalf("%d close frames", n)
	}
}

// TestAPI79_CloseAfterServerStartedClosing: when the server's close frame
// has arrived (the state may still read OPEN), Close only sets CLOSING: no
// close frame of ours beyond the reply, and the event reports the server's.
func TestAPI79_CloseAfterServerStartedClosing(t *testing.T) {
	replied := make(chan struct{})
	closeCalled := make(chan struct{})
	frames := make(chan int, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.send(wsproto.OpText, []byte("hi"))
		p.sendClose(4100, "first")
		if _, _, err := p.readUntilClose(); err != nil {
			t.Errorf("server: %v", err)
			return
		}
		close(replied)
		await(t, closeCalled, "the client's Close")
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
		frames <- n
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		recordAll(ws, &rec)
		ws.SetOnMessage(func(*MessageEvent) {
			await(t, replied, "the reply to the server's close frame")
			rec.add("before@%v", ws.ReadyState())
			if err := ws.Close(WithCode(4000), WithReason("mine")); err != nil {
				t.Errorf("Close: %v", err)
			}
			rec.add("after@%v", ws.ReadyState())
			ws.s.mu.Lock()
			queued := len(ws.s.sendq)
			ws.s.mu.Unlock()
			if queued != 0 {
				t.Errorf("Close queued %d items", queued)
			}
			close(closeCalled)
		})
	})
	want := "open@OPEN message:hi@OPEN before@OPEN after@CLOSING close:true:4100:first@CLOSED"
	if got := rec.String(); got != want {
		t.Fatalf("events %s\nwant   %s", got, want)
	}
	if n := waitFor(t, frames, "the server's count"); n != 1 {
		t.Fatalf("%d close frames", n)
	}
}

// TestAPI81_CloseEventWaitsForTheReply: the close event fires only after
// the server's (delayed) reply and the TCP close, not when our close frame
// is written (WPT Close-delayed); the close is clean.
func TestAPI81_CloseEventWaitsForTheReply(t *testing.T) {
	var replying atomic.Bool
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		if _, _, err := p.readUntilClose(); err != nil {
			t.Errorf("server: %v", err)
			return
		}
		time.Sleep(200 * time.Millisecond) // an event fired at our close frame would come now
		replying.Store(true)
		p.sendClose(1000, "late")
	})
	var event string
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) { ws.Close() })
		ws.SetOnClose(func(e *CloseEvent) {
			event = fmt.Sprintf("%v:%v:%d:%s", replying.Load(), e.WasClean, e.Code, e.Reason)
		})
	})
	if want := "true:true:1000:late"; event != want {
		t.Fatalf("close event %s, want %s (replied:clean:code:reason)", event, want)
	}
}

// TestAPI82_CodeOfTheFirstFrameReceived: the event reports the code of the
// close frame received, not the one sent: a Close(4111) answered with 4222
// "remote", and a server that starts closing with 4222 "remote" while we
// close with 4111.
func TestAPI82_CodeOfTheFirstFrameReceived(t *testing.T) {
	for _, serverFirst := range []bool{false, true} {
		srv := startAPIServer(t, func(p *apiPeer) {
			p.accept()
			if serverFirst {
				p.sendClose(4222, "remote")
				p.readUntilClose()
				return
			}
			p.readUntilClose()
			p.sendClose(4222, "remote")
		})
		var event string
		runWithin(t, apiTimeout, func() {
			ws, _ := New(srv.url)
			ws.SetOnOpen(func(*Event) { ws.Close(WithCode(4111), WithReason("local")) })
			ws.SetOnClose(func(e *CloseEvent) { event = fmt.Sprintf("%v:%d:%s", e.WasClean, e.Code, e.Reason) })
		})
		if want := "true:4222:remote"; event != want {
			t.Errorf("server first %v: close event %s, want %s", serverFirst, event, want)
		}
	}
}
