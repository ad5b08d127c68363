package wsproto_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/wsstack/websocket/wsproto"
)

// A server's Reader decodes the masked "Hello" of RFC 6455 section 5.7,
// followed by a ping, a message in two fragments and a close frame.
func ExampleReader() {
	in := []byte{
		0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, // masked "Hello"
		0x89, 0x82, 0x01, 0x02, 0x03, 0x04, 'h' ^ 0x01, 'i' ^ 0x02, // masked ping "hi"
		0x01, 0x83, 0, 0, 0, 0, 'H', 'e', 'l', // "Hel", not final (zero key)
		0x80, 0x82, 0, 0, 0, 0, 'l', 'o', // final continuation "lo"
		0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8, // close 1000
	}
	r := wsproto.NewReader(wsproto.Server)
	for {
		ev, n, err := r.Next(in)
		if err != nil {
			fmt.Println("fail the connection:", err)
			return
		}
		in = in[n:]
		switch ev.Kind {
		case wsproto.EventNeedMore:
			return // read more from the connection here
		case wsproto.EventData:
			fmt.Printf("%v piece %q start=%v fin=%v\n", ev.Opcode, ev.Payload, ev.Start, ev.Fin)
		case wsproto.EventPing:
			fmt.Printf("ping %q: answer with a pong\n", ev.Payload)
		case wsproto.EventClose:
			fmt.Printf("close %v\n", ev.CloseCode)
		}
	}
	// Output:
	// text piece "Hello" start=true fin=true
	// ping "hi": answer with a pong
	// text piece "Hel" start=true fin=false
	// text piece "lo" start=false fin=true
	// close 1000 (normal closure)
}

// A protocol violation comes out as an *Error that carries the close code
// to fail the connection with.
func ExampleReader_error() {
	r := wsproto.NewReader(wsproto.Client)
	_, _, err := r.Next([]byte{0x81, 0x02, 0xc0, 0x80}) // overlong NUL in a text frame
	var we *wsproto.Error
	if errors.As(err, &we) {
		fmt.Println(we.Code, errors.Is(err, wsproto.ErrInvalidPayload))
	}
	// Output: 1007 (invalid payload data) true
}

func ExampleAcceptKey() {
	fmt.Println(wsproto.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

// A server's Writer frames a message and a close; a client's would mask them.
func ExampleWriter() {
	w := wsproto.NewWriter(wsproto.Server)
	buf, _ := w.AppendData(nil, wsproto.OpText, true, false, []byte("Hello"))
	buf, _ = w.AppendClose(buf, wsproto.CloseNormal, "")
	fmt.Printf("% x\n", buf)
	_, err := w.AppendData(nil, wsproto.OpText, true, false, []byte("late"))
	fmt.Println(err)
	// Output:
	// 81 05 48 65 6c 6c 6f 88 02 03 e8
	// websocket: close frame already sent
}

func ExampleUTF8Validator() {
	var v wsproto.UTF8Validator
	fmt.Println(v.Write([]byte{'a', 0xe2, 0x82}), v.Complete()) // "€" split over two fragments
	fmt.Println(v.Write([]byte{0xac}), v.Complete())
	fmt.Println(v.Write([]byte{0xed, 0xa0})) // a surrogate fails at once
	// Output:
	// true false
	// true true
	// false
}

func ExampleParseExtensions() {
	exts, err := wsproto.ParseExtensions([]string{`permessage-deflate; client_max_window_bits="10", x-foo`})
	if err != nil {
		panic(err)
	}
	for _, e := range exts {
		fmt.Println(e.Name, len(e.Params))
	}
	fmt.Println(wsproto.FormatExtensions(exts))
	// Output:
	// permessage-deflate 1
	// x-foo 0
	// permessage-deflate; client_max_window_bits=10, x-foo
}

func ExampleCheckRequest() {
	h := http.Header{}
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "keep-alive, Upgrade")
	h.Set("Sec-WebSocket-Version", "8")
	h.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	_, err := wsproto.CheckRequest("GET", 1, 1, "example.com", h)
	var he *wsproto.HandshakeError
	if errors.As(err, &he) {
		fmt.Println(he.Status, he.Header["Sec-WebSocket-Version"])
	}
	// Output: 426 13
}
