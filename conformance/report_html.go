package conformance

import (
	"html/template"
	"io"
	"strings"
	"sync"
	"time"
)

// WriteHTML writes the report as a self-contained HTML page (no scripts,
// no outside resources): the counts per section, then every case with its
// verdicts, colour-coded as Autobahn's reports are, and its details.
func (r *Report) WriteHTML(w io.Writer) error {
	type group struct {
		Section string
		Title   string
		Counts  Counts
		Results []Result
	}
	var groups []group
	counts := map[string]Counts{}
	for _, s := range r.Sections() {
		counts[s.Section] = s.Counts
	}
	for _, res := range r.Results {
		sec := sectionOf(res.ID)
		if len(groups) == 0 || groups[len(groups)-1].Section != sec {
			groups = append(groups, group{Section: sec, Title: SectionTitle(sec), Counts: counts[sec]})
		}
		g := &groups[len(groups)-1]
		g.Results = append(g.Results, res)
	}
	return htmlReport().Execute(w, struct {
		R        *Report
		What     string
		Totals   Counts
		Sections []SectionCounts
		Groups   []group
	}{r, r.what(), r.Totals(), r.Sections(), groups})
}

func verdictClass(v string) string {
	switch v {
	case string(OK):
		return "ok"
	case string(NonStrict), string(CloseWrongCode):
		return "nonstrict"
	case string(Informational):
		return "info"
	case string(Unimplemented):
		return "unimpl"
	}
	return "failed"
}

// htmlReport is the page's template, parsed on first use.
var htmlReport = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"class": func(v any) string {
			switch v := v.(type) {
			case Verdict:
				return verdictClass(string(v))
			case CloseVerdict:
				return verdictClass(string(v))
			}
			return ""
		},
		"ms":   func(d time.Duration) string { return d.Round(time.Millisecond).String() },
		"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
		"subtitle": func(id string) string {
			if i := strings.LastIndexByte(id, '.'); i > 0 {
				return SectionTitle(id[:i])
			}
			return ""
		},
	}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WebSocket conformance: {{.What}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
.n { text-align: right; }
td.ok, td.nonstrict, td.info, td.unimpl, td.failed { white-space: nowrap; }
.ok { background: #cfc; } .nonstrict { background: #ffc; } .info { background: #cdf; }
.unimpl { background: #ddd; } .failed { background: #fbb; }
details { margin: 0; } summary { cursor: pointer; }
dl { margin: 0.5em 0; } dt { font-weight: bold; } dd { margin: 0 0 0.4em 1em; white-space: pre-wrap; }
code { font-size: 90%; }
</style>
</head>
<body>
<h1>WebSocket conformance: {{.What}}</h1>
<p>{{len .R.Results}} cases, started {{date .R.Started}}, took {{ms .R.Duration}}.
Verdicts as in the Autobahn TestSuite: <span class="ok">OK</span>, <span class="nonstrict">NON-STRICT</span>
(conformant, but a SHOULD was not followed), <span class="info">INFORMATIONAL</span> (behaviour the RFC leaves open),
<span class="unimpl">UNIMPLEMENTED</span>, <span class="failed">FAILED</span> (a MUST was broken).</p>
<table>
<tr><th>Section</th><th></th><th>OK</th><th>NON-STRICT</th><th>INFORMATIONAL</th><th>UNIMPLEMENTED</th><th>FAILED</th></tr>
{{range .Sections}}<tr><td>{{.Section}}</td><td>{{.Title}}</td><td class="n">{{.OK}}</td><td class="n">{{.NonStrict}}</td><td class="n">{{.Informational}}</td><td class="n">{{.Unimplemented}}</td><td class="n{{if .Failed}} failed{{end}}">{{.Failed}}</td></tr>
{{end}}<tr><th>All</th><th></th><th class="n">{{.Totals.OK}}</th><th class="n">{{.Totals.NonStrict}}</th><th class="n">{{.Totals.Informational}}</th><th class="n">{{.Totals.Unimplemented}}</th><th class="n">{{.Totals.Failed}}</th></tr>
</table>
{{range .Groups}}
<h2>{{.Section}} {{.Title}}</h2>
<table>
<tr><th>Case</th><th>Verdict</th><th>Close</th><th>Time</th><th>Details</th></tr>
{{range .Results}}<tr id="case-{{.ID}}">
<td>{{.ID}}</td><td class="{{class .Verdict}}">{{.Verdict}}</td><td class="{{class .Close}}">{{.Close}}{{if ge .RemoteCloseCode 1}} ({{.RemoteCloseCode}}){{end}}</td><td class="n">{{ms .Duration}}</td>
<td><details><summary>{{.Description}}</summary><dl>
{{with subtitle .ID}}<dt>Group</dt><dd>{{.}}</dd>{{end}}
<dt>Expectation</dt><dd>{{.Expectation}}</dd>
<dt>Behaviour: {{.Behavior}}</dt><dd>{{.Observed}}</dd>
<dt>Close: {{.Close}}</dt><dd>{{.CloseObserved}}</dd>
<dt>Received</dt><dd><code>{{.Received}}</code></dd>
{{if .Expected}}<dt>Acceptable</dt><dd>{{range .Expected}}<code>{{.}}</code>
{{end}}</dd>{{end}}
</dl></details></td></tr>
{{end}}</table>
{{end}}
</body>
</html>
`))
})
