package conformance_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsstack/websocket"
	"github.com/wsstack/websocket/conformance"
)

var (
	writeReport = flag.String("write-report", "", "write the Markdown report of TestConformance to this file (e.g. ../docs/conformance.md)")
	writeHTML   = flag.String("write-html", "", "write the HTML reports of TestConformance into this directory")
)

// reportCommand is the command that regenerates docs/conformance.md.
const reportCommand = "go test ./conformance -run TestConformance -count=1 -args -write-report ../docs/conformance.md"

// TestConformance runs the whole suite against this module's server (an
// echo handler on Accept) and client (an echo client on Dial), and
// requires that no case fails.
func TestConformance(t *testing.T) {
	var reports []*conformance.Report
	t.Run("Server", func(t *testing.T) {
		rep := runServerSuite(t)
		reports = append(reports, rep)
		check(t, rep)
	})
	t.Run("Client", func(t *testing.T) {
		rep := runClientSuite(t)
		reports = append(reports, rep)
		check(t, rep)
	})
	if *writeReport != "" {
		if err := writeMarkdown(*writeReport, reports); err != nil {
			t.Fatal(err)
		}
	}
	if *writeHTML != "" {
		for _, rep := range reports {
			var b bytes.Buffer
			if err := rep.WriteHTML(&b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*writeHTML, "conformance-"+rep.Mode+".html"), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func check(t *testing.T, rep *conformance.Report) {
	t.Helper()
	if rep == nil {
		return
	}
	var b strings.Builder
	rep.WriteText(&b)
	if rep.Failed() > 0 {
		t.Errorf("%d FAILED cases\n%s", rep.Failed(), b.String())
	} else {
		t.Log(rep)
	}
}

// echoHandler echoes every message until the connection closes.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipOriginCheck: true, ConnOptions: websocket.ConnOptions{ReadLimit: 32 << 20}})
	if err != nil {
		return
	}
	echo(r.Context(), c)
}

// echo reads and writes back messages until an error, then makes sure the
// connection is gone.
func echo(ctx context.Context, c *websocket.Conn) {
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			break
		}
		if err := c.Write(ctx, typ, data); err != nil {
			break
		}
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		c.CloseNow()
	}
}

func runServerSuite(t *testing.T) *conformance.Report {
	srv := httptest.NewServer(http.HandlerFunc(echoHandler))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := conformance.RunServer(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", &conformance.Options{Agent: "wsstack/websocket"})
	if err != nil {
		t.Fatal(err)
	}
	rep.Target = "httptest echo server on websocket.Accept" // not the test server's random port
	return rep
}

func runClientSuite(t *testing.T) *conformance.Report {
	fs, err := conformance.NewFuzzingServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- fs.Serve(ctx, l) }()
	defer func() { cancel(); <-served }()

	const agent = "wsstack/websocket"
	if err := driveClient(ctx, "ws://"+l.Addr().String(), agent); err != nil {
		t.Fatal(err)
	}
	rep := fs.Report(agent)
	if rep == nil {
		t.Fatal("no report")
	}
	return rep
}

// driveClient is an Autobahn client driver on Dial: count the cases, echo
// through each, update the reports.
func driveClient(ctx context.Context, base, agent string) error {
	c, _, err := websocket.Dial(ctx, base+"/getCaseCount", nil)
	if err != nil {
		return err
	}
	_, data, err := c.Read(ctx)
	if err != nil {
		return fmt.Errorf("reading the case count: %w", err)
	}
	c.Read(ctx) // the server's close
	n, err := strconv.Atoi(string(data))
	if err != nil {
		return fmt.Errorf("case count %q: %w", data, err)
	}
	for i := 1; i <= n; i++ {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		c, _, err := websocket.Dial(cctx, fmt.Sprintf("%s/runCase?case=%d&agent=%s", base, i, agent), nil)
		if err != nil {
			cancel()
			return fmt.Errorf("case %d: %w", i, err)
		}
		echo(cctx, c)
		cancel()
	}
	c, _, err = websocket.Dial(ctx, base+"/updateReports?agent="+agent, nil)
	if err != nil {
		return err
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.CloseNormal && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("updateReports: %w", err)
	}
	return nil
}

func writeMarkdown(path string, reports []*conformance.Report) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Conformance: Autobahn-style suite\n\n")
	fmt.Fprintf(&b, "Results of the Autobahn-style conformance suite (package `conformance`, Autobahn TestSuite sections 1-7, 9 and 10) against this module's server (`websocket.Accept` echo handler) and client (`websocket.Dial` echo client).\n\n")
	fmt.Fprintf(&b, "Produced by, from the repository root:\n\n```\n%s\n```\n\n", reportCommand)
	fmt.Fprintf(&b, "Generated %s with %s on %s/%s. Verdicts as in the Autobahn TestSuite: OK, NON-STRICT (conformant; a SHOULD not followed), INFORMATIONAL (behaviour the RFC leaves open), UNIMPLEMENTED, FAILED (a MUST broken). See the package documentation (`go doc ./conformance`) for the judging rules.\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, rep := range reports {
		if err := rep.WriteMarkdown(&b); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
