package conformance

import (
	"fmt"
	"time"
)

// section5 is Fragmentation: control frames must not be fragmented,
// fragmented messages must be reassembled with control frames answered in
// between, and continuation frames need a message to continue.
func section5() []Case {
	const failNow = "The peer fails the connection at once: close 1002 (protocol error) or a dropped TCP connection."
	const echoClean = "The peer echoes the reassembled message; the tester then closes with 1000 and the close is clean."
	const pongThenEcho = "The peer answers the ping with a pong carrying its payload, then echoes the reassembled message. Clean close with 1000."

	// how applies a way of writing to TCP to frames: at once, one frame
	// at a time, or one byte at a time.
	type how struct {
		name string
		f    func(frame) frame
	}
	oneChop := how{"in one piece", func(f frame) frame { return f }}
	perFrame := how{"one frame at a time", frame.synced}
	perByte := how{"one byte at a time", func(f frame) frame { return f.chopped(1) }}
	apply := func(h how, fs ...frame) []frame {
		for i := range fs {
			fs[i] = h.f(fs[i])
		}
		return fs
	}

	cs := []Case{
		{
			ID: "5.1", Description: "Send a ping fragmented into two frames.", Expectation: failNow,
			run: failScript(failProtocol, ok(), fr(opPing, "fragment1").more(), fr(opCont, "fragment2")),
		},
		{
			ID: "5.2", Description: "Send a pong fragmented into two frames.", Expectation: failNow,
			run: failScript(failProtocol, ok(), fr(opPong, "fragment1").more(), fr(opCont, "fragment2")),
		},
	}
	for i, h := range []how{oneChop, perFrame, perByte} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("5.%d", 3+i),
			Description: "Send a text message fragmented into two frames, written to TCP " + h.name + ".",
			Expectation: echoClean,
			run: script{alts: ok(textMsg("fragment1fragment2")), close: closeNormal, closeIn: time.Second,
				frames: apply(h, fr(opText, "fragment1").more(), fr(opCont, "fragment2"))}.run,
		})
	}
	for i, h := range []how{oneChop, perFrame, perByte} {
		cs = append(cs, Case{
			ID:          fmt.Sprintf("5.%d", 6+i),
			Description: "Send a text message fragmented into two frames with a ping between them, written to TCP " + h.name + ".",
			Expectation: pongThenEcho,
			run: script{alts: ok(pong("ping payload"), textMsg("fragment1fragment2")), close: closeNormal, closeIn: time.Second,
				frames: apply(h, fr(opText, "fragment1").more(), fr(opPing, "ping payload"), fr(opCont, "fragment2"))}.run,
		})
	}
	for i, fin := range []bool{true, false} {
		for j, h := range []how{oneChop, perFrame, perByte} {
			cont := fr(opCont, "non-continuation payload")
			if !fin {
				cont = cont.more()
			}
			cs = append(cs, Case{
				ID:          fmt.Sprintf("5.%d", 9+3*i+j),
				Description: fmt.Sprintf("Send a continuation frame with FIN = %v while no message is in progress, then a text message; written to TCP %s.", fin, h.name),
				Expectation: failNow + " There is nothing to continue.",
				run:         failScript(failProtocol, ok(), apply(h, cont, fr(opText, "Hello, world!"))...),
			})
		}
	}
	cs = append(cs,
		Case{
			ID:          "5.15",
			Description: "Send a text message in two fragments, then a continuation frame with FIN = false with nothing to continue, then a text message.",
			Expectation: "The peer echoes the first message, then fails the connection (1002 or dropped TCP). NON-STRICT if it failed before echoing.",
			run: failScript(failProtocol, okOrNone(textMsg("fragment1fragment2")),
				fr(opText, "fragment1").more(), fr(opCont, "fragment2"), fr(opCont, "fragment3").more(), fr(opText, "fragment4")),
		},
		strayContinuation("5.16", false),
		strayContinuation("5.17", true),
		Case{
			ID:          "5.18",
			Description: "Send a text message in two fragments whose second frame has the text opcode instead of continuation.",
			Expectation: failNow + " Every frame after a message's first must be a continuation.",
			run:         failScript(failProtocol, ok(), fr(opText, "fragment1").more(), fr(opText, "fragment2")),
		},
		pingsInFragments("5.19", false),
		pingsInFragments("5.20", true),
	)
	return cs
}

// strayContinuation: twice, a continuation with nothing to continue, then
// a text message in two fragments.
func strayContinuation(id string, fin bool) Case {
	var fs []frame
	for range 2 {
		c := fr(opCont, "fragment1")
		if !fin {
			c = c.more()
		}
		fs = append(fs, c, fr(opText, "fragment2").more(), fr(opCont, "fragment3"))
	}
	return Case{
		ID:          id,
		Description: fmt.Sprintf("Twice: a continuation frame with FIN = %v and nothing to continue, then a text message in two fragments.", fin),
		Expectation: "The peer fails the connection at once (1002 or dropped TCP): there is no message to continue.",
		run:         failScript(failProtocol, ok(), fs...),
	}
}

// pingsInFragments: a text message in five fragments with two pings among
// them and a one-second pause in the middle, so the first ping must be
// answered before the message ends.
func pingsInFragments(id string, sync bool) Case {
	f := func(fr frame) frame {
		if sync {
			return fr.synced()
		}
		return fr
	}
	desc := "Send two fragments of a text message and a ping, wait one second, then two more fragments, a second ping and the last fragment."
	if sync {
		desc += " Each frame is written to TCP on its own (the bytes are those of 5.19)."
	}
	return Case{
		ID:          id,
		Description: desc,
		Expectation: "The peer answers the first ping before the message is complete, then the second, each pong carrying its ping's payload, then echoes the whole message. Clean close with 1000.",
		run: func(s *session) {
			s.expectEvents(OK, pong("pongme 1!"), pong("pongme 2!"), textMsg("fragment1fragment2fragment3fragment4fragment5"))
			s.expectClosing(closeNormal)
			s.send(f(fr(opText, "fragment1").more()), f(fr(opCont, "fragment2").more()), f(fr(opPing, "pongme 1!")))
			if !s.sleep(time.Second) {
				return
			}
			s.send(f(fr(opCont, "fragment3").more()), f(fr(opCont, "fragment4").more()), f(fr(opPing, "pongme 2!")), f(fr(opCont, "fragment5")))
			s.closeAfter(time.Second)
		},
	}
}
