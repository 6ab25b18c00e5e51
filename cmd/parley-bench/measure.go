package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"syscall"
	"time"
)

// step is one measured operation: run does it once. The optional hooks run
// untimed, outside the figures: prepare before a block of n calls (to make
// the fresh rows the calls consume), finish after it.
type step struct {
	run     func(ctx context.Context) error
	prepare func(ctx context.Context, n int) error
	finish  func(ctx context.Context) error
	maxOps  int // per block, when the step's fixtures limit it; 0 for none
}

// sample is what a block of calls measured.
type sample struct {
	ops       int
	elapsed   time.Duration
	cpu       time.Duration // the process's CPU time (user and system), every thread
	latencies []time.Duration
	mallocs   uint64
	trips     int64 // round trips, where a store counts them
}

func (s *sample) add(o sample) {
	s.ops += o.ops
	s.elapsed += o.elapsed
	s.cpu += o.cpu
	s.latencies = append(s.latencies, o.latencies...)
	s.mallocs += o.mallocs
	s.trips += o.trips
}

// cpuPerOp is the process's CPU time per call: on a busy machine a steadier
// figure of the work a call takes than its wall time, for an embedded store
// (SQLite, memstore) all of it; for PostgreSQL the client's share only.
func (s *sample) cpuPerOp() time.Duration {
	if s.ops == 0 {
		return 0
	}
	return s.cpu / time.Duration(s.ops)
}

// cpuTime is the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (s *sample) opsPerSec() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ops) / s.elapsed.Seconds()
}

// percentile is the p-th percentile latency (nearest rank).
func (s *sample) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(s.latencies)
	slices.Sort(sorted)
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// block runs st n times, timing every stride-th call (reading the clock
// costs enough to blur calls of a microsecond). Allocations are counted
// over the block (runtime.MemStats, every goroutine of the process).
func block(ctx context.Context, st step, n, stride int, trips func() int64) (sample, error) {
	if st.prepare != nil {
		if err := st.prepare(ctx, n); err != nil {
			return sample{}, fmt.Errorf("preparing: %w", err)
		}
	}
	stride = max(1, stride)
	out := sample{latencies: make([]time.Duration, 0, n/stride+1)}
	var before, after runtime.MemStats
	var tripsBefore int64
	if trips != nil {
		tripsBefore = trips()
	}
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	start := time.Now()
	for i := range n {
		if i%stride != 0 {
			if err := st.run(ctx); err != nil {
				return sample{}, err
			}
			continue
		}
		t := time.Now()
		if err := st.run(ctx); err != nil {
			return sample{}, err
		}
		out.latencies = append(out.latencies, time.Since(t))
	}
	out.elapsed = time.Since(start)
	out.cpu = cpuTime() - cpu
	runtime.ReadMemStats(&after)
	out.ops = n
	out.mallocs = after.Mallocs - before.Mallocs
	if trips != nil {
		out.trips = trips() - tripsBefore
	}
	if st.finish != nil {
		if err := st.finish(ctx); err != nil {
			return sample{}, fmt.Errorf("finishing: %w", err)
		}
	}
	return out, nil
}

// budget is how long one measurement takes: split over rounds, each round
// a block of parley's calls and then a block of the baseline's, so that
// both see the same machine (a 2-core VM's speed drifts within seconds).
type budget struct {
	total  time.Duration // for the operation and its baseline together
	rounds int
	maxOps int // per block; 0 for no limit
}

// measurement is parley's sample of one operation and the baseline's, if
// it has one.
type measurement struct {
	parley, baseline sample
	hasBaseline      bool
}

// measure runs st (and base, when not nil) within b. A short warm-up first
// fills statement caches and estimates how many calls fit in a block.
func measure(ctx context.Context, b budget, st step, base *step, trips, baseTrips func() int64) (measurement, error) {
	var m measurement
	per := b.total / time.Duration(b.rounds)
	if base != nil {
		per /= 2
	}
	nParley, strideParley, err := calibrate(ctx, st, per, b.maxOps)
	if err != nil {
		return m, err
	}
	nBase, strideBase := 0, 1
	if base != nil {
		m.hasBaseline = true
		if nBase, strideBase, err = calibrate(ctx, *base, per, b.maxOps); err != nil {
			return m, fmt.Errorf("baseline: %w", err)
		}
	}
	for range b.rounds {
		s, err := block(ctx, st, nParley, strideParley, trips)
		if err != nil {
			return m, err
		}
		m.parley.add(s)
		if base != nil {
			s, err := block(ctx, *base, nBase, strideBase, baseTrips)
			if err != nil {
				return m, fmt.Errorf("baseline: %w", err)
			}
			m.baseline.add(s)
		}
	}
	return m, nil
}

// calibrate runs a few calls and returns how many fit in d (at least 1),
// and how often to read the clock: every call, unless calls take less than
// 20µs. Its blocks, too, stay within the limits.
func calibrate(ctx context.Context, st step, d time.Duration, maxOps int) (n, stride int, err error) {
	limit := func(n int) int {
		if maxOps > 0 {
			n = min(n, maxOps)
		}
		if st.maxOps > 0 {
			n = min(n, st.maxOps)
		}
		return max(1, n)
	}
	n = 1
	var spent time.Duration
	done := 0
	for spent < d/5 && done < 4096 {
		s, err := block(ctx, st, n, 1, nil)
		if err != nil {
			return 0, 0, err
		}
		spent += s.elapsed
		done += n
		n = limit(n * 2)
	}
	per := spent / time.Duration(done)
	if per <= 0 {
		per = time.Nanosecond
	}
	stride = 1
	if per < 20*time.Microsecond {
		stride = 16
	}
	return limit(int(d / per)), stride, nil
}
