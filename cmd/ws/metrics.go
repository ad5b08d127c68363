package main

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// metrics are the counters of "ws serve", served at /metrics.
type metrics struct {
	connsCurrent      atomic.Int64
	connsTotal        atomic.Int64
	handshakeFailures atomic.Int64
	messagesIn        atomic.Int64
	messagesOut       atomic.Int64
	bytesIn           atomic.Int64
	bytesOut          atomic.Int64
}

func (m *metrics) open() {
	m.connsCurrent.Add(1)
	m.connsTotal.Add(1)
}

func (m *metrics) closed() { m.connsCurrent.Add(-1) }

// received counts a message of n bytes received from a client.
func (m *metrics) received(n int) {
	m.messagesIn.Add(1)
	m.bytesIn.Add(int64(n))
}

// sent counts a message of n bytes sent to a client.
func (m *metrics) sent(n int) {
	m.messagesOut.Add(1)
	m.bytesOut.Add(int64(n))
}

// serveHTTP writes the counters in the Prometheus text format.
func (m *metrics) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	for _, c := range []struct {
		name, typ, help string
		v               *atomic.Int64
	}{
		{"ws_connections_current", "gauge", "WebSocket connections open now.", &m.connsCurrent},
		{"ws_connections_total", "counter", "WebSocket connections accepted since the start.", &m.connsTotal},
		{"ws_handshake_failures_total", "counter", "Requests refused by the opening handshake (including plain HTTP requests for other paths).", &m.handshakeFailures},
		{"ws_messages_in_total", "counter", "Messages received from clients.", &m.messagesIn},
		{"ws_messages_out_total", "counter", "Messages sent to clients.", &m.messagesOut},
		{"ws_bytes_in_total", "counter", "Payload bytes of the messages received, after decompression.", &m.bytesIn},
		{"ws_bytes_out_total", "counter", "Payload bytes of the messages sent, before compression.", &m.bytesOut},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", c.name, c.help, c.name, c.typ, c.name, c.v.Load())
	}
}
