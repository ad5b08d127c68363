package conformance

import "time"

// section10 is Miscellaneous: a message the tester fragments on its own
// (Autobahn's auto-fragmentation).
func section10() []Case {
	p := repeat("*", 65536)
	return []Case{{
		ID:          "10.1.1",
		Description: "Send a text message of 65536 bytes split into frames of 1300 bytes (50 full frames and one of 536).",
		Expectation: "The peer echoes the reassembled message unchanged. Clean close with 1000.",
		run:         echoScript(10*time.Second, []event{textMsg(p)}, fragments(opText, []byte(p), 1300)...),
	}}
}
