package main

import (
	"math"
	"math/bits"
	"time"
)

// histSubBits sets the precision of a histogram: each power of two is split
// into 2^(histSubBits-1) buckets, so that a value is known within 1/32 of it.
const histSubBits = 6

// histBuckets is enough buckets for every uint64.
const histBuckets = 1<<histSubBits + (64-histSubBits)<<(histSubBits-1)

// histogram counts durations in log-linear buckets: exact below 64ns, then
// within about 3%, in constant memory whatever the number of samples.
type histogram struct {
	counts   [histBuckets]uint64
	n        uint64
	sum, max time.Duration
}

func histIndex(v uint64) int {
	if v < 1<<histSubBits {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits // >= 1
	m := v >> e                      // in [2^(sub-1), 2^sub)
	return 1<<histSubBits + (e-1)<<(histSubBits-1) + int(m-1<<(histSubBits-1))
}

// histValue returns the middle of bucket i.
func histValue(i int) uint64 {
	if i < 1<<histSubBits {
		return uint64(i)
	}
	k := i - 1<<histSubBits
	e := k>>(histSubBits-1) + 1
	m := uint64(k&(1<<(histSubBits-1)-1)) + 1<<(histSubBits-1)
	low := m << e
	return low + (uint64(1)<<e)/2
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// quantile returns the duration under which a fraction q of the samples
// fall (0 without samples). The largest quantiles are capped by the maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(histValue(i)), h.max)
		}
	}
	return h.max
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}
