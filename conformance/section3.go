package conformance

// section3 is Reserved bits: with no extension negotiated, any RSV bit set
// must fail the connection.
func section3() []Case {
	const hello = "Hello, world!"
	const failNow = "The peer fails the connection at once: close 1002 (protocol error) or a dropped TCP connection."
	const echoThenFail = "The peer echoes the first message, then fails the connection (1002 or dropped TCP) and sends no pong. NON-STRICT if it failed before echoing the first message."
	bin := "\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
	return []Case{
		{
			ID:          "3.1",
			Description: "Send a short text message with RSV = 1 (the RSV3 bit).",
			Expectation: failNow,
			run:         failScript(failProtocol, ok(), fr(opText, hello).withRSV(1)),
		},
		{
			ID:          "3.2",
			Description: "Send a short text message, then the same with RSV = 2, then a ping.",
			Expectation: echoThenFail,
			run:         failScript(failProtocol, okOrNone(textMsg(hello)), fr(opText, hello), fr(opText, hello).withRSV(2), fr(opPing, "")),
		},
		{
			ID:          "3.3",
			Description: "Send a short text message, then the same with RSV = 3, then a ping; each frame written to TCP on its own.",
			Expectation: echoThenFail,
			run: failScript(failProtocol, okOrNone(textMsg(hello)),
				fr(opText, hello).synced(), fr(opText, hello).withRSV(3).synced(), fr(opPing, "").synced()),
		},
		{
			ID:          "3.4",
			Description: "Send a short text message, then the same with RSV = 4, then a ping; written to TCP one byte at a time.",
			Expectation: echoThenFail,
			run: failScript(failProtocol, okOrNone(textMsg(hello)),
				fr(opText, hello).chopped(1), fr(opText, hello).withRSV(4).chopped(1), fr(opPing, "").chopped(1)),
		},
		{
			ID:          "3.5",
			Description: "Send a short binary message with RSV = 5.",
			Expectation: failNow,
			run:         failScript(failProtocol, ok(), fr(opBinary, bin).withRSV(5)),
		},
		{
			ID:          "3.6",
			Description: "Send a short binary frame with RSV = 6. (Autobahn titles this case a ping, but its frame is binary; the bytes here are the same as Autobahn's.)",
			Expectation: failNow,
			run:         failScript(failProtocol, ok(), fr(opBinary, hello).withRSV(6)),
		},
		{
			ID:          "3.7",
			Description: "Send a close frame with RSV = 7.",
			Expectation: failNow,
			run:         failScript(failProtocol, ok(), fr(opClose, "").withRSV(7)),
		},
	}
}
