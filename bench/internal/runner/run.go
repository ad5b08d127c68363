package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wsstack/websocket/bench/internal/pin"
	"github.com/wsstack/websocket/bench/internal/procfs"
)

// Options configure a benchmark run.
type Options struct {
	Config
	// Libs are the libraries to run, in column order; Reference must be
	// one of them for the ratios.
	Libs []string
	// BinDir holds the echoserver and loadgen binaries (see Build).
	BinDir string
	// ServerCPU and LoadCPU are the CPUs the server and the load
	// generator are pinned to; -1 leaves a side unpinned.
	ServerCPU, LoadCPU int
	// Nice is the nice value of both (0: unchanged): on a shared machine,
	// a negative one keeps other programs from taking their CPUs.
	Nice int
	// Only, when set, keeps the scenarios whose group it returns true for.
	Only func(group string) bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Sample is the outcome of one run: one library, one scenario, one round.
type Sample struct {
	Lib     string             `json:"lib"`
	Round   int                `json:"round"`
	Deflate bool               `json:"deflate"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
	Err     string             `json:"error,omitempty"`
	Skipped string             `json:"skipped,omitempty"`
}

// ScenarioResult holds the samples of one scenario.
type ScenarioResult struct {
	Scenario Scenario
	Samples  []Sample
}

// Report is a whole run.
type Report struct {
	Options   Options
	Machine   string
	FileLimit uint64
	IdleMax   int
	Command   string
	Start     time.Time
	Elapsed   time.Duration
	Results   []*ScenarioResult
}

// Build compiles the echo server and the load generator into dir.
func Build(ctx context.Context, dir string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(os.PathSeparator),
		"github.com/wsstack/websocket/bench/cmd/echoserver",
		"github.com/wsstack/websocket/bench/cmd/loadgen")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the benchmark binaries: %w", err)
	}
	return nil
}

// IdleMax is the largest idle load the open-file limit allows: the limit
// less a margin for everything else, in whole thousands.
func IdleMax(limit uint64) int {
	n := int(limit) - 1000
	if n >= 2000 {
		n -= n % 1000
	}
	return max(n, 100)
}

// Run runs every scenario against every library, Rounds times. Rounds are
// the outer loop, so that the rounds of one scenario are spread over the
// whole run; within a round, the libraries' order rotates by one each
// round, so that none always runs first or last.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Rounds < 1 {
		opts.Rounds = 1
	}
	if (opts.ServerCPU >= 0 || opts.LoadCPU >= 0) && pin.CPUs() < 2 {
		fmt.Fprintf(opts.Log, "fewer than 2 CPUs: running unpinned\n")
		opts.ServerCPU, opts.LoadCPU = -1, -1
	}
	limit, err := procfs.RaiseFileLimit()
	if err != nil {
		return nil, fmt.Errorf("raising the open-file limit: %w", err)
	}
	rep := &Report{
		Options:   opts,
		Machine:   procfs.Machine(),
		FileLimit: limit,
		IdleMax:   IdleMax(limit),
		Start:     time.Now(),
	}
	for _, sc := range opts.Scenarios(rep.IdleMax) {
		if opts.Only == nil || opts.Only(sc.Group) {
			rep.Results = append(rep.Results, &ScenarioResult{Scenario: sc})
		}
	}
	noDeflate := map[string]bool{} // libraries seen refusing permessage-deflate
	total := 0
	for _, sr := range rep.Results {
		if sr.Scenario.Profile {
			total += len(opts.Libs)
		} else {
			total += opts.Rounds * len(opts.Libs)
		}
	}
	done := 0
	for round := range opts.Rounds {
		for _, sr := range rep.Results {
			for i := range opts.Libs {
				lib := opts.Libs[(i+round)%len(opts.Libs)]
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				if sr.Scenario.Profile && round > 0 {
					continue // profiled in the first round only
				}
				done++
				s := Sample{Lib: lib, Round: round}
				if sr.Scenario.Compress && noDeflate[lib] {
					s.Skipped = "permessage-deflate not negotiated"
				} else {
					s = runOne(ctx, &opts, sr.Scenario, lib, round)
					if sr.Scenario.Compress && s.Err == "" && !s.Deflate {
						noDeflate[lib] = true
						s.Metrics = nil
						s.Skipped = "permessage-deflate not negotiated"
					}
				}
				fmt.Fprintf(opts.Log, "[%d/%d] round %d  %-28s %-8s %s\n", done, total, round+1,
					sr.Scenario.Name(), lib, s.summary(sr.Scenario))
				sr.Samples = append(sr.Samples, s)
			}
		}
	}
	rep.Elapsed = time.Since(rep.Start)
	return rep, nil
}

// summary is a sample in one line for the log.
func (s Sample) summary(sc Scenario) string {
	switch {
	case s.Err != "":
		return "error: " + s.Err
	case s.Skipped != "":
		return "skipped: " + s.Skipped
	}
	var parts []string
	for _, m := range sc.Metrics {
		parts = append(parts, fmt.Sprintf("%s=%s", m.Key, trim(s.Metrics[m.Key])))
	}
	if c, ok := s.Metrics["client_cpu_pct"]; ok {
		parts = append(parts, fmt.Sprintf("client_cpu=%.0f%%", c))
	}
	return strings.Join(parts, " ")
}

// runOne starts the server of lib, runs the scenario's load against it and
// stops the server.
func runOne(ctx context.Context, opts *Options, sc Scenario, lib string, round int) (s Sample) {
	s = Sample{Lib: lib, Round: round}
	ctx, cancel := context.WithTimeout(ctx, sc.Budget)
	defer cancel()
	var extra []string
	var profPath string
	if sc.Profile {
		f, err := os.CreateTemp("", "benchrun-*.pprof")
		if err != nil {
			s.Err = err.Error()
			return s
		}
		f.Close()
		profPath = f.Name()
		defer os.Remove(profPath)
		extra = []string{"-cpuprofile", profPath}
	}
	srv, err := startServer(ctx, opts, lib, sc.Compress, sc.Budget+time.Minute, extra...)
	if err != nil {
		s.Err = err.Error()
		return s
	}
	defer srv.stop()
	if sc.Profile {
		defer func() {
			// The server writes its profile as it stops.
			srv.stop()
			if s.Err != "" || s.Metrics == nil {
				return
			}
			sh, err := readShares(profPath)
			if err != nil {
				s.Err = err.Error()
				return
			}
			addShares(s.Metrics, sh)
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the server settle

	args := append([]string{"-mode", sc.Mode, "-addr", srv.addr, "-ctrl", srv.ctrl,
		"-server-pid", strconv.Itoa(srv.pid), "-cpu", strconv.Itoa(opts.LoadCPU), "-nice", strconv.Itoa(opts.Nice),
		"-timeout", sc.Budget.String()}, sc.Args...)
	if sc.Compress {
		args = append(args, "-compress")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(opts.BinDir, "loadgen"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res struct {
		Deflate bool               `json:"deflate"`
		Metrics map[string]float64 `json:"metrics"`
		Error   string             `json:"error"`
	}
	line := lastLine(stdout.Bytes())
	if jerr := json.Unmarshal(line, &res); jerr != nil {
		msg := strings.TrimSpace(stderr.String())
		if runErr != nil {
			msg = strings.TrimSpace(runErr.Error() + "; " + msg)
		}
		s.Err = "loadgen: " + firstLine(msg)
		return s
	}
	s.Deflate, s.Metrics = res.Deflate, res.Metrics
	if res.Error != "" {
		s.Err = res.Error
	} else if !srv.alive() {
		s.Err = "the server exited during the run: " + firstLine(srv.stderr())
	}
	return s
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// server is a running echo server.
type server struct {
	cmd        *exec.Cmd
	addr, ctrl string
	pid        int
	exited     chan struct{}
	errMu      sync.Mutex
	errBuf     bytes.Buffer
}

// startServer starts the echo server of lib and reads its address line.
func startServer(ctx context.Context, opts *Options, lib string, compress bool, maxLife time.Duration, extra ...string) (*server, error) {
	args := []string{"-lib", lib, "-addr", "127.0.0.1:0", "-cpu", strconv.Itoa(opts.ServerCPU), "-nice", strconv.Itoa(opts.Nice),
		"-maxlife", maxLife.String()}
	args = append(args, extra...)
	if compress {
		args = append(args, "-compress")
	}
	s := &server{exited: make(chan struct{})}
	s.cmd = exec.Command(filepath.Join(opts.BinDir, "echoserver"), args...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	s.cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		s.errMu.Lock()
		defer s.errMu.Unlock()
		if s.errBuf.Len() < 64<<10 {
			s.errBuf.Write(p)
		}
		return len(p), nil
	})
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting echoserver: %w", err)
	}
	track(s.cmd.Process)
	go func() {
		s.cmd.Wait()
		untrack(s.cmd.Process)
		close(s.exited)
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, out)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			s.stop()
			return nil, fmt.Errorf("echoserver -lib %s exited: %s", lib, firstLine(s.stderr()))
		}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "addr":
				s.addr = v
			case "ctrl":
				s.ctrl = v
			case "pid":
				s.pid, _ = strconv.Atoi(v)
			}
		}
		if s.addr == "" || s.ctrl == "" || s.pid != s.cmd.Process.Pid {
			s.stop()
			return nil, fmt.Errorf("echoserver: unexpected first line %q", line)
		}
		return s, nil
	case <-time.After(10 * time.Second):
		s.stop()
		return nil, errors.New("echoserver did not start within 10s")
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

func (s *server) stderr() string {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.errBuf.String()
}

// stop ends the server: SIGTERM, then SIGKILL after 3 seconds.
func (s *server) stop() {
	if !s.alive() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(3 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// The servers running, for KillAll.
var (
	procMu sync.Mutex
	procs  = map[*os.Process]bool{}
)

func track(p *os.Process) {
	procMu.Lock()
	procs[p] = true
	procMu.Unlock()
}

func untrack(p *os.Process) {
	procMu.Lock()
	delete(procs, p)
	procMu.Unlock()
}

// KillAll kills the echo servers still running, by the PIDs this package
// started. (Load generators are killed by their contexts.)
func KillAll() {
	procMu.Lock()
	defer procMu.Unlock()
	for p := range procs {
		p.Kill()
	}
}
