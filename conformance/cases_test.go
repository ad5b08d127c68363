package conformance

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func idTuple(t *testing.T, id string) []int {
	var out []int
	for _, p := range strings.Split(id, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("bad id %q", id)
		}
		out = append(out, n)
	}
	return out
}

// The table has Autobahn's 517 cases of sections 1-7, 9, 10, 12 and 13,
// unique, complete and in Autobahn's order.
func TestTableShape(t *testing.T) {
	cs := Cases()
	if len(cs) != 517 {
		t.Errorf("got %d cases, want 517", len(cs))
	}
	perSection := map[string]int{}
	seen := map[string]bool{}
	for i, c := range cs {
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
		perSection[c.Section()]++
		if c.Description == "" || c.Expectation == "" || c.run == nil {
			t.Errorf("case %s is incomplete", c.ID)
		}
		if i > 0 && slices.Compare(idTuple(t, cs[i-1].ID), idTuple(t, c.ID)) >= 0 {
			t.Errorf("case %s comes after %s", c.ID, cs[i-1].ID)
		}
	}
	want := map[string]int{"1": 16, "2": 11, "3": 7, "4": 10, "5": 20, "6": 145, "7": 37, "9": 54, "10": 1, "12": 90, "13": 126}
	for s, n := range want {
		if perSection[s] != n {
			t.Errorf("section %s has %d cases, want %d", s, perSection[s], n)
		}
	}
	for _, id := range []string{"1.1.1", "1.2.8", "2.11", "4.2.5", "5.20", "6.4.4", "6.22.34", "6.23.7", "7.7.13", "7.9.9", "7.13.2", "9.3.9", "9.8.6", "10.1.1", "12.1.1", "12.5.18", "13.1.1", "13.7.18"} {
		if !seen[id] {
			t.Errorf("case %s is missing", id)
		}
	}
	if seen["6.22.35"] || seen["6.24.1"] || seen["7.2.1"] || seen["12.6.1"] || seen["12.1.19"] || seen["13.8.1"] {
		t.Error("cases beyond Autobahn's table")
	}
}

// The UTF-8 groups have Autobahn's sizes, and the prefixes of 6.6 are
// valid exactly at code point boundaries.
func TestUTF8Groups(t *testing.T) {
	sizes := []int{5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7}
	gs := utf8Groups()
	if len(gs) != len(sizes) {
		t.Fatalf("%d groups, want %d", len(gs), len(sizes))
	}
	for i, g := range gs {
		if len(g.seqs) != sizes[i] {
			t.Errorf("group 6.%d (%s) has %d sequences, want %d", i+5, g.title, len(g.seqs), sizes[i])
		}
	}
	var valid []int
	for i, s := range gs[1].seqs {
		if utf8.ValidString(s) {
			valid = append(valid, i+1)
		}
	}
	if !slices.Equal(valid, []int{2, 5, 7, 9, 11}) {
		t.Errorf("valid prefixes %v", valid)
	}
	for _, g := range gs[17:] { // noncharacters and specials: all valid
		for _, s := range g.seqs {
			if !utf8.ValidString(s) {
				t.Errorf("%s: %x should be valid", g.title, s)
			}
		}
	}
	if got := SectionTitle("6.22"); got != "Non-character code points (valid UTF-8)" {
		t.Errorf("SectionTitle(6.22) = %q", got)
	}
}

func TestSelectCases(t *testing.T) {
	ids := func(cs []Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		include, exclude []string
		want             []string
		n                int
	}{
		{include: []string{"6.4"}, want: []string{"6.4.1", "6.4.2", "6.4.3", "6.4.4"}},
		{include: []string{"7.13.2", "2.1"}, want: []string{"2.1", "7.13.2"}},
		{include: []string{"1.1.*"}, n: 8},
		{include: []string{"1"}, n: 16},
		{include: []string{"10"}, want: []string{"10.1.1"}},
		{exclude: []string{"9", "6"}, n: 517 - 54 - 145},
		{include: []string{"12"}, n: 90},
		{include: []string{"13.7"}, n: 18},
		{include: []string{"5"}, exclude: []string{"5.1", "5.2"}, n: 18},
	}
	for _, tt := range tests {
		got, err := selectCases(tt.include, tt.exclude)
		if err != nil {
			t.Fatal(err)
		}
		if tt.want != nil && !slices.Equal(ids(got), tt.want) {
			t.Errorf("select %v - %v = %v, want %v", tt.include, tt.exclude, ids(got), tt.want)
		}
		if tt.n > 0 && len(got) != tt.n {
			t.Errorf("select %v - %v: %d cases, want %d", tt.include, tt.exclude, len(got), tt.n)
		}
	}
	if _, err := selectCases([]string{"6.40"}, nil); err == nil {
		t.Error("a pattern matching nothing must be an error")
	}
	// "1" must not select 10.1.1.
	got, _ := selectCases([]string{"1"}, nil)
	if slices.Contains(ids(got), "10.1.1") {
		t.Error(`"1" selected 10.1.1`)
	}
}

func TestFragments(t *testing.T) {
	fs := fragments(opText, []byte(repeat("*", 65536)), 1300)
	if len(fs) != 51 {
		t.Fatalf("%d frames, want 51", len(fs))
	}
	if fs[0].op != opText || fs[0].fin || fs[1].op != opCont || !fs[50].fin || len(fs[50].payload) != 536 {
		t.Errorf("bad fragmentation: first %v/%v, last fin %v len %d", fs[0].op, fs[0].fin, fs[50].fin, len(fs[50].payload))
	}
	if fs := fragments(opText, nil, 1); len(fs) != 1 || !fs[0].fin {
		t.Error("an empty message must still be one final frame")
	}
}
