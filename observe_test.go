package parley_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// An observer hears of every read and write with its name, duration and
// outcome; the logger gets a debug line for each; a panicking observer
// changes nothing.
func TestObserver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var seen []parley.Operation
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := parley.New(memstore.New(), parley.WithLogger(logger),
		parley.WithObserver(func(_ context.Context, op parley.Operation) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, op)
		}),
		parley.WithObserver(func(context.Context, parley.Operation) { panic("observer bug") }))

	c, err := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Hi"})
	require.NoError(t, err)
	_, err = svc.GetConversation(ctx, "missing")
	require.ErrorIs(t, err, parley.ErrNotFound)
	_, err = svc.CloseConversation(ctx, c.ID)
	require.NoError(t, err)
	_, err = svc.AddTag(ctx, c.ID, "late")
	require.ErrorIs(t, err, parley.ErrClosed)
	_, err = svc.ListAgents(ctx, storage.AgentQuery{})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, op := range seen {
		got = append(got, op.Name+" "+op.Outcome())
		require.False(t, op.Start.IsZero())
		require.GreaterOrEqual(t, op.Duration, int64(0))
	}
	require.Equal(t, []string{
		"CreateConversation ok", "GetConversation not_found", "CloseConversation ok",
		"AddTag closed", "ListAgents ok",
	}, got)
	require.ErrorIs(t, seen[1].Err, parley.ErrNotFound)
	require.Contains(t, logs.String(), `level=DEBUG msg="parley: operation" op=AddTag duration=`)
	require.Contains(t, logs.String(), `outcome=closed`)
	require.Contains(t, logs.String(), "observer panicked")
}

// Without observers and with debug off, nothing is logged per operation.
func TestNoDebugLinesAboveDebug(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	svc := parley.New(memstore.New(), parley.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	_, err := svc.CreateAgent(context.Background(), routing.Agent{ID: "ann", DisplayName: "Ann"})
	require.NoError(t, err)
	require.Empty(t, logs.String())
}

func TestErrorKind(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		nil:                                     "",
		parley.ErrInvalid:                       "invalid",
		&parley.FieldError{}:                    "invalid",
		parley.ErrNotFound:                      "not_found",
		parley.ErrAlreadyExists:                 "already_exists",
		parley.ErrClosed:                        "closed",
		parley.ErrForbidden:                     "forbidden",
		parley.ErrConflict:                      "conflict",
		parley.ErrUnavailable:                   "unavailable",
		fmt.Errorf("get: %w", context.Canceled): "canceled",
		fmt.Errorf("get: %w", context.DeadlineExceeded): "deadline_exceeded",
		errors.New("boom"): "internal",
	} {
		require.Equal(t, want, parley.ErrorKind(err), "%v", err)
	}
}
