package main

import (
	"fmt"
	"io"
	"runtime/metrics"
)

// memMetrics are the runtime's memory classes that /memstats reports: where
// a server's resident memory goes (live heap, goroutine stacks, what the
// heap holds free or has not yet returned) and the collector's goal.
var memMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/objects:objects",
	"/sched/goroutines:goroutines",
}

// writeMemStats writes memMetrics, one "name value" line each.
func writeMemStats(w io.Writer) {
	samples := make([]metrics.Sample, len(memMetrics))
	for i, name := range memMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			fmt.Fprintf(w, "%s %d\n", s.Name, s.Value.Uint64())
		}
	}
}
