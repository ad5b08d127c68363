package websocket

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// Defaults for the limits and timers of a connection. Every one can be
// changed per connection through DialOptions or AcceptOptions.
const (
	// DefaultReadLimit is the largest message a Conn accepts, 32 MiB. A
	// bigger one fails the connection with 1009 (message too big) as soon as
	// a frame header announces it, before its payload is read.
	DefaultReadLimit = 32 << 20
	// DefaultHandshakeTimeout bounds the opening handshake of Dial.
	DefaultHandshakeTimeout = 30 * time.Second
	// DefaultCloseTimeout bounds how long Close waits for the peer's close
	// frame and for the server's TCP close.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultPingInterval is how long a connection may stay silent before
	// the keepalive sends a ping.
	DefaultPingInterval = 30 * time.Second
	// DefaultPingTimeout is how long the keepalive waits, after its ping,
	// for anything from the peer before it declares the peer dead and drops
	// the connection (close code 1006 locally).
	DefaultPingTimeout = 15 * time.Second
	// DefaultMaxHeaderBytes bounds the size of a handshake response read by
	// Dial (a server's request size is bounded by http.Server).
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultReadBufferSize and DefaultWriteBufferSize are the sizes of the
	// buffers a connection uses while a message is in flight.
	DefaultReadBufferSize  = 4096
	DefaultWriteBufferSize = 4096
)

// DialOptions configure Dial. The zero value (or nil) is valid and gives the
// documented defaults.
type DialOptions struct {
	// Header holds extra request headers, such as Origin, Cookie, User-Agent
	// or Authorization. The headers of the handshake itself (Upgrade,
	// Connection, Sec-WebSocket-*) may not be set here: use the fields below.
	Header http.Header

	// Subprotocols are offered in Sec-WebSocket-Protocol, in preference order.
	Subprotocols []string

	// TLSConfig is used for wss:// URLs. Dial sets ServerName from the URL
	// when it is empty and always restricts ALPN to http/1.1.
	TLSConfig *tls.Config

	// HandshakeTimeout bounds the connection set-up: TCP, proxy, TLS and the
	// HTTP upgrade. Zero means DefaultHandshakeTimeout; the context passed to
	// Dial may end it sooner.
	HandshakeTimeout time.Duration

	// NetDialContext dials the TCP connection (to the proxy when there is
	// one). Nil means a net.Dialer.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Proxy returns the HTTP proxy for a request, as http.Transport.Proxy
	// does; the connection is then tunneled with CONNECT, with basic
	// authentication when the proxy URL carries user information. Nil means
	// http.ProxyFromEnvironment; to use no proxy at all, set NoProxy.
	Proxy func(*http.Request) (*url.URL, error)

	// NoProxy disables proxies, including those from the environment.
	NoProxy bool

	// MaxHeaderBytes bounds the server's handshake response. Zero means
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int

	ConnOptions
}

// AcceptOptions configure Accept. The zero value (or nil) is valid: no
// subprotocol, the same-origin policy, the documented defaults.
type AcceptOptions struct {
	// Subprotocols are the subprotocols the server speaks, in its order of
	// preference: the first one the client also offered is selected.
	Subprotocols []string

	// SelectSubprotocol, when set, chooses instead of Subprotocols: it gets
	// the request and the client's offers and returns one of the offers, or
	// "" for none. A value the client did not offer is ignored.
	SelectSubprotocol func(r *http.Request, offered []string) string

	// OriginPatterns lists the origins, besides the request's own host, that
	// may open a connection: host patterns as path.Match reads them, such as
	// "example.com" or "*.example.com", matched against the Origin's host
	// (and port), ASCII case-insensitively. A pattern with a scheme
	// ("https://example.com") is matched against the whole origin.
	OriginPatterns []string

	// InsecureSkipOriginCheck accepts any Origin. Browsers send cookies with
	// a WebSocket handshake to any site, so a server that uses cookies for
	// authentication and skips the check is open to cross-site WebSocket
	// hijacking. Use it only where nothing depends on ambient credentials.
	InsecureSkipOriginCheck bool

	// ResponseHeader holds extra headers for the 101 response, such as
	// Set-Cookie. The handshake's own headers may not be set here.
	ResponseHeader http.Header

	ConnOptions
}

// ConnOptions are the settings of an established connection, shared by
// DialOptions and AcceptOptions.
type ConnOptions struct {
	// ReadLimit is the largest message accepted, in bytes. Zero means
	// DefaultReadLimit; a negative value means no limit. Conn.SetReadLimit
	// changes it later.
	ReadLimit int64

	// PingInterval is how long the connection may be silent (nothing
	// received) before the keepalive sends a ping. Zero means
	// DefaultPingInterval; a negative value turns the keepalive off.
	PingInterval time.Duration

	// PingTimeout is how long the keepalive waits for anything from the
	// peer after its ping before it drops the connection. Zero means
	// DefaultPingTimeout.
	PingTimeout time.Duration

	// CloseTimeout bounds Close: the wait for the peer's close frame and,
	// on a client, for the server to close TCP. Zero means DefaultCloseTimeout.
	CloseTimeout time.Duration

	// ReadBufferSize and WriteBufferSize size the buffers used while a
	// message is in flight. Zero means the defaults.
	ReadBufferSize, WriteBufferSize int

	// Compression, if not nil, negotiates permessage-deflate (RFC 7692)
	// with these settings: a client offers it, a server accepts a client's
	// offer. Nil means no compression. See CompressionOptions and
	// docs/compression.md for the memory each mode costs.
	Compression *CompressionOptions
}

// CompressionOptions configure permessage-deflate: the parameters asked
// for and accepted in the handshake (context takeover and window size, per
// direction), the compression level, a memory knob and the size under
// which messages are sent uncompressed. The zero value compresses with
// context takeover both ways and full 32 KiB windows.
type CompressionOptions = wsproto.DeflateConfig

// connConfig is ConnOptions with the defaults filled in.
type connConfig struct {
	readLimit    int64
	pingInterval time.Duration // <= 0: no keepalive
	pingTimeout  time.Duration
	closeTimeout time.Duration
	readBufSize  int
	writeBufSize int
}

func (o *ConnOptions) config() connConfig {
	var c ConnOptions
	if o != nil {
		c = *o
	}
	cfg := connConfig{
		readLimit:    orDefault(c.ReadLimit, DefaultReadLimit),
		pingInterval: orDefault(c.PingInterval, DefaultPingInterval),
		pingTimeout:  orDefault(c.PingTimeout, DefaultPingTimeout),
		closeTimeout: orDefault(c.CloseTimeout, DefaultCloseTimeout),
		readBufSize:  orDefault(c.ReadBufferSize, DefaultReadBufferSize),
		writeBufSize: orDefault(c.WriteBufferSize, DefaultWriteBufferSize),
	}
	if cfg.readLimit < 0 {
		cfg.readLimit = 0 // the core's "no limit"
	}
	// Control frames must fit whole in the read buffer.
	cfg.readBufSize = max(cfg.readBufSize, 256)
	cfg.writeBufSize = max(cfg.writeBufSize, 256)
	return cfg
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}
