package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsstack/websocket"
)

var listeningTLSRE = regexp.MustCompile(`listening on wss://(\S+)\n`)

// httpGet fetches url and returns the status code, a header and the body.
func httpGet(t *testing.T, client *http.Client, url string) (int, http.Header, string) {
	t.Helper()
	if client == nil {
		client = &http.Client{Timeout: testTimeout}
	}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func TestServeChat(t *testing.T) {
	_, addr := startServe(t, "--chat")
	ctx := testContext(t)

	code, h, body := httpGet(t, nil, "http://"+addr+"/")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Errorf("GET /: %d %q", code, h.Get("Content-Type"))
	}
	for _, want := range []string{"<!doctype html>", "new WebSocket(url)", `id="text"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the chat page does not contain %q", want)
		}
	}

	a := dial(t, ctx, addr, nil)
	b := dial(t, ctx, addr, nil)
	c := dial(t, ctx, addr, nil)
	// A connection is only in the room once its handler runs, before it
	// reads: a client that gets its own first message back is in.
	for i, conn := range []*websocket.Conn{a, b, c} {
		join := "join " + strconv.Itoa(i)
		if err := conn.Write(ctx, websocket.MessageText, []byte(join)); err != nil {
			t.Fatal(err)
		}
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %q: %v", join, err)
			}
			if string(data) == join {
				break
			}
		}
	}
	// Every client gets every message, its own included, each sender's in
	// order.
	if err := a.Write(ctx, websocket.MessageText, []byte("alice: hi all")); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for name, conn := range map[string]*websocket.Conn{"a": a, "b": b, "c": c} {
		seen := map[string]bool{}
		for len(seen) < 2 {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("%s: Read: %v", name, err)
			}
			switch {
			case typ == websocket.MessageText && string(data) == "alice: hi all":
				seen["text"] = true
			case typ == websocket.MessageBinary && string(data) == "\x01\x02\x03":
				seen["binary"] = true
			case typ == websocket.MessageText && strings.HasPrefix(string(data), "join "):
			default:
				t.Fatalf("%s: unexpected %v message %q", name, typ, data)
			}
		}
	}
	for _, conn := range []*websocket.Conn{a, b, c} {
		if err := conn.Close(websocket.CloseNormal, ""); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func TestServeDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello from a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>my page</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := startServe(t, "--dir", dir)
	if code, _, body := httpGet(t, nil, "http://"+addr+"/hello.txt"); code != 200 || body != "hello from a file\n" {
		t.Errorf("GET /hello.txt: %d %q", code, body)
	}
	if code, _, body := httpGet(t, nil, "http://"+addr+"/"); code != 200 || body != "<p>my page</p>\n" {
		t.Errorf("GET /: %d %q", code, body)
	}
	if code, _, _ := httpGet(t, nil, "http://"+addr+"/missing"); code != http.StatusNotFound {
		t.Errorf("GET /missing: %d, want 404", code)
	}
	// WebSocket upgrades still work on any path, /metrics too.
	ctx := testContext(t)
	c := dial(t, ctx, addr, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("still echoing"))
	c.Close(websocket.CloseNormal, "")
	if code, _, body := httpGet(t, nil, "http://"+addr+"/metrics"); code != 200 || !strings.Contains(body, "ws_connections_total 1") {
		t.Errorf("GET /metrics: %d\n%s", code, body)
	}
}

// writeCert writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and a pool that trusts it.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "ws test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	p := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--cert", certFile, "--key", keyFile)
	addr := waitOutput(t, &p.stderr, listeningTLSRE)[1]
	ctx := testContext(t)
	tlsConf := &tls.Config{RootCAs: pool}
	c, _, err := websocket.Dial(ctx, "wss://"+addr+"/", &websocket.DialOptions{TLSConfig: tlsConf})
	if err != nil {
		t.Fatalf("Dial wss: %v", err)
	}
	roundTrip(t, ctx, c, websocket.MessageText, []byte("over TLS"))
	if err := c.Close(websocket.CloseNormal, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
	// The pages too, over HTTP/1.1 only.
	client := &http.Client{Timeout: testTimeout, Transport: &http.Transport{TLSClientConfig: tlsConf, ForceAttemptHTTP2: true}}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 1 {
		t.Errorf("GET https://%s/: %s %s, want 200 over HTTP/1.1", addr, resp.Proto, resp.Status)
	}
}

func TestServeSelfSigned(t *testing.T) {
	p := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--tls-self-signed")
	addr := waitOutput(t, &p.stderr, listeningTLSRE)[1]
	fp := waitOutput(t, &p.stderr, regexp.MustCompile(`SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n`))[1]
	ctx := testContext(t)

	// A normal client refuses the certificate.
	if _, _, err := websocket.Dial(ctx, "wss://"+addr+"/", nil); err == nil {
		t.Error("Dial verified a self-signed certificate")
	}
	var seen *x509.Certificate
	c, _, err := websocket.Dial(ctx, "wss://"+addr+"/", &websocket.DialOptions{TLSConfig: &tls.Config{
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			seen = cs.PeerCertificates[0]
			return nil
		},
	}})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.CloseNow()
	if got := fingerprint(seen.Raw); got != fp {
		t.Errorf("the server printed fingerprint %s; its certificate's is %s", fp, got)
	}
	// The certificate is for localhost and the loopback addresses.
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := seen.VerifyHostname(host); err != nil {
			t.Errorf("certificate: %v", err)
		}
	}
	if d := time.Until(seen.NotAfter); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("certificate valid until %v", seen.NotAfter)
	}
	roundTrip(t, ctx, c, websocket.MessageBinary, []byte{0, 1, 2})
	c.Close(websocket.CloseNormal, "")

	// ws connect --insecure reaches it.
	code, stdout, stderr := runWS(t, strings.NewReader("secure hello\n"), "connect", "--insecure", "wss://"+addr+"/")
	if code != exitOK || !strings.Contains(stdout, "< secure hello") {
		t.Errorf("ws connect --insecure: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Without --insecure it fails.
	if code, _, stderr := runWS(t, nil, "connect", "wss://"+addr+"/"); code != exitFailure || !strings.Contains(stderr, "certificate") {
		t.Errorf("ws connect without --insecure: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestServeCompression(t *testing.T) {
	ctx := testContext(t)
	offer := &websocket.DialOptions{ConnOptions: websocket.ConnOptions{Compression: &websocket.CompressionOptions{}}}

	_, addr := startServe(t)
	c := dial(t, ctx, addr, offer)
	if !strings.HasPrefix(c.Extensions(), "permessage-deflate") {
		t.Errorf("default: extensions %q, want permessage-deflate", c.Extensions())
	}
	roundTrip(t, ctx, c, websocket.MessageText, []byte(strings.Repeat("compress me ", 1000)))
	c.Close(websocket.CloseNormal, "")

	_, addr = startServe(t, "--no-compress")
	c = dial(t, ctx, addr, offer)
	if c.Extensions() != "" {
		t.Errorf("--no-compress: extensions %q, want none", c.Extensions())
	}
	roundTrip(t, ctx, c, websocket.MessageText, []byte(strings.Repeat("compress me ", 1000)))
	c.Close(websocket.CloseNormal, "")
}

func TestServeMetrics(t *testing.T) {
	_, addr := startServe(t)
	ctx := testContext(t)
	c := dial(t, ctx, addr, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("12345"))
	roundTrip(t, ctx, c, websocket.MessageBinary, []byte("1234567890"))

	metric := func(body, name string) int64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\d+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s in /metrics:\n%s", name, body)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		return n
	}
	// The server counts a message sent once its Write has returned, which
	// may be after the client has the echo: wait for the count to settle.
	code, h, body := httpGet(t, nil, "http://"+addr+"/metrics")
	for i := 0; i < 100 && !strings.Contains(body, "ws_bytes_out_total 15\n"); i++ {
		time.Sleep(10 * time.Millisecond)
		code, h, body = httpGet(t, nil, "http://"+addr+"/metrics")
	}
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("GET /metrics: %d %q", code, h.Get("Content-Type"))
	}
	want := map[string]int64{
		"ws_connections_current": 1, "ws_connections_total": 1,
		"ws_messages_in_total": 2, "ws_messages_out_total": 2,
		"ws_bytes_in_total": 15, "ws_bytes_out_total": 15,
	}
	for name, v := range want {
		if got := metric(body, name); got != v {
			t.Errorf("%s = %d, want %d", name, got, v)
		}
		if !strings.Contains(body, "# TYPE "+name+" ") || !strings.Contains(body, "# HELP "+name+" ") {
			t.Errorf("%s has no # TYPE or # HELP line", name)
		}
	}
	c.Close(websocket.CloseNormal, "")
	// The handler ends right after the closing handshake.
	deadline := time.Now().Add(testTimeout)
	for {
		_, _, body = httpGet(t, nil, "http://"+addr+"/metrics")
		if metric(body, "ws_connections_current") == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := metric(body, "ws_connections_current"); got != 0 {
		t.Errorf("ws_connections_current = %d after the close, want 0", got)
	}
}

func TestServeJSONLogs(t *testing.T) {
	p, addr := startServe(t, "--log-format", "json", "--log-level", "debug")
	ctx := testContext(t)
	c := dial(t, ctx, addr, nil)
	roundTrip(t, ctx, c, websocket.MessageText, []byte("logged"))
	c.Close(4001, "done")
	waitOutput(t, &p.stderr, regexp.MustCompile(`"msg":"closed"`))

	var sawMessage, sawClosed bool
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // the "listening on" line is for people
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %v: %s", err, line)
			continue
		}
		switch rec["msg"] {
		case "message":
			sawMessage = rec["level"] == "DEBUG" && rec["bytes"] == float64(6) && rec["type"] == "text"
		case "closed":
			sawClosed = rec["code"] == float64(4001) && rec["reason"] == "done"
		}
	}
	if !sawMessage || !sawClosed {
		t.Errorf("debug message record %v, closed record %v; log:\n%s", sawMessage, sawClosed, p.stderr.String())
	}
}

// TestServeShutdownChat checks the graceful shutdown in chat mode: every
// client gets 1001.
func TestServeShutdownChat(t *testing.T) {
	p, addr := startServe(t, "--chat")
	ctx := testContext(t)
	conns := []*websocket.Conn{dial(t, ctx, addr, nil), dial(t, ctx, addr, nil)}
	waitOutput(t, &p.stderr, regexp.MustCompile(`(?s)(msg=open.*){2}`))
	p.signal(t, syscall.SIGINT)
	for _, c := range conns {
		if ce := readClose(t, ctx, c); ce.Code != websocket.CloseGoingAway {
			t.Errorf("close %v, want 1001", ce)
		}
	}
	if code := p.wait(t); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
