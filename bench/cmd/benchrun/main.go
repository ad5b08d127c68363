// Command benchrun runs the benchmarks of this module and prints them as a
// Markdown table: every scenario against every library's echo server
// (cmd/echoserver), driven by the module's load generator (cmd/loadgen),
// the server pinned to one CPU and the load generator to the other, the
// libraries' order rotating round by round. Each figure is reported as
// the median over the rounds and as the median ratio to gws measured in
// the same round.
//
// The documented table is regenerated, from the repository root, with
//
//	go run ./bench/cmd/benchrun -write docs/benchmarks.md
//
// and a smoke run takes -quick. Flags:
//
//	-quick          one round of short, small scenarios
//	-rounds N       rounds (default: 3, or 1 with -quick)
//	-duration D     measured window of the timed scenarios
//	-warmup D       time before that window
//	-libs a,b,...   libraries to run (default: all; gws is needed for ratios)
//	-only g,...     scenario groups to run: echo, latency, idle, handshake,
//	                broadcast, echo-deflate (default: all)
//	-nofile N       raise the open-file limit (soft and hard) to N first,
//	                which needs privilege; the largest idle load follows it
//	-write FILE     also write the report into FILE below its marker line
//	-json FILE      also write every sample, as JSON
//	-bin DIR        use the binaries in DIR instead of building them
//	-server-cpu N, -load-cpu N   the CPUs to pin to (-1: no pinning)
//	-nice N         nice value of the server and the load generator
//	                (default -10, so that other programs on a shared
//	                machine take less of their CPUs; 0 leaves it)
//
// Every run is bounded in time; every process started is killed, by its
// PID, at the end or on SIGINT/SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/wsstack/websocket/bench/internal/runner"
	"golang.org/x/sys/unix"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchrun: ")
	quick := flag.Bool("quick", false, "smoke run: one round of short, small scenarios")
	rounds := flag.Int("rounds", 0, "rounds (0: 3, or 1 with -quick)")
	duration := flag.Duration("duration", 0, "measured window of the timed scenarios (0: the mode's default)")
	warmup := flag.Duration("warmup", 0, "warm-up before the measured window (0: the mode's default)")
	libs := flag.String("libs", strings.Join(runner.Libraries, ","), "libraries, comma-separated")
	only := flag.String("only", "", "scenario groups, comma-separated (default: all)")
	nofile := flag.Uint64("nofile", 0, "raise the open-file limit to this first (needs privilege)")
	write := flag.String("write", "", "write the report into this Markdown file, below its marker")
	jsonOut := flag.String("json", "", "write every sample to this JSON file")
	bin := flag.String("bin", "", "directory with echoserver and loadgen (default: build them)")
	serverCPU := flag.Int("server-cpu", 0, "CPU of the server (-1: unpinned)")
	loadCPU := flag.Int("load-cpu", 1, "CPU of the load generator (-1: unpinned)")
	nice := flag.Int("nice", -10, "nice value of the server and the load generator (0: unchanged; negative needs privilege)")
	flag.Parse()

	cfg := runner.Full()
	if *quick {
		cfg = runner.Quick()
	}
	if *rounds > 0 {
		cfg.Rounds = *rounds
	}
	if *duration > 0 {
		cfg.Duration = *duration
	}
	if *warmup > 0 {
		cfg.Warmup = *warmup
	}
	opts := runner.Options{
		Config:    cfg,
		Libs:      strings.Split(*libs, ","),
		ServerCPU: *serverCPU,
		LoadCPU:   *loadCPU,
		Nice:      *nice,
		Log:       os.Stderr,
	}
	for _, l := range opts.Libs {
		if !slices.Contains(runner.Libraries, l) {
			log.Fatalf("unknown library %q (have %s)", l, strings.Join(runner.Libraries, ", "))
		}
	}
	if *only != "" {
		groups := strings.Split(*only, ",")
		opts.Only = func(g string) bool { return slices.Contains(groups, g) }
	}
	if *nofile > 0 {
		rl := unix.Rlimit{Cur: *nofile, Max: *nofile}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
			log.Fatalf("-nofile %d: %v", *nofile, err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer runner.KillAll()

	opts.BinDir = *bin
	if opts.BinDir == "" {
		dir, err := os.MkdirTemp("", "benchrun-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		err = runner.Build(bctx, dir)
		cancel()
		if err != nil {
			log.Fatal(err)
		}
		opts.BinDir = dir
	}

	rep, err := runner.Run(ctx, opts)
	if err != nil {
		runner.KillAll()
		log.Fatal(err)
	}
	rep.Command = "go run ./bench/cmd/benchrun"
	if len(os.Args) > 1 {
		rep.Command += " " + strings.Join(os.Args[1:], " ")
	}
	md := rep.Markdown()
	fmt.Print(md)
	if *write != "" {
		if err := rep.WriteDoc(*write); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s", *write)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep.Results, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
