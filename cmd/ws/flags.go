package main

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// stringList is a flag that may be repeated; each use appends a value.
type stringList []string

// String returns the values, for the flag package.
func (l *stringList) String() string { return strings.Join(*l, ", ") }

// Set appends a value.
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// commaList is a flag holding a comma-separated list; empty items are
// dropped and each use appends to the list.
type commaList []string

// String returns the list as it would be given.
func (l *commaList) String() string { return strings.Join(*l, ",") }

// Set appends the items of a comma-separated list.
func (l *commaList) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// parseHeaders turns "Key: Value" strings into a header.
func parseHeaders(lines []string) (http.Header, error) {
	h := make(http.Header)
	for _, line := range lines {
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if !ok || !validHeaderName(k) {
			return nil, fmt.Errorf("invalid header %q: want 'Name: value'", line)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(v))
	}
	return h, nil
}

// validHeaderName reports whether k is an HTTP token (RFC 9110 section 5.6.2).
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-.^_`|~", r):
		default:
			return false
		}
	}
	return true
}
