package wsproto_test

import (
	"strings"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

type deflateParams = wsproto.DeflateParams

// pmdElement parses one Sec-WebSocket-Extensions element from a header
// value, as the handshake code does (quoted values unquoted).
func pmdElement(t testing.TB, header string) wsproto.Extension {
	t.Helper()
	exts, err := wsproto.ParseExtensions([]string{header})
	if err != nil || len(exts) != 1 {
		t.Fatalf("ParseExtensions(%q) = %v, %v; want one element", header, exts, err)
	}
	return exts[0]
}

// pmdElements parses a whole header value.
func pmdElements(t testing.TB, header string) []wsproto.Extension {
	t.Helper()
	exts, err := wsproto.ParseExtensions([]string{header})
	if err != nil {
		t.Fatalf("ParseExtensions(%q): %v", header, err)
	}
	return exts
}

// P-74: the parameters of permessage-deflate and their values, in an offer
// and in a response.
func TestP74_DeflateParams(t *testing.T) {
	const (
		offerOnly = iota // valid in an offer, invalid in a response
		both             // valid in both
		neither          // invalid in both
	)
	tests := []struct {
		header string
		valid  int
		want   deflateParams
	}{
		{"permessage-deflate", both, deflateParams{}},
		{"permessage-deflate; server_no_context_takeover", both, deflateParams{ServerNoContextTakeover: true}},
		{"permessage-deflate; client_no_context_takeover", both, deflateParams{ClientNoContextTakeover: true}},
		{"permessage-deflate; server_max_window_bits=8", both, deflateParams{ServerMaxWindowBits: 8}},
		{"permessage-deflate; server_max_window_bits=9", both, deflateParams{ServerMaxWindowBits: 9}},
		{"permessage-deflate; server_max_window_bits=10", both, deflateParams{ServerMaxWindowBits: 10}},
		{"permessage-deflate; server_max_window_bits=15", both, deflateParams{ServerMaxWindowBits: 15}},
		{`permessage-deflate; server_max_window_bits="12"`, both, deflateParams{ServerMaxWindowBits: 12}},
		{`permessage-deflate; client_max_window_bits="8"`, both, deflateParams{ClientMaxWindowBits: 8}},
		{"permessage-deflate; client_max_window_bits=11", both, deflateParams{ClientMaxWindowBits: 11}},
		{"permessage-deflate; client_max_window_bits", offerOnly, deflateParams{ClientMaxWindowBits: wsproto.WindowBitsNoValue}},
		{"permessage-deflate;client_max_window_bits;server_max_window_bits=10;client_no_context_takeover;server_no_context_takeover", offerOnly,
			deflateParams{true, true, 10, wsproto.WindowBitsNoValue}},
		{"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=13; client_max_window_bits=14", both,
			deflateParams{true, true, 13, 14}},

		// Values: decimal 8..15, no leading zeros, nothing else.
		{"permessage-deflate; server_max_window_bits=7", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=16", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=08", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=015", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=0", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=+9", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=9a", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=0x9", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=1e1", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=100", neither, deflateParams{}},
		{`permessage-deflate; server_max_window_bits="08"`, neither, deflateParams{}},
		{"permessage-deflate; client_max_window_bits=7", neither, deflateParams{}},
		{"permessage-deflate; client_max_window_bits=016", neither, deflateParams{}},
		{`permessage-deflate; client_max_window_bits="1\6"`, neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits", neither, deflateParams{}},

		// No value on the *_no_context_takeover parameters, whatever it is.
		{"permessage-deflate; server_no_context_takeover=1", neither, deflateParams{}},
		{"permessage-deflate; client_no_context_takeover=true", neither, deflateParams{}},
		{`permessage-deflate; client_no_context_takeover="x"`, neither, deflateParams{}},

		// Duplicates, unknown parameters.
		{"permessage-deflate; server_no_context_takeover; server_no_context_takeover", neither, deflateParams{}},
		{"permessage-deflate; client_no_context_takeover; client_no_context_takeover", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", neither, deflateParams{}},
		{"permessage-deflate; client_max_window_bits; client_max_window_bits=10", neither, deflateParams{}},
		{"permessage-deflate; client_max_window_bits=9; client_max_window_bits=9", neither, deflateParams{}},
		{"permessage-deflate; mux", neither, deflateParams{}},
		{"permessage-deflate; Server_No_Context_Takeover", neither, deflateParams{}},
		{"permessage-deflate; server_max_window_bit=10", neither, deflateParams{}},
		{"permessage-deflate; client_max_window_bits=10; x=1", neither, deflateParams{}},
		{"x-webkit-deflate-frame", neither, deflateParams{}},
		{"permessage-deflat", neither, deflateParams{}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			e := pmdElement(t, tt.header)
			for _, side := range []struct {
				name  string
				parse func(wsproto.Extension) (deflateParams, error)
				ok    bool
			}{
				{"offer", wsproto.ParseDeflateOffer, tt.valid != neither},
				{"response", wsproto.ParseDeflateResponse, tt.valid == both},
			} {
				got, err := side.parse(e)
				if (err == nil) != side.ok {
					t.Fatalf("as %s: got %+v, %v; want valid=%v", side.name, got, err, side.ok)
				}
				if err == nil && got != tt.want {
					t.Fatalf("as %s: got %+v, want %+v", side.name, got, tt.want)
				}
			}
		})
	}
}

// P-74: formatting writes what parsing reads, for every combination.
func TestP74_DeflateParamsFormat(t *testing.T) {
	tests := []struct {
		p    deflateParams
		want string
	}{
		{deflateParams{}, "permessage-deflate"},
		{deflateParams{ClientMaxWindowBits: wsproto.WindowBitsNoValue}, "permessage-deflate; client_max_window_bits"},
		{deflateParams{true, true, 9, 10}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v formats as %q, want %q", tt.p, got, tt.want)
		}
	}
	for _, snct := range []bool{false, true} {
		for _, cnct := range []bool{false, true} {
			for _, sbits := range []int{0, 8, 12, 15} {
				for _, cbits := range []int{0, wsproto.WindowBitsNoValue, 8, 11, 15} {
					p := deflateParams{snct, cnct, sbits, cbits}
					got, err := wsproto.ParseDeflateOffer(pmdElement(t, p.String()))
					if err != nil || got != p {
						t.Fatalf("%q parses as %+v, %v", p.String(), got, err)
					}
				}
			}
		}
	}
}

func FuzzParseDeflateParams(f *testing.F) {
	for _, s := range []string{
		"permessage-deflate",
		"permessage-deflate; client_max_window_bits",
		"permessage-deflate; client_no_context_takeover; client_max_window_bits, permessage-deflate",
		`permessage-deflate; server_max_window_bits="10"; server_no_context_takeover`,
		"permessage-deflate; server_max_window_bits=08",
		"permessage-deflate; client_max_window_bits=9; client_max_window_bits=9",
		"foo, permessage-deflate; bar",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(0xff))
	}
	valid := map[string]bool{
		"server_no_context_takeover": true, "client_no_context_takeover": true,
		"server_max_window_bits": true, "client_max_window_bits": true,
	}
	f.Fuzz(func(t *testing.T, header string, knobs uint8) {
		exts, err := wsproto.ParseExtensions([]string{header})
		if err != nil {
			return
		}
		for _, e := range exts {
			p, err := wsproto.ParseDeflateOffer(e)
			if err != nil {
				if _, rerr := wsproto.ParseDeflateResponse(e); rerr == nil {
					t.Fatalf("%v: invalid as an offer (%v) but valid as a response", e, err)
				}
				continue
			}
			// An oracle for what was accepted: the right name, known
			// parameters, none twice, values only where they belong.
			seen := map[string]bool{}
			for _, prm := range e.Params {
				takeover := strings.HasSuffix(prm.Name, "_no_context_takeover")
				if !valid[prm.Name] || seen[prm.Name] || takeover && prm.HasValue {
					t.Fatalf("%v accepted as %+v", e, p)
				}
				seen[prm.Name] = true
			}
			if e.Name != wsproto.DeflateExtension {
				t.Fatalf("%v accepted", e)
			}
			if again, err := wsproto.ParseDeflateOffer(p.Extension()); err != nil || again != p {
				t.Fatalf("%+v formats as %v, which parses as %+v, %v", p, p.Extension(), again, err)
			}
		}
		checkNegotiation(t, exts, fuzzConfig(knobs))
	})
}

// fuzzConfig makes a server configuration from a byte.
func fuzzConfig(b uint8) wsproto.DeflateConfig {
	return wsproto.DeflateConfig{
		ServerNoContextTakeover: b&1 != 0,
		ClientNoContextTakeover: b&2 != 0,
		ServerMaxWindowBits:     []int{0, 8, 10, 15}[b>>2&3],
		ClientMaxWindowBits:     []int{0, 8, 12, 15}[b>>4&3],
		FullWindowOnly:          b&0x40 != 0,
	}
}
