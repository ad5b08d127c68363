package websocket

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// apiTestBase is the base URL of the WPT WebSocket tests' examples (API-11).
const apiTestBase = "http://example.test/a/b"

// urlCase is one URL test: input, base, and the expected serialization, or
// "" when parseWebSocketAPIURL must fail.
type urlCase struct {
	input, base, want string
}

// runURLCases checks every case with parseWebSocketAPIURL.
func runURLCases(t *testing.T, cases []urlCase) {
	t.Helper()
	for _, c := range cases {
		u, err := parseWebSocketAPIURL(c.input, c.base)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("parseWebSocketAPIURL(%q, %q) = %q, want an error", c.input, c.base, u)
		case c.want != "" && err != nil:
			t.Errorf("parseWebSocketAPIURL(%q, %q): %v, want %q", c.input, c.base, err, c.want)
		case c.want != "" && u.String() != c.want:
			t.Errorf("parseWebSocketAPIURL(%q, %q) = %q, want %q", c.input, c.base, u, c.want)
		}
	}
}

// TestAPI7_InvalidURLs checks that URLs the URL Standard cannot parse, and
// relative URLs without a base, fail (API-7).
func TestAPI7_InvalidURLs(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://foo bar.com/", "", ""},
		{"wss://foo bar.com/", "", ""},
		{"ws://", "", ""},
		{"wss://", "", ""},
		{"ws:", "", ""},
		{"ws://[::1", "", ""},
		{"ws://[::1]x/", "", ""},
		{"ws://[1:2:3]/", "", ""},
		{"ws://[::1::]/", "", ""},
		{"ws://h:99999/", "", ""},
		{"ws://h:65536/", "", ""},
		{"ws://h:-1/", "", ""},
		{"ws://h:8a/", "", ""},
		{"ws://h: 80/", "", ""},
		{"ws://:80/", "", ""},
		{"ws://user@/", "", ""},
		{"ws://a<b/", "", ""},
		{"ws://a^b/", "", ""},
		{"ws://a|b/", "", ""},
		{"ws://a%b/", "", ""},
		{"ws://a%25b/", "", ""},
		{"ws://a%2Fb/", "", ""},
		{"ws://256.0.0.1/", "", ""},
		{"ws://1.2.3.4.5/", "", ""},
		{"ws://0x100000000/", "", ""},
		{"ws://09/", "", ""},
		{"ws://\uFFFD/", "", ""},
		{"ws://\xff/", "", ""}, // invalid UTF-8 becomes U+FFFD
		{"ws://%ff/", "", ""},  // percent-decodes to invalid UTF-8
		{"", "", ""},
		{"   ", "", ""},
		// Relative input without a base.
		{"echo", "", ""},
		{"/echo", "", ""},
		{"//h/echo", "", ""},
		{"?x", "", ""},
		// Valid, for contrast.
		{"ws://h:65535/", "", "ws://h:65535/"},
		{"ws://h:0/", "", "ws://h:0/"},
		{"ws://localhost:8080/echo", "", "ws://localhost:8080/echo"},
	})
	// An invalid base is reported as such.
	if _, err := parseWebSocketAPIURL("echo", "/relative/base"); err == nil || !strings.Contains(err.Error(), "base") {
		t.Errorf("relative base: err = %v, want an invalid base URL error", err)
	}
}

// TestAPI8_HTTPSchemesMapped checks that http becomes ws and https wss
// before the scheme check (API-8).
func TestAPI8_HTTPSchemesMapped(t *testing.T) {
	runURLCases(t, []urlCase{
		{"http://h/", "", "ws://h/"},
		{"https://h/", "", "wss://h/"},
		{"http://h:8080/p?q", "", "ws://h:8080/p?q"},
		{"https://h:8443/", "", "wss://h:8443/"},
		{"HTTP://H/", "", "ws://h/"},
		{"HtTpS://H/", "", "wss://h/"},
		// The default port of http is that of ws, of https that of wss.
		{"http://h:80/", "", "ws://h/"},
		{"https://h:443/", "", "wss://h/"},
		{"http://h:443/", "", "ws://h:443/"},
		{"https://h:80/", "", "wss://h:80/"},
		// A relative URL against an http base becomes ws (API-11).
		{"/echo", "https://example.test/", "wss://example.test/echo"},
	})
	u, err := parseWebSocketAPIURL("https://h/", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme() != "wss" || !u.Secure() || u.Port() != 443 {
		t.Errorf("https://h/: Scheme %q, Secure %v, Port %d; want wss, true, 443", u.Scheme(), u.Secure(), u.Port())
	}
}

// TestAPI9_OtherSchemesRejected checks that every scheme other than ws, wss,
// http and https fails, also through a base (API-9).
func TestAPI9_OtherSchemesRejected(t *testing.T) {
	for _, in := range []string{
		"ftp://h/",
		"ftp://h:21/",
		"mailto:x@y",
		"about:blank",
		"file:///x",
		"file://h/x",
		"javascript:alert(1)",
		"data:text/plain,x",
		"blob:https://h/uuid",
		"wss+unix://h/",
		"ws2://h/",
		"httpx://h/",
		"w://h/",
		"c:/x",
	} {
		_, err := parseWebSocketAPIURL(in, "")
		if err == nil {
			t.Errorf("parseWebSocketAPIURL(%q) succeeded, want an error", in)
			continue
		}
		if !strings.Contains(err.Error(), "scheme") {
			t.Errorf("parseWebSocketAPIURL(%q): %v, want an error about the scheme", in, err)
		}
	}
	// Relative input against a base of another scheme never yields ws.
	for _, c := range []urlCase{
		{"echo", "about:blank", ""},
		{"/echo", "file:///home/me/x.html", ""},
		{"//h/echo", "file:///x", ""},
		{"?q", "data:text/html,x", ""},
		{"echo", "ftp://h/dir/", ""},
		// An absolute URL ignores the base.
		{"ws://h/", "about:blank", "ws://h/"},
		{"wss://h/", "file:///x", "wss://h/"},
		{"ws:h/", "ftp://h/", "ws://h/"},
	} {
		runURLCases(t, []urlCase{c})
	}
}

// TestAPI10_FragmentsRejected checks that any fragment, even an empty one,
// fails (API-10).
func TestAPI10_FragmentsRejected(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://h/#", "", ""},
		{"ws://h/#x", "", ""},
		{"ws://h/?q#", "", ""},
		{"ws://h#", "", ""},
		{"wss://h/path#frag", "", ""},
		{"http://h/#", "", ""},
		{"#", apiTestBase, ""},
		{"#test", apiTestBase, ""},
		{"?q#", apiTestBase, ""},
		// A # inside the userinfo or the host ends it and starts the
		// fragment too.
		{"ws://u#@h/", "", ""},
		// A percent-encoded # is not a fragment.
		{"ws://h/a%23b", "", "ws://h/a%23b"},
		{"ws://h/?a%23b", "", "ws://h/?a%23b"},
	})
	_, err := parseWebSocketAPIURL("ws://h/#", "")
	if err == nil || !strings.Contains(err.Error(), "fragment") {
		t.Errorf("ws://h/#: err = %v, want an error about the fragment", err)
	}
}

// TestAPI11_RelativeURLs checks the resolution of relative URLs against a
// base (API-11).
func TestAPI11_RelativeURLs(t *testing.T) {
	runURLCases(t, []urlCase{
		{"test", apiTestBase, "ws://example.test/a/test"},
		{"?", apiTestBase, "ws://example.test/a/b?"},
		{"?x=1", apiTestBase, "ws://example.test/a/b?x=1"},
		{"", apiTestBase, "ws://example.test/a/b"},
		{"/echo", apiTestBase, "ws://example.test/echo"},
		{"./c", apiTestBase, "ws://example.test/a/c"},
		{"../c", apiTestBase, "ws://example.test/c"},
		{"../../../c", apiTestBase, "ws://example.test/c"},
		{".", apiTestBase, "ws://example.test/a/"},
		{"//other.test/x", apiTestBase, "ws://other.test/x"},
		{"\\\\other.test\\x", apiTestBase, "ws://other.test/x"},
		{"\\x", apiTestBase, "ws://example.test/x"},
		{"http:test", apiTestBase, "ws://example.test/a/test"},
		{"ws:test", apiTestBase, "ws://test/"},
		{"ws://h/p", apiTestBase, "ws://h/p"},
		// The base's query is kept for "" and dropped for a path.
		{"", "http://example.test/a/b?q", "ws://example.test/a/b?q"},
		{"c", "http://example.test/a/b?q", "ws://example.test/a/c"},
		// A base with a port and credentials passes them on.
		{"x", "https://u:p@example.test:8443/a/", "wss://u:p@example.test:8443/a/x"},
		{"//h/x", "https://u:p@example.test:8443/a/", "wss://h/x"},
		// A ws base works like an http one.
		{"x", "wss://example.test/a/b", "wss://example.test/a/x"},
		// The base's fragment never carries over.
		{"x", "http://example.test/a/b#frag", "ws://example.test/a/x"},
		{"", "http://example.test/a/b#frag", "ws://example.test/a/b"},
	})
	u, err := parseWebSocketAPIURL("?", apiTestBase)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.ResourceName(); got != "/a/b?" {
		t.Errorf("ResourceName() = %q, want %q", got, "/a/b?")
	}
}

// TestAPI12_CaseInsensitiveSchemeAndHost checks that scheme and host are
// lowercased, and nothing else (API-12).
func TestAPI12_CaseInsensitiveSchemeAndHost(t *testing.T) {
	runURLCases(t, []urlCase{
		{"WS://EXAMPLE.COM/", "", "ws://example.com/"},
		{"Ws://ExAmPlE.cOm/", "", "ws://example.com/"},
		{"WSS://EXAMPLE.COM/", "", "wss://example.com/"},
		{"ws://EXAMPLE.COM:8080/", "", "ws://example.com:8080/"},
		// Path, query and userinfo keep their case.
		{"WS://H/PATH?QUERY", "", "ws://h/PATH?QUERY"},
		{"ws://USER:PASS@H/", "", "ws://USER:PASS@h/"},
		// Percent-encoded host bytes are decoded, then lowercased.
		{"ws://%41%42.com/", "", "ws://ab.com/"},
		// IPv6 literals are lowercased hex.
		{"ws://[ABCD::EF]/", "", "ws://[abcd::ef]/"},
	})
}

// TestAPI13_MissingSlashes checks the tolerance of missing slashes and of
// backslashes (API-13).
func TestAPI13_MissingSlashes(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws:host:8080/echo", "", "ws://host:8080/echo"},
		{"ws:/host:8080/echo", "", "ws://host:8080/echo"},
		{"ws:///host/echo", "", "ws://host/echo"},
		{"ws:////host/echo", "", "ws://host/echo"},
		{"ws:\\\\host\\echo", "", "ws://host/echo"},
		{"ws:/\\host/echo", "", "ws://host/echo"},
		{"wss:host/echo", "", "wss://host/echo"},
		{"http:host/echo", "", "ws://host/echo"},
		// With a base of another scheme the slashes are still optional.
		{"ws:host:8080/echo", apiTestBase, "ws://host:8080/echo"},
		{"ws:/host:8080/echo", apiTestBase, "ws://host:8080/echo"},
		// With a base of the same scheme the input is relative to it.
		{"ws:echo", "ws://example.test/a/b", "ws://example.test/a/echo"},
		{"ws:/echo", "ws://example.test/a/b", "ws://example.test/echo"},
		{"ws://h/echo", "ws://example.test/a/b", "ws://h/echo"},
		// Backslashes are slashes in special URLs.
		{"ws://h\\a\\b", "", "ws://h/a/b"},
		{"ws://h/a\\..\\b", "", "ws://h/b"},
	})
}

// TestAPI14_DefaultPorts checks default ports, port parsing and the
// accessors that depend on the port (API-14).
func TestAPI14_DefaultPorts(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://h:80/", "", "ws://h/"},
		{"wss://h:443/", "", "wss://h/"},
		{"ws://h:443/", "", "ws://h:443/"},
		{"wss://h:80/", "", "wss://h:80/"},
		{"ws://h:0080/", "", "ws://h/"},
		{"ws://h:08080/", "", "ws://h:8080/"},
		{"ws://h:/", "", "ws://h/"},
		{"ws://h", "", "ws://h/"},
		{"ws://h?q", "", "ws://h/?q"},
		{"ws://h:1", "", "ws://h:1/"},
		{"ws://[::1]:80/", "", "ws://[::1]/"},
		{"ws://h:65535", "", "ws://h:65535/"},
		{"ws://h:65536", "", ""},
		{"ws://h:99999999999999999999/", "", ""},
	})
	for _, c := range []struct {
		in                   string
		host, hostname, dial string
		port                 int
		resource             string
	}{
		{"ws://h/", "h", "h", "h:80", 80, "/"},
		{"wss://h/", "h", "h", "h:443", 443, "/"},
		{"ws://h:443/x?y", "h:443", "h", "h:443", 443, "/x?y"},
		{"wss://h:8443", "h:8443", "h", "h:8443", 8443, "/"},
		{"ws://[::1]:8080/p", "[::1]:8080", "[::1]", "[::1]:8080", 8080, "/p"},
		{"wss://[2001:db8::1]/", "[2001:db8::1]", "[2001:db8::1]", "[2001:db8::1]:443", 443, "/"},
		{"ws://127.1:9/", "127.0.0.1:9", "127.0.0.1", "127.0.0.1:9", 9, "/"},
	} {
		u, err := parseWebSocketAPIURL(c.in, "")
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if u.Host() != c.host || u.Hostname() != c.hostname || u.DialAddr() != c.dial || u.Port() != c.port || u.ResourceName() != c.resource {
			t.Errorf("%q: Host %q, Hostname %q, DialAddr %q, Port %d, ResourceName %q; want %q, %q, %q, %d, %q",
				c.in, u.Host(), u.Hostname(), u.DialAddr(), u.Port(), u.ResourceName(), c.host, c.hostname, c.dial, c.port, c.resource)
		}
	}
}

// TestAPI15_PercentEncoding checks UTF-8 percent-encoding with the path and
// special-query sets (API-15).
func TestAPI15_PercentEncoding(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://h/?€", "", "ws://h/?%E2%82%AC"},
		{"ws://h?€", "", "ws://h/?%E2%82%AC"},
		{"ws://h/€", "", "ws://h/%E2%82%AC"},
		{"?€", apiTestBase, "ws://example.test/a/b?%E2%82%AC"},
		{"ws://h/a b?c d", "", "ws://h/a%20b?c%20d"},
		{"ws://h/?x y", "", "ws://h/?x%20y"},
		// The special-query set: ' is encoded in the query of a special
		// URL, not in the path.
		{"ws://h/'?'", "", "ws://h/'?%27"},
		// The path set: " # < > ? ` { } and space; ^ too.
		{"ws://h/\"<>`{}^|", "", "ws://h/%22%3C%3E%60%7B%7D%5E|"},
		// The query set does not encode ` { } ^ |.
		{"ws://h/?\"<>`{}^|", "", "ws://h/?%22%3C%3E`{}^|"},
		// Existing percent escapes, valid or not, are kept as they are.
		{"ws://h/%41%zz%", "", "ws://h/%41%zz%"},
		{"ws://h/?%41%zz%", "", "ws://h/?%41%zz%"},
		// DEL and C1 controls.
		{"ws://h/\x7f\u0080", "", "ws://h/%7F%C2%80"},
		// A supplementary-plane code point: four bytes.
		{"ws://h/?\U0001F600", "", "ws://h/?%F0%9F%98%80"},
		// Invalid UTF-8 in the Go string is encoded as U+FFFD.
		{"ws://h/\xff", "", "ws://h/%EF%BF%BD"},
		// A ? in the query stays.
		{"ws://h/a?b?c", "", "ws://h/a?b?c"},
	})
	u, err := parseWebSocketAPIURL("ws://h/a b?c d", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := u.ResourceName(); got != "/a%20b?c%20d" {
		t.Errorf("ResourceName() = %q", got)
	}
}

// TestAPI16_ControlCharacters checks the removal of tabs and newlines, the
// trimming of C0 controls and spaces, and the encoding of inner controls
// (API-16).
func TestAPI16_ControlCharacters(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://h/a\tb", "", "ws://h/ab"},
		{"ws://h/a\nb", "", "ws://h/ab"},
		{"ws://h/a\rb", "", "ws://h/ab"},
		{"w\ts://h\n/\r", "", "ws://h/"},
		{"ws://h:8\t0\n8\r0/", "", "ws://h:8080/"},
		{"ws://h/?a\tb", "", "ws://h/?ab"},
		// Inner U+0000 is percent-encoded (WPT constructor/018); the
		// trailing one is a C0 control stripped from the end of the input,
		// so the server sees x%00y.
		{"ws://h/?x\u0000y\u0000", "", "ws://h/?x%00y"},
		{"ws://h/?x\u0000y\u0000z", "", "ws://h/?x%00y%00z"},
		{"ws://h/a\u0000b", "", "ws://h/a%00b"},
		{"ws://h/\u0001\u001fx", "", "ws://h/%01%1Fx"},
		// Leading and trailing C0 controls and spaces.
		{"  ws://h/  ", "", "ws://h/"},
		{"\u0000\u001f ws://h/ \u0000", "", "ws://h/"},
		{"\t\n ws://h/x \r\n", "", "ws://h/x"},
		// Inner spaces are encoded, not stripped.
		{"ws://h/a b ", "", "ws://h/a%20b"},
		// Controls in the host are forbidden.
		{"ws://h\u0000/", "", ""},
		{"ws://a\u001fb/", "", ""},
		{"ws://a\u007fb/", "", ""},
		// But tabs and newlines are removed before the host is parsed.
		{"ws://ho\tst/", "", "ws://host/"},
	})
}

// TestAPI17_IDNA checks international host names end to end (API-17).
func TestAPI17_IDNA(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://münchen.example/", "", "ws://xn--mnchen-3ya.example/"},
		{"ws://MÜNCHEN.example/", "", "ws://xn--mnchen-3ya.example/"},
		{"ws://ÉXAMPLE.com", "", "ws://xn--xample-9ua.com/"},
		{"ws://faß.example/", "", "ws://xn--fa-hia.example/"},
		{"ws://☕.example/", "", "ws://xn--53h.example/"},
		{"ws://你好你好/", "", "ws://xn--6qqa088eba/"},
		{"ws://пример.испытание/", "", "ws://xn--e1afmkfd.xn--80akhbyknj4f/"},
		{"ws://ΕΛΛΗΝΙΚΆ.example/", "", "ws://xn--hxargifdar.example/"},
		{"ws://%C3%BC.example/", "", "ws://xn--tda.example/"},
		// Full-width forms and ideographic full stops.
		{"ws://ｗｓ。example．com｡/", "", "ws://ws.example.com./"},
		{"ws://Ｇｏ.com/", "", "ws://go.com/"},
		// Ignored code points vanish.
		{"ws://a\u00adb.example/", "", "ws://ab.example/"},
		{"ws://a\u200bb\ufeff.example/", "", "ws://ab.example/"},
		// Punycode labels are validated when the domain is not ASCII...
		{"ws://xn--mnchen-3ya.münchen/", "", "ws://xn--mnchen-3ya.xn--mnchen-3ya/"},
		{"ws://xn--a.ß/", "", ""},
		{"ws://xn--8i7caa.ü/", "", ""}, // decodes to full-width "ｗｗｗ", which is mapped
		// ...and kept as they are (lowercased) when it is ASCII: the URL
		// Standard's web-compatibility rule.
		{"ws://xn--8i7caa/", "", "ws://xn--8i7caa/"},
		{"ws://XN--A.example/", "", "ws://xn--a.example/"},
		{"ws://xn--/", "", "ws://xn--/"},
		// Disallowed code points and forbidden ones after mapping.
		{"ws://a\u3000b/", "", ""},
		{"ws://a\u00a0b/", "", ""},
		{"ws://\ufdd0zyx.com/", "", ""},
		{"ws://％４１.com/", "", ""},
		{"ws://\u00ad/", "", ""},
		{"ws://a\u2028b/", "", ""},
		{"ws://\ue000.example/", "", ""},
		// A label must not begin with a combining mark.
		{"ws://\u0301a.example/", "", ""},
		// Bidi rule: a right-to-left label with a left-to-right letter, a
		// label starting with a digit in a Bidi domain.
		{"ws://\u05d0\u05d1.example/", "", "ws://xn--4dbc.example/"},
		{"ws://a\u05d0.example/", "", ""},
		{"ws://1a.\u05d0\u05d1/", "", ""},
		// Joiners: ZWJ after a virama is allowed, elsewhere it is not.
		{"ws://\u0915\u094d\u200d\u0937/", "", "ws://xn--11b2ezcw70k/"},
		{"ws://a\u200db/", "", ""},
		{"ws://\u200d.example/", "", ""},
		// IPv4 detection runs after IDNA.
		{"ws://１２７．０．０．１/", "", "ws://127.0.0.1/"},
		{"ws://\U0001f4a9.123/", "", ""},
	})
}

// TestAPI18_Userinfo checks that credentials are kept, encoded, and exposed
// decoded (API-18).
func TestAPI18_Userinfo(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://user:pass@h/", "", "ws://user:pass@h/"},
		{"ws://user@h/", "", "ws://user@h/"},
		{"ws://:pass@h/", "", "ws://:pass@h/"},
		{"ws://user:@h/", "", "ws://user@h/"},
		{"ws://:@h/", "", "ws://h/"},
		{"ws://@h/", "", "ws://h/"},
		{"ws://a@b@h/", "", "ws://a%40b@h/"},
		{"ws://us er:pa ss@h/", "", "ws://us%20er:pa%20ss@h/"},
		{"ws://u:p:q@h/", "", "ws://u:p%3Aq@h/"},
		{"ws://ü:€@h/", "", "ws://%C3%BC:%E2%82%AC@h/"},
		{"ws://u%40x:p%3Ay@h/", "", "ws://u%40x:p%3Ay@h/"},
		{"http://user:pass@h:80/", "", "ws://user:pass@h/"},
		{"x", "https://user:pass@example.test/", "wss://user:pass@example.test/x"},
	})
	for _, c := range []struct {
		in, user, pass string
		creds          bool
	}{
		{"ws://h/", "", "", false},
		{"ws://user:pass@h/", "user", "pass", true},
		{"ws://user@h/", "user", "", true},
		{"ws://:pass@h/", "", "pass", true},
		{"ws://u%40x:p%3Ay@h/", "u@x", "p:y", true},
		{"ws://a@b@h/", "a@b", "", true},
		{"ws://us er:pa ss@h/", "us er", "pa ss", true},
		{"ws://ü:€@h/", "ü", "€", true},
		{"ws://%ff:%zz@h/", "\xff", "%zz", true},
	} {
		u, err := parseWebSocketAPIURL(c.in, "")
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if u.Username() != c.user || u.Password() != c.pass || u.HasCredentials() != c.creds {
			t.Errorf("%q: Username %q, Password %q, HasCredentials %v; want %q, %q, %v",
				c.in, u.Username(), u.Password(), u.HasCredentials(), c.user, c.pass, c.creds)
		}
	}
}

// TestURLHosts covers the host parser: IPv4 in its WHATWG number forms and
// IPv6 with compression.
func TestURLHosts(t *testing.T) {
	runURLCases(t, []urlCase{
		{"ws://0x7f.1/", "", "ws://127.0.0.1/"},
		{"ws://127.1/", "", "ws://127.0.0.1/"},
		{"ws://127.0.1/", "", "ws://127.0.0.1/"},
		{"ws://2130706433/", "", "ws://127.0.0.1/"},
		{"ws://0x7F000001/", "", "ws://127.0.0.1/"},
		{"ws://017700000001/", "", "ws://127.0.0.1/"},
		{"ws://0177.0.0.01/", "", "ws://127.0.0.1/"},
		{"ws://0/", "", "ws://0.0.0.0/"},
		{"ws://0x/", "", "ws://0.0.0.0/"},
		{"ws://1.2.3.4./", "", "ws://1.2.3.4/"},
		{"ws://4294967295/", "", "ws://255.255.255.255/"},
		{"ws://4294967296/", "", ""},
		{"ws://1.2.3.256/", "", ""},
		{"ws://1.2.65536/", "", ""},
		{"ws://1.2.65535/", "", "ws://1.2.255.255/"},
		{"ws://0x0x1/", "", "ws://0x0x1/"},
		{"ws://1.2.3.4.5/", "", ""},
		{"ws://1.2.3.4../", "", "ws://1.2.3.4../"},
		{"ws://example.1/", "", ""},
		{"ws://example.0x1/", "", ""},
		{"ws://1.example/", "", "ws://1.example/"},
		{"ws://0x1g/", "", "ws://0x1g/"},
		{"ws://%31%32%37.1/", "", "ws://127.0.0.1/"},
		{"ws://[::]/", "", "ws://[::]/"},
		{"ws://[::1]/", "", "ws://[::1]/"},
		{"ws://[0:0:0:0:0:0:0:1]/", "", "ws://[::1]/"},
		{"ws://[1::]/", "", "ws://[1::]/"},
		{"ws://[1:0:0:2::3:0]/", "", "ws://[1::2:0:0:3:0]/"},
		{"ws://[0:f:0:0:f:f:0:0]/", "", "ws://[0:f::f:f:0:0]/"},
		{"ws://[2001:DB8:0:0:1:0:0:1]/", "", "ws://[2001:db8::1:0:0:1]/"},
		{"ws://[1:2:3:4:5:6:7:8]/", "", "ws://[1:2:3:4:5:6:7:8]/"},
		{"ws://[1:0:3:4:5:6:7:8]/", "", "ws://[1:0:3:4:5:6:7:8]/"},
		{"ws://[0001:0002::0003]/", "", "ws://[1:2::3]/"},
		{"ws://[::ffff:1.2.3.4]/", "", "ws://[::ffff:102:304]/"},
		{"ws://[::1.2.3.4]/", "", "ws://[::102:304]/"},
		{"ws://[1:2:3:4:5:6:1.2.3.4]/", "", "ws://[1:2:3:4:5:6:102:304]/"},
		{"ws://[1:2:3:4:5:6:7:1.2.3.4]/", "", ""},
		{"ws://[::01.2.3.4]/", "", ""},
		{"ws://[::1.2.3.256]/", "", ""},
		{"ws://[1:2:3:4:5:6:7:8:9]/", "", ""},
		{"ws://[1:2:3:4:5:6:7]/", "", ""},
		{"ws://[12345::]/", "", ""},
		{"ws://[:1]/", "", ""},
		{"ws://[1:]/", "", ""},
		{"ws://[1:::2]/", "", ""},
		{"ws://[::1%25eth0]/", "", ""},
		{"ws://[::1]:8080", "", "ws://[::1]:8080/"},
		{"ws://[::1]]/", "", ""},
		{"ws://[/", "", ""},
		{"ws://]/", "", ""},
	})
}

// wptURLEntry is one entry of testdata/url/urltestdata-special.json.
type wptURLEntry struct {
	Input   string  `json:"input"`
	Base    *string `json:"base"`
	Href    string  `json:"href"`
	Failure bool    `json:"failure"`
}

// TestURLStandardComparison checks the parser against a subset of the
// web-platform-tests URL test data (see the file's first element for its
// source): parseURLRecord must give each entry's href or fail, and
// parseWebSocketAPIURL must give the same URL with http mapped to ws, or
// fail when the entry fails, has a fragment or is not http(s) or ws(s).
func TestURLStandardComparison(t *testing.T) {
	data, err := os.ReadFile("testdata/url/urltestdata-special.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range raw {
		if len(r) > 0 && r[0] == '"' {
			continue // A comment.
		}
		var e wptURLEntry
		if err := json.Unmarshal(r, &e); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		n++
		base := ""
		var baseRec *urlRecord
		if e.Base != nil {
			base = *e.Base
			baseRec, err = parseURLRecord(base, nil)
			var fs *foreignSchemeError
			if errors.As(err, &fs) {
				baseRec = &urlRecord{scheme: fs.scheme, foreign: true}
			} else if err != nil {
				t.Errorf("base %q: %v", base, err)
				continue
			}
		}
		rec, err := parseURLRecord(e.Input, baseRec)
		switch {
		case e.Failure && err == nil:
			t.Errorf("parseURLRecord(%q, %q) = %q, want failure", e.Input, base, rec.serialize())
		case !e.Failure && err != nil:
			t.Errorf("parseURLRecord(%q, %q): %v, want %q", e.Input, base, err, e.Href)
		case !e.Failure && rec.serialize() != e.Href:
			t.Errorf("parseURLRecord(%q, %q) = %q, want %q", e.Input, base, rec.serialize(), e.Href)
		}

		want := ""
		if !e.Failure && !strings.Contains(e.Href, "#") {
			switch {
			case strings.HasPrefix(e.Href, "http://"):
				want = "ws://" + strings.TrimPrefix(e.Href, "http://")
			case strings.HasPrefix(e.Href, "https://"):
				want = "wss://" + strings.TrimPrefix(e.Href, "https://")
			case strings.HasPrefix(e.Href, "ws://"), strings.HasPrefix(e.Href, "wss://"):
				want = e.Href
			}
		}
		runURLCases(t, []urlCase{{e.Input, base, want}})
	}
	if n < 400 {
		t.Errorf("only %d entries", n)
	}
}

// TestURLReparse checks that the serialization of every URL of the tests
// parses to itself.
func TestURLReparse(t *testing.T) {
	for _, in := range []string{
		"ws://münchen.example/a/../b/./c?€#",
		"ws://u:p@[::1]:81/%zz?'",
		"ws://0x7f.1/",
		"ws:\\\\h\\a b",
		"wss://ÉXAMPLE.com:443/?x\u0000y",
	} {
		u, err := parseWebSocketAPIURL(strings.TrimSuffix(in, "#"), "")
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		v, err := parseWebSocketAPIURL(u.String(), "")
		if err != nil || v.String() != u.String() {
			t.Errorf("%q -> %q -> %v, %v", in, u, v, err)
		}
	}
}

// FuzzParseWebSocketURL checks that parseWebSocketAPIURL never panics, with
// or without a base, and that a URL it returns parses to itself.
func FuzzParseWebSocketURL(f *testing.F) {
	for _, s := range []string{
		"ws://h/", "wss://u:p@h:8443/a/b?c", "http://[::1]/", "ws:h", "test", "?",
		"ws://münchen.example/", "ws://0x7f.1/", "ws://xn--mnchen-3ya.ü/", "#",
		"ws://[::1.2.3.4]/", "ws://a@b@c/", "\t ws://h/\u0000", "ws://h/%2e%2E/x",
		"ws://\u05d0.a/", "ws://a\u200db/",
	} {
		f.Add(s, "")
		f.Add(s, apiTestBase)
	}
	f.Fuzz(func(t *testing.T, input, base string) {
		u, err := parseWebSocketAPIURL(input, base)
		if err != nil {
			return
		}
		s := u.String()
		v, err := parseWebSocketAPIURL(s, "")
		if err != nil {
			t.Fatalf("%q (base %q) gave %q, which does not parse: %v", input, base, s, err)
		}
		if v.String() != s {
			t.Fatalf("%q (base %q) gave %q, which parses to %q", input, base, s, v.String())
		}
		if u.Scheme() != "ws" && u.Scheme() != "wss" {
			t.Fatalf("scheme %q", u.Scheme())
		}
		_ = u.Host()
		_ = u.DialAddr()
		_ = u.ResourceName()
		_ = u.Username()
		_ = u.Password()
	})
}
