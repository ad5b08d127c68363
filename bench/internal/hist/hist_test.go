package hist

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

func TestBucketsAreContiguous(t *testing.T) {
	for i := 0; i < buckets-1; i++ {
		if lowest(i+1) <= lowest(i) {
			t.Fatalf("bucket %d starts at %d, bucket %d at %d", i, lowest(i), i+1, lowest(i+1))
		}
		if index(lowest(i)) != i || index(lowest(i+1)-1) != i {
			t.Fatalf("bucket %d: bounds map to %d and %d", i, index(lowest(i)), index(lowest(i+1)-1))
		}
	}
}

func TestQuantilesWithinPrecision(t *testing.T) {
	var h Histogram
	r := rand.New(rand.NewPCG(1, 2))
	var vals []float64
	for range 100000 {
		v := time.Duration(r.ExpFloat64() * float64(50*time.Microsecond))
		h.Record(v)
		vals = append(vals, float64(v))
	}
	sort.Float64s(vals)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		want := vals[int(q*float64(len(vals)))-1]
		got := float64(h.Quantile(q))
		if got < want*0.98 || got > want*1.02 {
			t.Errorf("q%v = %v, want %v within 2%%", q, got, want)
		}
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	var h Histogram
	if a := testing.AllocsPerRun(100, func() { h.Record(time.Millisecond) }); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}
