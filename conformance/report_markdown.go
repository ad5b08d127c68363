package conformance

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteMarkdown writes the report as a Markdown section (it starts with a
// level-2 heading, so that several reports fit in one document): the
// counts per section, then a table of every case that is not OK.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n", mdEscape(capitalize(r.what())))
	fmt.Fprintf(&b, "%d cases, run %s, in %v.\n\n", len(r.Results), r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Duration.Round(time.Second/10))
	b.WriteString("| Section | | OK | NON-STRICT | INFORMATIONAL | UNIMPLEMENTED | FAILED |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, s := range r.Sections() {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d |\n", s.Section, mdEscape(s.Title), s.OK, s.NonStrict, s.Informational, s.Unimplemented, s.Failed)
	}
	t := r.Totals()
	fmt.Fprintf(&b, "| **All** | | **%d** | **%d** | **%d** | **%d** | **%d** |\n", t.OK, t.NonStrict, t.Informational, t.Unimplemented, t.Failed)

	var notOK []Result
	for _, res := range r.Results {
		if res.Verdict != OK {
			notOK = append(notOK, res)
		}
	}
	if len(notOK) > 0 {
		b.WriteString("\nCases that are not OK:\n\n")
		b.WriteString("| Case | Verdict | Close | What happened |\n|---|---|---|---|\n")
		for _, res := range notOK {
			fmt.Fprintf(&b, "| %s | %s | %s | %s %s |\n", res.ID, res.Verdict, res.Close, mdEscape(res.Observed), mdEscape(res.CloseObserved))
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
