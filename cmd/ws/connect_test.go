package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/wsstack/websocket"
)

// startServer runs an HTTP server whose handler accepts a WebSocket with
// opts and passes it to handle. Whatever handle returns is sent on the
// returned channel.
func startServer(t *testing.T, opts *websocket.AcceptOptions, handle func(ctx context.Context, c *websocket.Conn, r *http.Request) error) (url string, result <-chan error) {
	t.Helper()
	ctx := testContext(t)
	results := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, opts)
		if err != nil {
			results <- fmt.Errorf("Accept: %w", err)
			return
		}
		defer c.CloseNow()
		results <- handle(ctx, c, r)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), results
}

// serverResult waits for the handler's result and fails the test if it is
// an error.
func serverResult(t *testing.T, result <-chan error) {
	t.Helper()
	select {
	case err := <-result:
		if err != nil {
			t.Errorf("server: %v", err)
		}
	case <-testContext(t).Done():
		t.Fatal("the server handler did not finish")
	}
}

// expectEcho sends a message and checks that it comes back unchanged.
func expectEcho(ctx context.Context, c *websocket.Conn, typ websocket.MessageType, data []byte) error {
	if err := c.Write(ctx, typ, data); err != nil {
		return err
	}
	gotType, got, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if gotType != typ || !bytes.Equal(got, data) {
		return fmt.Errorf("echo of %v %q: got %v %q", typ, data, gotType, got)
	}
	return nil
}

func TestConnectEcho(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		for _, m := range []struct {
			typ  websocket.MessageType
			data []byte
		}{
			{websocket.MessageText, []byte("hello")},
			{websocket.MessageText, []byte("")},
			{websocket.MessageBinary, []byte{0, 1, 0xfe, 0xff}},
			{websocket.MessageBinary, bytes.Repeat([]byte("x"), 200_000)},
		} {
			if err := expectEcho(ctx, c, m.typ, m.data); err != nil {
				return err
			}
		}
		return c.Close(websocket.CloseNormal, "done")
	})
	p := start(t, nil, "connect", "--echo", url)
	serverResult(t, result)
	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	if want := `closed by server: 1000 (normal closure) "done"`; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr does not say %q", want)
	}
}

// TestConnectEchoOtherCode checks that a clean closing handshake with a code
// other than 1000, 1001 or 1005 gives exit code 3.
func TestConnectEchoOtherCode(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		return c.Close(4000, "")
	})
	code, _, stderr := runWS(t, nil, "connect", "--echo", url)
	serverResult(t, result)
	if code != exitCloseCode {
		t.Errorf("exit code %d, want %d", code, exitCloseCode)
	}
	if !strings.Contains(stderr, "closed by server: 4000") {
		t.Errorf("stderr does not give the close code:\n%s", stderr)
	}
}

func TestConnectDropped(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		if err := expectEcho(ctx, c, websocket.MessageText, []byte("hello")); err != nil {
			return err
		}
		return c.CloseNow() // TCP goes without a close frame
	})
	code, _, stderr := runWS(t, nil, "connect", "--echo", url)
	serverResult(t, result)
	if code != exitLost {
		t.Errorf("exit code %d, want %d", code, exitLost)
	}
	if !strings.Contains(stderr, "ws connect: connection lost") {
		t.Errorf("stderr does not report the error:\n%s", stderr)
	}
}

func TestConnectRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "go away", http.StatusForbidden)
	}))
	defer srv.Close()
	code, _, stderr := runWS(t, nil, "connect", "ws"+strings.TrimPrefix(srv.URL, "http"))
	if code != exitFailure {
		t.Errorf("exit code %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "403") {
		t.Errorf("stderr does not give the status:\n%s", stderr)
	}
}

func TestConnectHeadersAndProtocols(t *testing.T) {
	opts := &websocket.AcceptOptions{Subprotocols: []string{"b", "a"}}
	url, result := startServer(t, opts, func(ctx context.Context, c *websocket.Conn, r *http.Request) error {
		if got := r.Header.Get("X-Test"); got != "yes: really" {
			return fmt.Errorf("X-Test header %q", got)
		}
		if got := r.Header.Values("Sec-WebSocket-Protocol"); strings.Join(got, ",") != "a, b" && strings.Join(got, ",") != "a,b" {
			return fmt.Errorf("offered subprotocols %q, want a, b", got)
		}
		if c.Subprotocol() != "b" {
			return fmt.Errorf("subprotocol %q", c.Subprotocol())
		}
		return c.Close(websocket.CloseNormal, "")
	})
	code, _, stderr := runWS(t, nil, "connect", "--echo", "--protocol", "a", "--protocol", "b", "--header", "x-test: yes: really", url)
	serverResult(t, result)
	if code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	if !strings.Contains(stderr, `(subprotocol "b")`) {
		t.Errorf("stderr does not give the subprotocol:\n%s", stderr)
	}
}

func TestConnectInteractive(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		if err := c.Write(ctx, websocket.MessageBinary, []byte{0xca, 0xfe}); err != nil {
			return err
		}
		var last string
		for {
			typ, data, err := c.Read(ctx)
			if websocket.CloseStatus(err) == websocket.CloseNormal {
				if last != "last line without newline" {
					return fmt.Errorf("last message %q", last)
				}
				return nil
			}
			last = string(data)
			if err != nil {
				return fmt.Errorf("Read: %v, want a 1000 close", err)
			}
			if err := c.Write(ctx, typ, append([]byte("echo: "), data...)); err != nil {
				return err
			}
		}
	})
	p, input := startInput(t, "connect", url)
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< cafe$`))
	fmt.Fprint(input, "hello\n")
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< echo: hello$`))
	fmt.Fprint(input, "with CRLF\r\nünïcode\n\xff\n")
	waitOutput(t, &p.stdout, regexp.MustCompile(`(?m)^< echo: ünïcode$`))
	waitOutput(t, &p.stderr, regexp.MustCompile(`not sent: .*UTF-8`))
	fmt.Fprint(input, "last line without newline") // sent at the end of input
	input.Close()

	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	serverResult(t, result)
	// The echo of the last line may come after our close frame: the
	// library's Close discards it unless it is being read at that moment.
	want := "< cafe\n< echo: hello\n< echo: with CRLF\n< echo: ünïcode\n"
	if got := p.stdout.String(); !strings.HasPrefix(got, want) {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(p.stderr.String(), "closed: 1000") {
		t.Errorf("stderr does not report the close")
	}
}

// TestConnectInteractiveServerCloses checks that the interactive client
// ends when the server closes, without waiting for its input to end.
func TestConnectInteractiveServerCloses(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		if err := c.Write(ctx, websocket.MessageText, []byte("bye")); err != nil {
			return err
		}
		return c.Close(websocket.CloseGoingAway, "maintenance")
	})
	p, _ := startInput(t, "connect", url) // the input stays open
	serverResult(t, result)
	if code := p.wait(t); code != exitOK {
		t.Errorf("exit code %d, want 0", code)
	}
	if got := p.stdout.String(); got != "< bye\n" {
		t.Errorf("stdout %q", got)
	}
	if want := `closed by server: 1001 (going away) "maintenance"`; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("stderr does not say %q", want)
	}
}

func TestConnectInterrupted(t *testing.T) {
	url, result := startServer(t, nil, func(ctx context.Context, c *websocket.Conn, _ *http.Request) error {
		_, _, err := c.Read(ctx)
		if code := websocket.CloseStatus(err); code != websocket.CloseGoingAway {
			return fmt.Errorf("Read: %v, want a 1001 close", err)
		}
		return nil
	})
	p, _ := startInput(t, "connect", url)
	waitOutput(t, &p.stderr, regexp.MustCompile(`connected to`))
	p.signal(t, syscall.SIGINT)
	if code := p.wait(t); code != exitInterrupted {
		t.Errorf("exit code %d, want %d", code, exitInterrupted)
	}
	serverResult(t, result)
}
