//go:build !js

package websocket

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// newEchoServer starts a server that echoes every message and answers a
// close with the same code; it returns its ws:// URL.
func newEchoServer(t *testing.T, protocols ...string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, &AcceptOptions{Subprotocols: protocols, InsecureSkipOriginCheck: true})
		if err != nil {
			return
		}
		echo(c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// recorder records events as strings, for order checks.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, " ")
}

// runWithin runs setup with Run and fails the test if the loop is not done in time.
func runWithin(t *testing.T, d time.Duration, setup func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		Run(setup)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatal("event loop did not finish in time")
	}
}

func TestMDNExampleEcho(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	runWithin(t, 10*time.Second, func() {
		ws, err := New(url)
		if err != nil {
			t.Fatal(err)
		}
		ws.SetOnOpen(func(*Event) {
			rec.add("open:%v", ws.ReadyState())
			ws.Send("Coucou le serveur !")
		})
		ws.SetOnMessage(func(e *MessageEvent) {
			rec.add("message:%v", e.Data)
			ws.Close(WithCode(1000), WithReason("done"))
			rec.add("state:%v", ws.ReadyState())
		})
		ws.SetOnClose(func(e *CloseEvent) {
			rec.add("close:%v:%d:%q:%v", e.WasClean, e.Code, e.Reason, ws.ReadyState())
		})
	})
	want := `open:OPEN message:Coucou le serveur ! state:CLOSING close:true:1000:"done":CLOSED`
	if got := rec.String(); got != want {
		t.Fatalf("events:\n got %s\nwant %s", got, want)
	}
}

func TestAPI24_InitialState(t *testing.T) {
	url := newEchoServer(t)
	// Inside a task of the socket's loop, so that no event can change the
	// state while it is checked.
	runWithin(t, 10*time.Second, func() {
		ws, err := New(url)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		if ws.ReadyState() != Connecting || ws.BufferedAmount() != 0 || ws.Protocol() != "" ||
			ws.Extensions() != "" || ws.BinaryType() != BinaryTypeBlob ||
			ws.OnOpen() != nil || ws.OnMessage() != nil || ws.OnError() != nil || ws.OnClose() != nil {
			t.Errorf("initial state wrong: %v %d %q %q %v", ws.ReadyState(), ws.BufferedAmount(), ws.Protocol(), ws.Extensions(), ws.BinaryType())
		}
	})
}

func TestAPI77_CloseWhileConnecting(t *testing.T) {
	url := newEchoServer(t)
	var rec recorder
	runWithin(t, 10*time.Second, func() {
		ws, _ := New(url)
		ws.SetOnOpen(func(*Event) { rec.add("open") })
		ws.SetOnError(func(*Event) { rec.add("error:%v", ws.ReadyState()) })
		ws.SetOnClose(func(e *CloseEvent) { rec.add("close:%v:%d", e.WasClean, e.Code) })
		ws.Close()
		rec.add("after-close:%v", ws.ReadyState())
	})
	if got, want := rec.String(), "after-close:CLOSING error:CLOSED close:false:1006"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestAPI61_SendWhileConnecting(t *testing.T) {
	url := newEchoServer(t)
	ws, _ := New(url)
	defer ws.Close()
	if err := ws.Send("x"); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("Send: %v", err)
	}
	if err := ws.Send(42); err == nil {
		t.Fatal("Send(42) accepted")
	} else if _, ok := err.(*TypeError); !ok {
		t.Fatalf("Send(42): %T %v", err, err)
	}
	if ws.BufferedAmount() != 0 {
		t.Fatal("bufferedAmount changed")
	}
}

func TestAPI51_BufferedAmountRisesInSend(t *testing.T) {
	url := newEchoServer(t)
	var got []uint64
	runWithin(t, 10*time.Second, func() {
		ws, _ := New(url)
		ws.SetOnOpen(func(*Event) {
			for _, s := range []string{"x", "å", "卶", "😀"} {
				ws.Send(s)
				got = append(got, ws.BufferedAmount())
			}
			ws.Close()
		})
	})
	if fmt.Sprint(got) != "[1 3 6 10]" {
		t.Fatalf("bufferedAmount %v", got)
	}
}

func TestAPI71_72_CloseValidation(t *testing.T) {
	url := newEchoServer(t)
	// Inside a loop task, so that the socket stays CONNECTING throughout.
	runWithin(t, 10*time.Second, func() {
		ws, _ := New(url)
		defer ws.Close()
		for _, code := range []int{0, 500, 999, 1001, 1005, 2999, 5000, 65535, 1<<16 + 1000, -1} {
			if err := ws.Close(WithCode(code)); !errors.Is(err, ErrInvalidAccess) {
				t.Errorf("Close(%d): %v", code, err)
			}
		}
		if err := ws.Close(WithCode(1000), WithReason(strings.Repeat("a", 124))); !errors.Is(err, ErrSyntax) {
			t.Errorf("124-byte reason: %v", err)
		}
		if err := ws.Close(WithCode(3000), WithReason(strings.Repeat("é", 62))); !errors.Is(err, ErrSyntax) {
			t.Errorf("124-byte reason: %v", err)
		}
		if ws.ReadyState() != Connecting {
			t.Errorf("invalid Close changed the state to %v", ws.ReadyState())
		}
	})
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		url   string
		proto []string
	}{
		{"ws://foo bar.com/", nil},
		{"ftp://example.com/", nil},
		{"ws://example.com/#", nil},
		{"ws://example.com/", []string{"a b"}},
		{"ws://example.com/", []string{"echo", "echo"}},
	} {
		if _, err := New(tc.url, tc.proto...); !errors.Is(err, ErrSyntax) {
			t.Errorf("New(%q, %q): %v", tc.url, tc.proto, err)
		}
	}
}

func TestAPI106_ContextEndsOpenSocketWith1001(t *testing.T) {
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, nil)
		if err != nil {
			return
		}
		_, _, err = c.Read(context.Background())
		got <- err
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	runWithin(t, 10*time.Second, func() {
		ws, _ := NewWithOptions("ws"+strings.TrimPrefix(srv.URL, "http"), nil, &Options{Context: ctx})
		ws.SetOnOpen(func(*Event) { cancel() })
	})
	if code := CloseStatus(<-got); code != CloseGoingAway {
		t.Fatalf("server saw %v", code)
	}
}

func TestServerSideWebSocketSameAPI(t *testing.T) {
	// A server written with the WebSocket object: it answers every message
	// with its upper-case form and closes after "bye".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		AcceptWebSocket(w, r, nil, nil, func(ws *WebSocket) {
			ws.SetOnOpen(func(*Event) { ws.Send("welcome") })
			ws.SetOnMessage(func(e *MessageEvent) {
				if e.Data == "bye" {
					ws.Close(WithCode(4000), WithReason("bye"))
					return
				}
				ws.Send(strings.ToUpper(e.Text()))
			})
		})
	}))
	defer srv.Close()
	var rec recorder
	runWithin(t, 10*time.Second, func() {
		ws, _ := New("ws" + strings.TrimPrefix(srv.URL, "http"))
		ws.SetOnMessage(func(e *MessageEvent) {
			rec.add("%v", e.Data)
			if e.Data == "welcome" {
				ws.Send("hello")
				ws.Send("bye")
			}
		})
		ws.SetOnClose(func(e *CloseEvent) { rec.add("close:%v:%d:%s", e.WasClean, e.Code, e.Reason) })
	})
	if got, want := rec.String(), "welcome HELLO close:true:4000:bye"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
