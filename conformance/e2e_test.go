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
	"net/url"
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
	writeReport   = flag.String("write-report", "", "write the Markdown report of TestConformance to this file (e.g. ../docs/conformance.md)")
	writeHTML     = flag.String("write-html", "", "write the HTML reports of TestConformance into this directory")
	deflateBudget = flag.Int64("deflate-budget", 0, "bytes each case of sections 12 and 13 sends (Options.DeflateBudget); negative: Autobahn's full 1000 messages; 0: the test's default, "+
		strconv.Itoa(defaultDeflateBudget)+" ("+strconv.Itoa(raceDeflateBudget)+" under the race detector)")
)

// The default budgets of sections 12 and 13 in TestConformance: Autobahn's
// full counts move 128 MiB each way in some cases, 22 GB over the 216
// cases of both runs; at the speed of a DEFLATE compressor written in Go
// (tens of MB/s, one MB/s under the race detector) that is hours. A case
// sends as many of its messages as the budget holds, at least one.
const (
	defaultDeflateBudget = 256 << 10
	raceDeflateBudget    = 32 << 10
)

// budget returns the DeflateBudget of the test's runs.
func budget() int64 {
	switch {
	case *deflateBudget != 0:
		return *deflateBudget
	case raceEnabled:
		return raceDeflateBudget
	}
	return defaultDeflateBudget
}

// compression is the permessage-deflate configuration of our server and
// client: the defaults (context takeover, full windows, default level).
// The client then offers "permessage-deflate; client_max_window_bits", and
// the answers of 13.2, 13.5 and 13.6, which need client_no_context_takeover
// in the offer, decline it (UNIMPLEMENTED, as with Autobahn); a second
// client run of section 13 offers it (clientNoContext).
var (
	compression     = &websocket.CompressionOptions{}
	clientNoContext = &websocket.CompressionOptions{ClientNoContextTakeover: true}
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
		rep := runClientSuite(t, nil, compression, "wsstack/websocket")
		reports = append(reports, rep)
		check(t, rep)
	})
	t.Run("ClientNoContextTakeover", func(t *testing.T) {
		rep := runClientSuite(t, []string{"13"}, clientNoContext, "wsstack/websocket client_no_context_takeover")
		reports = append(reports, rep)
		check(t, rep)
		if u := rep.Totals().Unimplemented; u > 0 {
			t.Errorf("%d cases UNIMPLEMENTED with an offer that allows every answer", u)
		}
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
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipOriginCheck: true, ConnOptions: websocket.ConnOptions{ReadLimit: 32 << 20, Compression: compression}})
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
	rep, err := conformance.RunServer(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/", &conformance.Options{Agent: "wsstack/websocket", DeflateBudget: budget()})
	if err != nil {
		t.Fatal(err)
	}
	rep.Target = "httptest echo server on websocket.Accept" // not the test server's random port
	return rep
}

// runClientSuite plays the cases (all if nil) against our client with the
// given compression options.
func runClientSuite(t *testing.T, cases []string, comp *websocket.CompressionOptions, agent string) *conformance.Report {
	fs, err := conformance.NewFuzzingServer(&conformance.Options{Cases: cases, DeflateBudget: budget()})
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

	if err := driveClient(ctx, "ws://"+l.Addr().String(), agent, comp); err != nil {
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
func driveClient(ctx context.Context, base, agent string, comp *websocket.CompressionOptions) error {
	opts := &websocket.DialOptions{ConnOptions: websocket.ConnOptions{Compression: comp}}
	c, _, err := websocket.Dial(ctx, base+"/getCaseCount", opts)
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
		c, _, err := websocket.Dial(cctx, fmt.Sprintf("%s/runCase?case=%d&agent=%s", base, i, url.QueryEscape(agent)), opts)
		if err != nil {
			cancel()
			return fmt.Errorf("case %d: %w", i, err)
		}
		echo(cctx, c)
		cancel()
	}
	c, _, err = websocket.Dial(ctx, base+"/updateReports?agent="+url.QueryEscape(agent), opts)
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
	fmt.Fprintf(&b, "Results of the Autobahn-style conformance suite (package `conformance`, Autobahn TestSuite sections 1-7, 9, 10, 12 and 13) against this module's server (`websocket.Accept` echo handler) and client (`websocket.Dial` echo client), both with permessage-deflate enabled (`Compression: &websocket.CompressionOptions{}`: context takeover, full windows, default level; messages under 128 bytes go uncompressed).\n\n")
	fmt.Fprintf(&b, "Produced by, from the repository root:\n\n```\n%s\n```\n\n", reportCommand)
	fmt.Fprintf(&b, "**Sections 12 and 13 (permessage-deflate) run a subset of Autobahn's messages.** Each Autobahn case sends 1000 messages of its size (16 bytes to 128 KiB, up to 128 MiB a case, 22 GB over both runs), which takes hours for a DEFLATE compressor in Go. Here each case sends as many of its messages as a budget of %s holds, at least one (`Options.DeflateBudget`; `-deflate-budget` flag of the test, negative for Autobahn's full counts): %s. The payloads are generated data of Autobahn's five kinds and sizes (JSON, a bitmap, German text, HTML, a PDF-like file), sliced as Autobahn slices its files. Every compressed message of the peer is also decompressed with `compress/flate` and with an independent decoder (`internal/flate/flatetest`), which checks its farthest back-reference against the agreed window and, where context takeover is off, that it does not refer to earlier messages.\n\n",
		budgetName(budget()), countsText(budget()))
	unimplemented := 0
	for _, rep := range reports {
		if rep.Mode == "client" && rep.Agent == "wsstack/websocket" {
			unimplemented = rep.Totals().Unimplemented
		}
	}
	fmt.Fprintf(&b, "Our client offers `permessage-deflate; client_max_window_bits`; the answers of 13.2, 13.5 and 13.6 need `client_no_context_takeover` in the offer, so, as with Autobahn, those cases (%d) are UNIMPLEMENTED in the client run. The third report runs section 13 again with a client configured with `ClientNoContextTakeover: true`, whose offer allows every answer.\n\n", unimplemented)
	fmt.Fprintf(&b, "Generated %s with %s on %s/%s. Verdicts as in the Autobahn TestSuite: OK, NON-STRICT (conformant; a SHOULD not followed), INFORMATIONAL (behaviour the RFC leaves open), UNIMPLEMENTED, FAILED (a MUST broken). See the package documentation (`go doc ./conformance`) for the judging rules.\n\n",
		time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, rep := range reports {
		if err := rep.WriteMarkdown(&b); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func budgetName(n int64) string {
	switch {
	case n < 0:
		return "no limit"
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// countsText lists how many messages of each size a budget allows.
func countsText(budget int64) string {
	var parts []string
	for _, size := range []int64{16, 64, 256, 1 << 10, 4 << 10, 8 << 10, 16 << 10, 32 << 10, 64 << 10, 128 << 10} {
		n := int64(1000)
		if budget > 0 {
			n = min(1000, max(1, budget/size))
		}
		parts = append(parts, fmt.Sprintf("%d of %s", n, budgetName(size)))
	}
	return strings.Join(parts, ", ")
}
