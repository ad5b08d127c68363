package conformance

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
)

// section12 is WebSocket compression with different payloads: for each of
// Autobahn's five data sets (section12_data.go), its eighteen message
// sizes and fragmentations, with Autobahn's default permessage-deflate
// offer and answer.
func section12() []Case {
	spec := &deflateSpec{offers: []offerSpec{{}}, accepts: []acceptSpec{{}}}
	var cs []Case
	for j, c := range corpora {
		for i, m := range compressionSizes {
			cs = append(cs, compressionCase(fmt.Sprintf("12.%d.%d", j+1, i+1), c, m, spec))
		}
	}
	return cs
}

// compressionMessages is one line of Autobahn's MSG_SIZES: the messages
// of a case of sections 12 and 13.
type compressionMessages struct {
	size int           // bytes per message
	wait time.Duration // Autobahn's limit for the case
	frag int           // the compressed payload goes in frames of this size (0: one frame)
}

// autobahnCount is the number of messages of each case in Autobahn.
const autobahnCount = 1000

// count returns how many messages the case sends under a budget
// (Options.DeflateBudget; 0: Autobahn's count).
func (m compressionMessages) count(budget int64) int {
	if budget <= 0 || m.size == 0 {
		return autobahnCount
	}
	return int(min(autobahnCount, max(1, budget/int64(m.size))))
}

// compressionSizes is Autobahn's MSG_SIZES (case12_x_x.py): sizes 16 bytes
// to 128 KiB in one frame, then 8 KiB to 128 KiB in frames of 256 bytes,
// then 128 KiB in frames of 1, 4 and 32 KiB.
var compressionSizes = []compressionMessages{
	{16, 60 * time.Second, 0},
	{64, 60 * time.Second, 0},
	{256, 120 * time.Second, 0},
	{1024, 240 * time.Second, 0},
	{4096, 480 * time.Second, 0},
	{8192, 480 * time.Second, 0},
	{16384, 480 * time.Second, 0},
	{32768, 480 * time.Second, 0},
	{65536, 480 * time.Second, 0},
	{131072, 480 * time.Second, 0},

	{8192, 480 * time.Second, 256},
	{16384, 480 * time.Second, 256},
	{32768, 480 * time.Second, 256},
	{65536, 480 * time.Second, 256},
	{131072, 480 * time.Second, 256},
	{131072, 480 * time.Second, 1024},
	{131072, 480 * time.Second, 4096},
	{131072, 480 * time.Second, 32768},
}

// compressionCase is a case of section 12 or 13: send messages of m.size
// bytes, slices of the corpus one after the other, each compressed, each
// once the echo of the one before came back.
func compressionCase(id string, c corpus, m compressionMessages, spec *deflateSpec) Case {
	frag := "in one frame"
	if m.frag > 0 {
		frag = fmt.Sprintf("in frames of %d bytes", m.frag)
	}
	return Case{
		ID: id,
		Description: fmt.Sprintf("Send %d compressed %s messages of %d bytes each (%s, next slices of the data set), each once the echo of the one before came back, the compressed payload %s. "+
			"As a client, offer %s; as a server, %s. (Options.DeflateBudget may lower the count: the result says how many went.)",
			autobahnCount, kindName(c.binary), m.size, c.title, frag, spec.describeOffers(), spec.describeAccepts()),
		Expectation: "The peer echoes every message unchanged, compressed or not as it likes. Every compressed message it sends must inflate, " +
			"to the same bytes with compress/flate and with an independent decoder, within the agreed window and context takeover. " +
			"The tester then closes with 1000 and the close is clean. If the peer does not agree to permessage-deflate, the case is UNIMPLEMENTED.",
		deflate: spec,
		msg:     m,
		run:     func(s *session) { playCompression(s, c, m) },
	}
}

// describeAccepts says how the tester answers offers as a server.
func (sp *deflateSpec) describeAccepts() string {
	var parts []string
	for _, a := range sp.accepts {
		var asks []string
		if a.clientNoContextTakeover {
			asks = append(asks, "client_no_context_takeover")
		}
		if a.clientMaxWindowBits != 0 {
			asks = append(asks, fmt.Sprintf("client_max_window_bits (answered with %d)", a.clientMaxWindowBits))
		}
		if len(asks) == 0 {
			parts = append(parts, "accept the first permessage-deflate offer, granting what it asks")
		} else {
			parts = append(parts, "accept the first offer that allows "+strings.Join(asks, " and ")+", granting what it asks")
		}
	}
	return strings.Join(parts, "; failing that, ")
}

// compressionRun is the state of a case of sections 12 and 13, shared by
// the case's goroutine (the first message) and the reader's (the others).
type compressionRun struct {
	mu   sync.Mutex
	pos  int    // where the next message starts in the data
	want []byte // the message last sent
	sent int
}

// next returns the next m.size bytes of data, wrapping around at its end,
// as Autobahn's sendOne does.
func (r *compressionRun) next(data []byte, size int) []byte {
	from, to := r.pos, (r.pos+size)%len(data)
	r.pos = to
	if to > from {
		return data[from:to]
	}
	return append(append([]byte(nil), data[from:]...), data[:to]...)
}

func playCompression(s *session, c corpus, m compressionMessages) {
	s.expectClosing(closeNormal)
	if s.pmd == nil {
		how := "The server declined the tester's permessage-deflate offers"
		if !s.client {
			how = "The client made no permessage-deflate offer that the case accepts"
		}
		s.judgeMessages("", func(bool, []byte) {
			s.setResult(Failed, "The peer sent a message, though the tester sent none.")
		})
		s.setResult(Unimplemented, how+": the case was not played.")
		s.sendClose(1000)
		return
	}
	data := Corpus(c.name)
	op := opText
	if c.binary {
		op = opBinary
	}
	count := m.count(s.deflateBudget)
	of := ""
	if count < autobahnCount {
		of = fmt.Sprintf(" (Autobahn sends %d; Options.DeflateBudget allowed %d)", autobahnCount, count)
	}
	run := &compressionRun{}
	send := func(later bool) {
		run.mu.Lock()
		msg := run.next(data, m.size)
		run.want = msg
		run.sent++
		run.mu.Unlock()
		fs := fragments(op, s.pmd.compress(msg), m.frag)
		fs[0].rsv = 4 // RSV1 on the first frame only
		if later {
			s.sendLater(fs...)
		} else {
			s.send(fs...)
		}
	}
	s.judgeMessages(fmt.Sprintf("Not all %d echoes came back within the case's time limit (%v).", count, s.limit), func(gotBinary bool, got []byte) {
		run.mu.Lock()
		want, sent := run.want, run.sent
		run.mu.Unlock()
		switch {
		case gotBinary != c.binary:
			s.setResult(Failed, fmt.Sprintf("Echo %d is a %s message; a %s one was sent. %s", sent, kindName(gotBinary), kindName(c.binary), s.pmd.summary()))
		case len(got) != len(want):
			s.setResult(Failed, fmt.Sprintf("Echo %d has %d bytes; %d were sent. %s", sent, len(got), len(want), s.pmd.summary()))
		case !bytes.Equal(got, want):
			s.setResult(Failed, fmt.Sprintf("Echo %d differs from the message sent, first at byte %d. %s", sent, firstDiff(got, want), s.pmd.summary()))
		case sent < count:
			send(true)
			return
		default:
			s.setResult(OK, fmt.Sprintf("Received all %d echoes%s as sent, in %v. %s", count, of, time.Since(s.start).Round(time.Millisecond), s.pmd.summary()))
		}
		s.sendCloseRaw(closePayload(1000, ""), false)
	})
	send(false)
	s.closeAfter(s.limit)
}
