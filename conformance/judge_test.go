package conformance

import (
	"strings"
	"testing"
)

// TestJudge checks the judging rules on outcomes built by hand.
func TestJudge(t *testing.T) {
	echo := &Case{ID: "1.1.1"}
	failCase := &Case{ID: "2.5"}
	utf8Case := &Case{ID: "6.3.1"}
	closeCase := &Case{ID: "7.9.1", wrongCodeFails: true}
	info := &Case{ID: "7.13.1", informational: true}

	echoed := []event{textMsg("x")}
	// A clean close started by the tester, the peer answering 1000.
	cleanByTester := func(o outcome) outcome {
		o.closeSent, o.closeRecv, o.closedByTester, o.clean, o.remoteCode = true, true, true, true, 1000
		return o
	}
	base := func(ce closeExpect, alts ...alternative) outcome {
		return outcome{client: true, opened: true, expect: alts, expClose: ce, remoteCode: -1}
	}
	tests := []struct {
		name     string
		c        *Case
		o        outcome
		verdict  Verdict
		behavior Verdict
		close    CloseVerdict
		observed string // substring of Observed or CloseObserved
	}{
		{
			name: "echo and clean close",
			c:    echo,
			o: func() outcome {
				o := cleanByTester(base(closeNormal, alternative{OK, echoed}))
				o.received = echoed
				return o
			}(),
			verdict: OK, behavior: OK, close: CloseOK,
		},
		{
			name: "no echo",
			c:    echo,
			o: func() outcome {
				o := base(closeNormal, alternative{OK, echoed})
				o.killed, o.droppedByTester, o.notClean = true, true, "the tester dropped the connection after waiting 1s"
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseFailed, observed: "No closing handshake",
		},
		{
			name: "wrong echo",
			c:    echo,
			o: func() outcome {
				o := cleanByTester(base(closeNormal, alternative{OK, echoed}))
				o.received = []event{binMsg("x")}
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseOK, observed: "differ from every expected",
		},
		{
			name: "server keeps TCP open after the closing handshake",
			c:    echo,
			o: func() outcome {
				o := cleanByTester(base(closeNormal, alternative{OK, echoed}))
				o.received = echoed
				o.clean, o.droppedByTester, o.notClean = false, true, "the server did not close the TCP connection"
				return o
			}(),
			verdict: Failed, behavior: OK, close: CloseUnclean,
		},
		{
			name: "peer fails with 1002",
			c:    failCase,
			o: func() outcome {
				o := base(failProtocol, alternative{OK, nil})
				o.closeSent, o.closeRecv, o.clean, o.remoteCode = true, true, true, 1002
				return o
			}(),
			verdict: OK, behavior: OK, close: CloseOK,
		},
		{
			name:    "peer drops TCP without a close frame",
			c:       failCase,
			o:       base(failProtocol, alternative{OK, nil}),
			verdict: OK, behavior: OK, close: CloseOK,
		},
		{
			name: "peer fails with the wrong code",
			c:    failCase,
			o: func() outcome {
				o := base(failProtocol, alternative{OK, nil})
				o.closeSent, o.closeRecv, o.clean, o.remoteCode = true, true, true, 1000
				return o
			}(),
			verdict: NonStrict, behavior: OK, close: CloseWrongCode,
		},
		{
			name: "peer never fails the connection",
			c:    failCase,
			o: func() outcome {
				o := base(failProtocol, alternative{OK, nil})
				o.killed, o.droppedByTester, o.notClean = true, true, "the tester dropped the connection after waiting 1s"
				return o
			}(),
			verdict: Failed, behavior: OK, close: CloseFailed, observed: "did not fail the connection",
		},
		{
			name: "peer never fails the connection, tested as a client",
			c:    failCase,
			o: func() outcome {
				o := base(failProtocol, alternative{OK, nil})
				o.client = false
				o.killed, o.droppedByTester, o.notClean = true, true, "the tester dropped the connection after waiting 1s"
				return o
			}(),
			verdict: Failed, behavior: OK, close: CloseFailed,
		},
		{
			name: "peer fails with 1002 but keeps TCP open",
			c:    failCase,
			o: func() outcome {
				o := base(failProtocol, alternative{OK, nil})
				o.closeSent, o.closeRecv, o.remoteCode = true, true, 1002
				o.droppedByTester, o.notClean = true, "the server did not close the TCP connection within 2s after the closing handshake"
				return o
			}(),
			verdict: Failed, behavior: OK, close: CloseFailedByClient,
		},
		{
			name: "invalid UTF-8 echoed instead of failing",
			c:    utf8Case,
			o: func() outcome {
				o := cleanByTester(base(failPayload, alternative{OK, nil}))
				o.received = []event{textMsg("x")}
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseFailed,
		},
		{
			name:    "UTF-8 case, tester had to close though events match",
			c:       utf8Case,
			o:       cleanByTester(base(failPayload, alternative{OK, nil})),
			verdict: Failed, behavior: Failed, close: CloseFailed,
		},
		{
			name: "fail-fast detected only at the end",
			c:    &Case{ID: "6.4.1"},
			o: func() outcome {
				o := base(failPayload, alternative{OK, []event{timeoutMark("A")}}, alternative{NonStrict, []event{timeoutMark("A"), timeoutMark("B")}})
				o.received = []event{timeoutMark("A"), timeoutMark("B")}
				o.closeSent, o.closeRecv, o.clean, o.remoteCode = true, true, true, 1007
				return o
			}(),
			verdict: NonStrict, behavior: NonStrict, close: CloseOK,
		},
		{
			name: "invalid close code echoed",
			c:    closeCase,
			o: func() outcome {
				o := cleanByTester(base(closeExpect{byTester: true, codes: []int{1002}}, alternative{OK, nil}))
				o.remoteCode = 1005
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseWrongCode, observed: "closed with code 1005",
		},
		{
			name: "protocol violation",
			c:    echo,
			o: func() outcome {
				o := cleanByTester(base(closeNormal, alternative{OK, echoed}))
				o.received = echoed
				o.violation = "the server sent a masked frame"
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseOK, observed: "masked frame",
		},
		{
			name: "informational whatever happens",
			c:    info,
			o: func() outcome {
				o := base(closeExpect{byTester: true, codes: []int{1000, 5000, 1002}})
				o.killed, o.droppedByTester = true, true
				return o
			}(),
			verdict: Informational, behavior: Informational, close: CloseInformational,
		},
		{
			name:    "handshake failure",
			c:       echo,
			o:       outcome{client: true, handshakeErr: "status 404"},
			verdict: Failed, behavior: Failed, close: CloseFailed, observed: "status 404",
		},
		{
			name: "case set its own verdict",
			c:    &Case{ID: "9.1.1"},
			o: func() outcome {
				o := cleanByTester(base(closeNormal))
				o.custom, o.behavior, o.result = true, OK, "Received the text message"
				return o
			}(),
			verdict: OK, behavior: OK, close: CloseOK, observed: "Received the text message",
		},
		{
			name: "case timed out",
			c:    &Case{ID: "9.1.6"},
			o: func() outcome {
				o := base(closeNormal)
				o.custom, o.behavior, o.result = true, Failed, "No message came back"
				o.killed, o.timedOut, o.droppedByTester, o.notClean = true, true, true, "the case did not finish within 1m30s"
				return o
			}(),
			verdict: Failed, behavior: Failed, close: CloseFailed, observed: "did not finish",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := judge(tt.c, tt.o)
			if r.Verdict != tt.verdict || r.Behavior != tt.behavior || r.Close != tt.close {
				t.Errorf("got %s (behaviour %s, close %s), want %s (behaviour %s, close %s)\n%s\n%s",
					r.Verdict, r.Behavior, r.Close, tt.verdict, tt.behavior, tt.close, r.Observed, r.CloseObserved)
			}
			if tt.observed != "" && !strings.Contains(r.Observed+" "+r.CloseObserved, tt.observed) {
				t.Errorf("observation %q lacks %q", r.Observed+" "+r.CloseObserved, tt.observed)
			}
		})
	}
}

func TestOverall(t *testing.T) {
	tests := []struct {
		b    Verdict
		c    CloseVerdict
		want Verdict
	}{
		{OK, CloseOK, OK},
		{NonStrict, CloseOK, NonStrict},
		{OK, CloseWrongCode, NonStrict},
		{OK, CloseUnclean, Failed},
		{OK, CloseFailedByClient, Failed},
		{NonStrict, CloseFailed, Failed},
		{Failed, CloseOK, Failed},
		{Informational, CloseInformational, Informational},
		{Unimplemented, CloseOK, Unimplemented},
	}
	for _, tt := range tests {
		if got := overall(tt.b, tt.c); got != tt.want {
			t.Errorf("overall(%s, %s) = %s, want %s", tt.b, tt.c, got, tt.want)
		}
	}
}

func TestFrameEncoding(t *testing.T) {
	tests := []struct {
		f    frame
		want []byte
	}{
		{fr(opText, "Hi"), []byte{0x81, 0x02, 'H', 'i'}},
		{fr(opText, "").withRSV(1), []byte{0x91, 0x00}},
		{fr(opText, "").withRSV(4), []byte{0xc1, 0x00}},
		{fr(opBinary, "").withRSV(7).more(), []byte{0x72, 0x00}},
		{fr(opPing, "ab").more(), []byte{0x09, 0x02, 'a', 'b'}},
		{fr(opText, "ab").repeated(5), []byte{0x81, 0x05, 'a', 'b', 'a', 'b', 'a'}},
	}
	for _, tt := range tests {
		if got := tt.f.encode(false); string(got) != string(tt.want) {
			t.Errorf("encode = %x, want %x", got, tt.want)
		}
	}
	// Masked: the header says so and the payload unmasks to the original.
	b := fr(opText, "Hello").encode(true)
	if b[1] != 0x80|5 {
		t.Fatalf("masked header %x", b[:2])
	}
	key := [4]byte(b[2:6])
	p := append([]byte(nil), b[6:]...)
	for i := range p {
		p[i] ^= key[i%4]
	}
	if string(p) != "Hello" {
		t.Errorf("unmasked %q", p)
	}
}
