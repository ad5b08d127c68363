package websocket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// echo reads messages from c and writes them back until an error.
func echo(c *Conn) error {
	ctx := context.Background()
	for {
		typ, p, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if err := c.Write(ctx, typ, p); err != nil {
			return err
		}
	}
}

func TestPipeEcho(t *testing.T) {
	client, server := Pipe(nil)
	done := make(chan error, 1)
	go func() { done <- echo(server) }()
	ctx := ctxT(t)
	for _, size := range []int{0, 1, 125, 126, 65535, 65536, 200000} {
		for _, typ := range []MessageType{MessageText, MessageBinary} {
			msg := bytes.Repeat([]byte("x"), size)
			if err := client.Write(ctx, typ, msg); err != nil {
				t.Fatal(err)
			}
			gt, got, err := client.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if gt != typ || !bytes.Equal(got, msg) {
				t.Fatalf("size %d: got %v %d bytes", size, gt, len(got))
			}
		}
	}
	if err := client.Close(CloseNormal, "bye"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	err := <-done
	if CloseStatus(err) != CloseNormal {
		t.Fatalf("server read: %v", err)
	}
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Reason != "bye" {
		t.Fatalf("server got %v", err)
	}
}

func TestStreamingWriterReader(t *testing.T) {
	client, server := Pipe(&ConnOptions{WriteBufferSize: 300})
	ctx := ctxT(t)
	want := strings.Repeat("héllo wörld ", 1000)
	go func() {
		w, err := client.Writer(ctx, MessageText)
		if err != nil {
			t.Error(err)
			return
		}
		for i := 0; i < len(want); i += 7 {
			if _, err := w.Write([]byte(want[i:min(i+7, len(want))])); err != nil {
				t.Error(err)
				return
			}
		}
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	}()
	typ, r, err := server.Reader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || typ != MessageText || string(got) != want {
		t.Fatalf("got %v %d bytes, err %v", typ, len(got), err)
	}
}

func TestReadCancelLeavesConnUsable(t *testing.T) {
	client, server := Pipe(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := server.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: %v", err)
	}
	ctx2 := ctxT(t)
	go client.Write(ctx2, MessageBinary, []byte("after"))
	_, p, err := server.Read(ctx2)
	if err != nil || string(p) != "after" {
		t.Fatalf("Read after cancel: %q %v", p, err)
	}
}

func TestPing(t *testing.T) {
	client, server := Pipe(nil)
	go echo(server)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		client.Read(ctx) // process pongs
	}()
	rtt, err := client.Ping(ctx)
	if err != nil || rtt <= 0 {
		t.Fatalf("Ping: %v %v", rtt, err)
	}
	client.CloseNow()
	wg.Wait()
}

// Close while another goroutine reads loses none of the messages the peer
// sent before its close frame, whether the reader was blocked in Read or
// busy between two Reads when Close started reading.
func TestCloseKeepsMessagesForTheReader(t *testing.T) {
	for i := 0; i < 20; i++ {
		client, server := Pipe(nil)
		go echo(server)
		ctx := ctxT(t)
		got := make(chan string, 10)
		go func() {
			for {
				_, p, err := client.Read(ctx)
				if err != nil {
					close(got)
					return
				}
				got <- string(p)
				time.Sleep(time.Duration(i%3) * time.Millisecond) // busy between Reads
			}
		}()
		for _, m := range []string{"a", "b", "c"} {
			client.Write(ctx, MessageText, []byte(m))
		}
		if err := client.Close(CloseNormal, ""); err != nil {
			t.Fatalf("Close: %v", err)
		}
		var all []string
		for m := range got {
			all = append(all, m)
		}
		if strings.Join(all, "") != "abc" {
			t.Fatalf("round %d: reader got %q", i, all)
		}
	}
}
