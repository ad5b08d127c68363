package conformance_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/wsstack/websocket/conformance"
)

// Test a running echo server against sections 1 to 7, leaving out the
// megabyte-sized cases of section 9.
func ExampleRunServer() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := conformance.RunServer(ctx, "ws://127.0.0.1:9001/echo", &conformance.Options{
		Agent: "my-server",
		Cases: []string{"1", "2", "3", "4", "5", "6", "7"},
	})
	if err != nil {
		log.Fatal(err)
	}
	rep.WriteText(os.Stdout)
	if f, err := os.Create("report.html"); err == nil {
		rep.WriteHTML(f)
		f.Close()
	}
	if rep.Failed() > 0 {
		os.Exit(1)
	}
}

// Serve the suite to WebSocket clients, as Autobahn's fuzzing server does,
// and print each agent's report when its driver asks for /updateReports.
func ExampleFuzzingServer() {
	fs, err := conformance.NewFuzzingServer(nil)
	if err != nil {
		log.Fatal(err)
	}
	fs.OnReport = func(r *conformance.Report) { fmt.Println(r) }
	// Mounted in an existing server (the paths are Autobahn's) ...
	http.Handle("/getCaseCount", fs)
	http.Handle("/runCase", fs)
	http.Handle("/updateReports", fs)
	// ... or on its own.
	log.Fatal(fs.ListenAndServe(context.Background(), "127.0.0.1:9001"))
}
