package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wsstack/websocket"
)

// interact runs the interactive client: lines of s.in are sent as text
// messages and messages received are printed on s.out. It returns the error
// that ended the session; at the end of input, an *errStdinClosed.
func interact(ctx context.Context, c *websocket.Conn, s stdio) error {
	readDone := make(chan error, 1)
	go func() { readDone <- printMessages(ctx, c, s.out) }()
	lines := make(chan string)
	go readLines(s.in, lines)

	for {
		select {
		case line, ok := <-lines:
			if !ok {
				err := c.Close(websocket.CloseNormal, "")
				<-readDone // the reader gets the server's close frame
				return &errStdinClosed{done: err}
			}
			err := c.Write(ctx, websocket.MessageText, []byte(line))
			if err != nil && ctx.Err() == nil {
				if errors.Is(err, websocket.ErrClosed) {
					return <-readDone // the connection ended: say why
				}
				fmt.Fprintf(s.err, "ws connect: not sent: %v\n", err)
			}
		case err := <-readDone:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// printMessages prints every message received on c after "< ", text as is
// and binary in hexadecimal, until reading fails; it returns that error.
func printMessages(ctx context.Context, c *websocket.Conn, w io.Writer) error {
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if typ == websocket.MessageBinary {
			fmt.Fprintf(w, "< %s\n", hex.EncodeToString(data))
		} else {
			fmt.Fprintf(w, "< %s\n", data)
		}
	}
}

// readLines sends every line of r, without its line ending, to lines and
// closes lines at the end of r. A read error ends the input like EOF.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(line, "\n")
			lines <- strings.TrimSuffix(line, "\r")
		}
		if err != nil {
			return
		}
	}
}
