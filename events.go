package parley

import (
	"context"

	"github.com/parleyhq/parley/storage"
)

// Events reads the event log in seq order after q.After: the transactional
// outbox. A consumer that remembers the last seq it handled and asks again
// from there misses nothing that committed and never sees what rolled back.
func (s *Service) Events(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	return read(s, ctx, "Events", func() ([]*storage.Event, error) {
		if err := q.Normalize(); err != nil {
			return nil, err
		}
		return s.store.ListEvents(ctx, q)
	})
}

// History returns a conversation's events in order, after seq after (0 for
// all). Once the conversation is deleted, its history is the one
// conversation.deleted event. ErrNotFound when the conversation neither
// exists nor has left an event.
func (s *Service) History(ctx context.Context, conversationID string, after int64, limit int) ([]*storage.Event, error) {
	return read(s, ctx, "History", func() ([]*storage.Event, error) {
		if err := checkID("conversationId", conversationID); err != nil {
			return nil, err
		}
		q := storage.EventQuery{After: after, ConversationID: conversationID, Limit: limit}
		if err := q.Normalize(); err != nil {
			return nil, err
		}
		events, err := s.store.ListEvents(ctx, q)
		if err != nil || len(events) > 0 || after > 0 {
			return events, err
		}
		if _, err := s.store.GetConversation(ctx, conversationID); err != nil {
			return nil, err
		}
		return events, nil
	})
}
