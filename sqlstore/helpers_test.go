package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897_000, time.UTC)

// dialects runs fn once per dialect, each on a fresh store.
func dialects(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		fn(t, newSQLite(t))
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, newPostgres(t))
	})
}

func conv(id string) *conversation.Conversation {
	return &conversation.Conversation{
		ID: id, Topic: "Topic " + id, Status: conversation.Open, Priority: conversation.Normal,
		Channel: conversation.Email, CustomerID: "cust", CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
}

func queue(id, name string) *routing.Queue {
	return &routing.Queue{ID: id, Name: name, Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0}
}

func event(convID string) *storage.Event {
	return &storage.Event{Type: storage.ConversationCreated, ConversationID: convID, EntityID: convID, At: t0}
}

// requireNoSQL checks that an error message quotes no SQL.
func requireNoSQL(t *testing.T, err error) {
	t.Helper()
	msg := strings.ToUpper(err.Error())
	for _, word := range []string{"SELECT", "INSERT", "UPDATE ", "DELETE FROM", "WHERE", "{", "$1", "?1"} {
		require.NotContains(t, msg, word, "message %q", err.Error())
	}
}

func tagOf(name string) *tag.Tag { return &tag.Tag{Name: name, CreatedAt: t0} }
