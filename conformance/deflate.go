package conformance

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/wsstack/websocket/internal/flate/flatetest"
	"github.com/wsstack/websocket/wsproto"
)

// This file is the tester's side of permessage-deflate (RFC 7692), for
// sections 12 and 13: what it offers as a client and answers as a server,
// as Autobahn does, and its own codec. It compresses and decompresses with
// package wsproto's Deflater and Inflater (the implementation's own codec,
// so a bug shared by both would go unseen there), and checks every
// compressed message the peer sends twice more, independently:
//
//   - compress/flate's reader must decompress it to the same bytes, with
//     the window kept across messages unless the peer's context takeover
//     was turned off;
//   - flatetest.Decode, a decoder written apart from both, must decode it
//     too, with no history at all when the peer must reset its compressor
//     for each message (server_no_context_takeover, or a client's
//     client_no_context_takeover), and its farthest back-reference must
//     stay within the agreed window (2^N bytes for *_max_window_bits=N).
//
// Any difference fails the case as a protocol violation.

// deflateSpec is what a case asks of permessage-deflate: Autobahn's client
// offers (when the tester is the client) and server accept functions (when
// it is the server).
type deflateSpec struct {
	offers  []offerSpec  // the tester's offers, in order of preference
	accepts []acceptSpec // the tester's answers, tried in order
}

// offerSpec is an Autobahn PerMessageDeflateOffer: it always says
// client_no_context_takeover and client_max_window_bits (the tester
// accepts either), and may ask the server for server_no_context_takeover
// and server_max_window_bits=N.
type offerSpec struct {
	serverNoContextTakeover bool // Autobahn's requestNoContextTakeover
	serverMaxWindowBits     int  // Autobahn's requestMaxWindowBits; 0: not asked
}

// acceptSpec is an Autobahn accept function: it accepts the first offer
// that allows what it asks of the client, client_no_context_takeover
// (needs the parameter in the offer) and client_max_window_bits=N (needs
// the parameter in the offer; 0: not asked), granting what the offer asks
// of the server.
type acceptSpec struct {
	clientNoContextTakeover bool // Autobahn's requestNoContextTakeover
	clientMaxWindowBits     int  // Autobahn's requestMaxWindowBits; 0: not asked
}

func (o offerSpec) String() string {
	return autobahnPair(o.serverNoContextTakeover, o.serverMaxWindowBits)
}
func (a acceptSpec) String() string {
	return autobahnPair(a.clientNoContextTakeover, a.clientMaxWindowBits)
}

func autobahnPair(noContext bool, bits int) string {
	t := "False"
	if noContext {
		t = "True"
	}
	return fmt.Sprintf("(%s, %d)", t, bits)
}

// extension returns the offer as a header element, with the parameters in
// Autobahn's order.
func (o offerSpec) extension() wsproto.Extension {
	e := wsproto.Extension{Name: wsproto.DeflateExtension, Params: []wsproto.ExtensionParam{
		{Name: "client_no_context_takeover"}, {Name: "client_max_window_bits"},
	}}
	if o.serverNoContextTakeover {
		e.Params = append(e.Params, wsproto.ExtensionParam{Name: "server_no_context_takeover"})
	}
	if o.serverMaxWindowBits != 0 {
		e.Params = append(e.Params, wsproto.ExtensionParam{Name: "server_max_window_bits", Value: strconv.Itoa(o.serverMaxWindowBits), HasValue: true})
	}
	return e
}

// clientOffers returns the tester's offers as a client.
func (sp *deflateSpec) clientOffers() []wsproto.Extension {
	var out []wsproto.Extension
	for _, o := range sp.offers {
		out = append(out, o.extension())
	}
	return out
}

// describeOffers writes the offers as they go into the header.
func (sp *deflateSpec) describeOffers() string {
	return wsproto.FormatExtensions(sp.clientOffers())
}

// answer chooses the tester's response, as a server, to a client's
// offers. ok is false when no accept function takes any offer: the tester
// then declines compression.
func (sp *deflateSpec) answer(offers []wsproto.Extension) (resp wsproto.Extension, ds *deflateSession, ok bool) {
	for _, a := range sp.accepts {
		for _, e := range offers {
			if e.Name != wsproto.DeflateExtension {
				continue
			}
			o, err := wsproto.ParseDeflateOffer(e)
			if err != nil {
				continue // an offer the tester cannot accept: declined
			}
			if a.clientNoContextTakeover && !o.ClientNoContextTakeover || a.clientMaxWindowBits != 0 && o.ClientMaxWindowBits == 0 {
				continue
			}
			r := wsproto.DeflateParams{
				ServerNoContextTakeover: o.ServerNoContextTakeover,
				ServerMaxWindowBits:     o.ServerMaxWindowBits,
				ClientNoContextTakeover: a.clientNoContextTakeover,
				ClientMaxWindowBits:     a.clientMaxWindowBits,
			}
			if r.ClientMaxWindowBits != 0 && o.ClientMaxWindowBits > 0 {
				// Autobahn ignores the value of the client's offer; RFC
				// 7692 section 7.1.2.2 does not allow a larger one.
				r.ClientMaxWindowBits = min(r.ClientMaxWindowBits, o.ClientMaxWindowBits)
			}
			resp = r.Extension()
			// The tester's codecs follow the response. The client's
			// compressor must also keep what its offer promised
			// (client_no_context_takeover, client_max_window_bits=N),
			// even where the response leaves it out (P-82):
			// AcceptDeflateResponse computes exactly that.
			promised, err := wsproto.AcceptDeflateResponse([]wsproto.Extension{e}, resp)
			if err != nil {
				panic("conformance: the tester's own response does not fit the offer: " + err.Error())
			}
			agreed := wsproto.DeflateAgreement{
				Server: wsproto.DeflateDirection{NoContextTakeover: r.ServerNoContextTakeover, WindowBits: bitsOr15(r.ServerMaxWindowBits)},
				Client: wsproto.DeflateDirection{NoContextTakeover: r.ClientNoContextTakeover, WindowBits: bitsOr15(r.ClientMaxWindowBits)},
			}
			return resp, newDeflateSession(wsproto.Server, agreed, promised.Client, e.String(), resp.String()), true
		}
	}
	return wsproto.Extension{}, nil, false
}

func bitsOr15(n int) int {
	if n <= 0 {
		return 15
	}
	return n
}

// acceptResponse checks, as a client, the server's Sec-WebSocket-Extensions
// against the tester's offers (RFC 7692 sections 5 and 7.1, P-77) and
// returns the tester's deflate session, or nil if the server accepted no
// offer.
func acceptResponse(offers []wsproto.Extension, header []string) (*deflateSession, error) {
	if len(header) == 0 {
		return nil, nil
	}
	if len(offers) == 0 {
		return nil, fmt.Errorf("the server accepted extensions that were not offered: %q", strings.Join(header, ", "))
	}
	accepted, err := wsproto.ParseExtensions(header)
	if err != nil {
		return nil, fmt.Errorf("malformed Sec-WebSocket-Extensions %q: %w", strings.Join(header, ", "), err)
	}
	for _, e := range accepted {
		if e.Name != wsproto.DeflateExtension {
			return nil, fmt.Errorf("the server accepted extension %q, which was not offered", e.Name)
		}
	}
	agreed, found, err := wsproto.NegotiatedDeflate(offers, accepted)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, nil
	}
	// The tester keeps its offer's promises (client_no_context_takeover),
	// as NegotiatedDeflate's agreement has it; the server's messages are
	// bound by what the response says.
	return newDeflateSession(wsproto.Client, agreed, agreed.Server, wsproto.FormatExtensions(offers), strings.Join(header, ", ")), nil
}

// deflateSession is the tester's permessage-deflate on one connection.
type deflateSession struct {
	offer, response string // as they went over the wire

	mu  sync.Mutex // the deflater: a case sends from its own goroutine and from the reader's
	out *wsproto.Deflater

	in       *wsproto.Inflater        // used by the reader goroutine only
	inDir    wsproto.DeflateDirection // what the tester's inflater relies on: the response
	promised wsproto.DeflateDirection // what the peer's compressor must honour
	hist     []byte                   // the last 32 KiB of the peer's compressed messages, decompressed

	// What the peer sent, for the report.
	compressed, plain int   // messages with and without RSV1
	rawBytes, inBytes int64 // of the compressed ones: payload and decompressed size
	maxDist           int   // the farthest back-reference seen
}

func newDeflateSession(tester wsproto.Role, agreed wsproto.DeflateAgreement, promised wsproto.DeflateDirection, offer, response string) *deflateSession {
	in := agreed.Incoming(tester)
	return &deflateSession{
		offer: offer, response: response,
		// Threshold -1: every message is compressed, as Autobahn does.
		out:      wsproto.NewDeflater(agreed.Outgoing(tester), wsproto.DeflateConfig{Threshold: -1}),
		in:       wsproto.NewInflater(in, maxPeerMessage),
		inDir:    in,
		promised: promised,
	}
}

// compress returns msg compressed as the payload of a message whose first
// frame has RSV1 set (always compressed, even where that makes it longer).
func (d *deflateSession) compress(msg []byte) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.Finish(d.out.Write(nil, msg))
}

// inflate decompresses the payload of a message the peer sent with RSV1,
// checks it against the two other decoders and the agreed parameters, and
// returns the message or a violation.
func (d *deflateSession) inflate(payload []byte) ([]byte, string) {
	msg, err := d.in.Inflate(nil, payload)
	if err != nil {
		if d.inDir.NoContextTakeover {
			if _, _, err := stdInflate(payload, d.hist); err == nil {
				return nil, "the peer's compressed message refers to an earlier message, though it must reset its compressor for each message (no context takeover was agreed)"
			}
		}
		return nil, fmt.Sprintf("the peer sent a compressed message that does not inflate (%v)", err)
	}
	var dict []byte
	if !d.inDir.NoContextTakeover {
		dict = d.hist
	}
	std, ends, err := stdInflate(payload, dict)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("compress/flate cannot decompress a compressed message of the peer (%v), though the tester's inflater could", err)
	case !bytes.Equal(std, msg):
		return nil, fmt.Sprintf("compress/flate decompresses a message of the peer to %d bytes, the tester's inflater to %d different ones", len(std), len(msg))
	}
	var hist []byte
	if !d.promised.NoContextTakeover {
		hist = d.hist
	}
	st, err := decodeStrict(payload, hist, ends)
	switch {
	case err != nil && d.promised.NoContextTakeover && hist == nil && !d.inDir.NoContextTakeover:
		if _, err2 := decodeStrict(payload, d.hist, ends); err2 == nil {
			return nil, "the peer's compressed message refers to an earlier message, though it promised no context takeover in its offer (client_no_context_takeover; RFC 7692 section 7.1.1.2)"
		}
		return nil, fmt.Sprintf("an independent DEFLATE decoder rejects a compressed message of the peer (%v)", err)
	case err != nil && d.promised.NoContextTakeover:
		return nil, fmt.Sprintf("the peer's compressed message does not decode on its own (%v): it must not refer to earlier messages (no context takeover)", err)
	case err != nil:
		return nil, fmt.Sprintf("an independent DEFLATE decoder rejects a compressed message of the peer (%v)", err)
	case !bytes.Equal(st.Out, msg):
		return nil, "an independent DEFLATE decoder decompresses a message of the peer differently"
	case st.MaxDist > 1<<d.promised.WindowBits:
		return nil, fmt.Sprintf("the peer's compressed message has a back-reference of %d bytes, beyond its window of 2^%d = %d bytes (RFC 7692 section 7.1.2)",
			st.MaxDist, d.promised.WindowBits, 1<<d.promised.WindowBits)
	}
	d.maxDist = max(d.maxDist, st.MaxDist)
	d.compressed++
	d.rawBytes += int64(len(payload))
	d.inBytes += int64(len(msg))
	d.hist = window32k(d.hist, msg) // kept in every mode, to explain a failure
	return msg, ""
}

// deflateTrailer is the end of a sync flush, which the sender strips
// (RFC 7692 section 7.2.1) and the receiver appends (section 7.2.2).
var deflateTrailer = []byte{0x00, 0x00, 0xff, 0xff}

// decodeStrict decodes a message's payload with flatetest, the DEFLATE
// streams that blocks with BFINAL end (as stdInflate found them) one
// after the other, each with the history and the output so far as its
// window.
func decodeStrict(payload, hist []byte, ends []int) (flatetest.Stats, error) {
	buf := append(payload[:len(payload):len(payload)], deflateTrailer...)
	if n := len(ends); n == 0 || ends[n-1] < len(payload) {
		ends = append(ends[:n:n], len(buf)) // the last stream ends with the sync flush
	}
	var all flatetest.Stats
	start := 0
	for _, end := range ends {
		st, err := flatetest.Decode(buf[start:end], window32k(hist, all.Out))
		if err != nil {
			return all, err
		}
		all.Out = append(all.Out, st.Out...)
		all.MaxDist = max(all.MaxDist, st.MaxDist)
		all.BFINAL = all.BFINAL || st.BFINAL
		start = end
	}
	return all, nil
}

// stdInflate decompresses a message's payload with compress/flate, the
// window of earlier messages given as dict (RFC 7692 section 7.2.2). A
// block with BFINAL set may end the DEFLATE stream before the payload
// ends: decompression then starts again with the window so far (section
// 7.2.3.4); ends holds the offsets where such streams ended.
func stdInflate(payload, dict []byte) (out []byte, ends []int, err error) {
	buf := append(payload[:len(payload):len(payload)], deflateTrailer...)
	in := bytes.NewReader(buf)
	for {
		r := flate.NewReaderDict(in, window32k(dict, out)) // a bytes.Reader is read byte by byte, no further than needed
		var b bytes.Buffer
		_, err := b.ReadFrom(r)
		out = append(out, b.Bytes()...)
		pos := len(buf) - in.Len()
		switch {
		case err == nil && pos >= len(payload):
			return out, append(ends, pos), nil // ended with a BFINAL block: what is left is the trailer
		case err == nil:
			ends = append(ends, pos) // more blocks after a BFINAL block
		case errors.Is(err, io.ErrUnexpectedEOF) && in.Len() == 0:
			return out, ends, nil // the usual end: the sync flush's empty stored block
		default:
			return nil, nil, err
		}
	}
}

// window32k returns the last 32 KiB of a followed by b, in a new slice.
func window32k(a, b []byte) []byte {
	const size = 32 << 10
	if len(b) >= size {
		return append([]byte(nil), b[len(b)-size:]...)
	}
	if keep := size - len(b); len(a) > keep {
		a = a[len(a)-keep:]
	}
	out := make([]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// summary says what the peer did with compression, for the case's result.
func (d *deflateSession) summary() string {
	s := fmt.Sprintf("Agreed: %s.", d.response)
	if d.compressed > 0 {
		s += fmt.Sprintf(" The peer compressed %d of its %d messages, to %.1f%% of their size; farthest back-reference %d bytes (window %d).",
			d.compressed, d.compressed+d.plain, 100*float64(d.rawBytes)/float64(max(d.inBytes, 1)), d.maxDist, 1<<d.promised.WindowBits)
	} else {
		s += fmt.Sprintf(" The peer sent its %d messages uncompressed.", d.plain)
	}
	return s
}
