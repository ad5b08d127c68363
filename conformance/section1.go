package conformance

import (
	"fmt"
	"time"

	"github.com/wsstack/websocket/wsproto"
)

// section1 is Framing: text (1.1) and binary (1.2) messages of the sizes
// at the edges of the three length encodings, one frame each.
func section1() []Case {
	var cs []Case
	for i, kind := range []struct {
		op      wsproto.Opcode
		name    string
		pattern string
	}{{opText, "text", "*"}, {opBinary, "binary", "\xfe"}} {
		for j, size := range []int{0, 125, 126, 127, 128, 65535, 65536, 65536} {
			chop, kill := 0, time.Second
			if size > 128 {
				kill = 10 * time.Second
			}
			desc := fmt.Sprintf("Send a %s message of %d bytes in one frame.", kind.name, size)
			if j == 7 {
				chop = 997
				desc = fmt.Sprintf("Send a %s message of %d bytes in one frame, written to TCP in pieces of %d bytes.", kind.name, size, chop)
			}
			p := repeat(kind.pattern, size)
			f := fr(kind.op, p).chopped(chop)
			want := message(kind.op == opBinary, []byte(p))
			cs = append(cs, Case{
				ID:          fmt.Sprintf("1.%d.%d", i+1, j+1),
				Description: desc,
				Expectation: fmt.Sprintf("The peer echoes the %s message unchanged; the tester then closes with 1000 and the close is clean.", kind.name),
				run:         echoScript(kill, []event{want}, f),
			})
		}
	}
	return cs
}
