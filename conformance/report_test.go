package conformance

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	return &Report{
		Agent: "demo", Target: "ws://127.0.0.1:9001/", Mode: "server",
		Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Results: []Result{
			{ID: "1.1.1", Description: "Send a text message.", Verdict: OK, Behavior: OK, Close: CloseOK, RemoteCloseCode: 1000},
			{ID: "1.1.2", Description: "Send <b>bold</b> & more.", Verdict: Failed, Behavior: Failed, Close: CloseOK,
				Observed: "The events [text(1: \"|\")] differ.", Received: `[text(1: "|")]`, Expected: []string{"OK: []"}},
			{ID: "6.4.1", Verdict: NonStrict, Behavior: NonStrict, Close: CloseOK},
			{ID: "7.13.1", Verdict: Informational, Behavior: Informational, Close: CloseInformational},
			{ID: "12.1.1", Verdict: Unimplemented, Behavior: Unimplemented, Close: CloseOK},
		},
	}
}

func TestReportCounts(t *testing.T) {
	r := sampleReport()
	if r.Failed() != 1 {
		t.Errorf("Failed() = %d", r.Failed())
	}
	want := Counts{OK: 1, NonStrict: 1, Informational: 1, Unimplemented: 1, Failed: 1}
	if got := r.Totals(); got != want {
		t.Errorf("Totals() = %+v", got)
	}
	secs := r.Sections()
	if len(secs) != 4 || secs[0].Section != "1" || secs[0].Title != "Framing" || secs[0].OK != 1 || secs[0].Failed != 1 || secs[3].Section != "12" {
		t.Errorf("Sections() = %+v", secs)
	}
	if res := r.Result("6.4.1"); res == nil || res.Verdict != NonStrict {
		t.Errorf("Result(6.4.1) = %v", res)
	}
	if r.Result("9.9.9") != nil {
		t.Error("Result of a missing case")
	}
	if f := r.FailedResults(); len(f) != 1 || f[0].ID != "1.1.2" {
		t.Errorf("FailedResults() = %v", f)
	}
	if s := r.String(); !strings.Contains(s, "5 cases: 1 OK, 1 NON-STRICT, 1 INFORMATIONAL, 1 UNIMPLEMENTED, 1 FAILED") {
		t.Errorf("String() = %q", s)
	}
}

func TestReportWriters(t *testing.T) {
	r := sampleReport()
	write := func(f func(io.Writer) error) string {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	text := write(r.WriteText)
	for _, want := range []string{"server: ws://127.0.0.1:9001/", "Framing", "FAILED:", "1.1.2", "NON-STRICT:", "6.4.1"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}

	md := write(r.WriteMarkdown)
	for _, want := range []string{"## Server: ws://127.0.0.1:9001/", "| 1 | Framing | 1 | 0 | 0 | 0 | 1 |", "| **All** |", `\|`} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| 1.1.1 |") {
		t.Error("Markdown lists an OK case among those that are not OK")
	}

	page := write(r.WriteHTML)
	for _, want := range []string{"<!DOCTYPE html>", `id="case-1.1.2"`, `class="failed"`, `class="nonstrict"`, "&lt;b&gt;bold&lt;/b&gt; &amp; more", "Fail-fast on invalid UTF-8"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("HTML report is not self-contained")
	}
	// The page is well-formed enough for an XML tokenizer in non-strict mode.
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("HTML does not tokenize: %v", err)
		}
	}
}
