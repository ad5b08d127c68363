package websocket

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestServerShutdownSends1001(t *testing.T) {
	var wss Server
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := wss.Accept(w, r, nil)
		if err != nil {
			return
		}
		echo(c)
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	ctx := ctxT(t)

	const n = 5
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		c, _, err := Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, _, err := c.Read(context.Background())
			results <- err
		}()
	}
	for wss.Len() != n {
		time.Sleep(time.Millisecond)
	}
	if err := wss.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i := 0; i < n; i++ {
		if code := CloseStatus(<-results); code != CloseGoingAway {
			t.Fatalf("client saw %v", code)
		}
	}
	if wss.Len() != 0 {
		t.Fatalf("%d connections still tracked", wss.Len())
	}
	// New connections are refused once shutdown began.
	_, resp, err := Dial(ctx, url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("Dial after Shutdown: %v %v", resp, err)
	}
}

func TestServerShutdownCutsSilentPeers(t *testing.T) {
	var wss Server
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := wss.Accept(w, r, nil)
		if err != nil {
			return
		}
		<-c.Done() // the handler does not read: Close reads for it
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	c, _, err := Dial(ctxT(t), url, nil) // a client that never reads: it never answers the close
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for wss.Len() != 1 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := wss.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
	if wss.Len() != 0 {
		t.Fatalf("%d connections left", wss.Len())
	}
}
