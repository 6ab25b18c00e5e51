package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

func TestDriverErrorsAreMappedAndReachable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q1", "Billing")) }))
		// A taken name is the unique index's violation, raised by the
		// database: the sentinel and the driver's error are both there.
		err := s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q2", "Billing")) })
		require.ErrorIs(t, err, storage.ErrAlreadyExists)
		var own *storage.Error
		require.ErrorAs(t, err, &own)
		require.Equal(t, "q2", own.ID)
		requireNoSQL(t, err)
		switch s.Dialect() {
		case sqlstore.Postgres:
			var pgErr *pgconn.PgError
			require.ErrorAs(t, err, &pgErr)
			require.Equal(t, "23505", pgErr.Code)
		case sqlstore.SQLite:
			var liteErr sqlite3.Error
			require.ErrorAs(t, err, &liteErr)
			require.Equal(t, sqlite3.ErrConstraintUnique, liteErr.ExtendedCode)
		}

		// A missing row keeps the driver's "no rows" error as its cause.
		_, err = s.GetConversation(ctx, "missing")
		require.ErrorIs(t, err, storage.ErrNotFound)
		if s.Dialect() == sqlstore.Postgres {
			require.ErrorIs(t, err, pgx.ErrNoRows)
		} else {
			require.ErrorIs(t, err, sql.ErrNoRows)
		}
		requireNoSQL(t, err)
	})
}

func TestBadTextNeverReachesTheDriver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		for _, bad := range []string{"nul\x00byte", "bad\xffutf8"} {
			c := conv("c1")
			c.Topic = bad
			err := s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, c) })
			var field *storage.FieldError
			require.ErrorAs(t, err, &field, "%q", bad)
			var pgErr *pgconn.PgError
			require.False(t, errors.As(err, &pgErr))

			// Lookups by a key no row can have find nothing.
			_, err = s.GetConversation(ctx, bad)
			require.ErrorIs(t, err, storage.ErrNotFound)
			_, err = s.GetTag(ctx, bad)
			require.ErrorIs(t, err, storage.ErrNotFound)
			require.ErrorIs(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.DeleteConversation(ctx, bad) }), storage.ErrNotFound)
			_, err = storagetest.InTx(ctx, s, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(ctx, bad, "t") })
			require.ErrorIs(t, err, storage.ErrNotFound)
			require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.LockKey(ctx, bad) }))
			require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.LockKey(ctx, bad) }))
			n, err := s.AgentLoad(ctx, bad)
			require.NoError(t, err)
			require.Zero(t, n)
		}
	})
}

// On PostgreSQL a statement that fails aborts its transaction; a function
// that ignores the error and returns nil must not get a silent rollback
// reported as a commit.
func TestCommitOfAnAbortedTransactionFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q1", "Billing")) }))
		err := s.InTx(ctx, func(tx storage.Tx) error {
			_ = tx.CreateConversation(ctx, conv("c1"))
			dup := tx.CreateQueue(ctx, queue("q2", "Billing"))
			require.ErrorIs(t, dup, storage.ErrAlreadyExists)
			return nil // ignoring the failure
		})
		if s.Dialect() == sqlstore.Postgres {
			require.Error(t, err, "PostgreSQL rolled the transaction back; InTx must say so")
			_, err := s.GetConversation(ctx, "c1")
			require.ErrorIs(t, err, storage.ErrNotFound)
		} else {
			// SQLite undoes the failed statement only: the rest commits.
			require.NoError(t, err)
			_, err := s.GetConversation(ctx, "c1")
			require.NoError(t, err)
		}
	})
}

// Expected failures are found without the database raising an error, so
// that a PostgreSQL transaction stays usable after them.
func TestExpectedFailuresKeepTheTransactionUsable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, conv("c1")) }))
		err := s.InTx(ctx, func(tx storage.Tx) error {
			require.ErrorIs(t, tx.CreateConversation(ctx, conv("c1")), storage.ErrAlreadyExists)
			_, err := tx.AddConversationTag(ctx, "c1", "missing")
			require.ErrorIs(t, err, storage.ErrNotFound)
			require.ErrorIs(t, tx.UpdateConversation(ctx, conv("c1"), 7), storage.ErrConflict)
			require.ErrorIs(t, tx.RemoveConversationTag(ctx, "c1", "missing"), storage.ErrNotFound)
			if err := tx.CreateConversation(ctx, conv("c2")); err != nil {
				return err
			}
			return tx.AppendEvents(ctx, event("c2"))
		})
		require.NoError(t, err)
		_, err = s.GetConversation(ctx, "c2")
		require.NoError(t, err)
	})
}
