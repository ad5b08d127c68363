package wsproto_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/wsstack/websocket/wsproto"
)

// naiveMask is RFC 6455 section 5.3 word for word: octet i of the payload
// is XORed with octet (pos+i) mod 4 of the key.
func naiveMask(key [4]byte, pos int, b []byte) {
	for i := range b {
		b[i] ^= key[(pos+i)%4]
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// P-41: Mask agrees with the byte-by-byte definition for every length up to
// 100 and every starting position, and returns the next position.
func TestP41_MaskMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 41))
	keys := [][4]byte{testKey, {0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {1, 2, 3, 4}}
	for range 4 {
		var k [4]byte
		copy(k[:], randBytes(rng, 4))
		keys = append(keys, k)
	}
	for _, key := range keys {
		for n := 0; n <= 100; n++ {
			for pos := 0; pos < 8; pos++ { // positions past 3 behave as pos mod 4
				orig := randBytes(rng, n)
				// Mask a window inside a larger buffer to catch writes outside b.
				buf := make([]byte, n+16)
				for i := range buf {
					buf[i] = 0xA5
				}
				got := buf[8 : 8+n]
				copy(got, orig)
				next := wsproto.Mask(key, pos, got)
				want := bytes.Clone(orig)
				naiveMask(key, pos, want)
				if !bytes.Equal(got, want) {
					t.Fatalf("key %x len %d pos %d: Mask = %x, want %x", key, n, pos, got, want)
				}
				if next != (pos+n)%4 {
					t.Fatalf("key %x len %d pos %d: Mask returned %d, want %d", key, n, pos, next, (pos+n)%4)
				}
				for i, c := range buf {
					if (i < 8 || i >= 8+n) && c != 0xA5 {
						t.Fatalf("key %x len %d pos %d: Mask wrote outside its slice at %d", key, n, pos, i-8)
					}
				}
				// Masking is its own inverse.
				wsproto.Mask(key, pos, got)
				if !bytes.Equal(got, orig) {
					t.Fatalf("key %x len %d pos %d: masking twice did not restore the payload", key, n, pos)
				}
			}
		}
	}
}

// P-41: a payload masked in several pieces, threading the returned position
// through, equals the payload masked in one call.
func TestP41_MaskInPieces(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	key := [4]byte{0x9c, 0x01, 0x7e, 0xd3}
	check := func(orig []byte, cuts []int) {
		t.Helper()
		want := bytes.Clone(orig)
		wsproto.Mask(key, 0, want)
		got := bytes.Clone(orig)
		pos, prev := 0, 0
		for _, c := range append(cuts, len(got)) {
			pos = wsproto.Mask(key, pos, got[prev:c])
			prev = c
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("len %d cuts %v: masked in pieces %x, in one call %x", len(orig), cuts, got, want)
		}
		if pos != len(orig)%4 {
			t.Fatalf("len %d cuts %v: final position %d, want %d", len(orig), cuts, pos, len(orig)%4)
		}
	}
	for n := 0; n <= 100; n++ {
		orig := randBytes(rng, n)
		for c := 0; c <= n; c++ {
			check(orig, []int{c})
		}
		for range 20 {
			k := rng.IntN(6)
			cuts := make([]int, k)
			for i := range cuts {
				cuts[i] = rng.IntN(n + 1)
			}
			slices.Sort(cuts)
			check(orig, cuts)
		}
	}
	// Long payloads, split at odd places.
	orig := randBytes(rng, 5000)
	check(orig, []int{1, 2, 3, 35, 36, 99, 1000, 1001, 4093})
}
