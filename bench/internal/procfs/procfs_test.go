package procfs

import (
	"os"
	"testing"
	"time"
)

func TestSelf(t *testing.T) {
	// Burn some CPU so that the tick-granular count moves.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	cpu, err := CPUTime(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Fatalf("CPUTime = %v, %v", cpu, err)
	}
	rss, err := RSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Fatalf("RSS = %d, %v", rss, err)
	}
	if SelfCPU() <= 0 {
		t.Fatal("SelfCPU is zero")
	}
	if m := Machine(); m == "" {
		t.Fatal("no machine description")
	}
}
