package sqlstore_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

// TestErrorMessagesCarryNoDatabaseDetail drives the error paths a caller
// of the service (and so the HTTP adapter, which answers with the message)
// meets over the SQL store, the ones the database raises included, and
// checks each message: it names what failed, and carries no SQL, no
// SQLSTATE or driver text and no package prefix, while errors.Is still
// finds the sentinel.
func TestErrorMessagesCarryNoDatabaseDetail(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		svc := parley.New(s)
		_, err := svc.CreateQueue(ctx, routing.Queue{ID: "q1", Name: "Billing"})
		require.NoError(t, err)
		_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "c1"})
		require.NoError(t, err)
		_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "done"})
		require.NoError(t, err)
		_, err = svc.CloseConversation(ctx, "done")
		require.NoError(t, err)
		stale, topic := int64(7), "new"
		cancelled, cancel := context.WithCancel(ctx)
		cancel()

		cases := []struct {
			name string
			err  error
			kind error
			says string // a word of the message: what or who failed
		}{
			{"a taken queue name (the database's unique index)", second(svc.CreateQueue(ctx, routing.Queue{ID: "q2", Name: "Billing"})), parley.ErrAlreadyExists, "q2"},
			{"a taken conversation id", second(svc.CreateConversation(ctx, conversation.Conversation{ID: "c1"})), parley.ErrAlreadyExists, "c1"},
			{"a missing conversation", second(svc.GetConversation(ctx, "missing")), parley.ErrNotFound, "missing"},
			{"a missing queue of a rule", second(svc.SetRoutingRules(ctx, []routing.Rule{{Name: "r", QueueID: "missing-q"}})), parley.ErrNotFound, "missing-q"},
			{"a missing tag to remove", second(svc.RemoveTag(ctx, "c1", "absent")), parley.ErrNotFound, "c1"},
			{"a missing tag to delete", svc.DeleteTag(ctx, "absent"), parley.ErrNotFound, "absent"},
			{"a missing agent", second(svc.AssignConversation(ctx, "c1", "nobody")), parley.ErrNotFound, "nobody"},
			{"a member that is none", second(svc.RemoveQueueMember(ctx, "q1", "nobody")), parley.ErrNotFound, "nobody"},
			{"a stale version", second(svc.UpdateConversation(ctx, "c1", conversation.Patch{IfVersion: stale, Topic: &topic})), parley.ErrConflict, "c1"},
			{"a closed conversation", second(svc.AddTag(ctx, "done", "x")), parley.ErrClosed, "closed"},
			{"a NUL byte", second(svc.CreateConversation(ctx, conversation.Conversation{Topic: "a\x00b"})), parley.ErrInvalid, "topic"},
			{"a cancelled context", second(svc.GetConversation(cancelled, "c1")), context.Canceled, "canceled"},
		}
		for _, c := range cases {
			require.Error(t, c.err, c.name)
			require.ErrorIs(t, c.err, c.kind, c.name)
			requireCleanMessage(t, c.err)
			require.Contains(t, c.err.Error(), c.says, c.name)
		}

		// A missing tag is named as a tag, never as a conversation.
		tagged := conv("c9")
		tagged.Tags = []string{"absent"}
		err = s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, tagged) })
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.Equal(t, `finding tag "absent": not found`, err.Error())
		_, err = storagetest.InTx(ctx, s, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(ctx, "c1", "absent") })
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.Equal(t, `finding tag "absent": not found`, err.Error())

		// The store's own errors, below the service, are as clean, and
		// keep the driver's error reachable.
		err = s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q3", "Billing")) })
		require.ErrorIs(t, err, storage.ErrAlreadyExists)
		requireCleanMessage(t, err)
		var own *storage.Error
		require.True(t, errors.As(err, &own))
		require.NotNil(t, own.Err)
	})
}

func second[T any](_ T, err error) error { return err }

// sqlState matches what looks like an SQLSTATE (23505, 40P01, 22P05).
var sqlState = regexp.MustCompile(`\b[0-9][0-9A-Z][0-9A-Z]{3}\b`)

// requireCleanMessage fails when err's message carries SQL, a database
// code or driver text, or a package prefix.
func requireCleanMessage(t *testing.T, err error) {
	t.Helper()
	requireNoSQL(t, err)
	msg := err.Error()
	lower := strings.ToLower(msg)
	require.NotRegexp(t, sqlState, msg, "message %q", msg)
	for _, word := range []string{"sqlstate", "sqlstore", "sqlite", "pgx", "pgconn", "postgres", "parley:", "storage:",
		"constraint", "violates", "duplicate key", "error:", "panic", "goroutine"} {
		require.NotContains(t, lower, word, "message %q", msg)
	}
}
