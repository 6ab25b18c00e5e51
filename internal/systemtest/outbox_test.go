package systemtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage/storagetest"
)

// TestOutboxTwoProcesses runs the outbox race on PostgreSQL across
// processes: two child processes (this test binary started again) write,
// update, tag and delete conversations, each from two goroutines, while
// this process writes too and three readers poll the log with small pages.
// Each reader must read every event the log holds in the end, and never a
// seq below one it had read. Many trials, each on a fresh schema.
func TestOutboxTwoProcesses(t *testing.T) {
	t.Parallel()
	const trials, childWriters = 5, 2
	for trial := range trials {
		store := newPostgres(t).(*sqlstore.Store)
		svc := parley.New(store)
		ctx := t.Context()

		var cmds []*exec.Cmd
		var outputs []*strings.Builder
		for k := range 2 {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			out := &strings.Builder{}
			cmd.Stdout, cmd.Stderr = out, out
			cmd.Env = append(os.Environ(),
				outboxChildEnv+"="+fmt.Sprintf("p%d", k),
				"PARLEY_OUTBOX_DSN="+pgtest.DSN(t),
				"PARLEY_OUTBOX_SCHEMA="+store.Schema(),
			)
			dieWithParent(cmd)
			require.NoError(t, cmd.Start())
			cmds, outputs = append(cmds, cmd), append(outputs, out)
		}
		done := make(chan struct{})
		var writeErr error
		go func() {
			defer close(done)
			writeErr = storagetest.OutboxRaceWrite(ctx, svc, "parent")
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil && writeErr == nil {
					writeErr = fmt.Errorf("child %d: %w: %s", i, err, outputs[i])
				}
			}
		}()
		readers := []*storagetest.OutboxReader{{}, {}, {}}
		require.NoError(t, storagetest.OutboxRaceRead(ctx, svc, readers, done), "trial %d", trial)
		require.NoError(t, writeErr, "trial %d", trial)
		storagetest.OutboxRaceCheck(t, svc, readers, 1+2*childWriters)
	}
}

// outboxChildEnv, when set, makes the test binary a writer of
// TestOutboxTwoProcesses instead of running tests (see TestMain); its value
// prefixes the ids the child writes.
const outboxChildEnv = "PARLEY_OUTBOX_CHILD"

// outboxChild is a child process of the outbox race: one service with a
// pool of its own, two writers.
func outboxChild(prefix string) error {
	ctx := context.Background()
	svc, pool, err := childService(ctx, "PARLEY_OUTBOX_DSN", "PARLEY_OUTBOX_SCHEMA")
	if err != nil {
		return err
	}
	defer pool.Close()
	write := func(w int) func() error {
		return func() error { return storagetest.OutboxRaceWrite(ctx, svc, fmt.Sprintf("%s-w%d", prefix, w)) }
	}
	return parallelErr(write(0), write(1))
}
