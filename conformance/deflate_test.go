package conformance

import (
	"bytes"
	"compress/flate"
	"context"
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// deflateSelection is a few cases of sections 12 and 13 that cover every
// data set, one frame and many, and every parameter combination.
var deflateSelection = []string{"12.1.4", "12.2.6", "12.3.11", "12.4.3", "12.5.9",
	"13.1.8", "13.2.7", "13.3.6", "13.4.16", "13.5.7", "13.6.12", "13.7.9"}

// deflateBudget keeps the tests of the suite's compression short.
const deflateBudget = 48 << 10

func runDeflateServer(t *testing.T, cfg peerConfig, cases []string) *Report {
	t.Helper()
	url := startEchoServer(t, cfg)
	rep, err := RunServer(context.Background(), url, &Options{Cases: cases, DeflateBudget: deflateBudget})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func checkVerdicts(t *testing.T, rep *Report, want map[string]Verdict) {
	t.Helper()
	bad := false
	for _, r := range rep.Results {
		v, ok := want[r.ID]
		if !ok {
			v = OK
		}
		if r.Verdict != v {
			bad = true
			t.Errorf("%s: %s, want %s: %s | %s", r.ID, r.Verdict, v, r.Observed, r.CloseObserved)
		}
	}
	if bad {
		logNotOK(t, rep)
	}
}

// A server that compresses correctly passes sections 12 and 13.
func TestRunServerDeflatePeer(t *testing.T) {
	rep := runDeflateServer(t, peerConfig{deflate: true}, deflateSelection)
	checkVerdicts(t, rep, nil)
	if r := rep.Result("13.3.6"); r != nil && !strings.Contains(r.Observed, "server_max_window_bits=9") {
		t.Errorf("13.3.6 does not report the agreed parameters: %s", r.Observed)
	}
	t.Log(rep)
}

// Broken compressing servers: the tester's checks catch each defect.
func TestRunServerCatchesBrokenDeflate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   peerConfig
		cases []string
		want  map[string]Verdict
	}{
		{
			// compress/flate's 32 KiB window breaks server_max_window_bits=9
			// (13.3, 13.5) and nothing else.
			name:  "window too big",
			cfg:   peerConfig{deflate: true, deflateAnyWindow: true},
			cases: []string{"12.1.8", "13.3.8", "13.4.8", "13.5.9"},
			want:  map[string]Verdict{"13.3.8": Failed, "13.5.9": Failed},
		},
		{
			// Keeping the context across messages breaks
			// server_no_context_takeover (13.2) only.
			name:  "context kept",
			cfg:   peerConfig{deflate: true, deflateKeepContext: true},
			cases: []string{"12.1.4", "13.2.4", "13.6.5"},
			want:  map[string]Verdict{"13.2.4": Failed, "13.6.5": Failed},
		},
		{
			name:  "RSV1 on continuation frames",
			cfg:   peerConfig{deflate: true, deflateRSV1Everywhere: true},
			cases: []string{"12.1.3"},
			want:  map[string]Verdict{"12.1.3": Failed},
		},
		{
			name:  "corrupt data",
			cfg:   peerConfig{deflate: true, deflateCorrupt: true},
			cases: []string{"12.4.5"},
			want:  map[string]Verdict{"12.4.5": Failed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := runDeflateServer(t, tt.cfg, tt.cases)
			checkVerdicts(t, rep, tt.want)
			for id, v := range tt.want {
				if r := rep.Result(id); v == Failed && r != nil {
					t.Logf("%s: %s", id, r.Observed)
				}
			}
		})
	}
}

// A compressing client: its offer (wsproto.DeflateOffer's default,
// "permessage-deflate; client_max_window_bits") does not allow
// client_no_context_takeover, so the answers that need it (13.2, 13.5,
// 13.6) decline it: UNIMPLEMENTED, as in Autobahn.
func TestFuzzingServerDeflatePeer(t *testing.T) {
	fs, url, ctx := startFuzzingServer(t, &Options{Cases: deflateSelection, DeflateBudget: deflateBudget})
	runEchoClient(t, ctx, url, "deflate-client", peerConfig{deflate: true})
	rep := fs.Report("deflate-client")
	if rep == nil || len(rep.Results) != len(deflateSelection) {
		t.Fatalf("report %v", rep)
	}
	checkVerdicts(t, rep, map[string]Verdict{"13.2.7": Unimplemented, "13.5.7": Unimplemented, "13.6.12": Unimplemented})
}

// A client that ignores client_max_window_bits=9 fails 13.3.
func TestFuzzingServerCatchesBrokenDeflate(t *testing.T) {
	fs, url, ctx := startFuzzingServer(t, &Options{Cases: []string{"12.1.7", "13.3.7", "13.4.7"}, DeflateBudget: deflateBudget})
	runEchoClient(t, ctx, url, "wide-window", peerConfig{deflate: true, deflateAnyWindow: true})
	checkVerdicts(t, fs.Report("wide-window"), map[string]Verdict{"13.3.7": Failed})
}

// The tester's answers follow Autobahn's accept functions.
func TestDeflateAnswers(t *testing.T) {
	offer := func(s string) []wsproto.Extension { return mustParseExtensions(s) }
	tests := []struct {
		params int // index in section13Params
		offers string
		want   string // "" for declined
	}{
		{0, "permessage-deflate", "permessage-deflate"},
		{0, "permessage-deflate; server_max_window_bits=10; client_max_window_bits", "permessage-deflate; server_max_window_bits=10"},
		{1, "permessage-deflate; client_max_window_bits", ""},
		{1, "permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"},
		{2, "permessage-deflate", ""},
		{2, "permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=9"},
		{3, "permessage-deflate; client_max_window_bits=12", "permessage-deflate; client_max_window_bits=12"},
		{4, "permessage-deflate; client_max_window_bits", ""},
		{4, "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=9"},
		{6, "permessage-deflate; client_max_window_bits", "permessage-deflate"},
		{6, "permessage-deflate; foo, permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover"},
		{0, "x-webkit-deflate-frame", ""},
	}
	for _, tt := range tests {
		p := section13Params[tt.params]
		sp := &deflateSpec{offers: p.offers, accepts: p.accepts}
		resp, ds, ok := sp.answer(offer(tt.offers))
		got := ""
		if ok {
			got = resp.String()
			if ds == nil {
				t.Errorf("13.%d, %q: no session", tt.params+1, tt.offers)
			}
		}
		if got != tt.want {
			t.Errorf("13.%d answers %q with %q, want %q", tt.params+1, tt.offers, got, tt.want)
		}
	}
	// A client that promised client_no_context_takeover in its offer is
	// held to it even if the answer leaves it out (P-82).
	sp := &deflateSpec{accepts: []acceptSpec{{}}}
	_, ds, _ := sp.answer(offer("permessage-deflate; client_no_context_takeover; client_max_window_bits=11"))
	if !ds.promised.NoContextTakeover || ds.promised.WindowBits != 11 || ds.inDir.NoContextTakeover {
		t.Errorf("promised %+v, inflater %+v", ds.promised, ds.inDir)
	}
}

// The tester's offers are Autobahn's, and its check of a response is
// RFC 7692's.
func TestDeflateOffersAndResponses(t *testing.T) {
	if got, want := (&deflateSpec{offers: section13Params[6].offers}).describeOffers(),
		"permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9, "+
			"permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover, "+
			"permessage-deflate; client_no_context_takeover; client_max_window_bits"; got != want {
		t.Errorf("offers\n%s\nwant\n%s", got, want)
	}
	offers := (&deflateSpec{offers: section13Params[2].offers}).clientOffers() // server_max_window_bits=9
	for resp, ok := range map[string]bool{
		"permessage-deflate; server_max_window_bits=9":                             true,
		"permessage-deflate; server_max_window_bits=8; client_no_context_takeover": true,
		"permessage-deflate":                                               false, // the window asked for was not granted
		"permessage-deflate; server_max_window_bits=10":                    false,
		"permessage-deflate; server_max_window_bits=9, permessage-deflate": false,
		"permessage-deflate; server_max_window_bits=9; foo":                false,
		"x-other": false,
	} {
		ds, err := acceptResponse(offers, []string{resp})
		if (err == nil && ds != nil) != ok {
			t.Errorf("response %q: session %v, error %v", resp, ds != nil, err)
		}
	}
	if ds, err := acceptResponse(offers, nil); ds != nil || err != nil {
		t.Errorf("no response: %v %v", ds, err)
	}
	if _, err := acceptResponse(nil, []string{"permessage-deflate"}); err == nil {
		t.Error("an extension accepted without an offer must fail")
	}
}

// stdInflate handles the forms of RFC 7692 section 7.2.3.
func TestStdInflate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		payload []byte
		dict    string
		want    string
	}{
		{"7.2.3.1 Hello", []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, "", "Hello"},
		{"7.2.3.2 shared window", []byte{0xf2, 0x00, 0x11, 0x00, 0x00}, "Hello", "Hello"},
		{"7.2.3.3 stored", []byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, "", "Hello"},
		{"7.2.3.4 BFINAL", []byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, "", "Hello"},
		{"7.2.3.5 two blocks", []byte{0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}, "", "Hello"},
		{"7.2.3.6 empty", []byte{0x00}, "", ""},
	} {
		got, ends, err := stdInflate(tt.payload, []byte(tt.dict))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %q, %v", tt.name, got, err)
		}
		st, err := decodeStrict(tt.payload, []byte(tt.dict), ends)
		if err != nil || string(st.Out) != tt.want {
			t.Errorf("%s: flatetest %q, %v", tt.name, st.Out, err)
		}
	}
	// Hello in a BFINAL block, then " world" in another DEFLATE stream
	// that refers back to it, within one message.
	var two []byte
	for _, part := range []string{"Hello", "Hello world"} {
		var b bytes.Buffer
		w, _ := flate.NewWriterDict(&b, flate.BestCompression, two0(two))
		w.Write([]byte(part)[len(two0(two)):])
		w.Close()
		two = append(two, b.Bytes()...)
	}
	got, ends, err := stdInflate(two, nil)
	if err != nil || string(got) != "Hello world" || len(ends) != 2 {
		t.Errorf("two streams: %q %v %v", got, ends, err)
	}
	if st, err := decodeStrict(two, nil, ends); err != nil || string(st.Out) != "Hello world" {
		t.Errorf("two streams, flatetest: %q %v", st.Out, err)
	}
	if _, _, err := stdInflate([]byte{0xff, 0xff, 0xff}, nil); err == nil {
		t.Error("corrupt data inflated")
	}
}

// The data sets have Autobahn's sizes, text ones are ASCII (any slice is
// valid UTF-8), and they are the same on every run.
func TestCorpora(t *testing.T) {
	for _, c := range corpora {
		d := Corpus(c.name)
		if len(d) != c.size {
			t.Errorf("%s: %d bytes, want %d", c.name, len(d), c.size)
		}
		if !c.binary {
			for i, b := range d {
				if b >= 0x80 {
					t.Errorf("%s: byte %d is not ASCII", c.name, i)
					break
				}
			}
		}
		if !bytes.Equal(d, c.make(c.size, uint64(indexOfCorpus(c.name)+1))) {
			t.Errorf("%s is not deterministic", c.name)
		}
	}
	if Corpus("nope") != nil {
		t.Error("unknown corpus")
	}
	if got := SectionTitle("13.7"); !strings.Contains(got, "[(True, 9), (True, 0), (False, 0)]") {
		t.Errorf("SectionTitle(13.7) = %q", got)
	}
}

// two0 is the text the first stream of TestStdInflate's two decodes to.
func two0(prev []byte) []byte {
	if len(prev) == 0 {
		return nil
	}
	return []byte("Hello")
}

func indexOfCorpus(name string) int {
	for i, c := range corpora {
		if c.name == name {
			return i
		}
	}
	return -1
}

// The budget scales the message counts.
func TestCompressionCount(t *testing.T) {
	for _, tt := range []struct {
		size   int
		budget int64
		want   int
	}{{16, 0, 1000}, {131072, 0, 1000}, {131072, (&Options{}).budget(), 1}, {1024, (*Options)(nil).budget(), 64}, {1024, (&Options{DeflateBudget: -1}).budget(), 1000}, {16, 1 << 20, 1000}, {4096, 1 << 20, 256}, {131072, 1 << 20, 8}, {131072, 1, 1}, {65536, 100 << 10, 1}} {
		if got := (compressionMessages{size: tt.size}).count(tt.budget); got != tt.want {
			t.Errorf("count(%d, %d) = %d, want %d", tt.size, tt.budget, got, tt.want)
		}
	}
}
