package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"

	"github.com/wsstack/websocket"
)

var gorillaPeer = peer{name: "gorilla", server: gorillaServer, dial: gorillaDial}

func TestOurClientGorillaServer(t *testing.T) { runOurClient(t, gorillaPeer) }

func TestGorillaClientOurServer(t *testing.T) { runPeerClient(t, gorillaPeer) }

// gorillaServer is a gorilla/websocket server. gorilla has no read limit by
// default, so none is set.
func gorillaServer(env *serverEnv) http.Handler {
	upgrader := gorilla.Upgrader{Subprotocols: supported}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil { // Upgrade has answered with an HTTP error
			env.done(serverResult{end: closeInfo{err: err}})
			return
		}
		defer conn.Close()
		env.handshakeDone(conn.Subprotocol())
		conn.SetReadDeadline(time.Now().Add(testTimeout))

		var res serverResult
		switch env.mode {
		case modeEcho:
			err = gorillaEcho(conn)
		case modeEchoFragmented:
			err = gorillaStreamEcho(conn)
		case modeClose:
			res.closeErr, err = gorillaClose(conn, closeCode, closeReason, time.Now().Add(testTimeout))
		}
		res.end = gorillaCloseInfo(err)
		env.done(res)
	})
}

// gorillaEcho echoes every message whole until reading fails. gorilla
// answers pings and close frames while ReadMessage runs.
func gorillaEcho(conn *gorilla.Conn) error {
	for {
		typ, p, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		if err := conn.WriteMessage(typ, p); err != nil {
			return err
		}
	}
}

// gorillaStreamEcho echoes every message as a stream, from NextReader to
// NextWriter: the writer sends a frame each time its buffer (4 KiB) fills.
func gorillaStreamEcho(conn *gorilla.Conn) error {
	for {
		typ, r, err := conn.NextReader()
		if err != nil {
			return err
		}
		w, err := conn.NextWriter(typ)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, r); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
}

// gorillaClose runs the closing handshake, which gorilla leaves to the
// application: send the close frame, then read until the answer. It returns
// nil as the first result if the answer came with the same code; the second
// is the error that ended reading.
func gorillaClose(conn *gorilla.Conn, code int, reason string, deadline time.Time) (closeErr, readErr error) {
	if err := conn.WriteControl(gorilla.CloseMessage, gorilla.FormatCloseMessage(code, reason), deadline); err != nil {
		return err, err
	}
	conn.SetReadDeadline(deadline)
	for {
		_, _, err := conn.ReadMessage() // messages sent before the answer are dropped
		if err == nil {
			continue
		}
		var ce *gorilla.CloseError
		switch {
		case !errors.As(err, &ce):
			return fmt.Errorf("no answer to the close frame: %w", err), err
		case ce.Code != code:
			return fmt.Errorf("close frame %d answered with %d", code, ce.Code), err
		}
		return nil, err
	}
}

// gorillaCloseInfo tells what an error of gorilla's reading says of the close.
func gorillaCloseInfo(err error) closeInfo {
	var ce *gorilla.CloseError
	if errors.As(err, &ce) {
		return closeInfo{received: true, code: ce.Code, reason: ce.Text, err: err}
	}
	return closeInfo{err: err}
}

// gorillaClient is a gorilla/websocket client. gorilla takes deadlines
// rather than contexts: the context's deadline is used.
type gorillaClient struct{ conn *gorilla.Conn }

func gorillaDial(ctx context.Context, url string) (endpoint, error) {
	dialer := gorilla.Dialer{Subprotocols: offered, HandshakeTimeout: testTimeout}
	conn, _, err := dialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	return &gorillaClient{conn}, nil
}

func (c *gorillaClient) Subprotocol() string { return c.conn.Subprotocol() }

func (c *gorillaClient) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	c.conn.SetWriteDeadline(deadlineOf(ctx))
	return c.conn.WriteMessage(gorillaType(typ), p)
}

// WriteFragmented uses NextWriter: the message goes in a frame per
// bufferful (4 KiB by default).
func (c *gorillaClient) WriteFragmented(ctx context.Context, typ websocket.MessageType, p []byte) error {
	c.conn.SetWriteDeadline(deadlineOf(ctx))
	w, err := c.conn.NextWriter(gorillaType(typ))
	if err != nil {
		return err
	}
	if _, err := w.Write(p); err != nil {
		return err
	}
	return w.Close()
}

func (c *gorillaClient) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	c.conn.SetReadDeadline(deadlineOf(ctx))
	typ, p, err := c.conn.ReadMessage()
	if err != nil {
		return 0, nil, err
	}
	return fromGorillaType(typ), p, nil
}

func (c *gorillaClient) Close(ctx context.Context, code int, reason string) error {
	defer c.conn.Close()
	closeErr, _ := gorillaClose(c.conn, code, reason, deadlineOf(ctx))
	return closeErr
}

func (c *gorillaClient) CloseInfo(err error) closeInfo { return gorillaCloseInfo(err) }

func (c *gorillaClient) CloseNow() { c.conn.Close() }

func gorillaType(typ websocket.MessageType) int {
	if typ == websocket.MessageText {
		return gorilla.TextMessage
	}
	return gorilla.BinaryMessage
}

func fromGorillaType(typ int) websocket.MessageType {
	if typ == gorilla.TextMessage {
		return websocket.MessageText
	}
	return websocket.MessageBinary
}

// deadlineOf returns ctx's deadline; the scenarios' contexts all have one.
func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}
