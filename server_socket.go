//go:build !js

package websocket

import "net/http"

// AcceptWebSocket upgrades an HTTP request as Accept does and returns the
// connection as a WebSocket object, so that a server is written with the
// same handlers, Send and Close as a client (and as a page in a browser).
// The socket starts in CONNECTING with its open event queued; it is the
// socket's first event. setup, if not nil, runs as a task of the socket's
// event loop before that open event, so that the handlers it sets miss
// nothing (see also Options.OnOpen and friends). wsOpts may be nil; its
// URL-related and dialing fields do not apply on this side.
//
// The socket's URL is the one the client asked for (ws:// or wss://, the
// request's Host and target), and the origin of its message events that
// URL's origin.
func AcceptWebSocket(w http.ResponseWriter, r *http.Request, opts *AcceptOptions, wsOpts *Options, setup func(*WebSocket)) (*WebSocket, error) {
	return acceptWebSocket(w, r, opts, wsOpts, setup, Accept)
}

// acceptWebSocket is AcceptWebSocket with the accepting function given, so
// that a Server can track the connection.
func acceptWebSocket(w http.ResponseWriter, r *http.Request, opts *AcceptOptions, wsOpts *Options, setup func(*WebSocket),
	accept func(http.ResponseWriter, *http.Request, *AcceptOptions) (*Conn, error)) (*WebSocket, error) {
	o := sharedOptions(wsOpts)
	// Options that shape the connection apply through the accept options.
	var ao AcceptOptions
	if opts != nil {
		ao = *opts
	}
	if o.MaxMessageSize != 0 && ao.ReadLimit == 0 {
		ao.ReadLimit = o.MaxMessageSize
	}
	if o.CloseTimeout != 0 && ao.CloseTimeout == 0 {
		ao.CloseTimeout = o.CloseTimeout
	}
	if o.PingInterval != 0 && ao.PingInterval == 0 {
		ao.PingInterval = o.PingInterval
	}
	if o.PingTimeout != 0 && ao.PingTimeout == 0 {
		ao.PingTimeout = o.PingTimeout
	}
	c, err := accept(w, r, &ao)
	if err != nil {
		return nil, err
	}
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	loop := o.Loop
	if loop == nil {
		loop = NewEventLoop()
	}
	url := scheme + "://" + r.Host + r.URL.RequestURI()
	s := &socket{
		url:    url,
		origin: url[:len(scheme)+len("://")+len(r.Host)], // the same bytes
		opts:   o,
		loop:   loop,
	}
	s.cancel = func() {} // no connecting phase to end: a context would cost ~100 bytes a socket
	ws := s.newHandle()
	loop.ref()
	s.watchOwner()
	if setup != nil {
		loop.post(func() { setup(ws) })
	}
	go s.established(c)
	return ws, nil
}

// AcceptWebSocket is the package's AcceptWebSocket with the connection
// tracked by s for a graceful Shutdown.
func (srv *Server) AcceptWebSocket(w http.ResponseWriter, r *http.Request, opts *AcceptOptions, wsOpts *Options, setup func(*WebSocket)) (*WebSocket, error) {
	return acceptWebSocket(w, r, opts, wsOpts, setup, srv.Accept)
}
