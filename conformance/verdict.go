package conformance

// Verdict is the outcome of one case, with the names the Autobahn TestSuite
// uses in its reports.
type Verdict string

// The verdicts, from best to worst. NON-STRICT and INFORMATIONAL are
// acceptable outcomes; FAILED is a conformance bug.
const (
	// OK: the peer did what the case expects.
	OK Verdict = "OK"
	// NonStrict: the peer is conformant but did not follow a SHOULD, or a
	// well-defined canonical behaviour the RFC leaves open (for example
	// it detected invalid UTF-8 only at the end of the message).
	NonStrict Verdict = "NON-STRICT"
	// Informational: the case probes behaviour the RFC leaves undefined;
	// whatever the peer did is reported, not judged.
	Informational Verdict = "INFORMATIONAL"
	// Unimplemented: the peer does not implement the feature the case
	// needs (used by the compression sections, where permessage-deflate
	// was not negotiated).
	Unimplemented Verdict = "UNIMPLEMENTED"
	// Failed: the peer broke a MUST of RFC 6455.
	Failed Verdict = "FAILED"
)

// Verdicts lists every verdict in report order.
var Verdicts = []Verdict{OK, NonStrict, Informational, Unimplemented, Failed}

// CloseVerdict judges how a case's connection ended, as Autobahn's
// "closing behaviour" column does.
type CloseVerdict string

// The closing verdicts.
const (
	// CloseOK: the connection was closed by the expected endpoint, with an
	// expected code, cleanly when the case requires it.
	CloseOK CloseVerdict = "OK"
	// CloseWrongCode: the peer's close frame carried a code the case does
	// not expect.
	CloseWrongCode CloseVerdict = "WRONG CODE"
	// CloseUnclean: the case requires a clean close (close frames sent and
	// received, then the server closed TCP) and did not get one.
	CloseUnclean CloseVerdict = "UNCLEAN"
	// CloseFailedByClient: the tester, playing the client, had to drop the
	// TCP connection itself because the server did not close it after the
	// closing handshake (RFC 6455 section 5.5.1: the server MUST close it).
	CloseFailedByClient CloseVerdict = "FAILED BY CLIENT"
	// CloseInformational: the close is reported, not judged.
	CloseInformational CloseVerdict = "INFORMATIONAL"
	// CloseFailed: the wrong endpoint closed the connection, the peer never
	// failed it when it had to, or the handshake never completed.
	CloseFailed CloseVerdict = "FAILED"
)

// overall folds a case's behaviour and closing verdicts into one verdict.
// A failed close fails the case: RFC 6455 makes the closing rules MUSTs (a
// server MUST close the TCP connection after the closing handshake, an
// endpoint MUST fail the connection on invalid input). A wrong close code
// alone makes an otherwise good case NON-STRICT.
func overall(behavior Verdict, closing CloseVerdict) Verdict {
	switch {
	case behavior == Failed:
		return Failed
	case behavior == Informational, behavior == Unimplemented:
		return behavior
	}
	switch closing {
	case CloseFailed, CloseUnclean, CloseFailedByClient:
		return Failed
	case CloseWrongCode:
		return NonStrict
	}
	return behavior
}
