// Command mdn is the example of MDN's WebSocket page, in Go:
//
//	// Create WebSocket connection.
//	const socket = new WebSocket("ws://localhost:8080");
//	// Connection opened
//	socket.addEventListener("open", (event) => {
//	  socket.send("Coucou le serveur !");
//	});
//	// Listen for messages
//	socket.addEventListener("message", (event) => {
//	  console.log("Message du serveur ", event.data);
//	});
//
// Start a server with `go run ./cmd/ws serve` (it echoes on :8080), then
// run `go run ./examples/mdn`. It prints every message from the server
// until the server closes the connection, -n messages have arrived, or
// you press Ctrl-C (the socket then closes with 1001, going away, as when
// a browser leaves the page).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wsstack/websocket"
)

func main() {
	url := flag.String("url", "ws://localhost:8080", "the server's URL")
	n := flag.Int("n", 0, "close after this many messages (0: never)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *n, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mdn:", err)
		os.Exit(1)
	}
}

// run is the example proper: it connects, says hello on open, prints each
// message, and returns once the socket has closed.
func run(ctx context.Context, url string, n int, out io.Writer) (err error) {
	received := 0
	websocket.Run(func() {
		// Create WebSocket connection.
		var socket *websocket.WebSocket
		socket, err = websocket.NewWithOptions(url, nil, &websocket.Options{Context: ctx})
		if err != nil {
			return
		}
		// Connection opened
		socket.AddEventListener("open", func(websocket.AnyEvent) {
			socket.Send("Coucou le serveur !")
		})
		// Listen for messages
		socket.AddEventListener("message", func(e websocket.AnyEvent) {
			fmt.Fprintln(out, "Message du serveur ", e.(*websocket.MessageEvent).Data)
			if received++; received == n {
				socket.Close()
			}
		})
		socket.AddEventListener("close", func(e websocket.AnyEvent) {
			ce := e.(*websocket.CloseEvent)
			if !ce.WasClean {
				err = fmt.Errorf("connection closed abnormally (code %d): %v", ce.Code, ce.Cause)
			}
		})
	})
	return err
}
