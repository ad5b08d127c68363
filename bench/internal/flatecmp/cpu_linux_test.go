package flatecmp

import (
	"runtime"
	"syscall"
	"time"
)

// threadCPU returns the CPU time of the calling thread, which the caller
// has locked to its goroutine: unlike the wall clock, it does not count
// the time other processes of a shared machine took the core.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func lockThread() func() {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
