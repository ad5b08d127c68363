// Package conformance is an Autobahn-style conformance suite for WebSocket
// (RFC 6455) servers and clients, written in Go so that it runs where the
// Autobahn TestSuite itself cannot (it needs Python 2 and Docker).
//
// The suite has the cases of the Autobahn TestSuite's sections 1 to 7, 9,
// 10, 12 and 13, with Autobahn's case ids, what they send and how
// (fragmentation, pieces written to TCP, pauses) and what they expect:
//
//	1   Framing: text and binary messages at the edges of the length encodings
//	2   Pings and pongs
//	3   Reserved bits
//	4   Reserved opcodes
//	5   Fragmentation, control frames between fragments
//	6   UTF-8: valid and invalid text, differently fragmented, fail-fast
//	7   Close handling: frames after close, close payloads, close codes
//	9   Limits and performance: messages up to 16 MiB, many fragments, round trips
//	10  Auto-fragmentation
//	12  permessage-deflate (RFC 7692): five kinds of data, 18 sizes and fragmentations
//	13  permessage-deflate parameters: context takeover, windows of 2^9 and 2^15, several offers
//
// Each section is a file of cases added to the table in case.go; Cases
// returns the table. The table is built on first use, and the big messages
// of section 9 are made when their case runs, so importing the package
// costs nothing at start-up.
//
// # Compression
//
// The cases of sections 12 and 13 negotiate permessage-deflate as
// Autobahn's do: as the client, the tester offers "permessage-deflate;
// client_no_context_takeover; client_max_window_bits", asking in section
// 13 for server_no_context_takeover and server_max_window_bits=9 or 15
// (13.7 makes three offers); as the server, it answers the first offer
// that allows what the case asks of the client (client_no_context_takeover,
// client_max_window_bits=9 or 15) and grants what the offer asks. A peer
// that agrees to no compression gets UNIMPLEMENTED, as in Autobahn. Then
// the tester sends its messages, compressed (with package wsproto's codec)
// and in frames of the case's size, each once the echo of the one before
// came back, and compares the echoes. Beyond Autobahn, every compressed
// message of the peer is decompressed by compress/flate and by an
// independent decoder (internal/flate/flatetest) too, which must agree;
// its farthest back-reference must stay within the agreed window, and
// where context takeover is off (or a client promised it off in its
// offer) it must not refer to earlier messages. RSV1 anywhere but on a
// message's first frame fails the case.
//
// Autobahn sends 1000 messages per case, up to 128 MiB a case: hours for
// the whole of both sections with a DEFLATE compressor written in Go.
// Options.DeflateBudget bounds the bytes a case sends instead; the payloads
// are generated data of Autobahn's kinds and sizes (see Corpus).
//
// # Testing a server
//
// RunServer plays the cases against a server, as Autobahn's fuzzing client
// does: each case on its own connection, with the client handshake done by
// hand and every frame built byte by byte (masked), so that malformed frames
// can be sent. The server must echo every text and binary message unchanged
// and accept messages of at least 16 MiB.
//
//	rep, err := conformance.RunServer(ctx, "ws://127.0.0.1:9001/echo", &conformance.Options{Agent: "mine"})
//	if err != nil { ... }
//	rep.WriteText(os.Stdout)
//	if rep.Failed() > 0 { ... }
//
// # Testing a client
//
// A FuzzingServer plays the same cases against clients, speaking Autobahn's
// fuzzing-server protocol (/getCaseCount, /runCase?case=N&agent=A,
// /updateReports?agent=A), so a client driver written for Autobahn works
// unchanged: it fetches the case count, then for each case connects to
// /runCase and echoes every message until the connection closes. The server
// sends unmasked frames and requires the client's to be masked. It is an
// http.Handler, or runs on its own with ListenAndServe.
//
// # Verdicts
//
// Each case gets Autobahn's verdicts: OK; NON-STRICT (conformant, but a
// SHOULD was not followed, e.g. invalid UTF-8 detected only at the end of
// the message rather than fail-fast, or a close code other than the one
// expected); INFORMATIONAL (behaviour the RFC leaves open: 7.1.6, 7.13.x);
// UNIMPLEMENTED (the compression sections, when permessage-deflate was not
// agreed); FAILED.
//
// A case is judged twice, as in Autobahn. Its behaviour: the messages and
// pongs the peer sent (and, for 6.4.x, whether the tester's pauses passed
// with the connection still open) must equal one of the sequences the case
// accepts. Its closing: the right endpoint must start the close (the tester,
// or the peer failing the connection), with an expected close code (or
// none, or a dropped TCP connection where the case allows it), cleanly where
// the case requires it, and a server must close the TCP connection itself
// after the closing handshake: when the tester had to drop it, the close is
// "FAILED BY CLIENT". The case's verdict is its behaviour's, except that a
// failed close fails the case and a wrong close code makes it NON-STRICT
// (in section 7, where the code is the subject, it fails it).
//
// The suite is stricter than Autobahn in three ways: any protocol violation
// by the peer (a masked frame from a server, an unmasked one from a client,
// invalid UTF-8 in its text or close reason, a close code that must not be
// sent, frames after its close frame) fails the case; a peer that never
// fails a connection it must fail is FAILED in both directions (Autobahn's
// fuzzing server lets that pass); and section 9 compares the echoed bytes,
// not only their length.
//
// # Reports
//
// A Report holds each case's Result (verdicts, what was observed, how the
// connection ended, how long it took), counts per section, and writes
// itself as text (WriteText), Markdown (WriteMarkdown) or a self-contained
// HTML page (WriteHTML).
//
// # Time
//
// Every case has a limit (Options.CaseTimeout; by default 15 s, 90 s for
// the cases that move megabytes), and RunServer stops at the end of its
// context. Against a correct peer the whole suite takes seconds; the
// cases' own waits (one second in 5.19, 5.20 and 6.4.x, Autobahn's) and
// the closing timeouts (2 s) only add up against a peer that misbehaves.
// RunServer plays several cases at once (Options.Concurrency), except the
// heavy ones of section 9 and the compression cases. The compression cases
// have Autobahn's limits (60 to 480 s) when they send Autobahn's full
// counts, 90 s under a DeflateBudget.
package conformance
