package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wsstack/websocket"
)

// pingTimeout bounds the wait for the pong of /ping.
const pingTimeout = 10 * time.Second

// commandHelp lists the commands of the interactive client.
const commandHelp = `commands:
  /ping                  send a ping and print the round-trip time
  /binary HEX            send a binary message (e.g. /binary 00ff10)
  /close [CODE [REASON]] close with CODE (default 1000) and REASON
  /quit                  close with 1000 and exit (as Ctrl-D does)
  /help                  this list
  //TEXT                 send "/TEXT"
`

// session is the interactive client, or the pipe mode with pipe set.
type session struct {
	c    *websocket.Conn
	in   io.Reader
	errw io.Writer
	raw  bool // binary messages as raw bytes
	pipe bool // no commands, no prompt, no markers

	outMu       sync.Mutex
	out         io.Writer
	prompt      bool // show "> " (standard input and output are terminals)
	promptShown bool // "> " is on the screen, with the cursor after it

	pings sync.WaitGroup
}

func newSession(c *websocket.Conn, cfg *connectConfig, s stdio) *session {
	ss := &session{c: c, in: s.in, out: s.out, errw: s.err, raw: cfg.raw || cfg.pipe, pipe: cfg.pipe}
	if !cfg.pipe {
		in, ok1 := s.in.(*os.File)
		out, ok2 := s.out.(*os.File)
		ss.prompt = ok1 && ok2 && isTerminal(in) && isTerminal(out)
	}
	return ss
}

// run sends the lines of the input and prints the messages received. It
// returns the error that ended the session: an *errClosedByUs when the
// client closed the connection itself.
func (ss *session) run(ctx context.Context) error {
	defer ss.pings.Wait()
	readDone := make(chan error, 1)
	go func() { readDone <- ss.printMessages(ctx) }()
	lines := make(chan string)
	go readLines(ss.in, lines)
	if !ss.pipe {
		ss.info("type a message and press Enter to send it; /help lists the commands")
	}
	ss.showPrompt()

	for {
		select {
		case line, ok := <-lines:
			ss.lineEntered()
			if !ok {
				return ss.close(readDone, websocket.CloseNormal, "")
			}
			if err, done := ss.handle(ctx, line, readDone); done {
				return err
			}
			ss.showPrompt()
		case err := <-readDone:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// handle acts on one input line. done reports that the session is over,
// with err its end.
func (ss *session) handle(ctx context.Context, line string, readDone <-chan error) (err error, done bool) {
	typ, data := websocket.MessageText, []byte(line)
	if !ss.pipe && strings.HasPrefix(line, "/") {
		if strings.HasPrefix(line, "//") {
			data = data[1:]
		} else {
			name, arg, _ := strings.Cut(line, " ")
			arg = strings.TrimSpace(arg)
			switch name {
			case "/ping":
				ss.ping(ctx)
				return nil, false
			case "/binary":
				b, err := hex.DecodeString(strings.Join(strings.Fields(arg), ""))
				if err != nil {
					ss.info("not sent: /binary wants hexadecimal digits: %v", err)
					return nil, false
				}
				typ, data = websocket.MessageBinary, b
			case "/close":
				code, reason, err := parseCloseArgs(arg)
				if err != nil {
					ss.info("not closed: %v", err)
					return nil, false
				}
				return ss.close(readDone, code, reason), true
			case "/quit":
				return ss.close(readDone, websocket.CloseNormal, ""), true
			case "/help":
				ss.info("%s", strings.TrimSuffix(commandHelp, "\n"))
				return nil, false
			default:
				ss.info("unknown command %s: /help lists the commands; start a line with // to send a text that starts with /", name)
				return nil, false
			}
		}
	}
	err = ss.c.Write(ctx, typ, data)
	if err != nil && ctx.Err() == nil {
		if errors.Is(err, websocket.ErrClosed) {
			return <-readDone, true // the connection ended: say why
		}
		ss.info("not sent: %v", err)
	}
	return nil, false
}

// parseCloseArgs reads the arguments of /close: [code [reason]].
func parseCloseArgs(arg string) (websocket.CloseCode, string, error) {
	if arg == "" {
		return websocket.CloseNormal, "", nil
	}
	codeStr, reason, _ := strings.Cut(arg, " ")
	n, err := strconv.ParseUint(codeStr, 10, 16)
	code := websocket.CloseCode(n)
	if err != nil || !code.ValidToSend() {
		return 0, "", fmt.Errorf("/close wants a close code that may be sent (1000-1003, 1007-1014, 3000-4999), then a reason: %q", codeStr)
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 123 || !utf8.ValidString(reason) {
		return 0, "", fmt.Errorf("/close: the reason must be valid UTF-8 of at most 123 bytes")
	}
	return code, reason, nil
}

// close runs the closing handshake with code and reason while the reader
// prints what comes before the server's answer.
func (ss *session) close(readDone <-chan error, code websocket.CloseCode, reason string) error {
	err := ss.c.Close(code, reason)
	<-readDone // the reader gets the server's close frame
	return &errClosedByUs{code: code, done: err}
}

// ping sends a ping and reports its pong in the background: the pong is
// seen by the reader.
func (ss *session) ping(ctx context.Context) {
	ss.pings.Go(func() {
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		defer cancel()
		rtt, err := ss.c.Ping(pctx)
		if err != nil {
			if ctx.Err() == nil {
				ss.info("ping: %v", err)
			}
			return
		}
		ss.info("pong: round trip %v", rtt.Round(time.Microsecond))
	})
}

// printMessages prints every message received until reading fails; it
// returns that error.
func (ss *session) printMessages(ctx context.Context) error {
	for {
		typ, data, err := ss.c.Read(ctx)
		if err != nil {
			return err
		}
		ss.printMessage(typ, data)
	}
}

func (ss *session) printMessage(typ websocket.MessageType, data []byte) {
	ss.outMu.Lock()
	defer ss.outMu.Unlock()
	shown := ss.erasePrompt()
	defer ss.restorePrompt(shown)
	if !ss.pipe {
		io.WriteString(ss.out, "< ")
	}
	if typ == websocket.MessageBinary && !ss.raw {
		io.WriteString(ss.out, hex.EncodeToString(data))
	} else {
		ss.out.Write(data)
	}
	io.WriteString(ss.out, "\n")
}

// info prints a line of information on standard error, keeping the prompt.
func (ss *session) info(format string, args ...any) {
	ss.outMu.Lock()
	defer ss.outMu.Unlock()
	shown := ss.erasePrompt()
	defer ss.restorePrompt(shown)
	fmt.Fprintf(ss.errw, format+"\n", args...)
}

// erasePrompt erases the prompt line, if the prompt is shown, so that a
// line can be printed in its place, and reports whether it did. What the
// user had typed on it is still in the terminal's input. The caller holds
// outMu.
func (ss *session) erasePrompt() bool {
	if !ss.promptShown {
		return false
	}
	io.WriteString(ss.out, "\r\x1b[K")
	ss.promptShown = false
	return true
}

// restorePrompt shows the prompt again after erasePrompt erased it.
func (ss *session) restorePrompt(erased bool) {
	if erased {
		io.WriteString(ss.out, "> ")
		ss.promptShown = true
	}
}

// lineEntered records that the user ended a line: the cursor is at the
// start of the next one.
func (ss *session) lineEntered() {
	ss.outMu.Lock()
	defer ss.outMu.Unlock()
	ss.promptShown = false
}

// showPrompt prints the prompt when there is one.
func (ss *session) showPrompt() {
	if !ss.prompt {
		return
	}
	ss.outMu.Lock()
	defer ss.outMu.Unlock()
	if !ss.promptShown {
		io.WriteString(ss.out, "> ")
		ss.promptShown = true
	}
}

// readLines sends every line of r, without its line ending, to lines and
// closes lines at the end of r. A read error ends the input like EOF.
func readLines(r io.Reader, lines chan<- string) {
	defer close(lines)
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(line, "\n")
			lines <- strings.TrimSuffix(line, "\r")
		}
		if err != nil {
			return
		}
	}
}
