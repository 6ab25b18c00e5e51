package sqlstore_test

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
)

// A host's own write and a parley change in one transaction of the host's:
// both commit, or neither. Commit commits the host's transaction and then
// runs what waited for it (the events' numbering, subscribers, routing).
func ExampleStore_WithPgxTx() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://localhost/app")
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
