// Package conformance is an Autobahn-style conformance suite for WebSocket
// (RFC 6455) servers and clients, written in Go so that it runs where the
// Autobahn TestSuite itself cannot (it needs Python 2 and Docker).
//
// The suite has the cases of the Autobahn TestSuite's sections 1 to 7, 9
// and 10, with Autobahn's case ids, what they send and how (fragmentation,
// pieces written to TCP, pauses) and what they expect:
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
//
// Sections 12 and 13 (permessage-deflate) will come with compression: each
// section is a file of cases added to the table in case.go, and the verdict
// UNIMPLEMENTED is there for cases whose extension was not negotiated.
// Cases returns the table.
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
// UNIMPLEMENTED (reserved for the compression sections); FAILED.
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
// heavy ones of section 9.
package conformance
