package conformance

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// what names the peer a report is about.
func (r *Report) what() string {
	if r.Mode == "client" {
		return fmt.Sprintf("client (agent %q)", r.Agent)
	}
	return fmt.Sprintf("server: %s (agent %q)", r.Target, r.Agent)
}

// WriteText writes a readable plain-text summary: the counts per section,
// then every case that is not OK with what was observed.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "WebSocket conformance of %s: %d cases in %v\n\n", r.what(), len(r.Results), r.Duration.Round(time.Millisecond))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "Section\t\tOK\tNON-STRICT\tINFORMATIONAL\tUNIMPLEMENTED\tFAILED\t")
	for _, s := range r.Sections() {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t\n", s.Section, s.Title, s.OK, s.NonStrict, s.Informational, s.Unimplemented, s.Failed)
	}
	t := r.Totals()
	fmt.Fprintf(tw, "All\t\t%d\t%d\t%d\t%d\t%d\t\n", t.OK, t.NonStrict, t.Informational, t.Unimplemented, t.Failed)
	tw.Flush()
	for _, v := range []Verdict{Failed, NonStrict, Informational, Unimplemented} {
		first := true
		for _, res := range r.Results {
			if res.Verdict != v {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s:\n", v)
				first = false
			}
			fmt.Fprintf(&b, "  %-8s %s\n", res.ID, res.Description)
			fmt.Fprintf(&b, "           behaviour %s: %s\n", res.Behavior, res.Observed)
			fmt.Fprintf(&b, "           close %s: %s\n", res.Close, res.CloseObserved)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String returns a one-line summary, e.g.
// "server: ws://host/ (agent "x"): 301 cases: 296 OK, 2 NON-STRICT, 3 INFORMATIONAL, 0 FAILED".
func (r *Report) String() string {
	t := r.Totals()
	s := fmt.Sprintf("%s: %d cases: %d OK, %d NON-STRICT, %d INFORMATIONAL", r.what(), t.Total(), t.OK, t.NonStrict, t.Informational)
	if t.Unimplemented > 0 {
		s += fmt.Sprintf(", %d UNIMPLEMENTED", t.Unimplemented)
	}
	return s + fmt.Sprintf(", %d FAILED", t.Failed)
}
