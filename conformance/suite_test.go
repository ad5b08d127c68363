package conformance

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// lightExclude leaves out of the raw-peer runs the cases that only repeat
// what others cover with more megabytes.
var lightExclude = []string{"9.3", "9.4", "9.5", "9.6"}

// logNotOK logs every case that is not OK, for failing tests.
func logNotOK(t *testing.T, rep *Report) {
	t.Helper()
	for _, r := range rep.Results {
		if r.Verdict != OK {
			t.Logf("%s %s (behaviour %s, close %s): %s | %s", r.ID, r.Verdict, r.Behavior, r.Close, r.Observed, r.CloseObserved)
		}
	}
}

// A correct echo server passes the whole suite. It reads each frame whole
// before checking its UTF-8, so the fail-fast cases that split one frame
// (6.4.3, 6.4.4) are NON-STRICT; it declines permessage-deflate, so
// sections 12 and 13 are UNIMPLEMENTED.
func TestRunServerGoodPeer(t *testing.T) {
	url := startEchoServer(t, peerConfig{})
	// Sections 9.3 to 9.6 only repeat the big-message machinery that 9.1
	// and 9.2 cover; TestConformance runs them all.
	rep, err := RunServer(context.Background(), url, &Options{Agent: "raw echo", Exclude: lightExclude})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 517-30 {
		t.Errorf("%d results, want %d", len(rep.Results), 517-30)
	}
	want := map[string]Verdict{"6.4.1": OK, "6.4.2": OK, "6.4.3": NonStrict, "6.4.4": NonStrict, "7.1.6": Informational, "7.13.1": Informational, "7.13.2": Informational}
	for _, r := range rep.Results {
		v, ok := want[r.ID]
		if !ok {
			v = OK
		}
		if s := sectionOf(r.ID); s == "12" || s == "13" {
			v = Unimplemented
		}
		if r.Verdict != v {
			t.Errorf("%s: %s, want %s: %s | %s", r.ID, r.Verdict, v, r.Observed, r.CloseObserved)
		}
	}
	t.Log(rep)
}

// Deliberately broken servers: the suite must catch each defect.
func TestRunServerCatchesBrokenPeers(t *testing.T) {
	tests := []struct {
		name  string
		cfg   peerConfig
		cases []string
		want  map[string]Verdict // verdict per case id; other selected cases must be OK
	}{
		{
			name:  "no fail-fast UTF-8",
			cfg:   peerConfig{utf8: utf8AtEnd},
			cases: []string{"6.3", "6.4"},
			want:  map[string]Verdict{"6.4.1": NonStrict, "6.4.2": NonStrict, "6.4.3": NonStrict, "6.4.4": NonStrict},
		},
		{
			name:  "no UTF-8 validation",
			cfg:   peerConfig{utf8: utf8Never},
			cases: []string{"6.3.1", "6.4.1", "6.5.1", "6.8.1", "6.20.1"},
			want:  map[string]Verdict{"6.3.1": Failed, "6.4.1": Failed, "6.8.1": Failed, "6.20.1": Failed},
		},
		{
			name:  "does not close TCP after the closing handshake",
			cfg:   peerConfig{keepTCP: true},
			cases: []string{"1.1.1", "2.5", "7.3.1", "7.9.1"},
			want:  map[string]Verdict{"1.1.1": Failed, "2.5": Failed, "7.3.1": Failed, "7.9.1": Failed},
		},
		{
			name:  "echoes invalid close codes",
			cfg:   peerConfig{echoAnyClose: true},
			cases: []string{"7.3.1", "7.3.3", "7.9"},
			want: map[string]Verdict{"7.3.1": Failed, "7.9.1": Failed, "7.9.2": Failed, "7.9.3": Failed, "7.9.4": Failed,
				"7.9.5": Failed, "7.9.6": Failed, "7.9.7": Failed, "7.9.8": Failed, "7.9.9": Failed},
		},
		{
			name:  "masks its frames",
			cfg:   peerConfig{maskAsServer: true},
			cases: []string{"1.1.1", "2.1"},
			want:  map[string]Verdict{"1.1.1": Failed, "2.1": Failed},
		},
		{
			name:  "never answers",
			cfg:   peerConfig{silent: true},
			cases: []string{"1.1.1", "2.5", "3.1", "7.7.1"},
			want:  map[string]Verdict{"1.1.1": Failed, "2.5": Failed, "3.1": Failed, "7.7.1": Failed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := startEchoServer(t, tt.cfg)
			rep, err := RunServer(context.Background(), url, &Options{Cases: tt.cases, Concurrency: 8})
			if err != nil {
				t.Fatal(err)
			}
			bad := false
			for _, r := range rep.Results {
				want, ok := tt.want[r.ID]
				if !ok {
					want = OK
				}
				if r.Verdict != want {
					bad = true
					t.Errorf("%s: %s, want %s", r.ID, r.Verdict, want)
				}
			}
			if bad {
				logNotOK(t, rep)
			}
		})
	}
}

// The handshake is checked: a wrong Sec-WebSocket-Accept fails every case.
func TestRunServerBadHandshake(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("Connection", "Upgrade")
		w.Header().Set("Sec-WebSocket-Accept", "d3Jvbmc=")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}))
	defer srv.Close()
	rep, err := RunServer(context.Background(), "ws"+srv.URL[4:], &Options{Cases: []string{"1.1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Results[0]
	if r.Verdict != Failed || !strings.Contains(r.Observed, "Sec-WebSocket-Accept") {
		t.Errorf("got %s: %s", r.Verdict, r.Observed)
	}
}

func TestRunServerBadArguments(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{"http://example.com/", "ws://", "::"} {
		if _, err := RunServer(ctx, url, nil); err == nil {
			t.Errorf("RunServer(%q) succeeded", url)
		}
	}
	if _, err := RunServer(ctx, "ws://127.0.0.1:1/", &Options{Cases: []string{"99"}}); err == nil {
		t.Error("an empty selection must be an error")
	}
}

// The case limit and the caller's context bound the run.
func TestRunServerLimits(t *testing.T) {
	url := startEchoServer(t, peerConfig{silent: true})
	start := time.Now()
	rep, err := RunServer(context.Background(), url, &Options{Cases: []string{"9.1.1"}, CaseTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("case took %v with a 3s limit", d)
	}
	if r := rep.Results[0]; r.Verdict != Failed {
		t.Errorf("9.1.1 against a silent server: %s", r.Verdict)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	rep, err = RunServer(ctx, url, &Options{Cases: []string{"1", "2"}, Concurrency: 2})
	if err == nil {
		t.Fatal("no error for a run cut short by its context")
	}
	if rep == nil || len(rep.Results) >= 27 {
		t.Errorf("report of a cut run: %v", rep)
	}
}

func startFuzzingServer(t *testing.T, opts *Options) (*FuzzingServer, string, context.Context) {
	t.Helper()
	fs, err := NewFuzzingServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		fs.Serve(ctx, l)
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return fs, "ws://" + l.Addr().String(), ctx
}

// A correct echo client passes the whole suite played by the FuzzingServer.
func TestFuzzingServerGoodPeer(t *testing.T) {
	fs, url, ctx := startFuzzingServer(t, &Options{Exclude: lightExclude})
	reports := make(chan *Report, 1)
	fs.OnReport = func(r *Report) { reports <- r }
	runEchoClient(t, ctx, url, "raw-client", peerConfig{})
	reported := <-reports
	rep := fs.Report("raw-client")
	if rep == nil || len(rep.Results) != 517-30 {
		t.Fatalf("report %v", rep)
	}
	if reported == nil || len(reported.Results) != len(rep.Results) {
		t.Error("OnReport was not called with the full report")
	}
	want := map[string]Verdict{"6.4.3": NonStrict, "6.4.4": NonStrict, "7.1.6": Informational, "7.13.1": Informational, "7.13.2": Informational}
	for _, r := range rep.Results {
		v, ok := want[r.ID]
		if !ok {
			v = OK
		}
		if s := sectionOf(r.ID); s == "12" || s == "13" {
			v = Unimplemented // the raw client offers no compression
		}
		if r.Verdict != v {
			t.Errorf("%s: %s, want %s: %s | %s", r.ID, r.Verdict, v, r.Observed, r.CloseObserved)
		}
	}
	if got := fs.Agents(); len(got) != 1 || got[0] != "raw-client" {
		t.Errorf("agents %v", got)
	}
	t.Log(rep)
}

// Deliberately broken clients.
func TestFuzzingServerCatchesBrokenPeers(t *testing.T) {
	tests := []struct {
		name  string
		cfg   peerConfig
		cases []string
		want  map[string]Verdict
	}{
		{"unmasked frames", peerConfig{noMaskAsClient: true}, []string{"1.1.1", "2.2"}, map[string]Verdict{"1.1.1": Failed, "2.2": Failed}},
		{"no UTF-8 validation", peerConfig{utf8: utf8Never}, []string{"6.3.1", "6.2.1"}, map[string]Verdict{"6.3.1": Failed}},
		{"no fail-fast UTF-8", peerConfig{utf8: utf8AtEnd}, []string{"6.4.1"}, map[string]Verdict{"6.4.1": NonStrict}},
		{"echoes invalid close codes", peerConfig{echoAnyClose: true}, []string{"7.9.4", "7.7.1"}, map[string]Verdict{"7.9.4": Failed}},
		{"never answers", peerConfig{silent: true}, []string{"2.5", "1.1.1"}, map[string]Verdict{"2.5": Failed, "1.1.1": Failed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, url, ctx := startFuzzingServer(t, &Options{Cases: tt.cases})
			runEchoClient(t, ctx, url, "broken", tt.cfg)
			rep := fs.Report("broken")
			if rep == nil || len(rep.Results) != len(tt.cases) {
				t.Fatalf("report %v", rep)
			}
			for _, r := range rep.Results {
				want, ok := tt.want[r.ID]
				if !ok {
					want = OK
				}
				if r.Verdict != want {
					t.Errorf("%s: %s, want %s: %s | %s", r.ID, r.Verdict, want, r.Observed, r.CloseObserved)
				}
			}
		})
	}
}

// The Autobahn control endpoints.
func TestFuzzingServerProtocol(t *testing.T) {
	fs, url, _ := startFuzzingServer(t, &Options{Cases: []string{"1.1"}})
	if fs.CaseCount() != 8 {
		t.Errorf("CaseCount = %d", fs.CaseCount())
	}
	httpURL := "http" + url[2:]
	for path, status := range map[string]int{
		"/runCase?case=0&agent=x": http.StatusBadRequest,
		"/runCase?case=9&agent=x": http.StatusBadRequest,
		"/nowhere":                http.StatusNotFound,
		"/getCaseCount":           0, // a plain GET is no WebSocket handshake: some 4xx
	} {
		resp, err := http.Get(httpURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if status == 0 && resp.StatusCode >= 400 && resp.StatusCode < 500 {
			continue
		}
		if resp.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
	if fs.Report("x") != nil {
		t.Error("report for an agent that ran nothing")
	}
}

// wss:// URLs go through TLS.
func TestRunServerTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, br, _, err := acceptWebSocket(w, r, nil)
		if err != nil {
			return
		}
		(&echoPeer{conn: conn, br: br}).serve()
	}))
	defer srv.Close()
	tlsConfig := srv.Client().Transport.(*http.Transport).TLSClientConfig
	rep, err := RunServer(context.Background(), "wss"+srv.URL[5:], &Options{Cases: []string{"1.1.1", "2.5", "7.1.1", "9.1.1"}, TLSConfig: tlsConfig})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() != 0 {
		logNotOK(t, rep)
		t.Errorf("%d FAILED over TLS", rep.Failed())
	}
}
