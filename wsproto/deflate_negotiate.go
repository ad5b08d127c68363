package wsproto

import (
	"strconv"
	"strings"
)

// DeflateDirection is what was agreed for the messages of one direction.
type DeflateDirection struct {
	// NoContextTakeover: the sender resets its compressor for each
	// message, so the receiver need keep no window between messages.
	NoContextTakeover bool
	// WindowBits, 8..15: no back-reference reaches farther than
	// 2^WindowBits bytes.
	WindowBits int
}

// DeflateAgreement is a negotiated permessage-deflate: what each side's
// compressor must do, and so what each side's decompressor may rely on.
type DeflateAgreement struct {
	Server DeflateDirection // the messages the server sends
	Client DeflateDirection // the messages the client sends
}

// Outgoing returns the agreement for the messages that role sends.
func (a DeflateAgreement) Outgoing(r Role) DeflateDirection {
	if r == Server {
		return a.Server
	}
	return a.Client
}

// Incoming returns the agreement for the messages that role receives.
func (a DeflateAgreement) Incoming(r Role) DeflateDirection {
	if r == Server {
		return a.Client
	}
	return a.Server
}

// NegotiateDeflate is the server's side of the negotiation (RFC 7692
// sections 5 and 7.1). It accepts the first permessage-deflate offer it
// can honour under cfg, in the client's order of preference, and returns
// the response element and the agreement; ok is false if it accepts none.
// At most one offer is accepted, since two would both claim RSV1 (P-75).
//
// Offers with an unknown, duplicated or invalid parameter are declined
// silently, as are offers asking for a window smaller than our compressor
// can honour (only with cfg.FullWindowOnly). The response (P-76):
//
//   - server_no_context_takeover if the offer or cfg has it;
//   - server_max_window_bits: the smaller of the offer's and cfg's, stated
//     if the offer had it or it is below 15;
//   - client_no_context_takeover if cfg asks for it, or if the offer
//     promised it (echoing it lets us drop the window between messages);
//   - client_max_window_bits only if the offer had it: the smaller of the
//     offered value and cfg's (at least 9), stated if the offer gave a
//     value or it is below 15.
func NegotiateDeflate(offers []Extension, cfg DeflateConfig) (response Extension, agreed DeflateAgreement, ok bool) {
	for _, o := range offers {
		if o.Name != DeflateExtension {
			continue
		}
		offer, err := ParseDeflateOffer(o)
		if err != nil {
			continue
		}
		var resp DeflateParams

		serverBits := windowBits(cfg.ServerMaxWindowBits)
		if offer.ServerMaxWindowBits > 0 {
			serverBits = min(serverBits, offer.ServerMaxWindowBits)
		}
		if cfg.FullWindowOnly && serverBits < 15 {
			continue
		}
		if offer.ServerMaxWindowBits > 0 || serverBits < 15 {
			resp.ServerMaxWindowBits = serverBits
		}
		resp.ServerNoContextTakeover = offer.ServerNoContextTakeover || cfg.ServerNoContextTakeover

		clientBits := 15
		if offer.ClientMaxWindowBits != 0 {
			clientBits = max(windowBits(cfg.ClientMaxWindowBits), 9)
			if offer.ClientMaxWindowBits > 0 {
				clientBits = min(clientBits, offer.ClientMaxWindowBits)
			}
			if offer.ClientMaxWindowBits > 0 || clientBits < 15 {
				resp.ClientMaxWindowBits = clientBits
			}
		}
		resp.ClientNoContextTakeover = offer.ClientNoContextTakeover || cfg.ClientNoContextTakeover

		agreed = DeflateAgreement{
			Server: DeflateDirection{NoContextTakeover: resp.ServerNoContextTakeover, WindowBits: serverBits},
			Client: DeflateDirection{NoContextTakeover: resp.ClientNoContextTakeover, WindowBits: clientBits},
		}
		return resp.Extension(), agreed, true
	}
	return Extension{}, DeflateAgreement{}, false
}

// DeflateOffer returns the client's permessage-deflate offers under cfg,
// in order of preference (P-73). The first carries all of cfg's wishes:
//
//   - server_no_context_takeover and server_max_window_bits (at least 9)
//     to ask the server for them;
//   - client_no_context_takeover and client_max_window_bits=N when our
//     compressor will reset or use a small window (promises we keep even
//     if the response leaves them out, P-82);
//   - otherwise client_max_window_bits without a value, which lets the
//     server pick our window: our compressor honours any (unless
//     cfg.FullWindowOnly).
//
// If the first asks anything of the server, a second offer without those
// requests follows, so that a server that cannot grant them can still
// accept compression.
func DeflateOffer(cfg DeflateConfig) []Extension {
	var p DeflateParams
	p.ServerNoContextTakeover = cfg.ServerNoContextTakeover
	if b := windowBits(cfg.ServerMaxWindowBits); b < 15 {
		p.ServerMaxWindowBits = max(b, 9)
	}
	p.ClientNoContextTakeover = cfg.ClientNoContextTakeover
	switch b := windowBits(cfg.ClientMaxWindowBits); {
	case b < 15 && !cfg.FullWindowOnly:
		p.ClientMaxWindowBits = b
	case !cfg.FullWindowOnly:
		p.ClientMaxWindowBits = WindowBitsNoValue
	}
	offers := []Extension{p.Extension()}
	if p.ServerNoContextTakeover || p.ServerMaxWindowBits != 0 {
		p.ServerNoContextTakeover, p.ServerMaxWindowBits = false, 0
		offers = append(offers, p.Extension())
	}
	return offers
}

// AcceptDeflateResponse is the client's check of the server's
// permessage-deflate response element against the offers it sent (RFC 7692
// sections 5 and 7.1, P-77). It fails on an unknown, duplicated or invalid
// parameter, and when the response fits none of the permessage-deflate
// offers: client_max_window_bits that the offer lacked or with a larger
// value than offered, server_max_window_bits larger than offered, or a
// response without the server_no_context_takeover or
// server_max_window_bits that the offer asked for (a configuration we do
// not support). The server may always add server_no_context_takeover,
// server_max_window_bits and client_no_context_takeover.
//
// The error is a *HandshakeError: the handshake has failed. The agreement
// keeps the promises of the offer (P-82): client_no_context_takeover and
// client_max_window_bits=N bind our compressor even if the response leaves
// them out. Should the response fit several offers, it keeps the promises
// of all of them.
func AcceptDeflateResponse(offers []Extension, resp Extension) (DeflateAgreement, error) {
	fail := func(msg string) (DeflateAgreement, error) {
		return DeflateAgreement{}, &HandshakeError{Status: 101, Msg: "permessage-deflate response " + quote(resp.String()) + ": " + msg}
	}
	r, err := ParseDeflateResponse(resp)
	if err != nil {
		return fail(err.Error())
	}
	var agreed DeflateAgreement
	var reasons []string
	matched := false
	for _, o := range offers {
		if o.Name != DeflateExtension {
			continue
		}
		offer, err := ParseDeflateOffer(o)
		if err != nil {
			continue // not one we could have made
		}
		if why := mismatch(offer, r); why != "" {
			reasons = append(reasons, why)
			continue
		}
		a := DeflateAgreement{
			Server: DeflateDirection{NoContextTakeover: r.ServerNoContextTakeover, WindowBits: windowBits(r.ServerMaxWindowBits)},
			Client: DeflateDirection{NoContextTakeover: r.ClientNoContextTakeover || offer.ClientNoContextTakeover, WindowBits: 15},
		}
		switch {
		case r.ClientMaxWindowBits > 0:
			a.Client.WindowBits = r.ClientMaxWindowBits
		case offer.ClientMaxWindowBits > 0:
			a.Client.WindowBits = offer.ClientMaxWindowBits
		}
		if matched {
			a.Client.NoContextTakeover = a.Client.NoContextTakeover || agreed.Client.NoContextTakeover
			a.Client.WindowBits = min(a.Client.WindowBits, agreed.Client.WindowBits)
		}
		agreed, matched = a, true
	}
	if !matched {
		if len(reasons) == 0 {
			return fail("permessage-deflate was not offered")
		}
		return fail(strings.Join(reasons, "; "))
	}
	return agreed, nil
}

// mismatch says why response r cannot answer offer o, or returns "".
func mismatch(o, r DeflateParams) string {
	switch {
	case r.ClientMaxWindowBits > 0 && o.ClientMaxWindowBits == 0:
		return "client_max_window_bits was not offered"
	case r.ClientMaxWindowBits > 0 && o.ClientMaxWindowBits > 0 && r.ClientMaxWindowBits > o.ClientMaxWindowBits:
		return "client_max_window_bits=" + strconv.Itoa(r.ClientMaxWindowBits) + " exceeds the offered " + strconv.Itoa(o.ClientMaxWindowBits)
	case o.ServerMaxWindowBits > 0 && r.ServerMaxWindowBits == 0:
		return "server_max_window_bits=" + strconv.Itoa(o.ServerMaxWindowBits) + " was asked for and not granted"
	case o.ServerMaxWindowBits > 0 && r.ServerMaxWindowBits > o.ServerMaxWindowBits:
		return "server_max_window_bits=" + strconv.Itoa(r.ServerMaxWindowBits) + " exceeds the offered " + strconv.Itoa(o.ServerMaxWindowBits)
	case o.ServerNoContextTakeover && !r.ServerNoContextTakeover:
		return "server_no_context_takeover was asked for and not granted"
	}
	return ""
}

// NegotiatedDeflate finds permessage-deflate among the extensions a server
// accepted and checks it with AcceptDeflateResponse. found is false when
// the server did not accept it. More than one permessage-deflate element
// is an error (they would share RSV1: RFC 7692 section 5, P-77). The caller
// must also refuse any other accepted extension that uses RSV1; none is
// offered today, and CheckResponse refuses extensions not offered.
func NegotiatedDeflate(offers, accepted []Extension) (agreed DeflateAgreement, found bool, err error) {
	var resp *Extension
	for i := range accepted {
		if accepted[i].Name != DeflateExtension {
			continue
		}
		if resp != nil {
			return DeflateAgreement{}, false, &HandshakeError{Status: 101, Msg: "the server accepted permessage-deflate twice"}
		}
		resp = &accepted[i]
	}
	if resp == nil {
		return DeflateAgreement{}, false, nil
	}
	agreed, err = AcceptDeflateResponse(offers, *resp)
	return agreed, err == nil, err
}
