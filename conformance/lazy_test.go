package conformance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// tableBuildsAtStart is how many times the table had been built when
// TestMain started, that is after the initialization of the package and
// of its tests.
var tableBuildsAtStart int32

func TestMain(m *testing.M) {
	tableBuildsAtStart = tableBuilds.Load()
	os.Exit(m.Run())
}

// The table is built on first use, not when the package is initialized,
// and only once.
func TestTableIsLazy(t *testing.T) {
	if tableBuildsAtStart != 0 {
		t.Fatalf("the table was built %d times before the tests started; it must wait for its first use", tableBuildsAtStart)
	}
	Cases()
	if _, err := selectCases([]string{"9"}, nil); err != nil {
		t.Fatal(err)
	}
	Cases()
	if n := tableBuilds.Load(); n != 1 {
		t.Errorf("the table was built %d times, want once", n)
	}
}

// initLine is the line of GODEBUG=inittrace=1 for this package, e.g.
// "init github.com/wsstack/websocket/conformance @1.4 ms, 0.069 ms clock, 9536 bytes, 143 allocs".
var initLine = regexp.MustCompile(`^init github\.com/wsstack/websocket/conformance @\S+ ms, (\S+) ms clock, (\d+) bytes, (\d+) allocs$`)

// maxInitBytes bounds what the package's initialization may allocate. It
// allocated 218 MB (the table, with section 9's 68 MB of messages) before
// the table was made lazy, and some 10 KB since (section titles, word
// lists).
const maxInitBytes = 256 << 10

// Importing the package costs nothing at start-up: the runtime's
// initialization trace of a fresh process (this test binary, running no
// test) shows the package's init allocating almost nothing.
func TestImportCostsNothingAtInit(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	godebug := "inittrace=1"
	if v := os.Getenv("GODEBUG"); v != "" {
		godebug = v + "," + godebug
	}
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.Bytes())
	}
	traced, found := false, false
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "init ") {
			traced = true
		}
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		found = true
		n, _ := strconv.Atoi(m[2])
		t.Logf("init of the package: %s ms, %d bytes, %s allocations", m[1], n, m[3])
		if n > maxInitBytes {
			t.Errorf("the package's init allocated %d bytes, want at most %d: something big is built at init again", n, maxInitBytes)
		}
	}
	if !traced {
		t.Fatalf("no init trace in the output of %v:\n%s", cmd, stderr.Bytes())
	}
	if !found {
		t.Log("the package has no init work at all")
	}
}

// The lazy table lists the same cases as the table built at init did,
// with the same texts and settings: these digests were computed before the
// change (ids alone, then every case's id, description, expectation and
// flags). Changing a case's wording changes them on purpose; update them
// then.
func TestCaseListUnchanged(t *testing.T) {
	const (
		idsDigest     = "4e06c373a720dfc894eebcb31b7f28e7c79d67e5fff5ff5afaa056a31875c315"
		listingDigest = "07118742750f8b7ef18e44f6330997c708dd0395b99c13e6de0e02d01bc3dd09"
	)
	ids, listing := sha256.New(), sha256.New()
	cs := Cases()
	for _, c := range cs {
		fmt.Fprintf(ids, "%s\n", c.ID)
		fmt.Fprintf(listing, "%s\t%s\t%s\t%v\t%v\t%v\t%v\t%v\n", c.ID, c.Description, c.Expectation, c.heavy, c.informational, c.wrongCodeFails, c.deflate != nil, c.msg)
	}
	if len(cs) != 517 {
		t.Errorf("%d cases, want 517", len(cs))
	}
	if got := hex.EncodeToString(ids.Sum(nil)); got != idsDigest {
		t.Errorf("the case ids changed: digest %s, want %s", got, idsDigest)
	}
	if got := hex.EncodeToString(listing.Sum(nil)); got != listingDigest {
		t.Errorf("the cases' texts or settings changed: digest %s, want %s", got, listingDigest)
	}
}

// section9Payloads are the sizes and SHA-256 digests of the messages of
// section 9's big cases, as the table built at init held them.
var section9Payloads = map[string]struct {
	size   int
	digest string
}{
	"9.1.1": {65536, "d872875bc2825257d41d20a9d9bcedfe11925cdd8dfc09a3d2f62073a3cd408d"},
	"9.1.2": {262144, "b3e1238121515dd930e6cecf1c1935b5c73a0f4ac6166d576d48e8d5b5386b7b"},
	"9.1.3": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.1.4": {4194304, "a57ee7dc0f22578433cf5042f9553894e273571dd9738e7edcd67a3ba3836ede"},
	"9.1.5": {8388608, "d395f482f86d5ce3cb258a530a6489567ed53cc9f3806ef5f9507141faea6480"},
	"9.1.6": {16777216, "b6220f9d865040d458c45b5776838d1b223b0dbda23d10b491bbace9bc49af8a"},
	"9.2.1": {65536, "bdf7fb24693858d4bcc254875883bed23bc5d3ca52c14026770f63b8e06bfc7e"},
	"9.2.2": {262144, "2d46c763908db378210bcc6e12ec0c71fbd65e6a54d2d1293b18cd0d187518fd"},
	"9.2.3": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.2.4": {4194304, "371ebaec8a2a23d509518eab273ba6e25cfb4ed7f899eddd669f262aadac7a6c"},
	"9.2.5": {8388608, "c030e1d71aa41e7afce8dd1178a0982ff612a9c3ee0245eda80d7875792a5729"},
	"9.2.6": {16777216, "cafcf4a8dce3b66a1f95e5631c29bd99a7f6564d801d1ab1c5312447a47c1a49"},
	"9.3.1": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.2": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.3": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.4": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.5": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.6": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.7": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.8": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.3.9": {4194304, "153736a5d0e1b75502e9ae6d82d19bf2372ed15e3a500cc02838d036cc953cf3"},
	"9.4.1": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.2": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.3": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.4": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.5": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.6": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.7": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.8": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.4.9": {4194304, "ad5a72dd64264e83414a186f7176af7046ca62a678bb3d37aeb00f0404623163"},
	"9.5.1": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.5.2": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.5.3": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.5.4": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.5.5": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.5.6": {1048576, "3a19eb44e04e098b56322ad9b9576b225b5c9ce40060201443baac4e4c9df2aa"},
	"9.6.1": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.6.2": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.6.3": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.6.4": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.6.5": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
	"9.6.6": {1048576, "d746e82c56421fb538889dbfc447c50f277c59ba3f10011e7f5b9bf0eed708dc"},
}

// The big messages of section 9, now made when their case runs, are the
// bytes the table used to hold, and are made afresh each time (a case may
// not change the next run's message).
func TestSection9PayloadsUnchanged(t *testing.T) {
	seen := 0
	for _, c := range Cases() {
		if c.payload == nil {
			continue
		}
		seen++
		want, ok := section9Payloads[c.ID]
		if !ok {
			t.Errorf("%s has a generated payload; only section 9's big cases should", c.ID)
			continue
		}
		p := c.payload()
		if len(p) != want.size {
			t.Errorf("%s: %d bytes, want %d", c.ID, len(p), want.size)
		}
		if got := sha256.Sum256(p); hex.EncodeToString(got[:]) != want.digest {
			t.Errorf("%s: the payload changed: digest %x, want %s", c.ID, got, want.digest)
		}
		if q := c.payload(); len(q) > 0 && &q[0] == &p[0] {
			t.Errorf("%s: the payload is shared between runs", c.ID)
		}
	}
	if seen != len(section9Payloads) {
		t.Errorf("%d cases with a generated payload, want %d", seen, len(section9Payloads))
	}
}

func TestRepeatBytes(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"*", 0, ""},
		{"*", 3, "***"},
		{"abc", 2, "ab"},
		{"abc", 7, "abcabca"},
		{"BAsd7&jh23", 25, "BAsd7&jh23BAsd7&jh23BAsd7"},
	} {
		if got := string(repeatBytes(tt.s, tt.n)); got != tt.want {
			t.Errorf("repeatBytes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if got := repeat(tt.s, tt.n); got != tt.want {
			t.Errorf("repeat(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// BenchmarkBuildTable measures building the table (done once per process,
// on first use) and what it holds.
func BenchmarkBuildTable(b *testing.B) {
	b.ReportAllocs()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var t []Case
	for b.Loop() {
		t = buildTable()
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(int64(ms.HeapAlloc)-int64(before))/1e6, "MB-held")
	runtime.KeepAlive(t)
}
