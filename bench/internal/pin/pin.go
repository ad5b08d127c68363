// Package pin pins the running program to one CPU. Go has no way to set a
// child's CPU affinity between fork and exec, and setting it in a running
// Go program reaches only the calling thread, so Self sets it on a locked
// thread and re-executes the program from there: the new image, with the
// same process ID, starts with that affinity on every thread, and the Go
// runtime sizes GOMAXPROCS to it (1).
package pin

import (
	"fmt"
	"os"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Self pins the process to cpu, re-executing it if it is not pinned yet;
// it returns only once the process is pinned (or with an error, the
// process unchanged). A negative cpu does nothing.
//
// A non-zero nice is set first, on the thread that re-executes, so that
// every thread of the new image has it; a negative one (a higher priority
// than other programs on a shared machine) needs privilege, and is skipped
// with a warning without it.
func Self(cpu, nice int) error {
	if cpu < 0 {
		return nil
	}
	var cur unix.CPUSet
	if err := unix.SchedGetaffinity(0, &cur); err != nil {
		return fmt.Errorf("pin: reading the CPU affinity: %w", err)
	}
	if cur.Count() == 1 && cur.IsSet(cpu) {
		return nil
	}
	if !cur.IsSet(cpu) {
		return fmt.Errorf("pin: CPU %d is not available to this process", cpu)
	}
	runtime.LockOSThread()
	if nice != 0 {
		if err := unix.Setpriority(unix.PRIO_PROCESS, 0, nice); err != nil {
			fmt.Fprintf(os.Stderr, "pin: nice %d: %v (going on without)\n", nice, err)
		}
	}
	var want unix.CPUSet
	want.Set(cpu)
	if err := unix.SchedSetaffinity(0, &want); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("pin: setting the CPU affinity: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	err = syscall.Exec(exe, os.Args, os.Environ())
	// Exec returned: it failed. Undo and report.
	unix.SchedSetaffinity(0, &cur)
	runtime.UnlockOSThread()
	return fmt.Errorf("pin: re-executing %s: %w", exe, err)
}

// CPUs returns the number of CPUs this process may run on.
func CPUs() int {
	var cur unix.CPUSet
	if err := unix.SchedGetaffinity(0, &cur); err != nil {
		return runtime.NumCPU()
	}
	return cur.Count()
}
