package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/routing"
)

// The concurrent rows: create, append and route on PostgreSQL with several
// callers at once, on one pool (its connections as many as the callers)
// and on two pools of one database (two parley instances, the callers
// split between them), each against its floor run by as many callers on a
// raw pgx pool of the same size, in alternating blocks.

// callerCounts are the concurrencies measured on one pool.
var callerCounts = []int{8, 32}

// twoPoolCallers are the callers of the two-pool rows, half on each pool.
const twoPoolCallers = 8

// concurrentStep is an operation run by several callers at once: run does
// it once as caller i. prepare and finish run untimed around a block of n
// calls, as step's do.
type concurrentStep struct {
	run     func(ctx context.Context, caller int) error
	prepare func(ctx context.Context, n int) error
	finish  func(ctx context.Context) error
	maxOps  int
}

// concurrentBlock runs n calls of st spread over callers goroutines, each
// taking the next call until none is left; every call is timed.
func concurrentBlock(ctx context.Context, st concurrentStep, callers, n int, trips func() int64) (sample, error) {
	if st.prepare != nil {
		if err := st.prepare(ctx, n); err != nil {
			return sample{}, fmt.Errorf("preparing: %w", err)
		}
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	lats := make([][]time.Duration, callers)
	var before, after runtime.MemStats
	var tripsBefore int64
	if trips != nil {
		tripsBefore = trips()
	}
	runtime.ReadMemStats(&before)
	cpu := cpuTime()
	start := time.Now()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t := time.Now()
				if err := st.run(ctx, c); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				lats[c] = append(lats[c], time.Since(t))
			}
		}()
	}
	wg.Wait()
	out := sample{ops: n, elapsed: time.Since(start), cpu: cpuTime() - cpu}
	runtime.ReadMemStats(&after)
	out.mallocs = after.Mallocs - before.Mallocs
	if trips != nil {
		out.trips = trips() - tripsBefore
	}
	if firstErr != nil {
		return sample{}, firstErr
	}
	for _, l := range lats {
		out.latencies = append(out.latencies, l...)
	}
	if st.finish != nil {
		if err := st.finish(ctx); err != nil {
			return sample{}, fmt.Errorf("finishing: %w", err)
		}
	}
	return out, nil
}

// measureConcurrent is measure for concurrent steps: a warm-up block
// estimates how many calls fit in a block, then parley's blocks and the
// floor's alternate.
func measureConcurrent(ctx context.Context, b budget, callers int, st, floor concurrentStep, trips, floorTrips func() int64) (measurement, error) {
	m := measurement{hasBaseline: true}
	per := b.total / time.Duration(2*b.rounds)
	size := func(s concurrentStep, what string) (int, error) {
		n := callers * 4
		if s.maxOps > 0 {
			n = min(n, s.maxOps)
		}
		w, err := concurrentBlock(ctx, s, callers, n, nil)
		if err != nil {
			return 0, fmt.Errorf("%swarm-up: %w", what, err)
		}
		perOp := w.elapsed / time.Duration(n)
		k := max(callers, int(per/max(perOp, time.Nanosecond)))
		if s.maxOps > 0 {
			k = min(k, s.maxOps)
		}
		return k, nil
	}
	nParley, err := size(st, "")
	if err != nil {
		return m, err
	}
	nFloor, err := size(floor, "floor: ")
	if err != nil {
		return m, err
	}
	for range b.rounds {
		s, err := concurrentBlock(ctx, st, callers, nParley, trips)
		if err != nil {
			return m, err
		}
		m.parley.add(s)
		if s, err = concurrentBlock(ctx, floor, callers, nFloor, floorTrips); err != nil {
			return m, fmt.Errorf("floor: %w", err)
		}
		m.baseline.add(s)
	}
	return m, nil
}

// concurrentWorkload is the workload set up for concurrent callers on
// services over one or two pools of one database: conversations assigned
// to replyAgent for the appends, one per caller, so that callers append
// side by side as agents do, each to the conversation they handle.
type concurrentWorkload struct {
	svcs     []*parley.Service
	assigned []string
}

func (w *concurrentWorkload) svc(caller int) *parley.Service { return w.svcs[caller%len(w.svcs)] }

func (w *concurrentWorkload) setup(ctx context.Context, callers int) error {
	svc := w.svcs[0]
	for len(w.assigned) < callers {
		c, err := svc.CreateConversation(ctx, sampleConversation(len(w.assigned)))
		if err != nil {
			return err
		}
		if _, err := svc.AssignConversation(ctx, c.ID, replyAgent); err != nil {
			return err
		}
		w.assigned = append(w.assigned, c.ID)
	}
	return nil
}

// steps are the concurrent operations, by name.
func (w *concurrentWorkload) steps() []namedConcurrentStep {
	var created atomic.Int64
	create := concurrentStep{run: func(ctx context.Context, caller int) error {
		_, err := w.svc(caller).CreateConversation(ctx, sampleConversation(int(created.Add(1))))
		return err
	}}
	appendMsg := concurrentStep{run: func(ctx context.Context, caller int) error {
		ctx = parley.WithActor(ctx, parley.Actor{AgentID: replyAgent})
		_, err := w.svc(caller).CreateMessage(ctx, w.assigned[caller], sampleReply)
		return err
	}}
	toRoute := &fresh{svc: w.svcs[0]}
	var taken atomic.Int64
	route := concurrentStep{
		maxOps: workloadAgents / 4 * routing.MaxCapacity,
		prepare: func(ctx context.Context, n int) error {
			taken.Store(0)
			return toRoute.prepare(ctx, n)
		},
		run: func(ctx context.Context, caller int) error {
			id := toRoute.ids[taken.Add(1)-1]
			_, err := w.svc(caller).Route(ctx, id)
			return err
		},
		finish: func(ctx context.Context) error {
			for _, id := range toRoute.ids {
				if err := w.svcs[0].DeleteConversation(ctx, id, "benchmark"); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return []namedConcurrentStep{{opCreate, create}, {opAppend, appendMsg}, {opRoute, route}}
}

type namedConcurrentStep struct {
	name string
	concurrentStep
}

// measureConcurrency measures the concurrent rows on PostgreSQL.
func measureConcurrency(ctx context.Context, c config, logf func(string, ...any)) ([]row, error) {
	type setup struct {
		callers, pools int
	}
	var setups []setup
	for _, n := range callerCounts {
		setups = append(setups, setup{n, 1})
	}
	setups = append(setups, setup{twoPoolCallers, 2})
	var rows []row
	for _, su := range setups {
		logf("postgres: %d callers on %d pool(s)", su.callers, su.pools)
		got, err := measureCallers(ctx, c, su.callers, su.pools)
		if err != nil {
			return nil, fmt.Errorf("%d callers on %d pools: %w", su.callers, su.pools, err)
		}
		rows = append(rows, got...)
	}
	return rows, nil
}

// measureCallers measures each concurrent operation with callers callers
// over pools pools, each operation on a fresh store.
func measureCallers(ctx context.Context, c config, callers, pools int) ([]row, error) {
	var rows []row
	for i := 0; ; i++ {
		s, err := openPostgres(ctx, c.dsn, c.nosync, max(callers/pools, 1))
		if err != nil {
			return nil, err
		}
		out, done, err := func() (row, bool, error) {
			defer s.close()
			w := &workload{svc: s.svc}
			if err := w.setup(ctx); err != nil {
				return row{}, false, err
			}
			cw := &concurrentWorkload{svcs: []*parley.Service{s.svc}}
			for len(cw.svcs) < pools {
				svc, err := s.instance(ctx)
				if err != nil {
					return row{}, false, err
				}
				cw.svcs = append(cw.svcs, svc)
			}
			if err := cw.setup(ctx, callers); err != nil {
				return row{}, false, err
			}
			steps := cw.steps()
			st := steps[i]
			floorPool, err := s.rawPool(ctx, callers)
			if err != nil {
				return row{}, false, err
			}
			defer floorPool.close()
			floors, err := concurrentFloors(ctx, s, w, floorPool, callers)
			if err != nil {
				return row{}, false, err
			}
			floor := floors[st.name]
			m, err := measureConcurrent(ctx, c.budget(), callers, st.concurrentStep, floor, s.trips, floorPool.trips())
			if err != nil {
				return row{}, false, fmt.Errorf("%s: %w", st.name, err)
			}
			name := st.name
			if pools > 1 {
				name = fmt.Sprintf("%s (%d pools)", st.name, pools)
			}
			r := rowOf("postgres", name, m)
			r.Callers = callers
			return r, i == len(steps)-1, nil
		}()
		if err != nil {
			return nil, err
		}
		rows = append(rows, out)
		if done {
			return rows, nil
		}
	}
}
