package interop

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lxzan/gws"

	"github.com/wsstack/websocket"
)

var gwsPeer = peer{name: "gws", server: gwsServer, dial: gwsDial}

func TestOurClientGwsServer(t *testing.T) { runOurClient(t, gwsPeer) }

func TestGwsClientOurServer(t *testing.T) { runPeerClient(t, gwsPeer) }

// gwsServer is a gws server: an Upgrader with an event handler. After the
// upgrade, gws's ReadLoop reads the connection and calls the handler.
func gwsServer(env *serverEnv) http.Handler {
	upgrader := gws.NewUpgrader(&gwsEchoHandler{env: env}, &gws.ServerOption{
		SubProtocols:       supported,
		ReadMaxPayloadSize: peerReadLimit, // the default, 16 MiB, would do as well
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		socket, err := upgrader.Upgrade(w, r)
		if err != nil { // Upgrade has answered with an HTTP error
			env.done(serverResult{end: closeInfo{err: err}})
			return
		}
		// As gws advises, the read loop runs outside the HTTP handler.
		env.wg.Go(socket.ReadLoop)
	})
}

// gwsEchoHandler handles the events of the server's connections: it echoes
// every message, or starts the closing handshake, as env.mode says. What it
// keeps of a connection goes in the connection's session.
type gwsEchoHandler struct {
	env *serverEnv
}

const gwsCloseErrKey = "closeErr" // session key: the outcome of WriteClose

func (h *gwsEchoHandler) OnOpen(socket *gws.Conn) {
	h.env.handshakeDone(socket.SubProtocol())
	_ = socket.SetReadDeadline(time.Now().Add(testTimeout))
	if h.env.mode == modeClose {
		// gws sends the close frame and closes the connection at once: it
		// does not wait for the answer.
		err := socket.WriteClose(closeCode, []byte(closeReason))
		socket.Session().Store(gwsCloseErrKey, err)
	}
}

func (h *gwsEchoHandler) OnMessage(socket *gws.Conn, message *gws.Message) {
	defer message.Close() // gives the message's buffer back to gws
	// A failed write closes the connection, and gws then calls OnClose.
	if h.env.mode == modeEchoFragmented {
		_ = socket.WriteFile(message.Opcode, message) // in frames of 128 KiB
		return
	}
	_ = socket.WriteMessage(message.Opcode, message.Bytes())
}

// OnPing answers with the ping's payload, as RFC 6455 section 5.5.3 asks
// (gws.BuiltinEventHandler answers with an empty pong).
func (h *gwsEchoHandler) OnPing(socket *gws.Conn, payload []byte) {
	_ = socket.WritePong(payload)
}

func (h *gwsEchoHandler) OnPong(socket *gws.Conn, payload []byte) {}

// OnClose is called once, when ReadLoop ends: err is a *gws.CloseError if
// the peer sent a close frame.
func (h *gwsEchoHandler) OnClose(socket *gws.Conn, err error) {
	res := serverResult{end: gwsCloseInfo(err)}
	if v, ok := socket.Session().Load(gwsCloseErrKey); ok {
		res.closeErr, _ = v.(error)
	}
	h.env.done(res)
}

// gwsCloseInfo tells what the error given to OnClose says of the close.
func gwsCloseInfo(err error) closeInfo {
	var ce *gws.CloseError
	if errors.As(err, &ce) {
		return closeInfo{received: true, code: int(ce.Code), reason: string(ce.Reason), err: err}
	}
	return closeInfo{err: err}
}

// gwsClient is a gws client. gws delivers messages to an event handler from
// its ReadLoop; gwsClient is that handler and queues them for Read.
type gwsClient struct {
	socket   *gws.Conn
	messages chan gwsMessage
	closed   chan struct{} // closed by OnClose
	closeErr error         // set by OnClose
	stop     chan struct{} // closed by CloseNow, to unblock OnMessage
	stopOnce sync.Once
	loop     sync.WaitGroup // ReadLoop
}

type gwsMessage struct {
	typ  websocket.MessageType
	data []byte
}

func gwsDial(ctx context.Context, url string) (endpoint, error) {
	c := &gwsClient{
		messages: make(chan gwsMessage, 16),
		closed:   make(chan struct{}),
		stop:     make(chan struct{}),
	}
	header := http.Header{} // gws offers subprotocols through the request header
	header.Set("Sec-WebSocket-Protocol", strings.Join(offered, ", "))
	socket, _, err := gws.NewClient(c, &gws.ClientOption{
		Addr:               url,
		RequestHeader:      header,
		ReadMaxPayloadSize: peerReadLimit,
		HandshakeTimeout:   time.Until(deadlineOf(ctx)), // gws takes no context
	})
	if err != nil {
		return nil, err
	}
	c.socket = socket
	c.loop.Go(socket.ReadLoop)
	return c, nil
}

func (c *gwsClient) OnOpen(socket *gws.Conn) {}

func (c *gwsClient) OnMessage(socket *gws.Conn, message *gws.Message) {
	defer message.Close()
	m := gwsMessage{typ: fromGwsOpcode(message.Opcode), data: bytes.Clone(message.Bytes())}
	select {
	case c.messages <- m:
	case <-c.stop:
	}
}

func (c *gwsClient) OnPing(socket *gws.Conn, payload []byte) { _ = socket.WritePong(payload) }

func (c *gwsClient) OnPong(socket *gws.Conn, payload []byte) {}

func (c *gwsClient) OnClose(socket *gws.Conn, err error) {
	c.closeErr = err
	close(c.closed)
}

func (c *gwsClient) Subprotocol() string { return c.socket.SubProtocol() }

func (c *gwsClient) Write(ctx context.Context, typ websocket.MessageType, p []byte) error {
	_ = c.socket.SetWriteDeadline(deadlineOf(ctx))
	return c.socket.WriteMessage(gwsOpcode(typ), p)
}

// WriteFragmented uses WriteFile, which streams a reader in frames of
// 128 KiB.
func (c *gwsClient) WriteFragmented(ctx context.Context, typ websocket.MessageType, p []byte) error {
	_ = c.socket.SetWriteDeadline(deadlineOf(ctx))
	return c.socket.WriteFile(gwsOpcode(typ), bytes.NewReader(p))
}

func (c *gwsClient) Read(ctx context.Context) (websocket.MessageType, []byte, error) {
	select {
	case m := <-c.messages:
		return m.typ, m.data, nil
	case <-c.closed:
		select { // messages queued before the close come first
		case m := <-c.messages:
			return m.typ, m.data, nil
		default:
			return 0, nil, c.closeErr
		}
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
}

// Close sends the close frame; gws then closes the connection without
// waiting for the answer. It returns once ReadLoop has ended.
func (c *gwsClient) Close(ctx context.Context, code int, reason string) error {
	err := c.socket.WriteClose(uint16(code), []byte(reason))
	select {
	case <-c.closed:
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}

func (c *gwsClient) CloseInfo(err error) closeInfo { return gwsCloseInfo(err) }

func (c *gwsClient) CloseNow() {
	c.stopOnce.Do(func() { close(c.stop) })
	_ = c.socket.NetConn().Close()
	c.loop.Wait()
}

func gwsOpcode(typ websocket.MessageType) gws.Opcode {
	if typ == websocket.MessageText {
		return gws.OpcodeText
	}
	return gws.OpcodeBinary
}

func fromGwsOpcode(op gws.Opcode) websocket.MessageType {
	if op == gws.OpcodeText {
		return websocket.MessageText
	}
	return websocket.MessageBinary
}
