package conformance

import (
	"bytes"
	"fmt"
	"time"
)

// section9 is Limits/Performance: large messages, many fragments, small
// TCP writes and many round trips. The sizes are Autobahn's, up to 16 MiB,
// so the peer's message size limit must be at least 16 MiB.
func section9() []Case {
	var cs []Case
	const textPattern, binPattern = "BAsd7&jh23", "\x00\xfe\x23\xfa\xf0"
	sizes := []int{64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20}
	for sub, binary := range []bool{false, true} {
		pattern := textPattern
		if binary {
			pattern = binPattern
		}
		for i, n := range sizes {
			cs = append(cs, bigEcho(fmt.Sprintf("9.%d.%d", sub+1, i+1), binary,
				fmt.Sprintf("Send a %s message of %s in one frame.", kindName(binary), sizeName(n)),
				pattern, n, 0, 0))
		}
	}
	fragSizes := []int{64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20}
	for sub, binary := range []bool{false, true} {
		pattern := "*"
		if binary {
			pattern = "\xfe"
		}
		for i, fs := range fragSizes {
			cs = append(cs, bigEcho(fmt.Sprintf("9.%d.%d", sub+3, i+1), binary,
				fmt.Sprintf("Send a %s message of 4 MiB in frames of %s.", kindName(binary), sizeName(fs)),
				pattern, 4<<20, fs, 0))
		}
	}
	for sub, binary := range []bool{false, true} {
		pattern := textPattern
		if binary {
			pattern = binPattern
		}
		for i, chop := range []int{64, 128, 256, 512, 1024, 2048} {
			cs = append(cs, bigEcho(fmt.Sprintf("9.%d.%d", sub+5, i+1), binary,
				fmt.Sprintf("Send a %s message of 1 MiB in one frame, written to TCP in pieces of %d bytes.", kindName(binary), chop),
				pattern, 1<<20, 0, chop))
		}
	}
	for sub, binary := range []bool{false, true} {
		for i, n := range []int{0, 16, 64, 256, 1024, 4096} {
			cs = append(cs, roundTrips(fmt.Sprintf("9.%d.%d", sub+7, i+1), binary, n, 1000))
		}
	}
	return cs
}

func kindName(binary bool) string {
	if binary {
		return "binary"
	}
	return "text"
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// bigEcho sends a message of size bytes, pattern repeated, in frames of
// fragSize (0: one frame), written in pieces of chop bytes (0: at once),
// and expects it back. The message is made when the case runs, and
// dropped with the case's session, so that the table holds none of the
// section's megabytes.
func bigEcho(id string, binary bool, desc string, pattern string, size, fragSize, chop int) Case {
	op := opText
	if binary {
		op = opBinary
	}
	payload := func() []byte { return repeatBytes(pattern, size) }
	return Case{
		ID:          id,
		Description: desc,
		Expectation: fmt.Sprintf("The peer echoes the %s message unchanged (%s); the tester then closes with 1000 and the close is clean. The time taken is reported.", kindName(binary), sizeName(size)),
		heavy:       size >= 1<<20,
		payload:     payload,
		run: func(s *session) {
			p := payload()
			s.expectClosing(closeNormal)
			s.judgeMessages(fmt.Sprintf("No message came back within the case's time limit (%v).", s.limit), func(gotBinary bool, got []byte) {
				switch {
				case gotBinary != binary:
					s.setResult(Failed, fmt.Sprintf("Expected a %s message, got a %s message.", kindName(binary), kindName(gotBinary)))
				case len(got) != len(p):
					s.setResult(Failed, fmt.Sprintf("Expected a %s message of %d bytes, got %d bytes.", kindName(binary), len(p), len(got)))
				case !bytes.Equal(got, p):
					s.setResult(Failed, fmt.Sprintf("The echoed %s message of %d bytes differs from the one sent, first at byte %d.", kindName(binary), len(got), firstDiff(got, p)))
				default:
					s.setResult(OK, fmt.Sprintf("Received the %s message of %d bytes as sent, %v after the case started.", kindName(binary), len(got), time.Since(s.start).Round(time.Millisecond)))
				}
				s.sendCloseRaw(closePayload(1000, ""), false)
			})
			fs := fragments(op, p, fragSize)
			for i := range fs {
				fs[i].chop = chop
			}
			s.send(fs...)
			s.closeAfter(s.limit)
		},
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// roundTrips sends count messages of n bytes one after the other, each
// once the previous one came back.
func roundTrips(id string, binary bool, n, count int) Case {
	op, pattern := opText, "*"
	if binary {
		op, pattern = opBinary, "\xfe"
	}
	p := []byte(repeat(pattern, n))
	return Case{
		ID:          id,
		Description: fmt.Sprintf("Send %d %s messages of %d bytes, each after the echo of the one before, to measure round-trip time.", count, kindName(binary), n),
		Expectation: fmt.Sprintf("The peer echoes all %d messages unchanged; the tester then closes with 1000 and the close is clean. The time taken is reported.", count),
		run: func(s *session) {
			s.expectClosing(closeNormal)
			sent := 1
			s.judgeMessages("Not all echoes came back within the case's time limit.", func(gotBinary bool, got []byte) {
				switch {
				case gotBinary != binary || !bytes.Equal(got, p):
					s.setResult(Failed, fmt.Sprintf("Echo %d differs from what was sent (got a %s message of %d bytes).", sent, kindName(gotBinary), len(got)))
				case sent < count:
					sent++
					s.sendLater(frb(op, p))
					return
				default:
					s.setResult(OK, fmt.Sprintf("Received all %d echoes in %v.", count, time.Since(s.start).Round(time.Millisecond)))
				}
				s.sendCloseRaw(closePayload(1000, ""), false)
			})
			s.send(frb(op, p))
			s.closeAfter(s.limit)
		},
	}
}
