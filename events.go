package parley

import (
	"context"
	"errors"
	"fmt"

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
// all). Once the conversation is deleted, its history is its
// conversation.deleted event. An id may be used again after a deletion:
// the history of the new conversation then begins with the deletion
// records of the earlier ones, which no later deletion removes.
// ErrNotFound when the conversation neither exists nor has left an event.
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
		if err != nil || len(events) > 0 {
			return events, err
		}
		// Nothing after after: is there a conversation at all?
		if _, err := s.store.GetConversation(ctx, conversationID); !errors.Is(err, storage.ErrNotFound) {
			return events, err
		}
		if after > 0 {
			// Gone, but it may have left a deletion record before after.
			q.After, q.Limit = 0, 1
			if trace, err := s.store.ListEvents(ctx, q); err != nil || len(trace) > 0 {
				return events, err
			}
		}
		return nil, fmt.Errorf("history of conversation %q: %w", conversationID, storage.ErrNotFound)
	})
}

func (s *Service) publish(ctx context.Context, events []*storage.Event) {
	s.subs.send(events)
	for _, e := range events {
		for _, sub := range s.subscribers {
			s.deliver(ctx, sub, *e.Clone())
		}
	}
}

func (s *Service) deliver(ctx context.Context, sub func(context.Context, storage.Event), e storage.Event) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.ErrorContext(ctx, "parley: event subscriber panicked", "seq", e.Seq, "type", e.Type, "panic", p)
		}
	}()
	sub(ctx, e)
}
