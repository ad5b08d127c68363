package conformance

import (
	"context"
	"testing"
)

func TestQuickGoodServer(t *testing.T) {
	url := startEchoServer(t, peerConfig{})
	rep, err := RunServer(context.Background(), url, &Options{Cases: []string{"1", "2", "3", "4", "5", "6", "7", "10"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Verdict != OK {
			t.Logf("%s %s %s | %s | %s", r.ID, r.Verdict, r.Close, r.Observed, r.CloseObserved)
		}
	}
	t.Logf("%+v in %v", rep.Totals(), rep.Duration)
}
