package conformance

import (
	"fmt"
	"time"
)

// section7 is Close handling: frames after a close, the structure of the
// close frame's payload, and which close codes are valid.
func section7() []Case {
	const hello = "Hello World!"
	closed := closeNormal
	cs := []Case{
		{
			ID:          "7.1.1",
			Description: "Send a text message, then close once it is echoed.",
			Expectation: "The peer echoes the message; the close that follows is clean, with 1000.",
			run:         echoScript(time.Second, []event{textMsg(hello)}, fr(opText, hello)),
		},
		{
			ID:          "7.1.2",
			Description: "Send a close frame with 1000, then a second close frame.",
			Expectation: "Clean close with 1000; the second close frame is ignored.",
			run:         script{alts: ok(), close: closed, preClose: closePayload(1000, ""), frames: []frame{fr(opClose, "")}, killIn: time.Second, noAutoClose: true}.run,
		},
		{
			ID:          "7.1.3",
			Description: "Send a close frame with 1000, then a ping.",
			Expectation: "Clean close with 1000; no pong, since the ping came after the close.",
			run:         script{alts: ok(), close: closed, preClose: closePayload(1000, ""), frames: []frame{fr(opPing, "")}, killIn: time.Second, noAutoClose: true}.run,
		},
		{
			ID:          "7.1.4",
			Description: "Send a close frame with 1000, then a text message.",
			Expectation: "Clean close with 1000; the text message is ignored, not echoed.",
			run:         script{alts: ok(), close: closed, preClose: closePayload(1000, ""), frames: []frame{fr(opText, hello)}, killIn: time.Second, noAutoClose: true}.run,
		},
		{
			ID:          "7.1.5",
			Description: "Send the first fragment of a text message, then a close frame with 1000, then the last fragment.",
			Expectation: "Clean close with 1000; the unfinished message is dropped.",
			run: func(s *session) {
				s.expectEvents(OK)
				s.expectClosing(closed)
				s.noAutoClose()
				s.send(fr(opText, "fragment1").more())
				s.sendClose(1000)
				s.send(fr(opCont, "fragment2"))
				s.killAfter(time.Second)
			},
		},
		{
			ID:          "7.1.6",
			Description: "Send a 256 KiB text message, a short text message, a close frame with 1000 and a ping, back to back.",
			Expectation: "Informational: whether the peer echoes the messages before it handles the close depends on how it processes frames. It must close cleanly.",
			run: func(s *session) {
				s.expectEvents(OK, textMsg(hello))
				s.expectEvents(NonStrict)
				s.expectClosing(closed)
				s.noAutoClose()
				s.send(fr(opText, "BAsd7&jh23").repeated(256<<10), fr(opText, hello))
				s.sendClose(1000)
				s.send(fr(opPing, ""))
				s.killAfter(time.Second)
			},
			informational: true,
		},
	}
	structure := []struct {
		id, desc, expect string
		payload          []byte
		close            closeExpect
	}{
		{"7.3.1", "Send a close frame with an empty payload (no code, no reason).", "Clean close; the peer's close has no code or 1000.",
			[]byte{}, closed},
		{"7.3.2", "Send a close frame with a 1-byte payload.", "The peer fails the connection: close 1002, or a dropped TCP connection.",
			[]byte("a"), closeExpect{byTester: true, codes: []int{1002}}},
		{"7.3.3", "Send a close frame with a 2-byte payload: code 1000 and no reason.", "Clean close with 1000.",
			closePayload(1000, ""), closed},
		{"7.3.4", "Send a close frame with code 1000 and a reason.", "Clean close with 1000.",
			closePayload(1000, hello), closed},
		{"7.3.5", "Send a close frame with code 1000 and a reason of 123 bytes, the longest that fits.", "Clean close with 1000.",
			closePayload(1000, repeat("*", 123)), closed},
		{"7.3.6", "Send a close frame with code 1000 and a reason of 124 bytes: a 126-byte payload, too long for a control frame.", "The peer fails the connection: close 1002, or a dropped TCP connection.",
			closePayload(1000, repeat("*", 124)), closeExpect{byTester: true, codes: []int{1002}}},
		{"7.5.1", "Send a close frame with code 1000 and a reason that is not valid UTF-8.", "The peer fails the connection: close 1002 or 1007, or a dropped TCP connection.",
			closePayload(1000, kappa+"\xed\xa0\x80edited"), closeExpect{byTester: true, codes: []int{1002, 1007}}},
	}
	for _, t := range structure {
		cs = append(cs, Case{
			ID: t.id, Description: t.desc, Expectation: t.expect,
			run: script{alts: ok(), close: t.close, preClose: t.payload, killIn: time.Second, noAutoClose: true}.run,
		})
	}
	for i, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("7.7.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with the valid code %d.", code),
			Expectation: fmt.Sprintf("Clean close; the peer's close frame carries 1000 or %d (or no code).", code),
			run: script{alts: ok(), close: closeExpect{byTester: true, codes: []int{1000, code}, requireClean: true},
				preClose: closePayload(code, ""), killIn: time.Second, noAutoClose: true}.run,
		})
	}
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("7.9.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with the invalid code %d.", code),
			Expectation: "The peer fails the connection: close 1002, or a dropped TCP connection.",
			run: script{alts: ok(), close: closeExpect{byTester: true, codes: []int{1002}},
				preClose: closePayload(code, ""), killIn: time.Second, noAutoClose: true}.run,
		})
	}
	for i, code := range []int{5000, 65535} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("7.13.%d", i+1),
			Description: fmt.Sprintf("Send a close frame with code %d, outside every range RFC 6455 defines.", code),
			Expectation: "Informational: the RFC does not say what the peer must do. Closing with 1000, echoing the code or failing with 1002 are all reported.",
			run: script{alts: ok(), close: closeExpect{byTester: true, codes: []int{1000, code, 1002}},
				preClose: closePayload(code, ""), killIn: time.Second, noAutoClose: true}.run,
			informational: true,
		})
	}
	for i := range cs {
		if !cs[i].informational {
			cs[i].wrongCodeFails = true
		}
	}
	return cs
}
