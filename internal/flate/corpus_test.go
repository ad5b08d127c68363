package flate

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The test inputs, generated deterministically.

// jsonCorpus returns about n bytes of JSON messages like those an API
// streams over a WebSocket: objects with repeated keys, ids, timestamps,
// prices, short strings.
func jsonCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}
	sides := []string{"buy", "sell"}
	var b strings.Builder
	for id := 0; b.Len() < n; id++ {
		fmt.Fprintf(&b, `{"type":"trade","id":%d,"symbol":"%s-%s","side":"%s","price":%d.%02d,"qty":%d,"ts":%d,"tags":["%s","%s"],"user":{"name":"%s","level":%d}}`,
			100000+id*rng.IntN(7), strings.ToUpper(words[rng.IntN(len(words))][:3]), "USD",
			sides[rng.IntN(2)], 1000+rng.IntN(9000), rng.IntN(100), 1+rng.IntN(500),
			1700000000000+int64(id)*int64(rng.IntN(1000)),
			words[rng.IntN(len(words))], words[rng.IntN(len(words))],
			words[rng.IntN(len(words))]+words[rng.IntN(len(words))], rng.IntN(10))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// textCorpus returns about n bytes of word salad with a Zipf-like word
// distribution.
func textCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 2))
	words := strings.Fields("the of and to in is that it for was on with as he be at by this had not are but from or have an they which one you were her all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three")
	var b []byte
	for len(b) < n {
		i := int(float64(len(words)) * rng.Float64() * rng.Float64())
		b = append(b, words[i]...)
		if rng.IntN(12) == 0 {
			b = append(b, ".\n"...)
		} else {
			b = append(b, ' ')
		}
	}
	return b
}

// binaryCorpus returns n bytes of structured binary records: slowly
// changing integers, flags and some noise.
func binaryCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, 0, n+16)
	var x uint32
	for len(b) < n {
		x += uint32(rng.IntN(300))
		b = binary.LittleEndian.AppendUint32(b, x)
		b = binary.LittleEndian.AppendUint16(b, uint16(rng.IntN(4)))
		b = append(b, byte(rng.IntN(256)), 0, 0, 0xff)
	}
	return b[:n]
}

// repetitiveCorpus returns n bytes of long runs and short repeated patterns.
func repetitiveCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 4))
	b := make([]byte, 0, n)
	for len(b) < n {
		switch rng.IntN(3) {
		case 0:
			c := byte(rng.IntN(256))
			for range rng.IntN(2000) {
				b = append(b, c)
			}
		case 1:
			pat := []byte("abcabcabd")[:1+rng.IntN(9)]
			for range rng.IntN(300) {
				b = append(b, pat...)
			}
		default:
			b = append(b, "0123456789"[:rng.IntN(10)]...)
		}
	}
	return b[:n]
}

// randomCorpus returns n incompressible bytes.
func randomCorpus(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// corpora names the generators.
var corpora = []struct {
	name string
	gen  func(n int, seed uint64) []byte
}{
	{"json", jsonCorpus},
	{"text", textCorpus},
	{"binary", binaryCorpus},
	{"repetitive", repetitiveCorpus},
	{"random", randomCorpus},
}
