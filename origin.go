package websocket

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// ErrOriginNotAllowed is the class of the errors Accept returns when it
// refused a request for its Origin header, with status 403 Forbidden.
//
// By default Accept applies the same-origin policy: a request without an
// Origin header (from a client that is not a browser) is accepted, and one
// with an Origin is accepted only if the origin's host (and port) is the
// request's Host, compared ASCII case-insensitively. The origin "null",
// which browsers send for sandboxed and opaque origins and which any page
// can produce, is always refused. AcceptOptions.OriginPatterns allows other
// origins; AcceptOptions.InsecureSkipOriginCheck turns the check off.
var ErrOriginNotAllowed = errors.New("websocket: origin not allowed")

// checkOrigin applies the origin policy to r (P-24, P-95). It returns nil
// if the request may proceed, and otherwise the refusal: 403 for an origin
// that is not allowed, 500 for a malformed pattern in the options.
func checkOrigin(r *http.Request, opts *AcceptOptions) *AcceptError {
	if opts.InsecureSkipOriginCheck {
		return nil
	}
	origins := r.Header.Values("Origin")
	switch len(origins) {
	case 0:
		return nil // not a browser: the check protects browsers' users
	case 1:
	default:
		return originRefused("the request has more than one Origin header")
	}
	origin := origins[0]
	if origin == "null" {
		return originRefused(`the request origin "null" (a sandboxed or opaque origin) is not allowed; ` +
			"only AcceptOptions.InsecureSkipOriginCheck accepts it")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return originRefused("the request origin " + quoteInput(origin) + " is not a valid origin (scheme://host[:port])")
	}
	host := asciiLowercase(u.Host)
	def := defaultPort(wsScheme(asciiLowercase(u.Scheme)))
	if normalHostPort(host, def) == normalHostPort(asciiLowercase(r.Host), def) {
		return nil
	}
	full := asciiLowercase(u.Scheme) + "://" + host
	for _, pattern := range opts.OriginPatterns {
		pattern := asciiLowercase(pattern)
		target := host
		if strings.Contains(pattern, "://") {
			target = full
		}
		ok, err := path.Match(pattern, target)
		if err != nil {
			return &AcceptError{
				StatusCode: http.StatusInternalServerError,
				Reason:     "the server's configuration is invalid",
				err:        fmt.Errorf("AcceptOptions.OriginPatterns: pattern %q: %w", pattern, err),
			}
		}
		if ok {
			return nil
		}
	}
	return originRefused(fmt.Sprintf("the request origin %s is not allowed: it is not the request's host %s "+
		"and no pattern in AcceptOptions.OriginPatterns matches it; to allow it, add %s to AcceptOptions.OriginPatterns",
		quoteInput(origin), quoteInput(r.Host), quoteInput(host)))
}

// originRefused returns the refusal of a request for its origin.
func originRefused(reason string) *AcceptError {
	return &AcceptError{StatusCode: http.StatusForbidden, Reason: reason, kind: ErrOriginNotAllowed}
}

// wsScheme maps an origin's scheme to the WebSocket scheme of the same
// default port.
func wsScheme(scheme string) string {
	switch scheme {
	case "https", "wss":
		return "wss"
	}
	return "ws"
}

// normalHostPort returns host[:port] without the port when it is def.
func normalHostPort(hostport, def string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port != def {
		return hostport
	}
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// quoteInput quotes untrusted input for a message, escaping whatever is
// not printable ASCII and shortening it, so that it can inject nothing
// (P-96).
func quoteInput(s string) string {
	const max = 100
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "..."
	}
	return strconv.QuoteToASCII(s)
}
