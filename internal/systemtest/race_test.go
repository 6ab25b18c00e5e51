package systemtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage/storagetest"
)

// TestRoutingRaceTwoPools runs the race on PostgreSQL through two
// services, each with a connection pool of its own, on one database.
func TestRoutingRaceTwoPools(t *testing.T) {
	t.Parallel()
	first := newPostgres(t).(*sqlstore.Store)
	pool2, err := pgxpool.New(t.Context(), pgtest.DSN(t))
	require.NoError(t, err)
	t.Cleanup(pool2.Close)
	second, err := sqlstore.NewPostgres(pool2, sqlstore.WithSchema(first.Schema()))
	require.NoError(t, err)
	svc1, svc2 := newFixture(t, first).svc, newFixture(t, second).svc
	ctx := t.Context()
	storagetest.RoutingRaceSetUp(t, svc1)
	const routers = storagetest.RoutingRaceRouters / 2
	require.NoError(t, parallelErr(
		func() error { return storagetest.RoutingRaceRoute(ctx, svc1, 0, 2, routers) },
		func() error { return storagetest.RoutingRaceRoute(ctx, svc2, 1, 2, routers) },
	))
	assigned, waiting := storagetest.RoutingRaceCheckRouted(t, svc1)
	require.NoError(t, parallelErr(
		func() error { return storagetest.RoutingRaceDrain(ctx, svc1, routers) },
		func() error { return storagetest.RoutingRaceDrain(ctx, svc2, routers) },
	))
	storagetest.RoutingRaceCheckLog(t, svc1, "two pools", assigned, waiting)
}

// TestRoutingRaceTwoProcesses runs the race on PostgreSQL from two OS
// processes (this test binary started again as a child), as two instances
// of an application sharing one database would.
func TestRoutingRaceTwoProcesses(t *testing.T) {
	t.Parallel()
	store := newPostgres(t).(*sqlstore.Store)
	svc := newFixture(t, store).svc
	storagetest.RoutingRaceSetUp(t, svc)
	children := func(phase string) {
		t.Helper()
		var cmds []*exec.Cmd
		var outputs []*strings.Builder
		for k := range 2 {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
			out := &strings.Builder{}
			cmd.Stdout, cmd.Stderr = out, out
			cmd.Env = append(os.Environ(),
				raceChildEnv+"="+phase,
				"PARLEY_RACE_DSN="+pgtest.DSN(t),
				"PARLEY_RACE_SCHEMA="+store.Schema(),
				fmt.Sprintf("PARLEY_RACE_SHARE=%d", k),
			)
			dieWithParent(cmd)
			require.NoError(t, cmd.Start())
			cmds, outputs = append(cmds, cmd), append(outputs, out)
		}
		for i, cmd := range cmds {
			require.NoError(t, cmd.Wait(), "child %d (%s): %s", i, phase, outputs[i])
		}
	}
	children("route")
	assigned, waiting := storagetest.RoutingRaceCheckRouted(t, svc)
	children("drain")
	storagetest.RoutingRaceCheckLog(t, svc, "two processes", assigned, waiting)
}

// raceChildEnv, when set, makes the test binary a child of
// TestRoutingRaceTwoProcesses instead of running tests (see TestMain).
const raceChildEnv = "PARLEY_RACE_CHILD"

// raceChild is the child process: one parley service with a pool of its
// own, doing its share of a phase of the race.
func raceChild(phase string) error {
	ctx := context.Background()
	svc, pool, err := childService(ctx, "PARLEY_RACE_DSN", "PARLEY_RACE_SCHEMA")
	if err != nil {
		return err
	}
	defer pool.Close()
	share, err := strconv.Atoi(os.Getenv("PARLEY_RACE_SHARE"))
	if err != nil {
		return err
	}
	switch phase {
	case "route":
		return storagetest.RoutingRaceRoute(ctx, svc, share, 2, storagetest.RoutingRaceRouters/2)
	case "drain":
		return storagetest.RoutingRaceDrain(ctx, svc, storagetest.RoutingRaceRouters/2)
	}
	return fmt.Errorf("unknown phase %q", phase)
}

// childService is the service a child process of a race works with: over
// PostgreSQL, in the database and schema the environment variables named
// give, on a pool of its own, which the caller closes.
func childService(ctx context.Context, dsnVar, schemaVar string) (*parley.Service, *pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, os.Getenv(dsnVar))
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(os.Getenv(schemaVar)))
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return parley.New(store), pool, nil
}

// parallelErr runs fns at once and returns the first error.
func parallelErr(fns ...func() error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// TestLoadRacesTwoProcesses runs the load races of storagetest (automatic
// assignment against a reopen by message or by status, a manual
// assignment, a lower capacity, the agent going AWAY and its leaving the
// queue) on PostgreSQL from two OS processes:
// per trial, the parent tells both children at once to run their side, and
// waits for both. PARLEY_RACE_TRIALS sets the trials per race (default 200,
// or 1,000 under CI=true).
func TestLoadRacesTwoProcesses(t *testing.T) {
	t.Parallel()
	trials := loadRaceTrials(t)
	for _, race := range storagetest.LoadRaces {
		t.Run(string(race), func(t *testing.T) {
			store := newPostgres(t).(*sqlstore.Store)
			svc := newFixture(t, store).svc
			after := storagetest.LoadRaceSetUp(t, svc, race, trials)
			took := raceTwoProcesses(t, store, string(race), trials)
			broken := storagetest.LoadRaceViolations(t, svc, race, trials, after)
			t.Logf("load race %s, two processes: %d of %d trials broke an invariant; the trials took %v", race, len(broken), trials, took.Round(time.Millisecond))
			require.Empty(t, broken)
		})
	}
}

// TestCatalogRacesTwoProcesses runs the catalog races of storagetest
// (routing rules replaced from both sides; a conversation created with a
// tag that the other side deletes) on PostgreSQL from two OS processes, as
// TestLoadRacesTwoProcesses does: no side may fail, and each trial ends as
// a serial order would.
func TestCatalogRacesTwoProcesses(t *testing.T) {
	t.Parallel()
	trials := loadRaceTrials(t)
	for _, race := range storagetest.CatalogRaces {
		t.Run(string(race), func(t *testing.T) {
			store := newPostgres(t).(*sqlstore.Store)
			svc := newFixture(t, store).svc
			storagetest.CatalogRaceSetUp(t, svc, race, trials)
			took := raceTwoProcesses(t, store, string(race), trials)
			storagetest.CatalogRaceCheck(t, svc, race, trials)
			t.Logf("catalog race %s, two processes: %d trials, no error; the trials took %v", race, trials, took.Round(time.Millisecond))
		})
	}
}

// TestCallRacesTwoProcesses runs the call races of storagetest (two
// runners offering one call, two calls offered to one agent, an accept
// racing the offer's timeout, two transfers of one call, a transfer to an
// agent racing an offer to the same agent) on PostgreSQL from two OS
// processes, as TestLoadRacesTwoProcesses does: a call rings at one agent
// at a time, no agent has two live calls or transfers ringing, an accept
// and a timeout never both win, one transfer starts, and every call stays
// valid.
func TestCallRacesTwoProcesses(t *testing.T) {
	t.Parallel()
	trials := loadRaceTrials(t)
	for _, race := range storagetest.CallRaces {
		t.Run(string(race), func(t *testing.T) {
			store := newPostgres(t).(*sqlstore.Store)
			svc := newFixture(t, store).svc
			storagetest.CallRaceSetUp(t, svc, store, race, trials)
			took := raceTwoProcesses(t, store, string(race), trials)
			broken := storagetest.CallRaceViolations(t, svc, race, trials)
			t.Logf("call race %s, two processes: %d of %d trials broke an invariant; the trials took %v", race, len(broken), trials, took.Round(time.Millisecond))
			require.Empty(t, broken)
		})
	}
}

// raceTwoProcesses runs trials trials of race (see storagetest.RaceSide)
// from two child processes over store's schema, side 0 in one and side 1
// in the other, both told at once per trial; a side that fails fails t.
// It returns how long the trials took.
func raceTwoProcesses(t *testing.T, store *sqlstore.Store, race string, trials int) time.Duration {
	t.Helper()
	sides := [2]*raceSideChild{}
	for k := range sides {
		sides[k] = startRaceSideChild(t, store.Schema(), race, k)
	}
	start := time.Now()
	for i := range trials {
		for _, c := range sides {
			_, err := fmt.Fprintln(c.in, i)
			require.NoError(t, err)
		}
		for k, c := range sides {
			require.True(t, c.out.Scan(), "child %d of trial %d ended: %v", k, i, c.out.Err())
			require.Equal(t, "ok", c.out.Text(), "child %d of trial %d", k, i)
		}
	}
	took := time.Since(start)
	for _, c := range sides {
		require.NoError(t, c.in.Close())
		require.NoError(t, c.cmd.Wait())
	}
	return took
}

// loadRaceTrials is the number of trials of each load race.
func loadRaceTrials(t *testing.T) int {
	if v := os.Getenv("PARLEY_RACE_TRIALS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "PARLEY_RACE_TRIALS")
		require.Positive(t, n, "PARLEY_RACE_TRIALS")
		return n
	}
	if os.Getenv("CI") == "true" {
		return 1000
	}
	return 200
}

// raceSideChild is a child process running one side of a race: it reads
// a trial's number per line and answers "ok" once its side of that trial
// is done.
type raceSideChild struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startRaceSideChild(t *testing.T, schema, race string, side int) *raceSideChild {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		raceSideChildEnv+"="+race,
		"PARLEY_RACE_DSN="+pgtest.DSN(t),
		"PARLEY_RACE_SCHEMA="+schema,
		fmt.Sprintf("PARLEY_RACE_SIDE=%d", side),
	)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	dieWithParent(cmd)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = in.Close(); _ = cmd.Wait() })
	return &raceSideChild{cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

// raceSideChildEnv, when set, makes the test binary a child of
// raceTwoProcesses running one side of the race it names (see TestMain).
const raceSideChildEnv = "PARLEY_RACE_SIDE_CHILD"

// runRaceSideChild runs its side of race for each trial number read from
// stdin, answering each on stdout.
func runRaceSideChild(race string) error {
	ctx := context.Background()
	svc, pool, err := childService(ctx, "PARLEY_RACE_DSN", "PARLEY_RACE_SCHEMA")
	if err != nil {
		return err
	}
	defer pool.Close()
	sideOf := func(trial, side int) error { return storagetest.RaceSide(ctx, svc, race, trial, side) }
	if slices.Contains(storagetest.CallRaces, storagetest.CallRace(race)) {
		// A call race's sides run with clocks of their own, over the store.
		store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(os.Getenv("PARLEY_RACE_SCHEMA")))
		if err != nil {
			return err
		}
		sideOf = func(trial, side int) error {
			return storagetest.CallRaceSide(ctx, store, storagetest.CallRace(race), trial, side)
		}
	}
	side, err := strconv.Atoi(os.Getenv("PARLEY_RACE_SIDE"))
	if err != nil {
		return err
	}
	// Warm the pool, so that a trial's side does not wait for a connection.
	if err := pool.Ping(ctx); err != nil {
		return err
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		trial, err := strconv.Atoi(in.Text())
		if err != nil {
			return err
		}
		if err := sideOf(trial, side); err != nil {
			return fmt.Errorf("trial %d, side %d: %w", trial, side, err)
		}
		if _, err := fmt.Println("ok"); err != nil {
			return err
		}
	}
	return in.Err()
}
