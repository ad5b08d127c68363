package conformance

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// The payloads of sections 12 and 13. Autobahn sends slices of five files
// it ships (a JSON file, the Lena bitmap, Goethe's Faust from Project
// Gutenberg, an HTML page and a PDF paper); the suite makes data of the same
// kinds and sizes instead, deterministically, so that the repository holds
// no third-party files and every run sends the same bytes. The two text
// corpora are ASCII, so that any slice of them is valid UTF-8, as a text
// message must be; the German text goes as binary messages, as Autobahn
// sends Faust.

// corpus is one data set of section 12.
type corpus struct {
	name   string // Autobahn's key
	title  string // the subsection title
	binary bool   // sent as binary messages
	size   int    // Autobahn's file size
	make   func(n int, seed uint64) []byte
}

// corpora are the data sets in Autobahn's order (12.1 to 12.5).
var corpora = []corpus{
	{"json_data1", "JSON data", false, 194056, makeJSON},
	{"lena512", "Bitmap 512x512, 8-bit grey", true, 263222, makeBitmap},
	{"gutenberg_faust", "Human readable text (German)", true, 222218, makeGerman},
	{"html_data1", "HTML page", false, 191613, makeHTML},
	{"ooms", "A larger PDF", true, 1042328, makePDF},
}

// corpusData generates each corpus once, on first use.
var corpusData = sync.OnceValue(func() map[string][]byte {
	m := make(map[string][]byte, len(corpora))
	for i, c := range corpora {
		m[c.name] = c.make(c.size, uint64(i+1))
	}
	return m
})

// Corpus returns the payload data of sections 12 and 13 named by
// Autobahn's key ("json_data1", "lena512", "gutenberg_faust",
// "html_data1", "ooms"), or nil for an unknown name. The data is generated
// deterministically; callers must not modify it.
func Corpus(name string) []byte { return corpusData()[name] }

// corpusTitle is the subsection title of a corpus, as Autobahn words it.
func (c corpus) corpusTitle() string {
	kind := "utf8"
	if c.binary {
		kind = "binary"
	}
	return fmt.Sprintf("%s, generated (%s, %d bytes)", c.title, kind, c.size)
}

var firstNames = strings.Fields("Ada Boris Clara Dmitri Elena Farid Greta Hugo Ines Jonas Karin Luca Mara Nils Olga Pavel Rosa Sven Tara Uwe Vera Yusuf")
var lastNames = strings.Fields("Andersen Becker Costa Dubois Eriksen Fischer Garcia Horvat Ivanova Jansen Kowalski Lindqvist Moreau Novak Okafor Petrov Quinn Rossi Schmidt Tanaka Urban Weber")
var loremWords = strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum")

func lorem(rng *rand.Rand, words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(loremWords[rng.IntN(len(loremWords))])
	}
	return b.String()
}

// fit cuts or pads (with spaces, before a final newline) b to n bytes.
func fit(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	for len(b) < n-1 {
		b = append(b, ' ')
	}
	return append(b, '\n')[:n]
}

// makeJSON: a pretty-printed array of records, as an API or a test-data
// generator produces: ids, GUIDs, names, addresses, numbers, tags, nested
// friends, a paragraph of text.
func makeJSON(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 12))
	fruits := strings.Fields("apple banana strawberry cherry mango")
	colors := strings.Fields("blue brown green grey")
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; b.Len() < n; i++ {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		fmt.Fprintf(&b, "  {\n    \"_id\": \"%016x%08x\",\n    \"index\": %d,\n    \"guid\": \"%08x-%04x-%04x-%04x-%012x\",\n",
			rng.Uint64(), rng.Uint32(), i, rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Int64N(1<<48))
		fmt.Fprintf(&b, "    \"isActive\": %t,\n    \"balance\": \"$%d,%03d.%02d\",\n    \"picture\": \"http://placehold.it/32x32\",\n    \"age\": %d,\n    \"eyeColor\": \"%s\",\n",
			rng.IntN(2) == 0, 1+rng.IntN(3), rng.IntN(1000), rng.IntN(100), 20+rng.IntN(40), colors[rng.IntN(len(colors))])
		fmt.Fprintf(&b, "    \"name\": \"%s %s\",\n    \"gender\": \"%s\",\n    \"company\": \"%s\",\n    \"email\": \"%s.%s@example.com\",\n    \"phone\": \"+1 (%03d) %03d-%04d\",\n",
			first, last, []string{"female", "male"}[rng.IntN(2)], strings.ToUpper(loremWords[rng.IntN(len(loremWords))]),
			strings.ToLower(first), strings.ToLower(last), 800+rng.IntN(200), rng.IntN(1000), rng.IntN(10000))
		fmt.Fprintf(&b, "    \"address\": \"%d %s Street, %s, %s, %d\",\n    \"about\": \"%s.\",\n    \"registered\": \"20%02d-%02d-%02dT%02d:%02d:%02d -01:00\",\n",
			100+rng.IntN(900), last, loremWords[rng.IntN(len(loremWords))], lastNames[rng.IntN(len(lastNames))], 1000+rng.IntN(9000),
			lorem(rng, 20+rng.IntN(30)), 10+rng.IntN(15), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60))
		fmt.Fprintf(&b, "    \"latitude\": %.6f,\n    \"longitude\": %.6f,\n    \"tags\": [\n", rng.Float64()*180-90, rng.Float64()*360-180)
		for j := range 7 {
			sep := ","
			if j == 6 {
				sep = ""
			}
			fmt.Fprintf(&b, "      \"%s\"%s\n", loremWords[rng.IntN(len(loremWords))], sep)
		}
		b.WriteString("    ],\n    \"friends\": [\n")
		for j := range 3 {
			sep := ","
			if j == 2 {
				sep = ""
			}
			fmt.Fprintf(&b, "      {\n        \"id\": %d,\n        \"name\": \"%s %s\"\n      }%s\n", j,
				firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))], sep)
		}
		fmt.Fprintf(&b, "    ],\n    \"greeting\": \"Hello, %s! You have %d unread messages.\",\n    \"favoriteFruit\": \"%s\"\n  },\n",
			first, rng.IntN(20), fruits[rng.IntN(len(fruits))])
	}
	return fit([]byte(b.String()), n)
}

// makeBitmap: a BMP file of a 512x512 8-bit grey picture (header, grey
// palette, pixels): smooth shapes with some noise, which compresses about
// as poorly as a photograph.
func makeBitmap(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 12))
	const w, h = 512, 512
	b := make([]byte, 0, n)
	b = append(b, 'B', 'M')
	b = binary.LittleEndian.AppendUint32(b, uint32(54+1024+w*h))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 54+1024)
	b = binary.LittleEndian.AppendUint32(b, 40)
	b = binary.LittleEndian.AppendUint32(b, w)
	b = binary.LittleEndian.AppendUint32(b, h)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 8)
	for _, v := range []uint32{0, w * h, 2835, 2835, 256, 256} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for i := range 256 {
		b = append(b, byte(i), byte(i), byte(i), 0)
	}
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			v := 128 + 50*math.Sin(fx/23+fy/61)*math.Cos(fy/31) + 35*math.Sin(math.Hypot(fx-300, fy-200)/19) +
				20*math.Cos(fx*fy/9000) + float64(rng.IntN(17)-8)
			b = append(b, byte(max(0, min(255, v))))
		}
	}
	return fit(b, n)
}

// makeGerman: prose with German words, umlauts and sharp s (UTF-8), in
// lines of about 70 characters and paragraphs, as a Project Gutenberg
// text is laid out.
func makeGerman(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 12))
	words := strings.Fields("der die das und ich nicht ein zu ist mit sich des du es er in den mir mich so auf wie an dem was sie von nur noch als wenn mein da wir ihr doch im aus kann mehr hier bin hat sein will nun schon ach wohl gar soll euch dann dein Herz Welt Gott Geist Mephistopheles Faust Gretchen Wagner Teufel Himmel Erde Nacht Liebe Leben Tod Natur Kraft Mensch Seele Blut Augenblick Wissenschaft Studierzimmer Straße Schüler Bürger Mädchen Hexenküche Grüße fühlen schön süß müssen können möchte hören sprechen Glück Schmerz Freude Träne Frühling Wald Brunnen Kirche Kerker Walpurgisnacht")
	var b []byte
	b = append(b, "Faust: Der Tragödie erster Teil\n\nZueignung.\n\n"...)
	line := 0
	for len(b) < n {
		if rng.IntN(40) == 0 {
			who := []string{"FAUST", "MEPHISTOPHELES", "MARGARETE", "WAGNER", "CHOR"}[rng.IntN(5)]
			b = append(b, "\n\n"+who+":\n"...)
			line = 0
			continue
		}
		i := int(float64(len(words)) * rng.Float64() * rng.Float64())
		w := words[i]
		if line == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b = append(b, ' ')
			line++
		}
		b = append(b, w...)
		line += len(w)
		if rng.IntN(9) == 0 {
			b = append(b, []string{",", ".", "!", ";", "?"}[rng.IntN(5)]...)
		}
		if line > 60 {
			b = append(b, '\n')
			line = 0
		}
	}
	b = b[:n]
	return b // binary messages: a cut inside a character is fine
}

// makeHTML: a web page: head with styles, navigation, articles with
// paragraphs, links, lists and tables, with indentation.
func makeHTML(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 12))
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>Data page</title>\n  <style>\n    body { font-family: sans-serif; margin: 0 auto; max-width: 60em; }\n    .nav a { padding: 0 1em; }\n    table.data td { border: 1px solid #ccc; }\n  </style>\n</head>\n<body>\n")
	b.WriteString("  <div class=\"nav\">\n")
	for range 12 {
		w := loremWords[rng.IntN(len(loremWords))]
		fmt.Fprintf(&b, "    <a href=\"/section/%s\" class=\"nav-link\">%s</a>\n", w, strings.ToUpper(w[:1])+w[1:])
	}
	b.WriteString("  </div>\n")
	for a := 0; b.Len() < n; a++ {
		fmt.Fprintf(&b, "  <div class=\"article\" id=\"article-%d\">\n    <h2 class=\"title\">%s</h2>\n", a, lorem(rng, 3+rng.IntN(5)))
		for range 1 + rng.IntN(4) {
			fmt.Fprintf(&b, "    <p class=\"text\">%s <a href=\"https://example.com/%s/%d\">%s</a> %s.</p>\n",
				lorem(rng, 10+rng.IntN(40)), loremWords[rng.IntN(len(loremWords))], rng.IntN(10000), lorem(rng, 2), lorem(rng, 5+rng.IntN(20)))
		}
		switch rng.IntN(3) {
		case 0:
			b.WriteString("    <ul class=\"list\">\n")
			for range 2 + rng.IntN(6) {
				fmt.Fprintf(&b, "      <li class=\"item\">%s</li>\n", lorem(rng, 2+rng.IntN(6)))
			}
			b.WriteString("    </ul>\n")
		case 1:
			b.WriteString("    <table class=\"data\">\n")
			for r := range 2 + rng.IntN(8) {
				fmt.Fprintf(&b, "      <tr><td>%d</td><td>%s</td><td>%d.%02d</td></tr>\n", r, loremWords[rng.IntN(len(loremWords))], rng.IntN(1000), rng.IntN(100))
			}
			b.WriteString("    </table>\n")
		}
		b.WriteString("  </div>\n")
	}
	return fit([]byte(b.String()), n)
}

// makePDF: a PDF-like file: objects with dictionaries and text, most of the
// bytes in compressed streams (random bytes), and a cross-reference table.
// Most of it does not compress.
func makePDF(n int, seed uint64) []byte {
	src := rand.NewChaCha8([32]byte{byte(seed), 'p', 'd', 'f'})
	rng := rand.New(src)
	b := make([]byte, 0, n+64<<10)
	b = append(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"...)
	var offsets []int
	for obj := 1; len(b) < n-4096; obj++ {
		offsets = append(offsets, len(b))
		switch obj % 4 {
		case 0:
			b = fmt.Appendf(b, "%d 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>\nendobj\n", obj)
		case 1:
			text := fmt.Sprintf("BT /F1 10 Tf 72 %d Td (%s) Tj ET", 100+rng.IntN(600), loremWords[rng.IntN(len(loremWords))])
			b = fmt.Appendf(b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", obj, len(text), text)
		default:
			l := 2000 + rng.IntN(20000)
			b = fmt.Appendf(b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", obj, l)
			start := len(b)
			b = b[:start+l]
			src.Read(b[start:])
			b = append(b, "\nendstream\nendobj\n"...)
		}
	}
	b = fmt.Appendf(b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		b = fmt.Appendf(b, "%010d 00000 n \n", off)
	}
	b = fmt.Appendf(b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, len(b))
	return fit(b, n)
}
