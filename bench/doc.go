// Package bench is the benchmark module of github.com/wsstack/websocket: it
// compares this repository's WebSocket server with servers written with
// gorilla/websocket, coder/websocket, lxzan/gws, gobwas/ws and
// lesismal/nbio, under one load generator of its own.
//
// The module has three commands:
//
//   - cmd/echoserver: one echo server per library, chosen with -lib, each
//     in its library's recommended fast path, with keepalive pings off; a
//     control listener beside it triggers broadcasts and reports state.
//   - cmd/loadgen: a raw-TCP load generator that does the client handshake
//     itself, sends pre-built masked frames and reads the echoes with a
//     minimal frame parser, without allocating in its loops. It measures
//     echo throughput, latency at a fixed offered rate, idle memory per
//     connection, handshakes per second and broadcast time, reading the
//     server's CPU time and memory from /proc.
//   - cmd/benchrun: the orchestrator. For every scenario and round it runs
//     each library's server pinned to CPU 0 and the load generator pinned
//     to CPU 1, alternating the order of the libraries round by round, and
//     reports every figure as the median over the rounds and as the median
//     ratio to gws measured in the same round, as a Markdown table
//     (written into docs/benchmarks.md with -write).
//
// Run the documented benchmark from the repository root with
//
//	go run ./bench/cmd/benchrun -write docs/benchmarks.md
//
// and a smoke run with -quick. See docs/benchmarks.md for the method.
package bench
