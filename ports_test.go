package websocket

import "testing"

// fetchBadPorts is the Fetch Standard's bad port list (API-39), written out
// again here so that a change to isBadPort has to change both.
var fetchBadPorts = []int{
	0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77,
	79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
	137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531,
	532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720,
	1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
	6668, 6669, 6679, 6697, 10080,
}

// TestAPI39_BadPorts checks isBadPort against the Fetch Standard's list,
// port by port (API-39).
func TestAPI39_BadPorts(t *testing.T) {
	bad := make(map[int]bool, len(fetchBadPorts))
	for _, p := range fetchBadPorts {
		bad[p] = true
	}
	if len(bad) != 83 {
		t.Fatalf("the list has %d ports, want 83", len(bad))
	}
	for p := -1; p <= 65536; p++ {
		if got := isBadPort(p); got != bad[p] {
			t.Errorf("isBadPort(%d) = %v, want %v", p, got, bad[p])
		}
	}
	// 80 and 443 are never bad, whatever the scheme.
	for _, p := range []int{80, 443, 8080, 8443, 3000, 65535} {
		if isBadPort(p) {
			t.Errorf("isBadPort(%d) = true", p)
		}
	}
	// With a parsed URL: the default port is what is checked.
	for _, c := range []struct {
		url string
		bad bool
	}{
		{"ws://h/", false},
		{"wss://h/", false},
		{"ws://h:21/", true},
		{"wss://h:6667/", true},
		{"ws://h:0/", true},
		{"ws://h:10080/", true},
		{"ws://h:10081/", false},
	} {
		u, err := parseWebSocketAPIURL(c.url, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := isBadPort(u.Port()); got != c.bad {
			t.Errorf("%s: isBadPort(%d) = %v, want %v", c.url, u.Port(), got, c.bad)
		}
	}
}
