// Command scenario runs the browser test's scenario with the WebSocket API of
// github.com/wsstack/websocket against the test's echo server and reports
// what it saw as one JSON object. The same code is built twice by
// ../../browser_test.go: with GOOS=js GOARCH=wasm, where the socket is the
// browser's (platform_js.go reports into the page), and natively, where the
// socket is the package's own (platform_other.go prints the report).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wsstack/websocket"
)

// timeout bounds the whole scenario: past it, the report goes out as it is,
// with "timeout" set.
const timeout = 30 * time.Second

// results collects what the scenario saw, keyed by check name. Handlers run
// on the event loop; the timeout reads from another goroutine.
type results struct {
	mu   sync.Mutex
	m    map[string]any
	sent bool
}

func (r *results) set(k string, v any) {
	r.mu.Lock()
	r.m[k] = v
	r.mu.Unlock()
}

// log appends an entry to the list k.
func (r *results) log(k, entry string) {
	r.mu.Lock()
	l, _ := r.m[k].([]string)
	r.m[k] = append(l, entry)
	r.mu.Unlock()
}

// finish reports once.
func (r *results) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent {
		return
	}
	r.sent = true
	b, err := json.Marshal(r.m)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	report(string(b))
}

// errName is the DOMException name of err, "TypeError", "nil", or the error text.
func errName(err error) string {
	var de *websocket.DOMException
	var te *websocket.TypeError
	switch {
	case err == nil:
		return "nil"
	case errors.As(err, &de):
		return de.Name
	case errors.As(err, &te):
		return "TypeError"
	}
	return "other: " + err.Error()
}

// allBytes returns the bytes 0 to 255.
func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// dataKind names the dynamic type of a message's data.
func dataKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case []byte:
		return "[]byte"
	case *websocket.Blob:
		return "*Blob"
	}
	return fmt.Sprintf("%T", v)
}

func main() {
	base := serverURL() // ws://host:port
	r := &results{m: map[string]any{"platform": platform}}
	timer := time.AfterFunc(timeout, func() {
		r.set("timeout", true)
		r.finish()
	})
	websocket.Run(func() { scenario(r, base) })
	timer.Stop()
	r.finish()
	wait()
}

// scenario runs as the first task of the event loop, so no event can be
// dispatched before its handlers are set.
func scenario(r *results, base string) {
	platformChecks(r, base)

	// Constructor errors: synchronous, the same DOMException everywhere.
	for name, u := range map[string]string{
		"badURL.space":    "ws://foo bar.com/",
		"badURL.scheme":   "ftp://example.com/",
		"badURL.fragment": base + "/echo#frag",
	} {
		_, err := websocket.New(u)
		r.set(name, errName(err))
		r.set(name+".isErrSyntax", errors.Is(err, websocket.ErrSyntax))
	}
	_, err := websocket.New(base+"/echo", "ec ho")
	r.set("badProtocol", errName(err))
	_, err = websocket.New(base+"/echo", "echo", "echo")
	r.set("duplicateProtocol", errName(err))

	// The query tells the server which build this is.
	ws, err := websocket.New(base+"/echo?from="+from, "chat", "echo")
	if err != nil {
		r.set("newError", err.Error())
		return
	}
	r.set("url", ws.URL())
	r.set("initial.readyState", ws.ReadyState().String())
	r.set("initial.binaryType", string(ws.BinaryType()))
	r.set("initial.bufferedAmount", ws.BufferedAmount())
	r.set("initial.protocol", ws.Protocol())
	err = ws.Send("too early")
	r.set("sendWhileConnecting", errName(err))
	r.set("sendWhileConnecting.isErrInvalidState", errors.Is(err, websocket.ErrInvalidState))
	r.set("sendWhileConnecting.bufferedAmount", ws.BufferedAmount())

	text := "hello, wörld ✓"
	want := allBytes()
	step := 0
	ws.SetOnOpen(func(e *websocket.Event) {
		r.log("events", "open")
		r.set("open.readyState", ws.ReadyState().String())
		r.set("open.protocol", ws.Protocol())
		r.set("open.extensions", ws.Extensions())
		r.set("open.isTrusted", e.IsTrusted())
		r.set("open.targetIsSocket", e.Target() == any(ws))

		// Invalid close arguments: errors, and nothing changes.
		err := ws.Close(websocket.WithCode(1001))
		r.set("close1001", errName(err))
		r.set("close1001.isErrInvalidAccess", errors.Is(err, websocket.ErrInvalidAccess))
		err = ws.Close(websocket.WithCode(5000), websocket.WithReason("x"))
		r.set("close5000", errName(err))
		err = ws.Close(websocket.WithCode(4000), websocket.WithReason(strings.Repeat("r", 124)))
		r.set("closeReason124", errName(err))
		r.set("closeReason124.isErrSyntax", errors.Is(err, websocket.ErrSyntax))
		r.set("afterInvalidClose.readyState", ws.ReadyState().String())
		r.set("sendUnsupportedType", errName(ws.Send(42)))

		before := ws.BufferedAmount()
		r.set("send.text", errName(ws.Send(text)))
		r.set("send.text.bufferedAmountRise", ws.BufferedAmount()-before)
	})
	ws.SetOnMessage(func(e *websocket.MessageEvent) {
		step++
		r.log("events", "message:"+dataKind(e.Data))
		switch step {
		case 1:
			r.set("echo.text.kind", dataKind(e.Data))
			r.set("echo.text.equal", e.Data == any(text))
			r.set("echo.origin", e.Origin)
			r.set("echo.origin.matchesURL", strings.HasPrefix(ws.URL(), e.Origin+"/"))
			// What was sent before the echo came back is no longer counted (API-53).
			r.set("echo.text.bufferedAmount", ws.BufferedAmount())
			r.set("setBinaryType.bogus", ws.SetBinaryType("bogus"))
			r.set("setBinaryType.arraybuffer", ws.SetBinaryType(websocket.BinaryTypeArrayBuffer))
			r.set("binaryType.now", string(ws.BinaryType()))
			before := ws.BufferedAmount()
			r.set("send.binary", errName(ws.Send(want)))
			r.set("send.binary.bufferedAmountRise", ws.BufferedAmount()-before)
		case 2:
			b, _ := e.Data.([]byte)
			r.set("echo.arraybuffer.kind", dataKind(e.Data))
			r.set("echo.arraybuffer.equal", bytes.Equal(b, want))
			ws.SetBinaryType(websocket.BinaryTypeBlob)
			r.set("send.blob", errName(ws.Send(websocket.NewBlob(want))))
		case 3:
			r.set("echo.blob.kind", dataKind(e.Data))
			if blob, ok := e.Data.(*websocket.Blob); ok {
				p, err := blob.Bytes()
				r.set("echo.blob.size", blob.Size())
				r.set("echo.blob.equal", err == nil && bytes.Equal(p, want))
			}
			err := ws.Close(websocket.WithCode(4000), websocket.WithReason("bye"))
			r.set("close", errName(err))
			r.set("afterClose.readyState", ws.ReadyState().String())
			// After close(): Send sends nothing, returns nil, and still
			// counts the bytes (API-63).
			before := ws.BufferedAmount()
			r.set("sendAfterClose", errName(ws.Send("late")))
			r.set("sendAfterClose.bufferedAmountRise", ws.BufferedAmount()-before)
			err = ws.Close()
			r.set("closeAgain", errName(err))
		}
	})
	ws.SetOnError(func(*websocket.Event) { r.log("events", "error") })
	ws.SetOnClose(func(e *websocket.CloseEvent) {
		r.log("events", "close")
		r.set("closeEvent.wasClean", e.WasClean)
		r.set("closeEvent.code", e.Code)
		r.set("closeEvent.reason", e.Reason)
		r.set("closeEvent.readyState", ws.ReadyState().String())
		r.set("final.protocol", ws.Protocol())
		connectingClose(r, base)
	})
}

// connectingClose: Close while CONNECTING fails the connection: CLOSING at
// once, then error, then close with 1006, and no open.
func connectingClose(r *results, base string) {
	ws, err := websocket.New(base + "/echo?from=" + from + "-connecting")
	if err != nil {
		r.set("connecting.newError", err.Error())
		return
	}
	ws.SetOnOpen(func(*websocket.Event) { r.log("connecting.events", "open") })
	ws.SetOnError(func(*websocket.Event) {
		r.log("connecting.events", "error")
		r.set("connecting.error.readyState", ws.ReadyState().String())
	})
	ws.SetOnClose(func(e *websocket.CloseEvent) {
		r.log("connecting.events", "close")
		r.set("connecting.closeEvent.wasClean", e.WasClean)
		r.set("connecting.closeEvent.code", e.Code)
		r.set("connecting.closeEvent.reason", e.Reason)
		drain(r, base)
	})
	r.set("connecting.close", errName(ws.Close()))
	r.set("connecting.afterClose.readyState", ws.ReadyState().String())
}

// drain: with a high-water mark of 1 KiB, a 64 KiB message puts
// BufferedAmount above it; the drain event fires when it falls back, and a
// SendContext waiting for room returns then. On the browser this needs the
// browser's bufferedAmount to be read again while no event comes.
func drain(r *results, base string) {
	const hwm = 1024
	ws, err := websocket.NewWithOptions(base+"/echo?from="+from+"-drain", nil, &websocket.Options{HighWaterMark: hwm})
	if err != nil {
		r.set("drain.newError", err.Error())
		return
	}
	drains := 0
	ws.SetOnOpen(func(*websocket.Event) {
		r.set("drain.send", errName(ws.Send(make([]byte, 64<<10))))
		r.set("drain.bufferedAmount", ws.BufferedAmount())
		// SendContext must not wait on the loop's own goroutine.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := ws.SendContext(ctx, "after drain")
			r.set("drain.sendContext", errName(err))
		}()
	})
	ws.SetOnDrain(func(*websocket.Event) {
		drains++
		r.set("drain.count", drains)
		r.set("drain.atMostHWM", ws.BufferedAmount() <= hwm)
	})
	ws.SetOnMessage(func(e *websocket.MessageEvent) {
		r.log("drain.messages", dataKind(e.Data))
		if e.Data == any("after drain") {
			ws.Close()
		}
	})
	ws.SetOnClose(func(e *websocket.CloseEvent) {
		r.set("drain.closeEvent.wasClean", e.WasClean)
		r.set("drain.closeEvent.code", e.Code)
		owner(r, base)
	})
}

// owner: the end of Options.Context closes an open socket ("make
// disappear", API-106): natively with 1001, which the echo server sends
// back; a page's script may not send 1001, so the browser build closes
// with no code, and the server answers with none (1005).
func owner(r *results, base string) {
	ctx, cancel := context.WithCancel(context.Background())
	_, err := websocket.NewWithOptions(base+"/echo?from="+from+"-owner", nil, &websocket.Options{
		Context: ctx,
		OnOpen:  func(*websocket.Event) { cancel() },
		OnClose: func(e *websocket.CloseEvent) {
			cancel()
			r.set("owner.closeEvent.wasClean", e.WasClean)
			r.set("owner.closeEvent.code", e.Code)
			handshakeTimeout(r, base)
		},
	})
	if err != nil {
		cancel()
		r.set("owner.newError", err.Error())
	}
}

// handshakeTimeout: a server that never answers the handshake, and
// Options.HandshakeTimeout: the connection fails (error, close 1006).
func handshakeTimeout(r *results, base string) {
	start := time.Now()
	ws, err := websocket.NewWithOptions(base+"/stall?from="+from, nil, &websocket.Options{HandshakeTimeout: 300 * time.Millisecond})
	if err != nil {
		r.set("stall.newError", err.Error())
		return
	}
	ws.SetOnOpen(func(*websocket.Event) { r.log("stall.events", "open") })
	ws.SetOnError(func(*websocket.Event) { r.log("stall.events", "error") })
	ws.SetOnClose(func(e *websocket.CloseEvent) {
		r.log("stall.events", "close")
		r.set("stall.closeEvent.code", e.Code)
		r.set("stall.closeEvent.wasClean", e.WasClean)
		// Well before the server gives up (5 s).
		r.set("stall.inTime", time.Since(start) < 3*time.Second)
	})
}
