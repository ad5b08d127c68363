package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// FuzzingServer tests WebSocket clients, speaking the protocol of
// Autobahn's fuzzing server so that existing Autobahn client drivers work
// against it:
//
//   - GET /getCaseCount: after the handshake, the server sends the number
//     of cases as a text message and closes with 1000.
//   - GET /runCase?case=N&agent=A: plays case N (1-based, in the order of
//     the selection) against the client, which must echo every text and
//     binary message it receives, unchanged, until the connection closes.
//   - GET /updateReports?agent=A: waits for agent A's cases to be filed,
//     calls OnReport with its report, then closes with 1000 (see Report).
//
// The server sends unmasked frames and requires every client frame to be
// masked. A FuzzingServer is an http.Handler; ListenAndServe and Serve run
// it on their own.
type FuzzingServer struct {
	opts  Options
	cases []Case

	// OnReport, if set, is called with an agent's report when the client
	// asks for /updateReports. Set it before serving.
	OnReport func(*Report)

	progressMu sync.Mutex

	mu       sync.Mutex
	inflight map[string]*sync.WaitGroup // agent -> cases being played
	results  map[string]map[int]Result  // agent -> case index -> result
	spans    map[string][2]time.Time    // agent -> first case start, last case end
}

// NewFuzzingServer returns a FuzzingServer for the cases opts selects
// (opts may be nil: all cases).
func NewFuzzingServer(opts *Options) (*FuzzingServer, error) {
	fs := &FuzzingServer{inflight: map[string]*sync.WaitGroup{}, results: map[string]map[int]Result{}, spans: map[string][2]time.Time{}}
	if opts != nil {
		fs.opts = *opts
	}
	cases, err := selectCases(fs.opts.Cases, fs.opts.Exclude)
	if err != nil {
		return nil, err
	}
	fs.cases = cases
	return fs, nil
}

// CaseCount returns the number of cases the server plays.
func (fs *FuzzingServer) CaseCount() int { return len(fs.cases) }

// Report returns the report of an agent: every case it ran so far, in case
// order, or nil if it ran none. It is complete once the agent's request for
// /updateReports has been answered.
func (fs *FuzzingServer) Report(agent string) *Report {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.reportLocked(agent)
}

// Agents returns the agents that ran at least one case.
func (fs *FuzzingServer) Agents() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []string
	for a := range fs.results {
		out = append(out, a)
	}
	return out
}

func (fs *FuzzingServer) reportLocked(agent string) *Report {
	res := fs.results[agent]
	if len(res) == 0 {
		return nil
	}
	span := fs.spans[agent]
	r := &Report{Agent: agent, Target: "client", Mode: "client", Started: span[0], Duration: span[1].Sub(span[0])}
	for i := range fs.cases {
		if x, ok := res[i]; ok {
			r.Results = append(r.Results, x)
		}
	}
	return r
}

// ServeHTTP implements http.Handler: it performs the server's opening
// handshake, takes over the connection and serves the request's path.
func (fs *FuzzingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	agent := r.URL.Query().Get("agent")
	if agent == "" {
		agent = fs.opts.Agent
	}
	if agent == "" {
		agent = "unknown"
	}
	var c *Case
	index := -1
	switch r.URL.Path {
	case "/getCaseCount", "/updateReports":
	case "/runCase":
		n, err := strconv.Atoi(r.URL.Query().Get("case"))
		if err != nil || n < 1 || n > len(fs.cases) {
			http.Error(w, fmt.Sprintf("case must be a number from 1 to %d", len(fs.cases)), http.StatusBadRequest)
			return
		}
		index, c = n-1, &fs.cases[n-1]
	default:
		http.NotFound(w, r)
		return
	}
	if c != nil {
		wg := fs.inflightGroup(agent)
		wg.Add(1)
		defer wg.Done()
	}
	var spec *deflateSpec
	if c != nil {
		spec = c.deflate
	}
	conn, br, pmd, err := acceptWebSocket(w, r, spec)
	if err != nil {
		return
	}
	switch r.URL.Path {
	case "/getCaseCount":
		fs.sendAndClose(conn, br, frb(opText, []byte(strconv.Itoa(len(fs.cases)))))
	case "/updateReports":
		// The client may see a case's connection close a moment before its
		// result is filed: wait for the agent's cases first.
		fs.inflightGroup(agent).Wait()
		if rep := fs.Report(agent); rep != nil && fs.OnReport != nil {
			fs.OnReport(rep)
		}
		fs.sendAndClose(conn, br)
	case "/runCase":
		fs.runCase(conn, br, pmd, agent, index, c)
	}
}

func (fs *FuzzingServer) inflightGroup(agent string) *sync.WaitGroup {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	wg := fs.inflight[agent]
	if wg == nil {
		wg = new(sync.WaitGroup)
		fs.inflight[agent] = wg
	}
	return wg
}

// runCase plays one case against the connected client and files its result.
func (fs *FuzzingServer) runCase(conn net.Conn, br *bufio.Reader, pmd *deflateSession, agent string, index int, c *Case) {
	start := time.Now()
	s := newSession(c, false, conn, br, fs.opts.limit(c))
	s.pmd, s.deflateBudget = pmd, fs.opts.budget()
	res := judge(c, s.play())
	res.Duration = time.Since(start)
	fs.mu.Lock()
	if fs.results[agent] == nil {
		fs.results[agent] = map[int]Result{}
		fs.spans[agent] = [2]time.Time{start, start}
	}
	fs.results[agent][index] = res
	span := fs.spans[agent]
	span[1] = time.Now()
	fs.spans[agent] = span
	fs.mu.Unlock()
	if fs.opts.Progress != nil {
		fs.progressMu.Lock()
		fs.opts.Progress(res)
		fs.progressMu.Unlock()
	}
}

// sendAndClose sends frames, closes with 1000 and reads until the
// client's close frame (or a short timeout) before closing TCP.
func (fs *FuzzingServer) sendAndClose(conn net.Conn, br *bufio.Reader, frames ...frame) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(closeTimeout))
	var b []byte
	for _, f := range frames {
		b = append(b, f.encode(false)...)
	}
	b = append(b, frb(opClose, closePayload(1000, "")).encode(false)...)
	if _, err := conn.Write(b); err != nil {
		return
	}
	var hdr [wsproto.MaxHeaderSize]byte
	for {
		h, _, err := readFrame(br, hdr[:])
		if err != nil || h.Opcode == opClose {
			return
		}
	}
}

// acceptWebSocket performs the server's opening handshake (RFC 6455
// section 4.2) and hijacks the connection. spec, if not nil, answers the
// client's permessage-deflate offers; without it they are all declined.
// The tester's deflate session is nil unless one was accepted.
func acceptWebSocket(w http.ResponseWriter, r *http.Request, spec *deflateSpec) (net.Conn, *bufio.Reader, *deflateSession, error) {
	req, err := wsproto.CheckRequest(r.Method, r.ProtoMajor, r.ProtoMinor, r.Host, r.Header)
	if err != nil {
		var he *wsproto.HandshakeError
		status := http.StatusBadRequest
		if errors.As(err, &he) {
			for k, v := range he.Header {
				w.Header().Set(k, v)
			}
			status = he.Status
		}
		http.Error(w, err.Error(), status)
		return nil, nil, nil, err
	}
	var pmd *deflateSession
	extensions := ""
	if spec != nil {
		if ext, ds, ok := spec.answer(req.Extensions); ok {
			pmd, extensions = ds, "Sec-WebSocket-Extensions: "+ext.String()+"\r\n"
		}
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot take over the connection", http.StatusInternalServerError)
		return nil, nil, nil, err
	}
	conn.SetDeadline(time.Time{})
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		wsproto.AcceptKey(req.Key) + "\r\n" + extensions + "\r\n"
	if _, err := conn.Write([]byte(resp)); err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	return conn, brw.Reader, pmd, nil
}

// ListenAndServe serves the FuzzingServer on addr (e.g. "127.0.0.1:9001")
// until ctx ends.
func (fs *FuzzingServer) ListenAndServe(ctx context.Context, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return fs.Serve(ctx, l)
}

// Serve serves the FuzzingServer on l until ctx ends; it closes l.
func (fs *FuzzingServer) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: fs, ReadHeaderTimeout: 10 * time.Second}
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	defer stop()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return ctx.Err()
	}
	return err
}
