//go:build !js

package websocket_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/wsstack/websocket"
)

// echoServer starts an echo server for the examples and returns its URL.
func echoServer() (url string, stop func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, msg, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if err := c.Write(context.Background(), typ, msg); err != nil {
				return
			}
		}
	}))
	return "ws" + strings.TrimPrefix(srv.URL, "http"), srv.Close
}

// MDN's WebSocket example, in Go. Run executes its function as the first
// task of an event loop, so the handlers are in place before any event can
// be dispatched, and returns once every socket of the loop has closed.
func ExampleRun() {
	url, stop := echoServer() // "ws://localhost:8080" in MDN's example
	defer stop()

	websocket.Run(func() {
		// Create WebSocket connection.
		socket, err := websocket.New(url)
		if err != nil {
			log.Fatal(err)
		}
		// Connection opened
		socket.AddEventListener("open", func(websocket.AnyEvent) {
			socket.Send("Coucou le serveur !")
		})
		// Listen for messages
		socket.AddEventListener("message", func(e websocket.AnyEvent) {
			fmt.Println("Message du serveur", e.(*websocket.MessageEvent).Data)
			socket.Close()
		})
		socket.SetOnClose(func(e *websocket.CloseEvent) {
			fmt.Println("closed, clean:", e.WasClean)
		})
	})
	// Output:
	// Message du serveur Coucou le serveur !
	// closed, clean: true
}

// The event order of a socket, and its ready state in each handler.
func ExampleWebSocket_events() {
	url, stop := echoServer()
	defer stop()

	websocket.Run(func() {
		ws, err := websocket.New(url)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("constructed:", ws.ReadyState())
		ws.SetOnOpen(func(*websocket.Event) {
			fmt.Println("open:", ws.ReadyState())
			ws.Send([]byte{1, 2, 3})
		})
		ws.SetBinaryType(websocket.BinaryTypeArrayBuffer)
		ws.SetOnMessage(func(e *websocket.MessageEvent) {
			fmt.Printf("message: %v\n", e.Data)
			ws.Close(websocket.WithCode(4000), websocket.WithReason("bye"))
			fmt.Println("after Close:", ws.ReadyState())
		})
		ws.SetOnClose(func(e *websocket.CloseEvent) {
			fmt.Println("close:", ws.ReadyState(), e.Code, e.Reason, e.WasClean)
		})
	})
	// Output:
	// constructed: CONNECTING
	// open: OPEN
	// message: [1 2 3]
	// after Close: CLOSING
	// close: CLOSED 4000 bye true
}

// A client with the blocking Conn.
func ExampleDial() {
	url, stop := echoServer()
	defer stop()

	ctx := context.Background()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
		log.Fatal(err)
	}
	typ, msg, err := c.Read(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(typ, string(msg))
	fmt.Println("clean close:", c.Close(websocket.CloseNormal, "") == nil)
	// Output:
	// text hello
	// clean close: true
}

// A server handler with the blocking Conn: it echoes every message.
func ExampleAccept() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"chat"}})
		if err != nil {
			return // Accept has answered with an HTTP error
		}
		defer c.CloseNow()
		for {
			typ, msg, err := c.Read(r.Context())
			if err != nil {
				return // a *websocket.CloseError once the client closed
			}
			if err := c.Write(r.Context(), typ, msg); err != nil {
				return
			}
		}
	}
	http.HandleFunc("/echo", handler)
}

// Pipe joins a client and a server Conn in memory, for tests.
func ExamplePipe() {
	client, server := websocket.Pipe(nil)
	ctx := context.Background()
	go func() {
		typ, msg, _ := server.Read(ctx)
		server.Write(ctx, typ, []byte(strings.ToUpper(string(msg))))
		server.Read(ctx) // answers the client's close
	}()
	client.Write(ctx, websocket.MessageText, []byte("ping"))
	_, msg, _ := client.Read(ctx)
	fmt.Println(string(msg))
	fmt.Println(client.Close(websocket.CloseNormal, "done"))
	// Output:
	// PING
	// <nil>
}
