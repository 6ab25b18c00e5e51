package sqlstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// SQLite: open (here in memory; a path for a file), migrate, and run the
// service over it. Importing sqlstore/sqlite is what needs cgo.
func Example_sqlite() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		panic(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		panic(err)
	}
	version, _ := store.SchemaVersion(ctx)
	fmt.Println("at the latest version:", version == store.LatestVersion())

	svc := parley.New(store)
	c, err := svc.CreateConversation(ctx, conversation.Conversation{ID: "conv-1", Topic: "Where is my parcel?"})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ID, c.Status, c.Version)
	// Output:
	// at the latest version: true
	// conv-1 OPEN 1
}

// PostgreSQL: no cgo. The store works on a pool the host owns (and may
// share), in a schema of its own. This example is compiled, not run: it
// needs a database.
func Example_postgres() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema("parley"))
	if err != nil {
		panic(err)
	}
	// Ops may have migrated already ("parley migrate"); Migrate is then a
	// no-op, and it refuses a database a newer build migrated.
	if err := store.Migrate(ctx); err != nil {
		panic(err)
	}
	svc := parley.New(store)
	_, _ = svc.CreateConversation(ctx, conversation.Conversation{Topic: "Hello"})
}

// A business write of the host's and a parley change in one transaction:
// both commit, or neither. What waits for the commit (subscribers, the
// routing a change triggers) runs at Committed. Compiled, not run: it
// needs a database.
func ExampleStore_WithPgxTx() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	store, err := sqlstore.NewPostgres(pool)
	if err != nil {
		panic(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback(ctx) // a no-op once committed

	if _, err := tx.Exec(ctx, `UPDATE orders SET refund_requested = true WHERE id = $1`, 1042); err != nil {
		panic(err)
	}
	host, err := store.WithPgxTx(tx)
	if err != nil {
		panic(err)
	}
	if _, err := parley.New(host).CreateConversation(ctx, conversation.Conversation{Topic: "Refund for order 1042"}); err != nil {
		panic(err) // the deferred rollback undoes the order's change too
	}
	if err := tx.Commit(ctx); err != nil {
		panic(err)
	}
	host.Committed(ctx)
}
