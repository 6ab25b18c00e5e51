// Command parley-bench measures parley: a fixed workload of its hot
// operations on every store (memstore, SQLite in a WAL file, PostgreSQL),
// each SQL figure beside a baseline measured in the same run through the
// raw driver; the pure router; and listing and creating at scale (10k, 100k
// and 1M conversations).
//
//	go run ./cmd/parley-bench -quick          # a minute or two, 10k at scale
//	go run ./cmd/parley-bench                 # the full run, up to 1M
//	go run ./cmd/parley-bench -json           # one JSON object per row
//	go run ./cmd/parley-bench -explain        # plus PostgreSQL's plans at 100k
//
// On PostgreSQL, create, append and route are measured again with 8 and
// 32 callers on one pool and with 8 callers over two pools (two parley
// instances), each against its floor run by as many callers on a raw pool.
//
// Each row is an operation on a store: ops/s (calls one after another on
// one goroutine, but for the concurrent rows), p50 and p99 latency, allocations per call (every
// allocation of the process while the calls run), and, where there is one,
// the baseline's ops/s and the ratio parley/baseline, parley's time per
// call over the baseline's. The baseline does through the raw driver
// (database/sql and go-sqlite3; pgx) the least work the operation needs,
// with parley's own statement: the INSERT in a transaction of its own for
// create, the INSERT alone for an appended message, the same SELECT for get
// and list. Parley and the baseline run in alternating blocks, so that
// both see the same machine; on PostgreSQL the table also shows round
// trips per call, parley's and the baseline's.
//
// At scale, each size is seeded into a fresh database through parley's
// public API (each row made by the service, with its tags and its event,
// and written through storage.Tx, thousands a transaction, several
// transactions at once on PostgreSQL) and measures the first page, a
// cursor page past the middle of the set and an offset page at the same
// depth, newest first and for a status + queue filter, each with tags;
// then creating conversations into that table, whose baseline is creating
// them into an empty one.
//
// Flags:
//
//	-quick          a short run (a minute or two): short measurements, 10k at scale
//	-json           print one JSON object per row: store, op, ops_per_sec,
//	                p50_us, p99_us, allocs_per_op, baseline_ops_per_sec, ratio,
//	                callers
//	-postgres DSN   the PostgreSQL database (default: the local test server);
//	                the run works in a fresh schema it creates and drops
//	-sizes LIST     the sizes at scale, comma-separated (default 10000,100000,1000000;
//	                10000 with -quick; "" for none)
//	-stores LIST    the stores to measure (default memory,sqlite,postgres)
//	-explain        print the plans of the scale lists at 100k (seeding 100k if
//	                -sizes has no 100000)
//	-nosync         PostgreSQL commits that do not wait for the disk, for parley
//	                and the baseline alike (synchronous_commit off for their
//	                sessions): parley's own cost, unhidden by the WAL flush.
//	                SQLite runs as sqlite.Open opens it either way: WAL with
//	                synchronous NORMAL, whose commits do not wait for the disk
//	                (checkpoints do)
//	-dir DIR        where the SQLite files go (default: a temporary directory)
//
// When PostgreSQL does not answer, the run says so and measures the other
// stores; it exits non-zero only when a measurement fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
)

// defaultDSN is the local test server.
const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "parley-bench:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

type config struct {
	quick, json, explain, nosync bool
	dsn, dir                     string
	sizes                        []int
	stores                       []string
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("parley-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.quick, "quick", false, "a short run (a minute or two)")
	fs.BoolVar(&c.json, "json", false, "print one JSON object per row")
	fs.BoolVar(&c.explain, "explain", false, "print the plans of the scale lists at 100k")
	fs.BoolVar(&c.nosync, "nosync", false, "PostgreSQL commits that do not wait for the disk, for parley and the baseline alike")
	fs.StringVar(&c.dsn, "postgres", defaultDSN, "the PostgreSQL database")
	fs.StringVar(&c.dir, "dir", "", "where the SQLite files go (default: a temporary directory)")
	sizes := fs.String("sizes", "", "the sizes at scale, comma-separated")
	stores := fs.String("stores", "memory,sqlite,postgres", "the stores to measure")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "parley-bench: unexpected argument %q\n", fs.Arg(0))
		return c, errUsage
	}
	sizeList := *sizes
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "sizes" })
	if !set {
		sizeList = "10000,100000,1000000"
		if c.quick {
			sizeList = "10000"
		}
	}
	for _, f := range strings.Split(sizeList, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1000 || n > 10_000_000 {
			fmt.Fprintf(stderr, "parley-bench: -sizes: %q is not a size from 1000 to 10000000\n", f)
			return c, errUsage
		}
		c.sizes = append(c.sizes, n)
	}
	for _, s := range strings.Split(*stores, ",") {
		s = strings.TrimSpace(s)
		switch s {
		case "memory", "sqlite", "postgres":
			c.stores = append(c.stores, s)
		case "":
		default:
			fmt.Fprintf(stderr, "parley-bench: -stores: unknown store %q\n", s)
			return c, errUsage
		}
	}
	return c, nil
}

// budgets of one measurement: an operation with its baseline, if any.
func (c config) budget() budget {
	if c.quick {
		return budget{total: 800 * time.Millisecond, rounds: 2}
	}
	return budget{total: 6 * time.Second, rounds: 5}
}

func (c config) scaleBudget() budget {
	if c.quick {
		return budget{total: 500 * time.Millisecond, rounds: 2}
	}
	return budget{total: 4 * time.Second, rounds: 4}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	out := &printer{w: stdout, json: c.json}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "parley-bench: "+format+"\n", a...) }
	logf("%s, %d CPUs, %s", runtime.Version(), runtime.NumCPU(), durability(c.nosync))

	dir := c.dir
	if dir == "" && (slices.Contains(c.stores, "sqlite")) {
		if dir, err = os.MkdirTemp("", "parley-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}

	if slices.Contains(c.stores, "memory") {
		logf("memstore")
		_, rows, err := measureWorkload(ctx, c, func(ctx context.Context) (*fixture, error) {
			w := &workload{svc: parley.New(memstore.New())}
			return &fixture{name: "memory", w: w, close: func() {}}, w.setup(ctx)
		})
		if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		out.table("memory (memstore)", rows)
	}

	var opened []func(context.Context) (*sqlStore, error)
	if slices.Contains(c.stores, "sqlite") {
		opened = append(opened, func(ctx context.Context) (*sqlStore, error) { return openSQLite(ctx, dir) })
	}
	pgReachable := slices.Contains(c.stores, "postgres")
	if pgReachable {
		probe, err := openPostgres(ctx, c.dsn, c.nosync, 0)
		if err != nil {
			if !errors.Is(err, errUnreachable) {
				return fmt.Errorf("postgres: %w", err)
			}
			pgReachable = false
			logf("%v: skipping PostgreSQL (-postgres sets the DSN)", err)
			out.text(stderr, fmt.Sprintf("\npostgres: not measured: %v", err))
		} else {
			probe.close()
			opened = append(opened, func(ctx context.Context) (*sqlStore, error) { return openPostgres(ctx, c.dsn, c.nosync, 0) })
		}
	}

	for _, open := range opened {
		logged := false
		name, rows, err := measureWorkload(ctx, c, func(ctx context.Context) (*fixture, error) {
			s, err := open(ctx)
			if err != nil {
				return nil, err
			}
			if !logged {
				logged = true
				logf("%s: workload", s.name)
			}
			f := &fixture{name: s.name, w: &workload{svc: s.svc}, trips: s.trips, baseTrips: s.raw.trips(), close: s.close}
			if err := f.w.setup(ctx); err != nil {
				s.close()
				return nil, err
			}
			if f.base, err = baselines(ctx, s, f.w); err != nil {
				s.close()
				return nil, err
			}
			return f, nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		title := "sqlite (WAL file)"
		if name == "postgres" {
			title = "postgres"
		}
		out.table(title, rows)
		if name == "postgres" {
			rows, err := measureConcurrency(ctx, c, logf)
			if err != nil {
				return fmt.Errorf("postgres: %w", err)
			}
			out.table("postgres, concurrent callers (the floor: as many callers on a raw pgx pool)", rows)
		}
	}

	logf("router")
	var routerRows []row
	for _, st := range routerSteps() {
		m, err := measure(ctx, c.budget(), st.step, nil, nil, nil)
		if err != nil {
			return fmt.Errorf("router: %w", err)
		}
		routerRows = append(routerRows, rowOf("router", st.name, m))
	}
	out.table("router (pure, in memory)", routerRows)

	sizes := c.sizes
	explainAt := 0
	if c.explain && pgReachable {
		explainAt = 100_000
		if !slices.Contains(sizes, explainAt) {
			sizes = append(sizes, explainAt)
			slices.Sort(sizes)
		}
	}
	for _, n := range sizes {
		for _, open := range opened {
			if err := measureScale(ctx, c, out, stderr, open, n, n == explainAt, slices.Contains(c.sizes, n)); err != nil {
				return err
			}
		}
	}
	logf("done in %s", time.Since(start).Round(100*time.Millisecond))
	return nil
}

func durability(nosync bool) string {
	if nosync {
		return "PostgreSQL commits not waiting for the disk (-nosync)"
	}
	return "PostgreSQL commits waiting for the disk (its default)"
}

// fixture is one store, by name, with the workload set up on it and the
// baselines of its operations.
type fixture struct {
	name             string
	w                *workload
	base             map[string]*step
	trips, baseTrips func() int64
	close            func()
}

// measureWorkload measures each step of the workload, each on a fresh
// store that open sets up, against its baseline where it has one: a step
// that writes (create makes hundreds of thousands of conversations) does
// not change the store the next step measures.
func measureWorkload(ctx context.Context, c config, open func(context.Context) (*fixture, error)) (name string, rows []row, err error) {
	for i, n := 0, 1; i < n; i++ {
		f, err := open(ctx)
		if err != nil {
			return name, nil, err
		}
		steps := f.w.steps()
		n, name = len(steps), f.name
		st := steps[i]
		m, err := measure(ctx, c.budget(), st.step, f.base[st.name], f.trips, f.baseTrips)
		f.close()
		if err != nil {
			return name, nil, fmt.Errorf("%s: %w", st.name, err)
		}
		rows = append(rows, rowOf(f.name, st.name, m))
	}
	return name, rows, nil
}

// measureScale seeds n conversations into a fresh store of open's kind and
// measures it (when report is set) and prints its plans (when plans is
// set).
func measureScale(ctx context.Context, c config, out *printer, stderr io.Writer, open func(context.Context) (*sqlStore, error), n int, plans, report bool) error {
	s, err := open(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	set := newSeedSet(n, time.Now())
	t := time.Now()
	if err := seed(ctx, s, set); err != nil {
		return fmt.Errorf("%s: seeding %s: %w", s.name, sizeLabel(n), err)
	}
	fmt.Fprintf(stderr, "parley-bench: %s: seeded %s conversations in %s\n", s.name, sizeLabel(n), time.Since(t).Round(100*time.Millisecond))
	if plans {
		text, err := explain(ctx, s, set)
		if err != nil {
			return fmt.Errorf("%s: plans: %w", s.name, err)
		}
		out.text(stderr, "\nplans at "+sizeLabel(n)+" ("+s.name+"):"+text)
	}
	if !report {
		return nil
	}
	empty, err := open(ctx)
	if err != nil {
		return err
	}
	defer empty.close()
	rows, err := scaleRows(ctx, s, empty, set, c.scaleBudget(), s.trips)
	if err != nil {
		return fmt.Errorf("%s at %s: %w", s.name, sizeLabel(n), err)
	}
	out.table(fmt.Sprintf("%s at %s conversations", s.name, sizeLabel(n)), rows)
	return nil
}
