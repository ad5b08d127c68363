package websocket

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestP24_OriginPolicy(t *testing.T) {
	tests := []struct {
		host, origin string
		opts         AcceptOptions
		status       int // 0: allowed
	}{
		{host: "example.com", origin: ""},
		{host: "example.com", origin: "https://example.com"},
		{host: "Example.COM", origin: "http://EXAMPLE.com"},
		{host: "example.com", origin: "https://example.com:443"},
		{host: "example.com:443", origin: "https://example.com"},
		{host: "example.com:80", origin: "http://example.com"},
		{host: "example.com:8080", origin: "http://example.com:8080"},
		{host: "[::1]:8080", origin: "http://[::1]:8080"},
		{host: "example.com", origin: "http://example.com:8080", status: 403},
		{host: "example.com:8080", origin: "http://example.com", status: 403},
		{host: "example.com", origin: "https://evil.example", status: 403},
		{host: "example.com", origin: "https://example.com.evil.example", status: 403},
		{host: "example.com", origin: "null", status: 403},
		{host: "example.com", origin: "null", opts: AcceptOptions{OriginPatterns: []string{"*"}}, status: 403},
		{host: "example.com", origin: "example.com", status: 403},
		{host: "example.com", origin: "https://", status: 403},
		{host: "example.com", origin: "http://exa mple.com", status: 403},
		{host: "example.com", origin: "https://app.example.org", opts: AcceptOptions{OriginPatterns: []string{"*.example.org"}}},
		{host: "example.com", origin: "https://APP.Example.ORG", opts: AcceptOptions{OriginPatterns: []string{"*.EXAMPLE.org"}}},
		{host: "example.com", origin: "https://example.org", opts: AcceptOptions{OriginPatterns: []string{"*.example.org"}}, status: 403},
		{host: "example.com", origin: "https://a.b.example.org", opts: AcceptOptions{OriginPatterns: []string{"*.example.org"}}},
		{host: "example.com", origin: "https://app.example.org:8443", opts: AcceptOptions{OriginPatterns: []string{"*.example.org"}}, status: 403},
		{host: "example.com", origin: "http://localhost:3000", opts: AcceptOptions{OriginPatterns: []string{"localhost:*"}}},
		{host: "example.com", origin: "https://trusted.example", opts: AcceptOptions{OriginPatterns: []string{"https://trusted.example"}}},
		{host: "example.com", origin: "http://trusted.example", opts: AcceptOptions{OriginPatterns: []string{"https://trusted.example"}}, status: 403},
		{host: "example.com", origin: "https://x.trusted.example", opts: AcceptOptions{OriginPatterns: []string{"https://*.trusted.example"}}},
		{host: "example.com", origin: "https://evil.example", opts: AcceptOptions{InsecureSkipOriginCheck: true}},
		{host: "example.com", origin: "null", opts: AcceptOptions{InsecureSkipOriginCheck: true}},
		{host: "example.com", origin: "https://evil.example", opts: AcceptOptions{OriginPatterns: []string{"["}}, status: 500},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "http://example.com/ws", nil)
		r.Host = tt.host
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		ae := checkOrigin(r, &tt.opts)
		status := 0
		if ae != nil {
			status = ae.StatusCode
			if (status == 403) != errors.Is(ae, ErrOriginNotAllowed) {
				t.Errorf("%q from %q: error %v of status %d", tt.origin, tt.host, ae, status)
			}
		}
		if tt.origin == "null" && ae != nil && !strings.Contains(ae.Reason, "sandboxed") {
			t.Errorf("the refusal of null does not say what null is: %q", ae.Reason)
		}
		if status != tt.status {
			t.Errorf("Origin %q, Host %q, %+v: status %d (%v), want %d", tt.origin, tt.host, tt.opts, status, ae, tt.status)
		}
	}

	r := httptest.NewRequest("GET", "http://example.com/ws", nil)
	r.Header.Add("Origin", "https://example.com")
	r.Header.Add("Origin", "https://evil.example")
	if ae := checkOrigin(r, &AcceptOptions{}); ae == nil || ae.StatusCode != 403 {
		t.Errorf("two Origin headers: %v, want 403", ae)
	}
}

// TestP24_OriginRefusedOnTheWire checks the 403 a refused origin gets: what
// it says, what Accept returns, what Dial sees.
func TestP24_OriginRefusedOnTheWire(t *testing.T) {
	s := startAcceptServer(t, &AcceptOptions{OriginPatterns: []string{"*.example.org"}}, nil)
	resp, body, _, _ := exchange(t, s.addr(), rawRequest("GET / HTTP/1.1", "example.com",
		append(slices.Clone(stdLines), "Origin: https://Evil.example")))
	if resp.StatusCode != 403 {
		t.Fatalf("status %s, want 403", resp.Status)
	}
	for _, part := range []string{`"https://Evil.example"`, `"example.com"`, "OriginPatterns", `add "evil.example"`} {
		if !strings.Contains(body, part) {
			t.Errorf("body %q does not contain %s", body, part)
		}
	}
	if err := s.acceptErr(t); !errors.Is(err, ErrOriginNotAllowed) || errors.Is(err, ErrBadHandshake) {
		t.Errorf("Accept returned %v, want ErrOriginNotAllowed", err)
	}

	resp, _, _, _ = exchange(t, s.addr(), rawRequest("GET / HTTP/1.1", "example.com",
		append(slices.Clone(stdLines), "Origin: https://chat.example.org")))
	if resp.StatusCode != 101 || s.acceptErr(t) != nil {
		t.Errorf("allowed origin: status %s", resp.Status)
	}

	_, resp, err := Dial(ctxT(t), s.URL, &DialOptions{NoProxy: true, Header: http.Header{"Origin": {"https://evil.example"}}})
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != 403 {
		t.Fatalf("Dial: %v, want a *HandshakeError with status 403", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "evil.example") {
		t.Errorf("Dial's response body %q does not say why", b)
	}
	s.acceptErr(t)
}
