package main

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"sync"

	"github.com/wsstack/websocket"
)

// chatPage is the page of chat mode: plain HTML and JavaScript on the
// browser's own WebSocket, with no build step.
//
//go:embed static/chat.html
var chatPage []byte

// chatQueue is how many messages may wait for a slow client; one more closes
// its connection with 1008.
const chatQueue = 256

// serveChatPage answers a plain GET of / in chat mode.
func serveChatPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(chatPage)
}

// chatMessage is a message to broadcast.
type chatMessage struct {
	typ  websocket.MessageType
	data []byte
}

// chatClient is a connection of the chat with its queue of messages to send.
type chatClient struct {
	c    *websocket.Conn
	send chan chatMessage
	slow bool // dropped for not keeping up; guarded by the room's mu
}

// chatRoom is the set of connected clients of chat mode.
type chatRoom struct {
	mu      sync.Mutex
	clients map[*chatClient]struct{}
}

func newChatRoom() *chatRoom {
	return &chatRoom{clients: make(map[*chatClient]struct{})}
}

// serve runs one client: every message it sends goes to every client, and a
// goroutine writes what the others send. It returns the error that ended
// the reading, a *websocket.CloseError once the client has closed.
func (room *chatRoom) serve(c *websocket.Conn, log *slog.Logger, m *metrics) error {
	ctx := context.Background() // Close and CloseNow end a blocked Read or Write
	cl := &chatClient{c: c, send: make(chan chatMessage, chatQueue)}
	room.mu.Lock()
	room.clients[cl] = struct{}{}
	room.mu.Unlock()

	var writer sync.WaitGroup
	writer.Go(func() {
		failed := false
		for msg := range cl.send {
			if failed {
				continue // drain, so that broadcasts never wait
			}
			if err := c.Write(ctx, msg.typ, msg.data); err != nil {
				failed = true
				continue
			}
			m.sent(len(msg.data))
		}
	})
	defer func() {
		room.mu.Lock()
		delete(room.clients, cl)
		close(cl.send)
		room.mu.Unlock()
		writer.Wait()
	}()

	debug := log.Enabled(ctx, slog.LevelDebug)
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return err
		}
		m.received(len(data))
		if debug {
			log.Debug("message", "type", typ.String(), "bytes", len(data))
		}
		room.broadcast(chatMessage{typ, data}, log)
	}
}

// broadcast queues msg for every client. A client whose queue is full is
// closed with 1008 rather than allowed to slow the others down.
func (room *chatRoom) broadcast(msg chatMessage, log *slog.Logger) {
	room.mu.Lock()
	defer room.mu.Unlock()
	for cl := range room.clients {
		select {
		case cl.send <- msg:
		default:
			if !cl.slow {
				cl.slow = true
				log.Warn("dropping a slow client", "remote", cl.c.RemoteAddr().String(), "queued", chatQueue)
				go cl.c.Close(websocket.ClosePolicyViolation, "too slow: messages were piling up")
			}
		}
	}
}
