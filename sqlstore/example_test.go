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

// A host's own write and a parley change in one transaction of the host's:
// both commit, or neither. Commit commits the host's transaction and then
// runs what waited for it (the events' numbering, subscribers, routing).
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
	svc := parley.New(store) // with the host's options, once

	tx, err := pool.Begin(ctx) // READ COMMITTED, PostgreSQL's default
	if err != nil {
		panic(err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // a no-op once committed
	if _, err := tx.Exec(ctx, `UPDATE orders SET state = 'escalated' WHERE id = $1`, "order-17"); err != nil {
		panic(err)
	}
	in, err := store.WithPgxTx(ctx, tx)
	if err != nil {
		panic(err) // another isolation level is refused here
	}
	if _, err := svc.WithStore(in).CreateConversation(ctx, conversation.Conversation{
		Topic: "Order 17 escalated", Attributes: map[string]string{"order": "order-17"},
	}); err != nil {
		panic(err) // the host's transaction is still usable: roll back, or go on
	}
	if err := in.Commit(ctx); err != nil {
		panic(err)
	}
}
