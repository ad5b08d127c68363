// Command echoserver is the server side of the benchmarks: a WebSocket echo
// server written with one of the libraries compared, in that library's
// recommended fast path, with keepalive pings off and, unless -compress is
// given, compression off.
//
// Usage:
//
//	echoserver -lib ours|ours-loop|gorilla|coder|gws|gobwas|nbio [-addr 127.0.0.1:0] [-compress] [-cpu N]
//
// It listens for WebSocket connections on -addr (any path) and echoes every
// data message back as it came (same type, same bytes). Beside it, a
// control listener (plain net/http, on another port of the same host)
// serves:
//
//	GET /stats            conns=N compressed=M: open WebSocket connections,
//	                      and how many negotiated permessage-deflate (-1
//	                      when the library does not tell)
//	GET /broadcast?size=N sends one binary message of N bytes to every
//	                      open connection, the library's recommended way;
//	                      answers sent=N once the sends are issued
//
// Once both listen, it prints one line to standard output:
//
//	addr=127.0.0.1:PORT ctrl=127.0.0.1:PORT pid=PID
//
// -cpuprofile and -memprofile write pprof profiles, for go tool pprof.
//
// With -cpu N it first pins itself to CPU N (re-executing itself), at the
// nice value of -nice. It raises
// its open-file limit to the hard limit, and exits on SIGINT or SIGTERM, or
// after -maxlife, or when the process that started it dies.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/wsstack/websocket/bench/internal/pin"
	"github.com/wsstack/websocket/bench/internal/procfs"
	"golang.org/x/sys/unix"
)

// readLimit is the largest message every server accepts (the biggest
// benchmark message is 64 KiB; some libraries' defaults are smaller).
const readLimit = 1 << 20

// server is one library's echo server.
type server interface {
	// serve starts serving WebSocket connections on ln and returns.
	serve(ln net.Listener) error
	// broadcast sends msg as a binary message to every open connection
	// and returns how many sends it issued.
	broadcast(msg []byte) int
	// stats returns the number of open connections and how many of them
	// negotiated permessage-deflate (-1: unknown).
	stats() (conns, compressed int)
}

// libraries maps -lib values to constructors; compress asks for
// permessage-deflate.
var libraries = map[string]func(compress bool) server{
	"ours":      newOurs,
	"ours-loop": newOursLoop,
	"gorilla":   newGorilla,
	"coder":     newCoder,
	"gws":       newGws,
	"gobwas":    newGobwas,
	"nbio":      newNbio,
}

// The main goroutine keeps the main thread, so that the parent-death
// signal set in main is the main thread's, the one the parent sees.
func init() { runtime.LockOSThread() }

func main() {
	log.SetFlags(0)
	log.SetPrefix("echoserver: ")
	lib := flag.String("lib", "ours", "library: ours, ours-loop, gorilla, coder, gws, gobwas or nbio")
	addr := flag.String("addr", "127.0.0.1:0", "WebSocket listen address")
	compress := flag.Bool("compress", false, "negotiate permessage-deflate when the client offers it")
	cpu := flag.Int("cpu", -1, "pin the process to this CPU (-1: no pinning)")
	nice := flag.Int("nice", 0, "with -cpu, run at this nice value (negative: needs privilege)")
	maxLife := flag.Duration("maxlife", time.Hour, "exit after this long, whatever happens")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file, until SIGINT or SIGTERM")
	memProfile := flag.String("memprofile", "", "write a heap profile to this file at SIGINT or SIGTERM")
	flag.Parse()

	if err := pin.Self(*cpu, *nice); err != nil {
		log.Fatal(err)
	}
	// Die with the parent (benchrun), and in any case after maxlife.
	unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0)
	time.AfterFunc(*maxLife, func() {
		log.Printf("exiting after -maxlife %v", *maxLife)
		os.Exit(3)
	})
	if _, err := procfs.RaiseFileLimit(); err != nil {
		log.Printf("raising the open-file limit: %v", err)
	}

	newServer, ok := libraries[*lib]
	if !ok {
		log.Fatalf("unknown -lib %q", *lib)
	}
	srv := newServer(*compress)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	ctrl, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.serve(ln); err != nil {
		log.Fatal(err)
	}
	go http.Serve(ctrl, controlHandler(srv))

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("addr=%s ctrl=%s pid=%d\n", ln.Addr(), ctrl.Addr(), os.Getpid())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.WriteHeapProfile(f)
		f.Close()
	}
}

// controlHandler serves /stats, /memstats and /broadcast.
func controlHandler(srv server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		n, c := srv.stats()
		fmt.Fprintf(w, "conns=%d compressed=%d\n", n, c)
	})
	mux.HandleFunc("GET /memstats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("gc") {
			runtime.GC()
		}
		writeMemStats(w)
	})
	mux.HandleFunc("GET /broadcast", func(w http.ResponseWriter, r *http.Request) {
		size, err := strconv.Atoi(r.URL.Query().Get("size"))
		if err != nil || size < 0 || size > readLimit {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		msg := make([]byte, size)
		for i := range msg {
			msg[i] = 'a' + byte(i%26)
		}
		fmt.Fprintf(w, "sent=%d\n", srv.broadcast(msg))
	})
	return mux
}
