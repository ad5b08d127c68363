package conformance

import (
	"fmt"
	"time"
)

// section2 is Pings/Pongs: pongs must echo the ping's payload, unsolicited
// pongs must be ignored, oversized pings must fail the connection.
func section2() []Case {
	const pongExpect = "The peer answers with a pong carrying the same payload; the tester then closes with 1000 and the close is clean."
	pingCase := func(id, desc, payload string, chop int, wait time.Duration) Case {
		return Case{
			ID: id, Description: desc, Expectation: pongExpect,
			run: script{alts: ok(pong(payload)), close: closeNormal,
				frames: []frame{fr(opPing, payload).chopped(chop)}, closeIn: wait}.run,
		}
	}
	tenPings := func(id, desc string, chop int) Case {
		var fs []frame
		var evs []event
		for i := range 10 {
			p := fmt.Sprintf("payload-%d", i)
			fs = append(fs, fr(opPing, p).chopped(chop))
			evs = append(evs, pong(p))
		}
		return Case{
			ID: id, Description: desc,
			Expectation: "The peer answers every ping, in order, with a pong carrying its payload (the RFC allows answering only the latest ping; this case checks for all). Clean close with 1000.",
			run:         script{alts: ok(evs...), close: closeNormal, frames: fs, closeIn: 3 * time.Second}.run,
		}
	}
	const unsolicited = "unsolicited pong payload"
	return []Case{
		pingCase("2.1", "Send a ping with an empty payload.", "", 0, time.Second),
		pingCase("2.2", "Send a ping with a short text payload.", "Hello, world!", 0, time.Second),
		pingCase("2.3", "Send a ping with a short binary payload that is not UTF-8.", "\x00\xff\xfe\xfd\xfc\xfb\x00\xff", 0, time.Second),
		pingCase("2.4", "Send a ping with a binary payload of 125 bytes, the most a control frame may carry.", repeat("\xfe", 125), 0, time.Second),
		{
			ID:          "2.5",
			Description: "Send a ping with a binary payload of 126 bytes, one more than a control frame may carry.",
			Expectation: "The peer fails the connection at once: close 1002 (protocol error) or a dropped TCP connection. No pong.",
			run:         failScript(failProtocol, ok(), fr(opPing, repeat("\xfe", 126))),
		},
		pingCase("2.6", "Send a ping with a binary payload of 125 bytes, written to TCP one byte at a time.", repeat("\xfe", 125), 1, 2*time.Second),
		{
			ID:          "2.7",
			Description: "Send an unsolicited pong with an empty payload, then close with 1000.",
			Expectation: "The peer sends nothing back but its close frame; the close is clean with 1000.",
			run: script{alts: ok(), close: closeNormal, frames: []frame{fr(opPong, "")},
				closeIn: time.Second}.withCloseAfterFrames().run,
		},
		{
			ID:          "2.8",
			Description: "Send an unsolicited pong with a payload, then close with 1000.",
			Expectation: "The peer sends nothing back but its close frame; the close is clean with 1000.",
			run: script{alts: ok(), close: closeNormal, frames: []frame{fr(opPong, unsolicited)},
				closeIn: time.Second}.withCloseAfterFrames().run,
		},
		{
			ID:          "2.9",
			Description: "Send an unsolicited pong with a payload, then a ping with a payload.",
			Expectation: "The peer ignores the pong and answers the ping with a pong carrying its payload. Clean close with 1000.",
			run: script{alts: ok(pong("ping payload")), close: closeNormal,
				frames: []frame{fr(opPong, unsolicited), fr(opPing, "ping payload")}, closeIn: time.Second}.run,
		},
		tenPings("2.10", "Send 10 pings with distinct payloads back to back.", 0),
		tenPings("2.11", "Send 10 pings with distinct payloads back to back, written to TCP one byte at a time.", 1),
	}
}
