package flate

import "testing"

// TestTables checks the length and distance tables against rows of RFC
// 1951 section 3.2.5.
func TestTables(t *testing.T) {
	for _, r := range []struct{ sym, extra, base int }{
		{257, 0, 3}, {264, 0, 10}, {265, 1, 11}, {268, 1, 17}, {269, 2, 19},
		{273, 3, 35}, {277, 4, 67}, {281, 5, 131}, {284, 5, 227}, {285, 0, 258},
	} {
		i := r.sym - 257
		if int(lenBase[i]) != r.base || int(lenExtra[i]) != r.extra {
			t.Errorf("length symbol %d: base %d extra %d, want %d %d", r.sym, lenBase[i], lenExtra[i], r.base, r.extra)
		}
	}
	for _, r := range []struct{ sym, extra, base int }{
		{0, 0, 1}, {3, 0, 4}, {4, 1, 5}, {5, 1, 7}, {10, 4, 33}, {17, 7, 385},
		{22, 10, 2049}, {28, 13, 16385}, {29, 13, 24577},
	} {
		if int(distBase[r.sym]) != r.base || int(distExtra[r.sym]) != r.extra {
			t.Errorf("distance symbol %d: base %d extra %d, want %d %d", r.sym, distBase[r.sym], distExtra[r.sym], r.base, r.extra)
		}
	}
	for l := minMatch; l <= maxMatch; l++ {
		s := int(lenSym[l-minMatch])
		if l < int(lenBase[s]) || l >= int(lenBase[s])+1<<lenExtra[s] || l == maxMatch && s != 28 {
			t.Fatalf("length %d: symbol %d", l, 257+s)
		}
	}
	for d := 1; d <= 32768; d++ {
		s := distSym(d)
		if d < int(distBase[s]) || d >= int(distBase[s])+1<<distExtra[s] {
			t.Fatalf("distance %d: symbol %d (base %d, %d extra bits)", d, s, distBase[s], distExtra[s])
		}
	}
}
