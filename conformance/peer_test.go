package conformance

import (
	"bufio"
	"bytes"
	"compress/flate"
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

	// deflate: negotiate permessage-deflate (wsproto's negotiation) and
	// echo messages compressed with wsproto's codec, unless broken by:
	deflate bool
	// deflateAnyWindow: compress with compress/flate, whose window is
	// always 32 KiB, whatever window was agreed.
	deflateAnyWindow bool
	// deflateKeepContext: never reset the compressor, even when no
	// context takeover was agreed (compress/flate, kept across messages).
	deflateKeepContext bool
	// deflateRSV1Everywhere: echo in two frames, both with RSV1.
	deflateRSV1Everywhere bool
	// deflateCorrupt: flip a bit of each compressed echo.
	deflateCorrupt bool
}

// peerDeflate is an echo peer's permessage-deflate.
type peerDeflate struct {
	out   *wsproto.Deflater
	in    *wsproto.Inflater
	dir   wsproto.DeflateDirection // what was agreed for the messages the peer sends
	std   *flate.Writer            // for the broken modes
	stdTo bytes.Buffer
}

// compress compresses an echo as the peer is configured to.
func (p *echoPeer) compress(msg []byte) []byte {
	d := p.pmd
	var out []byte
	if p.cfg.deflateAnyWindow || p.cfg.deflateKeepContext {
		if d.std == nil || !p.cfg.deflateKeepContext && d.dir.NoContextTakeover {
			d.std, _ = flate.NewWriter(&d.stdTo, flate.DefaultCompression)
		}
		d.stdTo.Reset()
		d.std.Write(msg)
		d.std.Flush()
		out = bytes.TrimSuffix(d.stdTo.Bytes(), []byte{0, 0, 0xff, 0xff})
		out = append([]byte(nil), out...)
	} else {
		out = d.out.Finish(d.out.Write(nil, msg))
	}
	if p.cfg.deflateCorrupt {
		out[len(out)/2] ^= 0x10
	}
	return out
}

// echoPeer serves one WebSocket connection: echo data, answer pings and
// close frames, fail the connection on protocol errors.
type echoPeer struct {
	cfg    peerConfig
	client bool
	conn   net.Conn
	br     *bufio.Reader
	pmd    *peerDeflate // permessage-deflate, if agreed
}

func (p *echoPeer) write(op wsproto.Opcode, payload []byte) error {
	return p.writeFrame(op, true, 0, payload)
}

func (p *echoPeer) writeFrame(op wsproto.Opcode, fin bool, rsv uint8, payload []byte) error {
	h := wsproto.Header{Fin: fin, Rsv: rsv, Opcode: op, Length: int64(len(payload))}
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
		hdr        [wsproto.MaxHeaderSize]byte
		msg        []byte
		msgOp      wsproto.Opcode
		compressed bool
		v          wsproto.UTF8Validator
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
		rsv1OK := p.pmd != nil && (h.Opcode == opText || h.Opcode == opBinary)
		switch {
		case h.Masked == p.client, h.Rsv != 0 && !(rsv1OK && h.Rsv == wsproto.RSV1), h.Opcode.IsReserved():
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
			msgOp, msg, compressed = h.Opcode, nil, h.Rsv != 0
			v.Reset()
		case opCont:
			if msgOp == 0 {
				p.fail(wsproto.CloseProtocolError)
				return
			}
		}
		msg = append(msg, payload...)
		if compressed {
			if !h.Fin {
				continue
			}
			var err error
			if msg, err = p.pmd.in.Inflate(nil, msg); err != nil {
				p.fail(wsproto.CloseInvalidPayload)
				return
			}
			payload = msg
		}
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
		p.echo(msgOp, msg)
		msgOp = 0
	}
}

// echo sends a message back, compressed if permessage-deflate was agreed.
func (p *echoPeer) echo(op wsproto.Opcode, msg []byte) {
	if p.pmd == nil {
		p.write(op, msg)
		return
	}
	z := p.compress(msg)
	if p.cfg.deflateRSV1Everywhere && len(z) > 1 {
		p.writeFrame(op, false, wsproto.RSV1, z[:1])
		p.writeFrame(opCont, true, wsproto.RSV1, z[1:])
		return
	}
	p.writeFrame(op, true, wsproto.RSV1, z)
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
		if cfg.deflate {
			acceptDeflatePeer(w, r, cfg)
			return
		}
		conn, br, _, err := acceptWebSocket(w, r, nil)
		if err != nil {
			return
		}
		(&echoPeer{cfg: cfg, conn: conn, br: br}).serve()
	}))
	t.Cleanup(srv.Close)
	return "ws" + srv.URL[len("http"):]
}

// acceptDeflatePeer is an echo server that accepts permessage-deflate as
// wsproto.NegotiateDeflate decides.
func acceptDeflatePeer(w http.ResponseWriter, r *http.Request, cfg peerConfig) {
	req, err := wsproto.CheckRequest(r.Method, r.ProtoMajor, r.ProtoMinor, r.Host, r.Header)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, agreed, ok := wsproto.NegotiateDeflate(req.Extensions, wsproto.DeflateConfig{})
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	conn.SetDeadline(time.Time{})
	head := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + wsproto.AcceptKey(req.Key) + "\r\n"
	p := &echoPeer{cfg: cfg, conn: conn, br: brw.Reader}
	if ok {
		head += "Sec-WebSocket-Extensions: " + resp.String() + "\r\n"
		p.pmd = newPeerDeflate(agreed, wsproto.Server)
	}
	if _, err := conn.Write([]byte(head + "\r\n")); err != nil {
		conn.Close()
		return
	}
	p.serve()
}

func newPeerDeflate(agreed wsproto.DeflateAgreement, role wsproto.Role) *peerDeflate {
	return &peerDeflate{
		out: wsproto.NewDeflater(agreed.Outgoing(role), wsproto.DeflateConfig{}),
		in:  wsproto.NewInflater(agreed.Incoming(role), 0),
		dir: agreed.Outgoing(role),
	}
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
		var offers []wsproto.Extension
		if cfg.deflate {
			offers = wsproto.DeflateOffer(wsproto.DeflateConfig{})
		}
		conn, br, ds, err := dialWebSocket(ctx, tg, offers)
		if err != nil {
			return nil, err
		}
		p := &echoPeer{cfg: cfg, client: true, conn: conn, br: br}
		if ds != nil {
			// The tester's handshake code checked the response; the
			// agreement is recomputed from it for the peer's codec.
			agreed, _, _ := wsproto.NegotiatedDeflate(offers, mustParseExtensions(ds.response))
			p.pmd = newPeerDeflate(agreed, wsproto.Client)
		}
		return p, nil
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

func mustParseExtensions(h string) []wsproto.Extension {
	e, err := wsproto.ParseExtensions([]string{h})
	if err != nil {
		panic(err)
	}
	return e
}
