package wsproto_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

type (
	deflateConfig = wsproto.DeflateConfig
	agreement     = wsproto.DeflateAgreement
	direction     = wsproto.DeflateDirection
)

// full is the agreement of a plain "permessage-deflate": takeover and 15
// bits both ways.
var full = agreement{Server: direction{WindowBits: 15}, Client: direction{WindowBits: 15}}

// checkNegotiation runs both sides of the negotiation over offers: if the
// server accepts one, the client must accept the response, agree with the
// server on the server's messages exactly, and hold its own messages to
// promises at least as strict as the server expects.
func checkNegotiation(t testing.TB, offers []wsproto.Extension, cfg deflateConfig) {
	t.Helper()
	resp, server, ok := wsproto.NegotiateDeflate(offers, cfg)
	if !ok {
		return
	}
	for _, d := range []direction{server.Server, server.Client} {
		if d.WindowBits < 8 || d.WindowBits > 15 {
			t.Fatalf("agreement %+v has window bits out of range", server)
		}
	}
	if cfg.FullWindowOnly && server.Server.WindowBits != 15 {
		t.Fatalf("FullWindowOnly, yet the server's window is %d bits", server.Server.WindowBits)
	}
	if limit := cfg.ServerMaxWindowBits; limit != 0 && server.Server.WindowBits > limit {
		t.Fatalf("server window %d bits over the configured %d", server.Server.WindowBits, limit)
	}
	if cfg.ServerNoContextTakeover && !server.Server.NoContextTakeover {
		t.Fatal("server_no_context_takeover configured but not agreed")
	}
	// The response goes through a header, as on the wire.
	accepted := pmdElements(t, wsproto.FormatExtensions([]wsproto.Extension{resp}))
	client, found, err := wsproto.NegotiatedDeflate(offers, accepted)
	if err != nil || !found {
		t.Fatalf("offers %q, response %q: the client refuses (%v)", wsproto.FormatExtensions(offers), resp, err)
	}
	if client.Server != server.Server {
		t.Fatalf("offers %q, response %q: server messages: client expects %+v, server does %+v", wsproto.FormatExtensions(offers), resp, client.Server, server.Server)
	}
	if client.Client.WindowBits > server.Client.WindowBits || server.Client.NoContextTakeover && !client.Client.NoContextTakeover {
		t.Fatalf("offers %q, response %q: client messages: client does %+v, server expects %+v", wsproto.FormatExtensions(offers), resp, client.Client, server.Client)
	}
}

// P-73: the client's offers.
func TestP73_DeflateOffer(t *testing.T) {
	tests := []struct {
		cfg  deflateConfig
		want string
	}{
		{deflateConfig{}, "permessage-deflate; client_max_window_bits"},
		{deflateConfig{FullWindowOnly: true}, "permessage-deflate"},
		{deflateConfig{ClientNoContextTakeover: true}, "permessage-deflate; client_no_context_takeover; client_max_window_bits"},
		{deflateConfig{ClientMaxWindowBits: 10}, "permessage-deflate; client_max_window_bits=10"},
		{deflateConfig{ClientMaxWindowBits: 8}, "permessage-deflate; client_max_window_bits=8"},
		{deflateConfig{ClientMaxWindowBits: 15}, "permessage-deflate; client_max_window_bits"},
		{deflateConfig{ServerMaxWindowBits: 15}, "permessage-deflate; client_max_window_bits"},
		{deflateConfig{ServerNoContextTakeover: true},
			"permessage-deflate; server_no_context_takeover; client_max_window_bits, permessage-deflate; client_max_window_bits"},
		{deflateConfig{ServerMaxWindowBits: 10, ClientNoContextTakeover: true},
			"permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits, permessage-deflate; client_no_context_takeover; client_max_window_bits"},
		// Never ask a peer for 8 (P-83).
		{deflateConfig{ServerMaxWindowBits: 8, FullWindowOnly: true}, "permessage-deflate; server_max_window_bits=9, permessage-deflate"},
	}
	for _, tt := range tests {
		got := wsproto.FormatExtensions(wsproto.DeflateOffer(tt.cfg))
		if got != tt.want {
			t.Errorf("%+v: offer %q, want %q", tt.cfg, got, tt.want)
		}
		for _, o := range wsproto.DeflateOffer(tt.cfg) {
			if _, err := wsproto.ParseDeflateOffer(o); err != nil {
				t.Errorf("%+v: invalid offer %v: %v", tt.cfg, o, err)
			}
		}
	}
}

// P-75: offers that are invalid or cannot be honoured are declined
// silently; the first acceptable one is accepted, and only one.
func TestP75_DeclineOffers(t *testing.T) {
	tests := []struct {
		name   string
		offers string
		cfg    deflateConfig
		want   string // the response, "" to decline
	}{
		{"no offer", "", deflateConfig{}, ""},
		{"other extensions", "x-webkit-deflate-frame, foo; bar", deflateConfig{}, ""},
		{"unknown parameter", "permessage-deflate; foo", deflateConfig{}, ""},
		{"invalid value", "permessage-deflate; server_max_window_bits=16", deflateConfig{}, ""},
		{"leading zero", "permessage-deflate; client_max_window_bits=09", deflateConfig{}, ""},
		{"duplicate", "permessage-deflate; server_no_context_takeover; server_no_context_takeover", deflateConfig{}, ""},
		{"value on a flag", "permessage-deflate; client_no_context_takeover=1", deflateConfig{}, ""},
		{"server_max_window_bits without value", "permessage-deflate; server_max_window_bits", deflateConfig{}, ""},
		{"invalid first, valid second", "permessage-deflate; foo, permessage-deflate; client_max_window_bits",
			deflateConfig{}, "permessage-deflate"},
		{"first of two valid", "permessage-deflate; server_no_context_takeover, permessage-deflate",
			deflateConfig{}, "permessage-deflate; server_no_context_takeover"},
		{"first of many", "foo, permessage-deflate; client_max_window_bits=12, permessage-deflate, permessage-deflate; server_no_context_takeover",
			deflateConfig{}, "permessage-deflate; client_max_window_bits=12"},
		{"small window honoured", "permessage-deflate; server_max_window_bits=8",
			deflateConfig{}, "permessage-deflate; server_max_window_bits=8"},
		{"small window not honoured by a full-window compressor", "permessage-deflate; server_max_window_bits=9",
			deflateConfig{FullWindowOnly: true}, ""},
		{"full-window compressor takes the fallback", "permessage-deflate; server_max_window_bits=9, permessage-deflate",
			deflateConfig{FullWindowOnly: true}, "permessage-deflate"},
		{"full-window compressor with 15 asked", "permessage-deflate; server_max_window_bits=15",
			deflateConfig{FullWindowOnly: true}, "permessage-deflate; server_max_window_bits=15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offers := pmdElements(t, tt.offers)
			resp, _, ok := wsproto.NegotiateDeflate(offers, tt.cfg)
			got := ""
			if ok {
				got = resp.String()
			}
			if got != tt.want {
				t.Fatalf("response %q, want %q", got, tt.want)
			}
			checkNegotiation(t, offers, tt.cfg)
		})
	}
}

// P-76: what the accepted response says.
func TestP76_DeflateResponse(t *testing.T) {
	tests := []struct {
		offer string
		cfg   deflateConfig
		want  string
		agree agreement
	}{
		{"permessage-deflate", deflateConfig{}, "permessage-deflate", full},
		// server_no_context_takeover: echoed, or added by policy.
		{"permessage-deflate; server_no_context_takeover", deflateConfig{},
			"permessage-deflate; server_no_context_takeover",
			agreement{Server: direction{true, 15}, Client: direction{false, 15}}},
		{"permessage-deflate", deflateConfig{ServerNoContextTakeover: true},
			"permessage-deflate; server_no_context_takeover",
			agreement{Server: direction{true, 15}, Client: direction{false, 15}}},
		// server_max_window_bits: at most the offered value; may be added.
		{"permessage-deflate; server_max_window_bits=10", deflateConfig{},
			"permessage-deflate; server_max_window_bits=10",
			agreement{Server: direction{false, 10}, Client: direction{false, 15}}},
		{"permessage-deflate; server_max_window_bits=10", deflateConfig{ServerMaxWindowBits: 12},
			"permessage-deflate; server_max_window_bits=10",
			agreement{Server: direction{false, 10}, Client: direction{false, 15}}},
		{"permessage-deflate; server_max_window_bits=10", deflateConfig{ServerMaxWindowBits: 9},
			"permessage-deflate; server_max_window_bits=9",
			agreement{Server: direction{false, 9}, Client: direction{false, 15}}},
		{"permessage-deflate; server_max_window_bits=15", deflateConfig{},
			"permessage-deflate; server_max_window_bits=15", full},
		{"permessage-deflate", deflateConfig{ServerMaxWindowBits: 11},
			"permessage-deflate; server_max_window_bits=11",
			agreement{Server: direction{false, 11}, Client: direction{false, 15}}},
		// client_max_window_bits: only if offered.
		{"permessage-deflate", deflateConfig{ClientMaxWindowBits: 10}, "permessage-deflate", full},
		{"permessage-deflate; client_max_window_bits", deflateConfig{}, "permessage-deflate", full},
		{"permessage-deflate; client_max_window_bits", deflateConfig{ClientMaxWindowBits: 10},
			"permessage-deflate; client_max_window_bits=10",
			agreement{Server: direction{false, 15}, Client: direction{false, 10}}},
		{"permessage-deflate; client_max_window_bits", deflateConfig{ClientMaxWindowBits: 8},
			"permessage-deflate; client_max_window_bits=9", // never ask for 8 (P-83)
			agreement{Server: direction{false, 15}, Client: direction{false, 9}}},
		{"permessage-deflate; client_max_window_bits=12", deflateConfig{},
			"permessage-deflate; client_max_window_bits=12",
			agreement{Server: direction{false, 15}, Client: direction{false, 12}}},
		{"permessage-deflate; client_max_window_bits=12", deflateConfig{ClientMaxWindowBits: 10},
			"permessage-deflate; client_max_window_bits=10",
			agreement{Server: direction{false, 15}, Client: direction{false, 10}}},
		{"permessage-deflate; client_max_window_bits=12", deflateConfig{ClientMaxWindowBits: 14},
			"permessage-deflate; client_max_window_bits=12",
			agreement{Server: direction{false, 15}, Client: direction{false, 12}}},
		{"permessage-deflate; client_max_window_bits=8", deflateConfig{},
			"permessage-deflate; client_max_window_bits=8",
			agreement{Server: direction{false, 15}, Client: direction{false, 8}}},
		// client_no_context_takeover: echoed (saves our window), or asked for.
		{"permessage-deflate; client_no_context_takeover", deflateConfig{},
			"permessage-deflate; client_no_context_takeover",
			agreement{Server: direction{false, 15}, Client: direction{true, 15}}},
		{"permessage-deflate", deflateConfig{ClientNoContextTakeover: true},
			"permessage-deflate; client_no_context_takeover",
			agreement{Server: direction{false, 15}, Client: direction{true, 15}}},
		// Everything at once.
		{"permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9",
			deflateConfig{ClientMaxWindowBits: 11},
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=11",
			agreement{Server: direction{true, 9}, Client: direction{true, 11}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%+v", tt.offer, tt.cfg), func(t *testing.T) {
			offers := pmdElements(t, tt.offer)
			resp, agreed, ok := wsproto.NegotiateDeflate(offers, tt.cfg)
			if !ok {
				t.Fatal("declined")
			}
			if resp.String() != tt.want || agreed != tt.agree {
				t.Fatalf("response %q, agreement %+v; want %q, %+v", resp, agreed, tt.want, tt.agree)
			}
			checkNegotiation(t, offers, tt.cfg)
		})
	}
}

// P-77: the client's checks of the response.
func TestP77_AcceptDeflateResponse(t *testing.T) {
	tests := []struct {
		name   string
		offers string
		resp   string
		ok     bool
		agree  agreement
	}{
		{"plain", "permessage-deflate", "permessage-deflate", true, full},
		{"unknown parameter", "permessage-deflate", "permessage-deflate; foo", false, agreement{}},
		{"invalid value", "permessage-deflate", "permessage-deflate; server_max_window_bits=7", false, agreement{}},
		{"leading zero", "permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=010", false, agreement{}},
		{"duplicate", "permessage-deflate", "permessage-deflate; server_no_context_takeover; server_no_context_takeover", false, agreement{}},
		{"value on a flag", "permessage-deflate", "permessage-deflate; client_no_context_takeover=x", false, agreement{}},
		{"client_max_window_bits without value", "permessage-deflate; client_max_window_bits",
			"permessage-deflate; client_max_window_bits", false, agreement{}},
		{"client_max_window_bits not offered", "permessage-deflate", "permessage-deflate; client_max_window_bits=15", false, agreement{}},
		{"client_max_window_bits over the offered value", "permessage-deflate; client_max_window_bits=10",
			"permessage-deflate; client_max_window_bits=11", false, agreement{}},
		{"client_max_window_bits at the offered value", "permessage-deflate; client_max_window_bits=10",
			"permessage-deflate; client_max_window_bits=10", true,
			agreement{Server: direction{false, 15}, Client: direction{false, 10}}},
		{"client_max_window_bits picked by the server", "permessage-deflate; client_max_window_bits",
			"permessage-deflate; client_max_window_bits=9", true,
			agreement{Server: direction{false, 15}, Client: direction{false, 9}}},
		{"server_max_window_bits over the offered value", "permessage-deflate; server_max_window_bits=10",
			"permessage-deflate; server_max_window_bits=11", false, agreement{}},
		{"server_max_window_bits asked and missing", "permessage-deflate; server_max_window_bits=10",
			"permessage-deflate", false, agreement{}},
		{"server_max_window_bits asked, fallback offered", "permessage-deflate; server_max_window_bits=10, permessage-deflate",
			"permessage-deflate", true, full},
		{"server_no_context_takeover asked and missing", "permessage-deflate; server_no_context_takeover",
			"permessage-deflate", false, agreement{}},
		{"server_no_context_takeover asked, fallback offered", "permessage-deflate; server_no_context_takeover, permessage-deflate",
			"permessage-deflate", true, full},
		{"server adds server_no_context_takeover", "permessage-deflate", "permessage-deflate; server_no_context_takeover", true,
			agreement{Server: direction{true, 15}, Client: direction{false, 15}}},
		{"server adds server_max_window_bits", "permessage-deflate", "permessage-deflate; server_max_window_bits=8", true,
			agreement{Server: direction{false, 8}, Client: direction{false, 15}}},
		{"server adds client_no_context_takeover", "permessage-deflate", "permessage-deflate; client_no_context_takeover", true,
			agreement{Server: direction{false, 15}, Client: direction{true, 15}}},
		// The offer's promises hold even if the response omits them (P-82).
		{"promised client_no_context_takeover", "permessage-deflate; client_no_context_takeover", "permessage-deflate", true,
			agreement{Server: direction{false, 15}, Client: direction{true, 15}}},
		{"promised client_max_window_bits=10", "permessage-deflate; client_max_window_bits=10", "permessage-deflate", true,
			agreement{Server: direction{false, 15}, Client: direction{false, 10}}},
		{"the strictest promise of the offers that fit", "permessage-deflate; client_max_window_bits=12, permessage-deflate; client_no_context_takeover; client_max_window_bits=9",
			"permessage-deflate", true, agreement{Server: direction{false, 15}, Client: direction{true, 9}}},
		{"not offered", "foo", "permessage-deflate", false, agreement{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agreed, err := wsproto.AcceptDeflateResponse(pmdElements(t, tt.offers), pmdElement(t, tt.resp))
			if (err == nil) != tt.ok {
				t.Fatalf("agreement %+v, error %v; want ok=%v", agreed, err, tt.ok)
			}
			if err != nil {
				var he *wsproto.HandshakeError
				if !errors.As(err, &he) {
					t.Fatalf("error %T, want a *HandshakeError", err)
				}
				return
			}
			if agreed != tt.agree {
				t.Fatalf("agreement %+v, want %+v", agreed, tt.agree)
			}
		})
	}
}

// P-77: more than one permessage-deflate in the response (they would
// share RSV1), or none.
func TestP77_NegotiatedDeflate(t *testing.T) {
	offers := wsproto.DeflateOffer(deflateConfig{})
	if _, found, err := wsproto.NegotiatedDeflate(offers, pmdElements(t, "permessage-deflate, permessage-deflate")); err == nil || found {
		t.Errorf("two permessage-deflate elements: found %v, error %v", found, err)
	}
	if _, found, err := wsproto.NegotiatedDeflate(offers, nil); err != nil || found {
		t.Errorf("no element: found %v, error %v", found, err)
	}
	if _, found, err := wsproto.NegotiatedDeflate(offers, pmdElements(t, "permessage-deflate; x")); err == nil || found {
		t.Errorf("an invalid element: found %v, error %v", found, err)
	}
	agreed, found, err := wsproto.NegotiatedDeflate(offers, pmdElements(t, "permessage-deflate; client_max_window_bits=9"))
	if err != nil || !found || agreed.Client.WindowBits != 9 {
		t.Errorf("found %v, agreement %+v, error %v", found, agreed, err)
	}
	if agreed.Outgoing(wsproto.Client) != agreed.Client || agreed.Incoming(wsproto.Client) != agreed.Server ||
		agreed.Outgoing(wsproto.Server) != agreed.Server || agreed.Incoming(wsproto.Server) != agreed.Client {
		t.Error("Outgoing and Incoming mix up the directions")
	}
}

// Our client against our server, for every configuration pair.
func TestDeflateNegotiationOwnPeers(t *testing.T) {
	for c := range 256 {
		client := fuzzConfig(uint8(c))
		for s := range 128 {
			checkNegotiation(t, wsproto.DeflateOffer(client), fuzzConfig(uint8(s)))
		}
		// Whatever our client offers, our default server accepts one offer.
		if _, _, ok := wsproto.NegotiateDeflate(wsproto.DeflateOffer(client), deflateConfig{}); !ok {
			t.Fatalf("client %+v: the default server declines", client)
		}
	}
}

// P-86: the offers of the Autobahn suite's groups 12 and 13, and what our
// server answers: every one is accepted, the small windows included.
func TestP86_AutobahnOffers(t *testing.T) {
	const base = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
	tests := []struct {
		offers string
		want   string
	}{
		{base, "permessage-deflate; client_no_context_takeover"},
		{base + "; server_no_context_takeover", "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{base + "; server_max_window_bits=9", "permessage-deflate; client_no_context_takeover; server_max_window_bits=9"},
		{base + "; server_max_window_bits=15", "permessage-deflate; client_no_context_takeover; server_max_window_bits=15"},
		{base + "; server_no_context_takeover; server_max_window_bits=9",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9"},
		{base + "; server_no_context_takeover; server_max_window_bits=9, " + base + "; server_no_context_takeover, " + base,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9"},
	}
	for _, tt := range tests {
		offers := pmdElements(t, tt.offers)
		resp, _, ok := wsproto.NegotiateDeflate(offers, deflateConfig{})
		if !ok || resp.String() != tt.want {
			t.Errorf("offers %q: response %q (ok %v), want %q", tt.offers, resp, ok, tt.want)
		}
		checkNegotiation(t, offers, deflateConfig{})
	}
	// The suite's server answers our default offer with
	// client_max_window_bits=9 or 15 and client_no_context_takeover.
	for _, resp := range []string{"permessage-deflate; client_max_window_bits=9", "permessage-deflate; client_no_context_takeover; client_max_window_bits=15"} {
		if _, err := wsproto.AcceptDeflateResponse(wsproto.DeflateOffer(deflateConfig{}), pmdElement(t, resp)); err != nil {
			t.Errorf("response %q: %v", resp, err)
		}
	}
}

func TestDeflateConfigCheck(t *testing.T) {
	for _, c := range []deflateConfig{{ServerMaxWindowBits: 7}, {ClientMaxWindowBits: 16}, {MemLevel: 10}, {MemLevel: -1}, {Level: 3}, {Level: -1}} {
		if c.Check() == nil {
			t.Errorf("%+v passes", c)
		}
	}
	for _, c := range []deflateConfig{{}, {ServerMaxWindowBits: 8, ClientMaxWindowBits: 15, MemLevel: 9, Level: wsproto.CompressionBest, Threshold: -1}} {
		if err := c.Check(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
