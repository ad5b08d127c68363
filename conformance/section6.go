package conformance

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsstack/websocket/wsproto"
)

// section6 is UTF-8 handling: valid text must be echoed however it is
// fragmented, invalid text must fail the connection with 1007, as early as
// the invalid byte arrives.
func section6() []Case {
	const echoClean = "The peer echoes the message; the tester then closes with 1000 and the close is clean."
	const hello = "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!"
	echo := func(id, desc string, want string, fs ...frame) Case {
		return Case{ID: id, Description: desc, Expectation: echoClean,
			run: script{alts: ok(textMsg(want)), close: closeNormal, frames: fs, closeIn: time.Second}.run}
	}
	cs := []Case{
		echo("6.1.1", "Send a text message with an empty payload.", "", fr(opText, "")),
		echo("6.1.2", "Send a text message in three fragments, each empty.", "",
			fr(opText, "").more(), fr(opCont, "").more(), fr(opCont, "")),
		echo("6.1.3", "Send a text message in three fragments, the first and last empty, the middle one not.", "middle frame payload",
			fr(opText, "").more(), fr(opCont, "middle frame payload").more(), fr(opCont, "")),
		echo("6.2.1", "Send valid UTF-8 text in one frame: "+strconv.Quote(hello)+".", hello, fr(opText, hello)),
		echo("6.2.2", "Send valid UTF-8 text in two fragments split on a code point boundary.", hello,
			fr(opText, hello[:15]).more(), fr(opCont, hello[15:])),
		echo("6.2.3", "Send valid UTF-8 text in fragments of one byte, so most fragments end inside a code point.", hello,
			fragments(opText, []byte(hello), 1)...),
		echo("6.2.4", "Send valid UTF-8 text with multi-byte code points (\u03ba\u1f79\u03c3\u03bc\u03b5) in fragments of one byte.", kappa,
			fragments(opText, []byte(kappa), 1)...),
	}

	bad := kappa + "\xed\xa0\x80" + "edited" // invalid at byte 13 (0xa0): a surrogate
	const failUTF8 = "The peer fails the connection at once: close 1007 (invalid payload data) or a dropped TCP connection."
	cs = append(cs,
		Case{ID: "6.3.1", Description: fmt.Sprintf("Send invalid UTF-8 text (an encoded surrogate) in one frame: %x.", bad),
			Expectation: failUTF8, run: failScript(failPayload, ok(), fr(opText, bad))},
		Case{ID: "6.3.2", Description: "Send the invalid UTF-8 text of 6.3.1 in fragments of one byte.",
			Expectation: failUTF8, run: failScript(failPayload, ok(), fragments(opText, []byte(bad), 1)...)},
	)

	// 6.4: the message is made invalid by the 12th byte onwards (0xf4 0x90
	// starts a code point over U+10FFFF), with pauses around that part.
	parts := []string{kappa, "\xf4\x90\x80\x80", "edited"}
	whole := strings.Join(parts, "")
	narrow := []string{whole[:12], whole[12:13], whole[13:]}
	cs = append(cs,
		failFast("6.4.1", parts, false, "in three frames: valid text, then the four bytes that make it invalid, then the rest"),
		failFast("6.4.2", narrow, false, "in three frames, the second holding only the byte that makes the text invalid"),
		failFast("6.4.3", parts, true, "in one frame written in three pieces: valid text, then the four bytes that make it invalid, then the rest"),
		failFast("6.4.4", narrow, true, "in one frame written in three pieces, the second holding only the byte that makes the text invalid"),
	)

	for gi, g := range utf8Groups() {
		for si, seq := range g.seqs {
			id := fmt.Sprintf("6.%d.%d", gi+5, si+1)
			c := Case{ID: id}
			if utf8.ValidString(seq) {
				c.Description = fmt.Sprintf("Send a text message whose payload is valid UTF-8, in one frame: 0x%x.", seq)
				c.Expectation = "The peer echoes the message. Clean close with 1000."
				c.run = script{alts: ok(textMsg(seq)), close: closeNormal, frames: []frame{fr(opText, seq)}, killIn: 500 * time.Millisecond}.run
			} else {
				c.Description = fmt.Sprintf("Send a text message whose payload is not valid UTF-8, in one frame: 0x%x.", seq)
				c.Expectation = failUTF8
				c.run = script{alts: ok(), close: failPayload, frames: []frame{fr(opText, seq)}, killIn: 500 * time.Millisecond}.run
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// failFast builds a 6.4 case: the parts of an invalid text message go out
// one second apart, as frames or as pieces of one frame.
func failFast(id string, parts []string, oneFrame bool, how string) Case {
	return Case{
		ID:          id,
		Description: fmt.Sprintf("Send invalid UTF-8 text %s, waiting one second after the first and after the second part: %x | %x | %x.", how, parts[0], parts[1], parts[2]),
		Expectation: "The peer accepts the first part (the tester's first wait passes), then fails the connection with 1007 (or drops TCP) as soon as the invalid part arrives: OK. Failing only after the last part is NON-STRICT (it did not fail fast). Not failing at all is FAILED.",
		run: func(s *session) {
			s.expectEvents(OK, timeoutMark("A"))
			s.expectEvents(NonStrict, timeoutMark("A"), timeoutMark("B"))
			s.expectClosing(failPayload)
			var sf *streamFrame
			sendPart := func(i int) {
				switch {
				case oneFrame && i == 0:
					sf = s.beginFrame(wsproto.OpText, len(parts[0])+len(parts[1])+len(parts[2]))
					sf.write(parts[0])
				case oneFrame:
					sf.write(parts[i])
				case i == 0:
					s.send(fr(opText, parts[0]).more())
				case i == 1:
					s.send(fr(opCont, parts[1]).more())
				default:
					s.send(fr(opCont, parts[2]))
				}
			}
			sendPart(0)
			if !s.waitOpen(time.Second, "A") {
				return
			}
			sendPart(1)
			if !s.waitOpen(time.Second, "B") {
				return
			}
			sendPart(2)
			s.killAfter(time.Second)
		},
	}
}
