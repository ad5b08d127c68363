package conformance

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wsstack/websocket/wsproto"
)

// This file holds a raw echo peer for testing the suite itself: a small,
// independent WebSocket endpoint that can play a server or a client, with
// knobs that break it in the ways the suite must catch.

type utf8Mode int

const (
	utf8FailFast utf8Mode = iota // validate each fragment as it comes
	utf8AtEnd                    // validate the whole message at its end
	utf8Never                    // do not validate text at all
)

type peerConfig struct {
	utf8 utf8Mode
	// keepTCP: as a server, never close the TCP connection after the
	// closing handshake.
	keepTCP bool
	// echoAnyClose: echo whatever close code comes in (1005 for an empty
	// close frame, invalid codes as they are) instead of validating it.
	echoAnyClose bool
	// maskAsServer: as a server, mask the frames it sends; noMaskAsClient:
	// as a client, do not mask them.
	maskAsServer, noMaskAsClient bool
	// silent: read and discard everything, answer nothing.
	silent bool
}

// echoPeer serves one WebSocket connection: echo data, answer pings and
// close frames, fail the connection on protocol errors.
type echoPeer struct {
	cfg    peerConfig
	client bool
	conn   net.Conn
	br     *bufio.Reader
}

func (p *echoPeer) write(op wsproto.Opcode, payload []byte) error {
	h := wsproto.Header{Fin: true, Opcode: op, Length: int64(len(payload))}
	if p.client && !p.cfg.noMaskAsClient || !p.client && p.cfg.maskAsServer {
		h.Masked, h.Mask = true, [4]byte{1, 2, 3, 4}
	}
	b := wsproto.AppendHeader(nil, h)
	start := len(b)
	b = append(b, payload...)
	if h.Masked {
		wsproto.Mask(h.Mask, 0, b[start:])
	}
	_, err := p.conn.Write(b)
	return err
}

// fail sends a close frame with code and closes the connection.
func (p *echoPeer) fail(code wsproto.CloseCode) {
	body, _ := wsproto.AppendClosePayload(nil, code, "")
	p.write(opClose, body)
	p.finish()
}

// finish ends the connection after the closing handshake: a server closes
// TCP (unless configured not to), a client waits for the server to.
func (p *echoPeer) finish() {
	if !p.client && p.cfg.keepTCP {
		p.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		p.br.WriteTo(discard{})
	}
	if p.client {
		p.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		p.br.WriteTo(discard{})
	}
	p.conn.Close()
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func (p *echoPeer) serve() {
	defer p.conn.Close()
	if p.cfg.silent {
		p.br.WriteTo(discard{})
		return
	}
	var (
		hdr   [wsproto.MaxHeaderSize]byte
		msg   []byte
		msgOp wsproto.Opcode
		v     wsproto.UTF8Validator
	)
	for {
		h, payload, err := readFrame(p.br, hdr[:])
		if err != nil {
			var we *wsproto.Error
			if errors.As(err, &we) {
				p.fail(we.Code)
			}
			return
		}
		switch {
		case h.Masked == p.client, h.Rsv != 0, h.Opcode.IsReserved():
			p.fail(wsproto.CloseProtocolError)
			return
		}
		switch h.Opcode {
		case opPing:
			p.write(opPong, payload)
			continue
		case opPong:
			continue
		case opClose:
			p.onClose(payload)
			return
		case opText, opBinary:
			if msgOp != 0 {
				p.fail(wsproto.CloseProtocolError)
				return
			}
			msgOp, msg = h.Opcode, nil
			v.Reset()
		case opCont:
			if msgOp == 0 {
				p.fail(wsproto.CloseProtocolError)
				return
			}
		}
		msg = append(msg, payload...)
		if msgOp == opText && p.cfg.utf8 == utf8FailFast && (!v.Write(payload) || h.Fin && !v.Complete()) {
			p.fail(wsproto.CloseInvalidPayload)
			return
		}
		if !h.Fin {
			continue
		}
		if msgOp == opText && p.cfg.utf8 == utf8AtEnd && !utf8.Valid(msg) {
			p.fail(wsproto.CloseInvalidPayload)
			return
		}
		p.write(msgOp, msg)
		msgOp = 0
	}
}

func (p *echoPeer) onClose(payload []byte) {
	if p.cfg.echoAnyClose {
		code := 1005
		if len(payload) >= 2 {
			code = int(binary.BigEndian.Uint16(payload))
		}
		p.write(opClose, closePayload(code, ""))
		p.finish()
		return
	}
	code, _, err := wsproto.ParseClosePayload(payload)
	if err != nil {
		var we *wsproto.Error
		errors.As(err, &we)
		p.fail(we.Code)
		return
	}
	body, _ := wsproto.AppendClosePayload(nil, code, "")
	p.write(opClose, body)
	p.finish()
}

// startEchoServer starts an HTTP server whose every request is upgraded to
// an echo peer, and returns its ws:// URL.
func startEchoServer(t *testing.T, cfg peerConfig) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, br, err := acceptWebSocket(w, r)
		if err != nil {
			return
		}
		(&echoPeer{cfg: cfg, conn: conn, br: br}).serve()
	}))
	t.Cleanup(srv.Close)
	return "ws" + srv.URL[len("http"):]
}

// runEchoClient drives a FuzzingServer at base (a ws:// URL) the way an
// Autobahn client driver does: count the cases, run each, update reports.
func runEchoClient(t *testing.T, ctx context.Context, base, agent string, cfg peerConfig) {
	t.Helper()
	dial := func(path string) (*echoPeer, error) {
		tg, err := parseTarget(base+path, &Options{})
		if err != nil {
			return nil, err
		}
		conn, br, err := dialWebSocket(ctx, tg)
		if err != nil {
			return nil, err
		}
		return &echoPeer{cfg: cfg, client: true, conn: conn, br: br}, nil
	}
	p, err := dial("/getCaseCount")
	if err != nil {
		t.Fatal(err)
	}
	var hdr [wsproto.MaxHeaderSize]byte
	_, body, err := readFrame(p.br, hdr[:])
	if err != nil {
		t.Fatal(err)
	}
	p.serve() // answers the close
	n, err := strconv.Atoi(string(body))
	if err != nil {
		t.Fatalf("case count %q: %v", body, err)
	}
	for i := 1; i <= n; i++ {
		p, err := dial("/runCase?case=" + strconv.Itoa(i) + "&agent=" + agent)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		p.serve()
	}
	p, err = dial("/updateReports?agent=" + agent)
	if err != nil {
		t.Fatal(err)
	}
	p.serve()
}
