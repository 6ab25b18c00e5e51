package systemtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The write-concurrency benchmarks on PostgreSQL: how creates scale with
// concurrent writers, and whether a host transaction that wrote through
// parley and stays open holds other writers up.
//
//	go test -run '^$' -bench 'BenchmarkConcurrentWriters|BenchmarkWritesBesideHostTx' ./internal/systemtest
//
// Each writer creates conversations (one INSERT and its event, one commit
// each) through its own parley.Service. "shared" writers are goroutines on
// one pool; "separate" writers each have a pool of their own, as parley
// instances on one database would. vs_1 is the creates/s against one
// writer's in the same run.

// writerCounts are the numbers of concurrent writers measured.
var writerCounts = []int{1, 2, 4, 8}

// newPgPool opens a pool of its own on the test server, closed when b ends.
func newPgPool(b testing.TB, maxConns int32) *pgxpool.Pool {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(b))
	require.NoError(b, err)
	cfg.MaxConns = maxConns
	pool, err := pgxpool.NewWithConfig(b.Context(), cfg)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	return pool
}

// pgServices returns n services over one migrated schema: over one shared
// pool, or each over a pool of its own.
func pgServices(b testing.TB, n int, separate bool) ([]*parley.Service, string) {
	b.Helper()
	schema := pgtest.Schema(b)
	var shared *pgxpool.Pool
	if !separate {
		shared = newPgPool(b, int32(max(n, 4)))
	}
	out := make([]*parley.Service, n)
	for i := range out {
		pool := shared
		if separate {
			pool = newPgPool(b, 2)
		}
		st, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
		require.NoError(b, err)
		if i == 0 {
			require.NoError(b, st.Migrate(b.Context()))
		}
		out[i] = parley.New(st)
	}
	return out, schema
}

func BenchmarkConcurrentWriters(b *testing.B) {
	pgtest.DSN(b)
	for _, separate := range []bool{false, true} {
		mode := "shared"
		if separate {
			mode = "separate"
		}
		var one float64
		for _, n := range writerCounts {
			b.Run(fmt.Sprintf("pools=%s/writers=%d", mode, n), func(b *testing.B) {
				svcs, _ := pgServices(b, n, separate)
				ctx := b.Context()
				var left atomic.Int64
				left.Store(int64(b.N))
				errs := make(chan error, n)
				b.ResetTimer()
				var wg sync.WaitGroup
				for w, svc := range svcs {
					wg.Go(func() {
						for i := w; left.Add(-1) >= 0; i++ {
							if _, err := svc.CreateConversation(ctx, sampleConversation(i)); err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				rate := float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(rate, "creates/s")
				if n == 1 {
					one = rate
				}
				if one > 0 {
					b.ReportMetric(rate/one, "vs_1")
				}
			})
		}
	}
}

// BenchmarkWritesBesideHostTx holds a host transaction open for a second
// after it created a conversation through parley, while four writers on
// pools of their own create conversations, each call with a deadline of
// 1.5 s. It reports how many creates completed while the host's
// transaction was open, and how many failed.
func BenchmarkWritesBesideHostTx(b *testing.B) {
	pgtest.DSN(b)
	const writers = 4
	const hold = time.Second
	svcs, schema := pgServices(b, writers, true)
	hostPool := newPgPool(b, 2)
	hostStore, err := sqlstore.NewPostgres(hostPool, sqlstore.WithSchema(schema))
	require.NoError(b, err)
	var during, failed atomic.Int64
	for b.Loop() {
		ctx := b.Context()
		tx, err := hostPool.Begin(ctx)
		require.NoError(b, err)
		in, err := hostStore.WithPgxTx(ctx, tx)
		require.NoError(b, err)
		_, err = parley.New(in).CreateConversation(ctx, sampleConversation(0))
		require.NoError(b, err)

		open := make(chan struct{})
		var held atomic.Bool
		held.Store(true)
		var wg sync.WaitGroup
		for w, svc := range svcs {
			wg.Go(func() {
				for i := w; ; i += writers {
					select {
					case <-open:
						return
					default:
					}
					callCtx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
					_, err := svc.CreateConversation(callCtx, sampleConversation(i))
					cancel()
					switch {
					case err != nil && !errors.Is(err, context.DeadlineExceeded):
						b.Error(err)
						return
					case err != nil:
						failed.Add(1)
					case held.Load():
						during.Add(1)
					}
				}
			})
		}
		timer := time.NewTimer(hold)
		<-timer.C
		held.Store(false)
		require.NoError(b, tx.Commit(ctx))
		close(open)
		wg.Wait()
	}
	b.ReportMetric(float64(during.Load())/float64(b.N), "creates_while_held")
	b.ReportMetric(float64(failed.Load())/float64(b.N), "timeouts")
}

// BenchmarkConsume measures the events/s a Consume loop sustains reading
// the log, on every store: consumeEvents events (conversation.created,
// written through the service), read from the start in batches of
// consumeBatch by a handler that only counts them, once per iteration.
//
//	go test -run '^$' -bench BenchmarkConsume ./internal/systemtest
func BenchmarkConsume(b *testing.B) {
	const consumeEvents, consumeBatch = 2000, 500
	for _, sf := range storeFactories {
		b.Run(sf.name, func(b *testing.B) {
			svc := parley.New(sf.new(b))
			ctx := b.Context()
			for i := range consumeEvents {
				_, err := svc.CreateConversation(ctx, sampleConversation(i))
				require.NoError(b, err)
			}
			for b.Loop() {
				cctx, stop := context.WithCancel(ctx)
				n := 0
				err := svc.Consume(cctx, parley.ConsumeOptions{BatchSize: consumeBatch, PollInterval: time.Hour},
					func(_ context.Context, events []*storage.Event) error {
						n += len(events)
						if n >= consumeEvents {
							stop()
						}
						return nil
					})
				stop()
				require.NoError(b, err)
				require.Equal(b, consumeEvents, n)
			}
			b.ReportMetric(float64(consumeEvents*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
