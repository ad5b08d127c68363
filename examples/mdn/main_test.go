package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

func TestMDNExample(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			c.Write(ctx, typ, p)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), 1, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "Message du serveur  Coucou le serveur !\n"; got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}

func TestMDNExampleNoServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	srv.Close()
	if err := run(ctx, url, 1, new(bytes.Buffer)); err == nil {
		t.Fatal("no error without a server")
	}
}
