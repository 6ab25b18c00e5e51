package systemtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

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
	pool, err := pgxpool.New(ctx, os.Getenv("PARLEY_RACE_DSN"))
	if err != nil {
		return err
	}
	defer pool.Close()
	store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(os.Getenv("PARLEY_RACE_SCHEMA")))
	if err != nil {
		return err
	}
	svc := parley.New(store)
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
