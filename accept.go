package websocket

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// ErrBadHandshake is the class of the errors Accept returns when the
// request is not a valid WebSocket opening handshake. Accept has answered
// it with the status RFC 6455 asks for: 405 Method Not Allowed for a method
// other than GET, 426 Upgrade Required (with Sec-WebSocket-Version: 13) for
// a missing or other protocol version, 400 Bad Request for the other
// faults (including a request that is no WebSocket upgrade at all), and 505
// HTTP Version Not Supported for a request over HTTP/2 or HTTP/3.
var ErrBadHandshake = errors.New("websocket: bad handshake request")

// AcceptError is the error Accept returns when it refused an opening
// handshake. Accept has then answered the request itself, with StatusCode
// and a plain-text body that states Reason, and the handler must not write
// to the ResponseWriter any more.
//
// errors.Is(err, ErrBadHandshake) holds for an invalid request, and
// errors.Is(err, ErrOriginNotAllowed) for a request refused for its Origin.
// Failures of the server itself (answered with 500) match neither; the
// underlying error, such as http.ErrNotSupported when the ResponseWriter
// cannot be hijacked, is there for errors.Is and errors.As.
type AcceptError struct {
	StatusCode int    // the status Accept answered with
	Reason     string // what was wrong, as the response body states it

	kind error // ErrBadHandshake, ErrOriginNotAllowed or nil
	err  error // the cause, such as a *wsproto.HandshakeError
}

func (e *AcceptError) Error() string {
	s := "websocket: accept: " + e.Reason
	if e.kind == nil && e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

// Unwrap returns the class of the error (ErrBadHandshake or
// ErrOriginNotAllowed) and its cause.
func (e *AcceptError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.kind, e.err} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// reservedResponseHeaders are the headers AcceptOptions.ResponseHeader may
// not set, with what to do instead.
var reservedResponseHeaders = map[string]string{
	"Upgrade":                  "it belongs to the handshake",
	"Connection":               "it belongs to the handshake",
	"Sec-Websocket-Accept":     "it belongs to the handshake",
	"Sec-Websocket-Key":        "it belongs to the handshake",
	"Sec-Websocket-Version":    "it belongs to the handshake",
	"Sec-Websocket-Protocol":   "use AcceptOptions.Subprotocols or SelectSubprotocol",
	"Sec-Websocket-Extensions": "extensions are negotiated by the package",
	"Content-Length":           "a 101 response has no body",
	"Transfer-Encoding":        "a 101 response has no body",
}

// Accept accepts a WebSocket opening handshake (RFC 6455 section 4.2) from
// an HTTP/1.1 request to a handler, and returns the connection.
//
// It checks the request: method GET, HTTP/1.1, the Upgrade, Connection,
// Sec-WebSocket-Key and Sec-WebSocket-Version headers, well-formed
// Sec-WebSocket-Protocol and Sec-WebSocket-Extensions headers, and the
// origin (see ErrOriginNotAllowed). It selects the subprotocol: the one
// opts.SelectSubprotocol returns, or else the first of opts.Subprotocols
// that the client offered, compared exactly; none when there is no match,
// in which case the response carries no Sec-WebSocket-Protocol header.
// SelectSubprotocol is only called when the client offered subprotocols.
// permessage-deflate is accepted when opts.Compression is set (see
// CompressionOptions); other extensions the client offers are declined.
// It then takes over the connection from the http.Server (the deadlines
// the server set are cleared) and writes the 101 Switching Protocols
// response with the headers of opts.ResponseHeader.
//
// If the handshake is refused, Accept answers the request itself with an
// error status and a plain-text body saying why, and returns an
// *AcceptError. Headers the handler set on w are sent with such an error
// response, but not with the 101 response: put those in opts.ResponseHeader.
//
// WebSocket over HTTP/2 (RFC 8441) is not supported: a request that came
// over HTTP/2 or HTTP/3 is answered with 505 HTTP Version Not Supported, so
// that the client retries over HTTP/1.1.
func Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	if opts == nil {
		opts = &AcceptOptions{}
	}
	hs, err := acceptHandshake(w, r, opts)
	if err != nil {
		return nil, err
	}
	c := newConn(hs.nc, hs.br, wsproto.Server, opts.config(), hs.protocol, hs.extensions)
	if hs.deflate != nil {
		c.enableDeflate(*hs.deflate, *opts.Compression)
	}
	return c, nil
}

// serverHandshake is a completed server handshake.
type serverHandshake struct {
	nc         net.Conn
	br         *bufio.Reader // may hold the client's first frames
	protocol   string
	extensions string
	deflate    *wsproto.DeflateAgreement // permessage-deflate, if agreed
}

// acceptHandshake is Accept up to the creation of the Conn.
func acceptHandshake(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (serverHandshake, error) {
	var hs serverHandshake
	if r.ProtoMajor >= 2 {
		return hs, refuse(w, &AcceptError{
			StatusCode: http.StatusHTTPVersionNotSupported,
			Reason:     "WebSocket over " + r.Proto + " is not supported; use HTTP/1.1",
			kind:       ErrBadHandshake,
		})
	}
	req, err := wsproto.CheckRequest(r.Method, r.ProtoMajor, r.ProtoMinor, r.Host, r.Header)
	if err != nil {
		he := err.(*wsproto.HandshakeError)
		for k, v := range he.Header {
			w.Header().Set(k, v)
		}
		return hs, refuse(w, &AcceptError{StatusCode: he.Status, Reason: he.Msg, kind: ErrBadHandshake, err: he})
	}
	if r.ContentLength != 0 {
		// Bytes of a body would be taken for the client's first frames.
		return hs, refuse(w, &AcceptError{StatusCode: http.StatusBadRequest, Reason: "a handshake request has no body", kind: ErrBadHandshake})
	}
	if ae := checkOrigin(r, opts); ae != nil {
		return hs, refuse(w, ae)
	}
	if err := checkExtraHeader(opts.ResponseHeader, reservedResponseHeaders, "AcceptOptions.ResponseHeader"); err != nil {
		return hs, refuse(w, &AcceptError{StatusCode: http.StatusInternalServerError, Reason: "the server's configuration is invalid", err: err})
	}
	hs.protocol = selectSubprotocol(r, req.Protocols, opts)
	if opts.Compression != nil {
		if err := opts.Compression.Check(); err != nil {
			return hs, refuse(w, &AcceptError{StatusCode: http.StatusInternalServerError, Reason: "the server's configuration is invalid", err: err})
		}
	}
	hs.extensions, hs.deflate = acceptExtensions(req.Extensions, opts)

	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return hs, refuse(w, &AcceptError{
			StatusCode: http.StatusInternalServerError,
			Reason:     "the server cannot take over the connection",
			err:        fmt.Errorf("hijacking the connection: %w", err),
		})
	}
	// The http.Server's read and write timeouts are for HTTP requests, not
	// for the WebSocket connection that follows (P-28).
	nc.SetDeadline(time.Time{})

	var b bytes.Buffer
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Accept: " + wsproto.AcceptKey(req.Key) + "\r\n")
	if hs.protocol != "" {
		b.WriteString("Sec-WebSocket-Protocol: " + hs.protocol + "\r\n")
	}
	if hs.extensions != "" {
		b.WriteString("Sec-WebSocket-Extensions: " + hs.extensions + "\r\n")
	}
	opts.ResponseHeader.Write(&b)
	b.WriteString("\r\n")
	if err := write101(r.Context(), nc, brw.Writer, b.Bytes()); err != nil {
		nc.Close()
		return hs, fmt.Errorf("websocket: accept: writing the 101 response: %w", err)
	}
	hs.nc, hs.br = nc, brw.Reader
	return hs, nil
}

// write101 writes the 101 response after whatever bw holds, interrupted if
// ctx, the request's context, ends.
func write101(ctx context.Context, nc net.Conn, bw *bufio.Writer, resp []byte) error {
	release := deadlineFor(ctx, nc.SetWriteDeadline)
	bw.Write(resp)
	err := bw.Flush()
	if release != nil && release() && err != nil {
		err = ctx.Err()
	}
	return err
}

// refuse answers a refused handshake with ae's status and reason, and
// returns ae.
func refuse(w http.ResponseWriter, ae *AcceptError) error {
	http.Error(w, "websocket: "+ae.Reason, ae.StatusCode)
	return ae
}

// selectSubprotocol chooses the subprotocol among the client's offers
// (P-31): never one that was not offered, "" for none.
func selectSubprotocol(r *http.Request, offered []string, opts *AcceptOptions) string {
	if len(offered) == 0 {
		return ""
	}
	if opts.SelectSubprotocol != nil {
		if p := opts.SelectSubprotocol(r, offered); slices.Contains(offered, p) {
			return p
		}
		return ""
	}
	for _, p := range opts.Subprotocols {
		if slices.Contains(offered, p) {
			return p
		}
	}
	return ""
}

// acceptExtensions chooses the extensions to accept among the client's
// offers and returns the Sec-WebSocket-Extensions value of the response
// ("" for none) and the permessage-deflate agreement, if any. The only
// extension known is permessage-deflate, accepted when opts.Compression is
// set; other offers are declined (P-34).
func acceptExtensions(offers []wsproto.Extension, opts *AcceptOptions) (string, *wsproto.DeflateAgreement) {
	if opts.Compression == nil {
		return "", nil
	}
	resp, agreed, ok := wsproto.NegotiateDeflate(offers, *opts.Compression)
	if !ok {
		return "", nil
	}
	return wsproto.FormatExtensions([]wsproto.Extension{resp}), &agreed
}
