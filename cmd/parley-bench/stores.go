package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/sqlstore"
)

// sqlStore is parley over one SQL database, and the raw driver beside it
// for the baselines.
type sqlStore struct {
	name  string
	store *sqlstore.Store
	svc   *parley.Service
	raw   rawDriver
	// trips counts parley's round trips (PostgreSQL); nil on SQLite.
	trips func() int64
	// record runs fn against a service over the same database whose
	// statements are recorded, and returns them.
	record func(fn func(svc *parley.Service) error) ([]statement, error)
	// close releases everything and removes what the store created.
	close func()
	// pgConfig is the connection's configuration (PostgreSQL).
	pgConfig *pgx.ConnConfig
	// instance makes another service over the same database, on a pool
	// of its own: a second parley instance (PostgreSQL).
	instance func(ctx context.Context) (*parley.Service, error)
	// rawPool opens a raw pool of size connections, for the floors of
	// the concurrent rows (PostgreSQL).
	rawPool func(ctx context.Context, size int) (*pgRawPool, error)
}

// pgConn opens a connection of its own to the store's PostgreSQL database.
func (s *sqlStore) pgConn(ctx context.Context) (*pgx.Conn, error) {
	if s.pgConfig == nil {
		return nil, errors.New("not a PostgreSQL store")
	}
	return connect(ctx, s.pgConfig.Copy())
}

// errUnreachable is the cause when PostgreSQL does not answer.
var errUnreachable = errors.New("PostgreSQL is unreachable")

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// openPostgres makes a store in a fresh schema of its own, which close
// drops, on a pool of maxConns connections (0: pgxpool's default). With nosync, commits of parley and of the baseline alike do not
// wait for the WAL to reach the disk (synchronous_commit off, for these
// sessions only).
func openPostgres(ctx context.Context, dsn string, nosync bool, maxConns int) (*sqlStore, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = int32(maxConns)
	}
	if nosync {
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	}
	plain := cfg.ConnConfig.Copy()
	admin, err := connect(ctx, plain)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnreachable, err)
	}
	schema := randomName("parley_bench_")
	if err := createSchema(ctx, admin, schema); err != nil {
		_ = admin.Close(ctx)
		return nil, err
	}
	cleanup := []func(){func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := dropSchema(ctx, admin, schema); err != nil {
			fmt.Fprintf(os.Stderr, "parley-bench: dropping schema %s: %v\n", schema, err)
		}
		_ = admin.Close(ctx)
	}}
	closeAll := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	rec := &recorder{}
	tracer := &pgTracer{rec: rec}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		closeAll()
		return nil, err
	}
	cleanup = append(cleanup, pool.Close)
	store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	if err == nil {
		err = store.Migrate(ctx)
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	rawTracer := &pgTracer{}
	rawCfg := plain.Copy()
	rawCfg.Tracer = rawTracer
	conn, err := connect(ctx, rawCfg)
	if err != nil {
		closeAll()
		return nil, err
	}
	raw := &pgRaw{conn: conn, tracer: rawTracer}
	cleanup = append(cleanup, raw.close)
	svc := parley.New(store)
	instance := func(ctx context.Context) (*parley.Service, error) {
		pool, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, pool.Close)
		store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
		if err != nil {
			return nil, err
		}
		return parley.New(store), nil
	}
	rawPool := func(ctx context.Context, size int) (*pgRawPool, error) {
		pc, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, err
		}
		pc.ConnConfig = plain.Copy()
		t := &pgTracer{}
		pc.ConnConfig.Tracer = t
		pc.MaxConns = int32(size)
		pool, err := pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			return nil, err
		}
		return &pgRawPool{pool: pool, tracer: t}, nil
	}
	return &sqlStore{
		instance: instance, rawPool: rawPool,
		name: "postgres", store: store, svc: svc, raw: raw,
		trips: tracer.count,
		record: func(fn func(*parley.Service) error) ([]statement, error) {
			return rec.record(func() error { return fn(svc) })
		},
		close:    closeAll,
		pgConfig: plain,
	}, nil
}

func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}
