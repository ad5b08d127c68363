package interop

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	coder "github.com/coder/websocket"

	"github.com/wsstack/websocket"
)

var coderPeer = peer{name: "coder", server: coderServer, dial: coderDial}

func TestOurClientCoderServer(t *testing.T) { runOurClient(t, coderPeer) }

func TestCoderClientOurServer(t *testing.T) { runPeerClient(t, coderPeer) }

// coderChunk is the size of the pieces coder's streaming writer is given:
// it sends each Write as a frame of its own.
const coderChunk = 16 << 10

// coderServer is a coder/websocket server.
func coderServer(env *serverEnv) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := coder.Accept(w, r, &coder.AcceptOptions{Subprotocols: supported})
		if err != nil { // Accept has answered with an HTTP error
			env.done(serverResult{end: closeInfo{err: err}})
			return
		}
		defer conn.CloseNow()
		conn.SetReadLimit(peerReadLimit) // the default, 32 KiB, is below the scenarios' 1 MiB messages
		env.handshakeDone(conn.Subprotocol())
		ctx, cancel := context.WithTimeout(r.Context(), testTimeout)
		defer cancel()

		var res serverResult
		switch env.mode {
		case modeEcho:
			res.end = coderCloseInfo(coderEcho(ctx, conn))
		case modeEchoFragmented:
			res.end = coderCloseInfo(coderStreamEcho(ctx, conn))
		case modeClose:
			// Close runs the whole handshake: it returns nil once the
			// answer came, with the same code.
			res.closeErr = conn.Close(closeCode, closeReason)
		}
		env.done(res)
	})
}

// coderEcho echoes every message whole until reading fails. coder answers
// pings and close frames while Read runs.
func coderEcho(ctx context.Context, conn *coder.Conn) error {
	for {
		typ, p, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		if err := conn.Write(ctx, typ, p); err != nil {
			return err
		}
	}
}

// coderStreamEcho echoes every message as a stream, from Reader to Writer,
// in frames of at most coderChunk bytes.
func coderStreamEcho(ctx context.Context, conn *coder.Conn) error {
	for {
		typ, r, err := conn.Reader(ctx)
		if err != nil {
			return err
		}
		w, err := conn.Writer(ctx, typ)
		if err != nil {
			return err
		}
		if _, err := io.CopyBuffer(w, r, make([]byte, coderChunk)); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
}

// coderCloseInfo tells what an error of coder's reading says of the close.
func coderCloseInfo(err error) closeInfo {
	var ce coder.CloseError
	if errors.As(err, &ce) {
		return closeInfo{received: true, code: int(ce.Code), reason: ce.Reason, err: err}
	}
	return closeInfo{err: err}
}

// coderClient is a coder/websocket client.
type coderClient struct{ conn *coder.Conn }

func coderDial(ctx context.Context, url string) (endpoint, error) {
	conn, _, err := coder.Dial(ctx, url, &coder.DialOptions{Subprotocols: offered})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(peerReadLimit)
	return &coderClient{conn}, nil
}

func (c *coderClient) Subprotocol() string { return c.conn.Subprotocol() }

func (c *coderClient) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	return c.conn.Write(ctx, coderType(typ), p)
}

// WriteFragmented writes p to a Writer in coderChunk pieces, a frame each.
func (c *coderClient) WriteFragmented(ctx context.Context, typ websocket.MessageType, p []byte) error {
	w, err := c.conn.Writer(ctx, coderType(typ))
	if err != nil {
		return err
	}
	for len(p) > 0 {
		n := min(len(p), coderChunk)
		if _, err := w.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return w.Close()
}

func (c *coderClient) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	typ, p, err := c.conn.Read(ctx)
	if err != nil {
		return 0, nil, err
	}
	return fromCoderType(typ), p, nil
}

func (c *coderClient) Close(ctx context.Context, code int, reason string) error {
	return c.conn.Close(coder.StatusCode(code), reason)
}

func (c *coderClient) CloseInfo(err error) closeInfo { return coderCloseInfo(err) }

func (c *coderClient) CloseNow() { c.conn.CloseNow() }

func coderType(typ websocket.MessageType) coder.MessageType {
	if typ == websocket.MessageText {
		return coder.MessageText
	}
	return coder.MessageBinary
}

func fromCoderType(typ coder.MessageType) websocket.MessageType {
	if typ == coder.MessageText {
		return websocket.MessageText
	}
	return websocket.MessageBinary
}
