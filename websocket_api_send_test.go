//go:build !js

package websocket

// Section 5 of the checklist: send() (API-61..API-70), and the Go
// extras for producers: SendContext and the drain event.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// TestAPI61_SendWhileConnectingAllKinds: in CONNECTING every kind of data,
// through every Send method, is an InvalidStateError with no effect, even
// invalid text; an unsupported type is a TypeError first.
func TestAPI61_SendWhileConnectingAllKinds(t *testing.T) {
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		msgs, _ := p.echoClose()
		if len(msgs) != 0 {
			t.Errorf("server received %v", msgs)
		}
	})
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		for i, send := range []func() error{
			func() error { return ws.Send("text") },
			func() error { return ws.Send("bad \xff utf-8") },
			func() error { return ws.Send([]byte("bin")) },
			func() error { return ws.Send(NewBlob([]byte("blob"))) },
			func() error { return ws.SendText("text") },
			func() error { return ws.SendBinary([]byte("bin")) },
			func() error { return ws.SendBlob(NewBlob([]byte("blob"))) },
			func() error { return ws.SendContext(context.Background(), "text") },
		} {
			if err := send(); !errors.Is(err, ErrInvalidState) {
				t.Errorf("send %d: %v, want InvalidStateError", i, err)
			}
		}
		var te *TypeError
		if err := ws.Send(3.14); !errors.As(err, &te) {
			t.Errorf("Send(3.14): %v, want a TypeError", err)
		}
		if ws.BufferedAmount() != 0 || ws.ReadyState() != Connecting {
			t.Errorf("after refused sends: %d, %v", ws.BufferedAmount(), ws.ReadyState())
		}
		ws.SetOnOpen(func(*Event) { ws.Close() })
	})
}

// TestAPI62_API65_API66_API67_WhatGoesOnTheWire: text goes as one text
// message, []byte and *Blob as one binary message (API-62); empty data
// sends empty messages (API-65); invalid UTF-8 is replaced by U+FFFD per
// maximal subpart and counted after replacement (API-66); a sub-slice sends
// exactly its bytes, and the caller may reuse the slice once Send returns
// (API-67); each Send adds its UTF-8 or byte length at once (API-51).
func TestAPI62_API65_API66_API67_WhatGoesOnTheWire(t *testing.T) {
	got := make(chan []apiMsg, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		msgs, _ := p.echoClose()
		got <- msgs
	})
	var buffered []uint64
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			buf := []byte("0123456789")
			sends := []func() error{
				func() error { return ws.Send("text") },
				func() error { return ws.SendText("text2") },
				func() error { return ws.Send([]byte("bin")) },
				func() error { return ws.SendBinary([]byte("bin2")) },
				func() error { return ws.Send(NewBlob([]byte("bl"), []byte("ob"))) },
				func() error { return ws.SendBlob(NewBlob([]byte("blob2"))) },
				func() error { return ws.Send("") },
				func() error { return ws.Send([]byte{}) },
				func() error { return ws.Send([]byte(nil)) },
				func() error { return ws.Send(NewBlob()) },
				func() error { return ws.Send("a\xffb") },            // 1 + 3 + 1 bytes
				func() error { return ws.Send("\xe2\x82!") },         // one maximal subpart: 3 + 1
				func() error { return ws.SendText("\xed\xa0\x80") },  // a surrogate: 3 subparts, 9 bytes
				func() error { return ws.Send(buf[2:5]) },            // "234"
				func() error { copy(buf, "XXXXXXXXXX"); return nil }, // reused at once
				func() error { return ws.SendBinary(buf[8:]) },       // "XX"
			}
			for i, send := range sends {
				if err := send(); err != nil {
					t.Errorf("send %d: %v", i, err)
				}
				buffered = append(buffered, ws.BufferedAmount())
			}
			ws.Close()
		})
	})
	msgs := waitFor(t, got, "the server's messages")
	want := []apiMsg{
		{wsproto.OpText, "text"}, {wsproto.OpText, "text2"}, {wsproto.OpBinary, "bin"}, {wsproto.OpBinary, "bin2"},
		{wsproto.OpBinary, "blob"}, {wsproto.OpBinary, "blob2"}, {wsproto.OpText, ""}, {wsproto.OpBinary, ""},
		{wsproto.OpBinary, ""}, {wsproto.OpBinary, ""}, {wsproto.OpText, "a\uFFFDb"}, {wsproto.OpText, "\uFFFD!"},
		{wsproto.OpText, "\uFFFD\uFFFD\uFFFD"}, {wsproto.OpBinary, "234"}, {wsproto.OpBinary, "XX"},
	}
	if fmt.Sprint(msgs) != fmt.Sprint(want) {
		t.Errorf("server received\n %v\nwant\n %v", msgs, want)
	}
	wantBuffered := "[4 9 12 16 20 25 25 25 25 25 30 34 43 46 46 48]"
	if fmt.Sprint(buffered) != wantBuffered {
		t.Errorf("BufferedAmount after each send %v, want %s", buffered, wantBuffered)
	}
}

// TestAPI63_API64_SendAfterTheEnd: Send returns nil whatever happened on
// the network: after the server reset the connection (API-64), in CLOSING
// and in CLOSED (API-63); nothing more is sent, the bytes are counted.
func TestAPI63_API64_SendAfterTheEnd(t *testing.T) {
	reset := make(chan struct{})
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		p.readFrame() // "first": the client is open
		p.reset()
		close(reset)
	})
	var errs []error
	var final uint64
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			ws.Send("first")
			await(t, reset, "the reset")
			errs = append(errs, ws.Send("after reset"))
			errs = append(errs, ws.Close())
			errs = append(errs, ws.Send("closing"))
		})
		ws.SetOnClose(func(e *CloseEvent) {
			errs = append(errs, ws.Send("closed"))
			final = ws.BufferedAmount()
		})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if want := uint64(len("closing") + len("closed")); final < want {
		t.Errorf("BufferedAmount %d, want at least %d", final, want)
	}
}

// TestAPI68_UnsupportedTypes: other Go types are a TypeError with no side
// effect, in OPEN too.
func TestAPI68_UnsupportedTypes(t *testing.T) {
	got := make(chan []apiMsg, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		msgs, _ := p.echoClose()
		got <- msgs
	})
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			for _, v := range []any{nil, 42, 3.5, (*Blob)(nil), struct{}{}, []int{1}, new(string), []rune("x"), true} {
				err := ws.Send(v)
				var te *TypeError
				if !errors.As(err, &te) || errors.Is(err, ErrInvalidState) {
					t.Errorf("Send(%#v): %v, want a TypeError", v, err)
				}
				if err := ws.SendContext(context.Background(), v); !errors.As(err, &te) {
					t.Errorf("SendContext(%#v): %v, want a TypeError", v, err)
				}
			}
			if ws.BufferedAmount() != 0 {
				t.Errorf("BufferedAmount %d", ws.BufferedAmount())
			}
			ws.Send("sentinel")
			ws.Close()
		})
	})
	if msgs := waitFor(t, got, "the server's messages"); fmt.Sprint(msgs) != `[text:"sentinel"]` {
		t.Errorf("server received %v", msgs)
	}
}

// TestAPI69_FlaggedFull: a Send over MaxBufferedAmount returns nil and
// counts, but closes the connection at once without a close frame; the
// state stays OPEN until the close task (no CLOSING step); error, then
// close 1006 not clean, follow.
func TestAPI69_FlaggedFull(t *testing.T) {
	closeFrames := make(chan int, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		n := 0
		for {
			h, _, err := p.readFrame()
			if err != nil {
				break
			}
			if h.Opcode == wsproto.OpClose {
				n++
			}
		}
		closeFrames <- n
	})
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := NewWithOptions(srv.url, nil, &Options{MaxBufferedAmount: 10})
		recordAll(ws, &rec)
		ws.SetOnOpen(func(*Event) {
			err1 := ws.Send("123456")
			err2 := ws.Send("789012") // 12 > 10: flagged as full
			rec.add("sent:%v:%v:%d@%v", err1, err2, ws.BufferedAmount(), ws.ReadyState())
			ws.Send("more")
			rec.add("more:%d@%v", ws.BufferedAmount(), ws.ReadyState())
		})
		ws.SetOnClose(func(*CloseEvent) { rec.add("buffered:%d", ws.BufferedAmount()) })
	})
	got := rec.String()
	if want := "open@OPEN sent:<nil>:<nil>:12@OPEN more:16@OPEN error@CLOSED close:false:1006:@CLOSED buffered:"; !strings.HasPrefix(got, want) {
		t.Fatalf("got %s, want %s...", got, want)
	}
	if n := waitFor(t, closeFrames, "the server's end"); n != 0 {
		t.Fatalf("%d close frames sent", n)
	}
}

// TestAPI70_OrderAndCloseAfterMessages: messages go out in Send order from
// any mix of Send methods, and Close never discards what was sent before
// it: the close frame follows them.
func TestAPI70_OrderAndCloseAfterMessages(t *testing.T) {
	got := make(chan []apiMsg, 1)
	closeBody := make(chan []byte, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		msgs, body := p.echoClose()
		got <- msgs
		closeBody <- body
	})
	const n = 300
	runWithin(t, apiTimeout, func() {
		ws, _ := New(srv.url)
		ws.SetOnOpen(func(*Event) {
			for i := range n {
				switch i % 3 {
				case 0:
					ws.Send(fmt.Sprint(i))
				case 1:
					ws.SendBinary([]byte(fmt.Sprint(i)))
				default:
					ws.Send(NewBlob([]byte(fmt.Sprint(i))))
				}
			}
			ws.Close(WithCode(4000), WithReason("after all"))
		})
	})
	msgs := waitFor(t, got, "the messages")
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	for i, m := range msgs {
		if m.data != fmt.Sprint(i) {
			t.Fatalf("message %d is %v", i, m)
		}
	}
	if body := <-closeBody; string(body) != string(apiClosePayload(4000, "after all")) {
		t.Fatalf("close frame %q", body)
	}
}

// TestSendContextWaitsForRoom: SendContext waits while BufferedAmount is
// above the high-water mark, which falls only between tasks; it returns
// ctx's error, sending nothing, when ctx ends first, and sends once the
// loop has applied the decrease.
func TestSendContextWaitsForRoom(t *testing.T) {
	got := make(chan []apiMsg, 1)
	srv := startAPIServer(t, func(p *apiPeer) {
		p.accept()
		msgs, _ := p.echoClose()
		got <- msgs
	})
	var order recorder
	var ws *WebSocket
	sentLater := make(chan error, 1)
	runWithin(t, apiTimeout, func() {
		ws, _ = NewWithOptions(srv.url, nil, &Options{HighWaterMark: 10})
		ws.SetOnOpen(func(*Event) {
			ws.Send(strings.Repeat("a", 20)) // above the mark until this task ends
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			gave := make(chan error, 1)
			go func() { gave <- ws.SendContext(ctx, "dropped") }()
			if err, _ := await(t, gave, "SendContext to give up"); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("SendContext: %v, want DeadlineExceeded", err)
			}
			if ws.BufferedAmount() != 20 {
				t.Errorf("BufferedAmount %d after a cancelled SendContext", ws.BufferedAmount())
			}
			var started atomic.Bool
			go func() {
				started.Store(true)
				err := ws.SendContext(context.Background(), "later")
				order.add("sent")
				ws.Close()
				sentLater <- err
			}()
			for !started.Load() {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(5 * time.Millisecond) // SendContext waits: it cannot send before we return
			order.add("handler-end")
		})
	})
	if err := <-sentLater; err != nil {
		t.Fatalf("SendContext: %v", err)
	}
	if got := order.String(); got != "handler-end sent" {
		t.Fatalf("order %s", got)
	}
	if msgs := waitFor(t, got, "the messages"); fmt.Sprint(msgs) != `[text:"aaaaaaaaaaaaaaaaaaaa" text:"later"]` {
		t.Fatalf("server received %v", msgs)
	}
}

// TestDrainEventOncePerCrossing: the drain event fires once each time
// BufferedAmount falls back to the high-water mark or below after having
// been above it, never for sends that stay under it.
func TestDrainEventOncePerCrossing(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	runWithin(t, apiTimeout, func() {
		ws, _ := NewWithOptions(url, nil, &Options{HighWaterMark: 10})
		ws.SetOnDrain(func(*Event) { rec.add("drain:%d", ws.BufferedAmount()) })
		step := 0
		next := func() {
			step++
			switch step {
			case 1: // above in one go: one drain
				ws.Send(strings.Repeat("a", 30))
			case 2: // two sends above: still one drain
				ws.Send(strings.Repeat("b", 8))
				ws.Send(strings.Repeat("c", 8))
			case 3: // under the mark: no drain
				ws.Send("small")
			default:
				ws.Close()
			}
			rec.add("step%d", step)
		}
		ws.SetOnOpen(func(*Event) { next() })
		ws.SetOnMessage(func(e *MessageEvent) {
			if e.Data == strings.Repeat("b", 8) {
				return // wait for the "c" echo
			}
			next()
		})
	})
	// Step 2 drains when the first 8 bytes are out: 8 is at the mark or below.
	if got, want := rec.String(), "step1 drain:0 step2 drain:8 step3 step4"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
