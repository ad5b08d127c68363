package chromium

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/wsstack/websocket"
)

// scenarioPage runs the interop scenario on the browser's WebSocket.
//
//go:embed scenario.html
var scenarioPage []byte

// serverSaw is what our server saw of the page's connection.
type serverSaw struct {
	protocol, extensions string
	messages             int
	closeCode            int
	closeReason          string
	clean                bool
	err                  error
}

// newScenarioServer serves the page at / and our echo server at /ws, which
// speaks "superchat" and accepts permessage-deflate.
func newScenarioServer(t *testing.T) (*httptest.Server, <-chan serverSaw) {
	results := make(chan serverSaw, 4)
	var handlers sync.WaitGroup
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(scenarioPage)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			Subprotocols: []string{"superchat"},
			ConnOptions: websocket.ConnOptions{
				ReadLimit:   64 << 20,
				Compression: &websocket.CompressionOptions{},
			},
		})
		if err != nil {
			results <- serverSaw{err: err}
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), pageTimeout)
		defer cancel()
		res := serverSaw{protocol: c.Subprotocol(), extensions: c.Extensions(), closeCode: -1}
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				res.err = err
				break
			}
			res.messages++
			if err := c.Write(ctx, typ, data); err != nil {
				res.err = err
				break
			}
		}
		var ce *websocket.CloseError
		if errors.As(res.err, &ce) {
			res.closeCode, res.closeReason = int(ce.Code), ce.Reason
			res.clean = c.Close(ce.Code, "") == nil
		}
		results <- res
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		handlers.Wait()
	})
	return srv, results
}

// pageResult is what the page reports.
type pageResult struct {
	Open struct {
		Protocol   string `json:"protocol"`
		Extensions string `json:"extensions"`
	} `json:"open"`
	Steps map[string]struct {
		OK    bool `json:"ok"`
		Bytes int  `json:"bytes"`
	} `json:"steps"`
	Close *struct {
		Code     int    `json:"code"`
		Reason   string `json:"reason"`
		WasClean bool   `json:"wasClean"`
	} `json:"close"`
	Error string `json:"error"`
}

// TestChromiumClient runs the interop scenario with Chromium's WebSocket
// against our server.
func TestChromiumClient(t *testing.T) {
	ctx := startBrowser(t)
	logConsole(t, ctx, "scenario page")
	srv, saw := newScenarioServer(t)

	tctx, cancel := context.WithTimeout(ctx, pageTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatalf("navigate: %v", err)
	}
	raw, err := chromedp.Run(tctx, chromedp.Poll[string]("window.result",
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(pageTimeout)))
	if err != nil {
		t.Fatalf("waiting for the page's result: %v", err)
	}
	screenshot(t, tctx, "chromium-scenario.png")
	var res pageResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("the page's result: %v\n%s", err, raw)
	}
	t.Logf("page: %s", raw)

	if res.Error != "" {
		t.Errorf("page: %s", res.Error)
	}
	if res.Open.Protocol != "superchat" {
		t.Errorf("Chromium: subprotocol %q, want superchat", res.Open.Protocol)
	}
	if !strings.HasPrefix(res.Open.Extensions, "permessage-deflate") {
		t.Errorf("Chromium: extensions %q, want permessage-deflate", res.Open.Extensions)
	}
	for _, name := range []string{"text", "binary-0-255", "text-1MiB", "binary-1MiB", "100-in-order"} {
		if s, ok := res.Steps[name]; !ok || !s.OK {
			t.Errorf("Chromium: step %s: %+v (reported: %v)", name, s, ok)
		}
	}
	if c := res.Close; c == nil || c.Code != 4000 || !c.WasClean {
		t.Errorf("Chromium: close event %+v, want code 4000, clean", c)
	}

	select {
	case s := <-saw:
		if s.protocol != "superchat" || !strings.HasPrefix(s.extensions, "permessage-deflate") {
			t.Errorf("our server: subprotocol %q, extensions %q", s.protocol, s.extensions)
		}
		if s.messages != 104 {
			t.Errorf("our server: echoed %d messages, want 104", s.messages)
		}
		if s.closeCode != 4000 || s.closeReason != "bye" || !s.clean {
			t.Errorf("our server: close %d %q clean=%v (%v), want 4000 \"bye\", clean", s.closeCode, s.closeReason, s.clean, s.err)
		}
		t.Logf("our server with Chromium: subprotocol %q, extensions %q, %d messages, close %d %q clean=%v",
			s.protocol, s.extensions, s.messages, s.closeCode, s.closeReason, s.clean)
	case <-tctx.Done():
		t.Fatal("our server: no result")
	}
}
