package runner

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/google/pprof/profile"
)

// The profile group splits the echo server's CPU per message by where it
// goes, from a CPU profile of the server (its -cpuprofile) taken during the
// run: the kernel (system calls), the Go runtime's memory management
// (allocation and garbage collection), the rest of the runtime (mostly the
// scheduler), and everything else: the WebSocket library, the standard
// library's network code and the echo loop. What a library controls is
// all but the first; when system calls are most of every library's cost,
// no library can be much cheaper than another.
var (
	mSysMsg   = Metric{"sys_us_per_msg", "in system calls", "µs", false}
	mMemMsg   = Metric{"mem_us_per_msg", "in allocation and garbage collection", "µs", false}
	mSchedMsg = Metric{"sched_us_per_msg", "in the rest of the Go runtime", "µs", false}
	mCodeMsg  = Metric{"code_us_per_msg", "in the library and the application", "µs", false}
	mUserMsg  = Metric{"user_us_per_msg", "outside system calls", "µs", false}
)

// profileMetrics are the profile group's metrics, as the tables show them.
var profileMetrics = []Metric{mCPUMsg, mSysMsg, mUserMsg, mMemMsg, mSchedMsg, mCodeMsg}

// cpuShares are the shares of a CPU profile's samples, from 0 to 1.
type cpuShares struct {
	sys, mem, sched, code float64
}

var (
	// A leaf frame in one of these is time in the kernel.
	sysLeaf = regexp.MustCompile(`^(syscall\.|internal/runtime/syscall|golang\.org/x/sys/unix\.|runtime\.(futex|epollwait|usleep|osyield|madvise|mmap|munmap|write1|read|nanosleep|sched_yield|tgkill|getpid|sysMmap|sysMunmap)$)`)
	// A stack through one of these is memory management.
	memFrame = regexp.MustCompile(`^runtime\.(mallocgc|gcBgMarkWorker|gcAssistAlloc|bgsweep|bgscavenge|gcStart|markroot|gcDrain|newobject|makeslice|growslice|memclrNoHeapPointers)$`)
)

// readShares reads a CPU profile and classifies its samples by time.
func readShares(path string) (cpuShares, error) {
	f, err := os.Open(path)
	if err != nil {
		return cpuShares{}, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return cpuShares{}, fmt.Errorf("reading the CPU profile: %w", err)
	}
	vi := len(p.SampleType) - 1 // cpu nanoseconds
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			vi = i
		}
	}
	var s cpuShares
	var total float64
	for _, smp := range p.Sample {
		v := float64(smp.Value[vi])
		total += v
		funcs := frames(smp)
		switch {
		case len(funcs) > 0 && sysLeaf.MatchString(funcs[0]):
			s.sys += v
		case anyMatch(memFrame, funcs):
			s.mem += v
		case len(funcs) > 0 && strings.HasPrefix(funcs[0], "runtime."):
			s.sched += v
		default:
			s.code += v
		}
	}
	if total == 0 {
		return cpuShares{}, fmt.Errorf("the CPU profile has no samples")
	}
	s.sys, s.mem, s.sched, s.code = s.sys/total, s.mem/total, s.sched/total, s.code/total
	return s, nil
}

// frames lists a sample's function names, leaf first (inlined frames
// included).
func frames(s *profile.Sample) []string {
	var out []string
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function != nil {
				out = append(out, ln.Function.Name)
			}
		}
	}
	return out
}

func anyMatch(re *regexp.Regexp, names []string) bool {
	for _, n := range names {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

// addShares turns the shares into per-message metrics of s.
func addShares(m map[string]float64, sh cpuShares) {
	per := m[mCPUMsg.Key]
	m[mSysMsg.Key] = per * sh.sys
	m[mMemMsg.Key] = per * sh.mem
	m[mSchedMsg.Key] = per * sh.sched
	m[mCodeMsg.Key] = per * sh.code
	m[mUserMsg.Key] = per * (1 - sh.sys)
}
