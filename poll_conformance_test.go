//go:build linux

package websocket_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket"
	"github.com/wsstack/websocket/conformance"
)

// TestPollConformance plays the conformance suite (Autobahn's cases,
// compression included) against an echo server written with the WebSocket
// object in event-loop mode: no case may fail. (The WebSocket object gets
// NON-STRICT in the cases where a message is followed by a frame that fails
// the connection, 3.2 for instance, in either mode: its echo goes through
// the event loop and the send queue, and the failure closes first.)
func TestPollConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole conformance suite")
	}
	p, err := websocket.NewPoller(2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	wsOpts := &websocket.Options{Poller: p, PingInterval: -1}
	acceptOpts := &websocket.AcceptOptions{
		InsecureSkipOriginCheck: true,
		ConnOptions: websocket.ConnOptions{
			ReadLimit:   32 << 20,
			Compression: &websocket.CompressionOptions{},
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		websocket.AcceptWebSocket(w, r, acceptOpts, wsOpts, func(ws *websocket.WebSocket) {
			ws.SetBinaryType(websocket.BinaryTypeArrayBuffer)
			ws.SetOnMessage(func(e *websocket.MessageEvent) { ws.Send(e.Data) })
		})
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := conformance.RunServer(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", &conformance.Options{Agent: "WebSocket object, event-loop mode", DeflateBudget: pollDeflateBudget, Cases: pollCases})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteText(&b)
	if rep.Failed() > 0 {
		t.Errorf("%d FAILED cases\n%s", rep.Failed(), b.String())
	} else {
		t.Log(rep)
	}
}
