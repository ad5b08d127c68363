// Package hist is a fixed-size log-linear histogram of durations, for
// latency percentiles: 128 linear sub-buckets per power of two, so every
// recorded value is known to within 1/128 (under 0.8 %). Record allocates
// nothing and is safe for concurrent use.
package hist

import (
	"math/bits"
	"sync/atomic"
	"time"
)

const (
	subBits = 7
	sub     = 1 << subBits
	// buckets covers values up to 2^63 ns.
	buckets = (64 - subBits + 1) * sub
)

// Histogram counts durations in nanoseconds. The zero value is empty and
// ready to use.
type Histogram struct {
	counts [buckets]atomic.Uint64
	total  atomic.Uint64
}

// index is the bucket of v.
func index(v uint64) int {
	if v < sub {
		return int(v)
	}
	e := bits.Len64(v) - subBits // >= 1
	return e<<subBits + int(v>>(e-1)) - sub
}

// lowest is the smallest value of bucket i.
func lowest(i int) uint64 {
	if i < 2*sub {
		return uint64(i)
	}
	e := i >> subBits
	m := uint64(i&(sub-1) + sub)
	return m << (e - 1)
}

// Record counts one duration; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	h.counts[index(v)].Add(1)
	h.total.Add(1)
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Quantile returns the value below which a fraction q (0..1) of the
// recorded values lie, as the middle of its bucket; 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			lo, hi := lowest(i), lowest(i+1)
			return time.Duration(lo + (hi-lo)/2)
		}
	}
	return time.Duration(lowest(buckets - 1))
}
