package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wsstack/websocket/conformance"
)

var checkCommand = &command{
	name: "check",
	args: "[--cases 1,2,6.4] [--exclude 9] [--html FILE] [--markdown FILE] [--agent NAME] [--insecure] URL\n" +
		"       ws check --serve ADDR [--cases 1,2,6.4] [--exclude 9] [--html FILE]",
	summary: "run the conformance suite against a server or a client",
	help: `
Check runs the Autobahn-style conformance suite of package conformance
(go doc github.com/wsstack/websocket/conformance).

With a URL it tests the WebSocket server there, which must echo every text
and binary message back unchanged and accept messages of 16 MiB (section 9;
leave it out with --exclude 9 otherwise). Each case runs on its own
connection. It prints a report on standard output: the verdicts per section,
then every case that is not OK with what was observed. --html writes the
report as an HTML page, --markdown as Markdown. The exit status is 3 if a
case FAILED.

With --serve ADDR it runs the suite's fuzzing server instead, to test a
client: it prints the URL to give the client's test driver, which speaks
Autobahn's fuzzing-server protocol: GET /getCaseCount, then
/runCase?case=N&agent=NAME for N from 1 to the count, echoing every message,
then /updateReports?agent=NAME. On each /updateReports it prints that
agent's report on standard output (and writes --html, overwriting it). It
runs until SIGINT or SIGTERM, then exits 0.

--cases selects cases by id or id prefix, separated by commas: "1,2,6.4"
runs sections 1 and 2 and cases 6.4.x; --exclude removes some the same way.
`,
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		cfg := &checkConfig{}
		fs.StringVar(&cfg.serve, "serve", "", "run the fuzzing server on `host:port` (port 0 picks one) to test a client")
		fs.Var(&cfg.cases, "cases", "comma-separated case `ids` or prefixes to run (default: all)")
		fs.Var(&cfg.exclude, "exclude", "comma-separated case `ids` or prefixes to leave out")
		fs.StringVar(&cfg.html, "html", "", "write the report as HTML to `file`")
		fs.StringVar(&cfg.markdown, "markdown", "", "write the report as Markdown to `file`")
		fs.StringVar(&cfg.agent, "agent", "", "name of the server under test in the report (default: the URL's host)")
		fs.IntVar(&cfg.concurrency, "concurrency", 0, "cases run at once against a server (default 4)")
		fs.BoolVar(&cfg.insecure, "insecure", false, "do not verify the server's TLS certificate")
		fs.Var(&cfg.headers, "header", "add the request header `'Name: value'` to each handshake; repeatable")
		return cfg.run
	},
}

// checkConfig holds the flags of "ws check".
type checkConfig struct {
	serve          string
	cases, exclude commaList
	html, markdown string
	agent          string
	concurrency    int
	insecure       bool
	headers        stringList
}

func (cfg *checkConfig) options() (*conformance.Options, error) {
	header, err := parseHeaders(cfg.headers)
	if err != nil {
		return nil, err
	}
	opts := &conformance.Options{
		Cases:       cfg.cases,
		Exclude:     cfg.exclude,
		Agent:       cfg.agent,
		Concurrency: cfg.concurrency,
		Header:      header,
	}
	if cfg.insecure {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return opts, nil
}

func (cfg *checkConfig) run(args []string, s stdio) int {
	opts, err := cfg.options()
	if err != nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitUsage
	}
	if cfg.serve != "" {
		if len(args) > 0 {
			fmt.Fprintln(s.err, "ws check: --serve takes no URL\nRun 'ws help check' for usage.")
			return exitUsage
		}
		if cfg.markdown != "" {
			fmt.Fprintln(s.err, "ws check: --markdown is for a server's report; use --html with --serve")
			return exitUsage
		}
		return cfg.runServe(opts, s)
	}
	if len(args) != 1 {
		fmt.Fprintln(s.err, "ws check: want exactly one URL, or --serve ADDR\nRun 'ws help check' for usage.")
		return exitUsage
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		fmt.Fprintf(s.err, "ws check: invalid URL %q: want ws://host[:port]/path or wss://...\n", args[0])
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var (
		mu    sync.Mutex
		done  int
		start = time.Now()
	)
	total := 0
	if f, ok := s.err.(*os.File); ok && isTerminal(f) {
		total = len(conformance.Cases())
		opts.Progress = func(r conformance.Result) {
			mu.Lock()
			defer mu.Unlock()
			done++
			fmt.Fprintf(s.err, "\r\x1b[K%d cases done (%s: %s), %v", done, r.ID, r.Verdict, time.Since(start).Round(time.Second))
		}
	}
	fmt.Fprintf(s.err, "testing the server at %s\n", u)
	rep, err := conformance.RunServer(ctx, u.String(), opts)
	if total > 0 {
		fmt.Fprint(s.err, "\r\x1b[K")
	}
	if rep == nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		if errors.Is(err, context.Canceled) {
			return exitInterrupted
		}
		return exitUsage // a bad URL or selection
	}
	rep.WriteText(s.out)
	if err := cfg.writeFiles(rep, s.err); err != nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitFailure
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(s.err, "ws check: interrupted: %v\n", err)
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitFailure
	case rep.Failed() > 0:
		return exitFailed
	}
	return exitOK
}

// writeFiles writes the HTML and Markdown reports the flags ask for.
func (cfg *checkConfig) writeFiles(rep *conformance.Report, info io.Writer) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{cfg.html, rep.WriteHTML}, {cfg.markdown, rep.WriteMarkdown}} {
		if f.name == "" {
			continue
		}
		var buf bytes.Buffer
		if err := f.write(&buf); err != nil {
			return err
		}
		if err := os.WriteFile(f.name, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(info, "report written to %s\n", f.name)
	}
	return nil
}

// runServe runs the fuzzing server until a signal.
func (cfg *checkConfig) runServe(opts *conformance.Options, s stdio) int {
	fsrv, err := conformance.NewFuzzingServer(opts)
	if err != nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitUsage
	}
	var outMu sync.Mutex
	fsrv.OnReport = func(rep *conformance.Report) {
		outMu.Lock()
		defer outMu.Unlock()
		rep.WriteText(s.out)
		fmt.Fprintln(s.out)
		if err := cfg.writeFiles(rep, s.err); err != nil {
			fmt.Fprintf(s.err, "ws check: %v\n", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.serve)
	if err != nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitFailure
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	base := "ws://" + displayAddr(ln.Addr())
	fmt.Fprintf(s.err, "fuzzing server listening on %s (%d cases)\n", base, fsrv.CaseCount())
	fmt.Fprintf(s.err, "point the client's Autobahn test driver at %s: it gets %s/getCaseCount,\n"+
		"runs %s/runCase?case=N&agent=NAME for N = 1..%d (echoing every message),\n"+
		"then calls %s/updateReports?agent=NAME, which prints its report here.\n",
		base, base, base, fsrv.CaseCount(), base)
	if err := fsrv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
		fmt.Fprintf(s.err, "ws check: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(s.err, "fuzzing server stopped")
	return exitOK
}
