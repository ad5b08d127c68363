package conformance

import (
	"fmt"

	"github.com/wsstack/websocket/wsproto"
)

// section4 is Opcodes: reserved data (3-7) and control (11-15) opcodes
// must fail the connection.
func section4() []Case {
	const hello = "Hello, world!"
	var cs []Case
	for sub, ops := range [][]wsproto.Opcode{{3, 4, 5, 6, 7}, {11, 12, 13, 14, 15}} {
		kind := "data"
		if sub == 1 {
			kind = "control"
		}
		for i, op := range ops {
			id := fmt.Sprintf("4.%d.%d", sub+1, i+1)
			var c Case
			switch i {
			case 0:
				c = Case{
					Description: fmt.Sprintf("Send a frame with reserved %s opcode %d and no payload.", kind, op),
					Expectation: "The peer fails the connection at once: close 1002 or a dropped TCP connection.",
					run:         failScript(failProtocol, ok(), fr(op, "")),
				}
			case 1:
				c = Case{
					Description: fmt.Sprintf("Send a frame with reserved %s opcode %d and a payload.", kind, op),
					Expectation: "The peer fails the connection at once: close 1002 or a dropped TCP connection.",
					run:         failScript(failProtocol, ok(), fr(op, "reserved opcode payload")),
				}
			default:
				payload, chop, how := "", 0, ""
				if i >= 3 {
					payload = hello
				}
				if i == 4 {
					chop, how = 1, ", written to TCP one byte at a time"
				}
				with := "no payload"
				if payload != "" {
					with = "a payload"
				}
				c = Case{
					Description: fmt.Sprintf("Send a short text message, then a frame with reserved %s opcode %d and %s, then a ping%s.", kind, op, with, how),
					Expectation: "The peer echoes the text message, then fails the connection (1002 or dropped TCP) and sends no pong. NON-STRICT if it failed before echoing.",
					run: failScript(failProtocol, okOrNone(textMsg(hello)),
						fr(opText, hello).chopped(chop), fr(op, payload).chopped(chop), fr(opPing, "").chopped(chop)),
				}
			}
			c.ID = id
			cs = append(cs, c)
		}
	}
	return cs
}
