package main

import (
	"html/template"
	"net/http"
	"strings"
)

// pageTemplate is the page served to a plain HTTP GET on /.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>ws serve</title>
<h1>ws serve: a WebSocket echo server</h1>
<p>This server echoes back every text and binary message sent to it over a
WebSocket, on any path. It is a development tool.</p>
<p>Connect from a browser's JavaScript console:</p>
<pre>const ws = new WebSocket('{{.URL}}');
ws.onmessage = (e) => console.log(e.data);
ws.onopen = () => ws.send('hello');</pre>
<p>or from a terminal:</p>
<pre>ws connect {{.URL}}</pre>
{{if .Protocols}}<p>Subprotocols supported: {{.Protocols}}.</p>
{{end}}<p>The server's counters are at <a href="/metrics">/metrics</a>.</p>
</html>
`))

// pageInfo is what the page says of the server.
type pageInfo struct {
	Protocols string // the subprotocols supported, for people
}

// servePage answers a plain HTTP request on / with pageTemplate.
func servePage(w http.ResponseWriter, r *http.Request, info pageInfo) {
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	pageTemplate.Execute(w, struct{ URL, Protocols string }{
		URL:       scheme + "://" + r.Host,
		Protocols: info.Protocols,
	})
}

// isUpgrade reports whether r asks for a WebSocket upgrade.
func isUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether the comma-separated lists in the header
// field name contain token, ASCII case-insensitively.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
