package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// Exit codes, as the package documentation describes them.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitCloseCode   = 3 // connect: closed by the server with an error or application code
	exitFailed      = 3 // bench: errors; check: a case FAILED
	exitLost        = 4 // connect: lost without a complete closing handshake
	exitInterrupted = 130
)

// stdio are the standard streams a command uses.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// A command is one subcommand of ws.
type command struct {
	name    string
	args    string // the synopsis after "ws NAME"
	summary string // one line for the list of commands
	help    string // paragraphs printed by "ws help NAME"
	// setup registers the command's flags on fs and returns the function
	// that runs it with the arguments left after the flags.
	setup func(fs *flag.FlagSet) func(args []string, s stdio) int
}

// commands lists the commands in the order "ws help" prints them. The help
// command itself is handled by run.
var commands = []*command{serveCommand, connectCommand, benchCommand, checkCommand, versionCommand}

func main() {
	os.Exit(run(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

// run dispatches to the command named by args[0] and returns the exit code.
func run(args []string, s stdio) int {
	if len(args) == 0 {
		usage(s.err)
		return exitUsage
	}
	name, args := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(args, s)
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(s.err, "ws: unknown command %q\nRun 'ws help' for the list of commands.\n", name)
		return exitUsage
	}
	fs := flagSet(cmd, s.err)
	runCmd := cmd.setup(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // the flag package has printed the error and usage
	}
	return runCmd(fs.Args(), s)
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// flagSet returns an empty flag set for cmd whose usage is cmd's help.
func flagSet(cmd *command, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ws "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() { commandUsage(w, cmd, fs) }
	return fs
}

// usage prints the list of commands.
func usage(w io.Writer) {
	fmt.Fprint(w, "ws is a WebSocket tool: an echo and chat server, a client, a load generator\nand a conformance checker.\n\nUsage:\n\n\tws <command> [flags] [arguments]\n\nThe commands are:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\t%-8s %s\n", "help", "print help for a command")
	fmt.Fprint(w, "\nRun 'ws help <command>' for a command's flags.\n\n"+exitCodes)
}

// exitCodes documents the exit status of every command.
const exitCodes = `Exit status:
  0    success: serve was shut down by a signal; connect's connection was
       closed cleanly (a complete closing handshake that the client started,
       or that the server started with 1000, 1001 or no code); bench ran
       without errors; check found no FAILED case
  1    an error: the server could not listen, the connection or its opening
       handshake failed (refused, TLS, proxy, HTTP status), or a file could
       not be written
  2    bad usage: unknown command or flag, missing or invalid argument
  3    connect: the server closed cleanly with another code (such as 1008,
       1011 or 4000); bench: some connections or messages failed; check:
       some case FAILED
  4    connect: the connection was lost without a complete closing
       handshake (1006): dropped, a protocol error, a keepalive timeout
  130  interrupted by SIGINT or SIGTERM (connect, bench, check)
`

// commandUsage prints the help of one command.
func commandUsage(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: ws %s %s\n\n%s\n", cmd.name, cmd.args, strings.TrimSpace(cmd.help))
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nFlags (one dash or two):\n")
		fs.PrintDefaults()
	}
	fmt.Fprint(w, "\n"+exitCodes)
}

// runHelp implements "ws help [command]".
func runHelp(args []string, s stdio) int {
	switch {
	case len(args) == 0:
		usage(s.out)
		return exitOK
	case len(args) > 1:
		fmt.Fprintln(s.err, "usage: ws help [command]")
		return exitUsage
	}
	if args[0] == "help" {
		fmt.Fprintln(s.out, "usage: ws help [command]\n\nHelp prints the list of commands, or the help of one command.")
		return exitOK
	}
	cmd := lookup(args[0])
	if cmd == nil {
		fmt.Fprintf(s.err, "ws help: unknown command %q\nRun 'ws help' for the list of commands.\n", args[0])
		return exitUsage
	}
	fs := flagSet(cmd, s.out)
	cmd.setup(fs)
	commandUsage(s.out, cmd, fs)
	return exitOK
}

var versionCommand = &command{
	name:    "version",
	summary: "print the version of ws",
	help:    "Version prints the version of ws, of its module and of Go it was built with.",
	setup: func(fs *flag.FlagSet) func([]string, stdio) int {
		return func(args []string, s stdio) int {
			if len(args) > 0 {
				fmt.Fprintln(s.err, "usage: ws version")
				return exitUsage
			}
			fmt.Fprintf(s.out, "ws %s %s %s/%s\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return exitOK
		}
	},
}

// version returns the module version ws was built from, the VCS revision
// when the build recorded one, or "devel".
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, st := range info.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			if st.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev[:min(12, len(rev))] + modified
}
