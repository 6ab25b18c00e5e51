package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) conversation(op, id string) (*conversation.Conversation, error) {
	c, ok := t.st.conversations[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return c, nil
}

// replaceConversation swaps old for c in the state, with its undo.
func (t *txn) replaceConversation(old, c *conversation.Conversation) {
	t.st.putConversation(old, c)
	t.onUndo(func() {
		if c == nil {
			t.st.putConversation(nil, old)
		} else if old == nil {
			t.st.putConversation(c, nil)
		} else {
			t.st.putConversation(c, old)
		}
	})
}

func (t *txn) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	if err := t.check(ctx, "creating conversation"); err != nil {
		return err
	}
	if _, ok := t.st.conversations[c.ID]; ok {
		return storage.Fail("creating conversation", c.ID, storage.ErrAlreadyExists)
	}
	for _, name := range c.Tags {
		if _, ok := t.st.tags[name]; !ok {
			return storage.Fail("tagging conversation with", name, storage.ErrNotFound)
		}
	}
	stored := c.Clone()
	stored.Tags = sortedUnique(stored.Tags)
	t.replaceConversation(nil, stored)
	return nil
}

func (t *txn) GetConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting conversation"); err != nil {
		return nil, err
	}
	c, err := t.conversation("getting conversation", id)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

func (t *txn) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return t.GetConversation(ctx, id)
}

func (t *txn) UpdateConversation(ctx context.Context, c *conversation.Conversation, prevVersion int64) error {
	if err := t.check(ctx, "updating conversation"); err != nil {
		return err
	}
	old, err := t.conversation("updating conversation", c.ID)
	if err != nil {
		return err
	}
	if old.Version != prevVersion {
		return storage.Fail("updating conversation", c.ID, storage.ErrConflict)
	}
	stored := c.Clone()
	stored.Tags = old.Tags
	stored.CreatedAt = old.CreatedAt
	t.replaceConversation(old, stored)
	return nil
}

func (t *txn) DeleteConversation(ctx context.Context, id string) error {
	if err := t.check(ctx, "deleting conversation"); err != nil {
		return err
	}
	old, err := t.conversation("deleting conversation", id)
	if err != nil {
		return err
	}
	t.replaceConversation(old, nil)
	t.deleteCallsOf(id)
	t.deleteRecordingsOf(id)

	msgs := t.st.convMessages[id]
	delete(t.st.convMessages, id)
	for _, m := range msgs {
		delete(t.st.messages, m.ID)
	}
	// The conversation's events go, but for the deletion records of its
	// earlier lives (an id may be reused): they are the only trace left.
	events, convEvents := t.st.events, t.st.convEvents[id]
	if len(convEvents) > 0 {
		gone := func(e *storage.Event) bool {
			return e.ConversationID == id && e.Type != storage.ConversationDeleted
		}
		t.st.events = slices.DeleteFunc(slices.Clone(events), gone)
		if kept := slices.DeleteFunc(slices.Clone(convEvents), gone); len(kept) > 0 {
			t.st.convEvents[id] = kept
		} else {
			delete(t.st.convEvents, id)
		}
	}
	t.onUndo(func() {
		if msgs != nil {
			t.st.convMessages[id] = msgs
		}
		for _, m := range msgs {
			t.st.messages[m.ID] = m
		}
		t.st.events = events
		if convEvents != nil {
			t.st.convEvents[id] = convEvents
		}
	})
	return nil
}

func (t *txn) ListConversations(ctx context.Context, q storage.ConversationQuery) (storage.Page[*conversation.Conversation], error) {
	defer t.enter()()
	var none storage.Page[*conversation.Conversation]
	if err := t.check(ctx, "listing conversations"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	f := q.Filter
	var needle string
	if f.TopicContains != "" {
		needle = conversation.FoldTopic(f.TopicContains)
	}
	var rows []*conversation.Conversation
	for _, c := range t.candidates(f) {
		if matches(c, &f, needle) {
			rows = append(rows, c)
		}
	}
	p := pager[*conversation.Conversation]{
		order:  q.Order,
		key:    func(c *conversation.Conversation) sortKey { return conversationKey(q.Order.Field, c) },
		cursor: q.CursorAfter,
		clone:  (*conversation.Conversation).Clone,
	}
	return p.page(rows, q.Paging, ks), nil
}

// candidates narrows the scan with an index when the filter allows.
func (t *txn) candidates(f storage.ConversationFilter) []*conversation.Conversation {
	pick := func(ids set) []*conversation.Conversation {
		out := make([]*conversation.Conversation, 0, len(ids))
		for id := range ids {
			out = append(out, t.st.conversations[id])
		}
		return out
	}
	switch {
	case len(f.IDs) > 0:
		var out []*conversation.Conversation
		for _, id := range sortedUnique(f.IDs) {
			if c, ok := t.st.conversations[id]; ok {
				out = append(out, c)
			}
		}
		return out
	case f.CustomerID != "":
		return pick(t.st.byCustomer[f.CustomerID])
	case len(f.QueueIDs) == 1:
		return pick(t.st.byQueue[f.QueueIDs[0]])
	case len(f.Tags) > 0:
		return pick(t.st.tagConvs[f.Tags[0]])
	}
	out := make([]*conversation.Conversation, 0, len(t.st.conversations))
	for _, c := range t.st.conversations {
		out = append(out, c)
	}
	return out
}

func matches(c *conversation.Conversation, f *storage.ConversationFilter, foldedNeedle string) bool {
	switch {
	case len(f.IDs) > 0 && !slices.Contains(f.IDs, c.ID),
		!anyOf(f.Statuses, c.Status),
		!anyOf(f.Priorities, c.Priority),
		!anyOf(f.QueueIDs, c.QueueID),
		f.AgentID != "" && c.AgentID != f.AgentID,
		f.Unassigned && c.AgentID != "",
		!anyOf(f.Channels, c.Channel),
		!anyOf(f.Sources, c.Source),
		f.CustomerID != "" && c.CustomerID != f.CustomerID,
		!inRange(c.CreatedAt, f.CreatedAfter, f.CreatedBefore),
		!inRange(c.UpdatedAt, f.UpdatedAfter, f.UpdatedBefore),
		(!f.ClosedAfter.IsZero() || !f.ClosedBefore.IsZero()) &&
			(c.ClosedAt.IsZero() || !inRange(c.ClosedAt, f.ClosedAfter, f.ClosedBefore)):
		return false
	}
	for _, name := range f.Tags {
		if _, ok := slices.BinarySearch(c.Tags, name); !ok {
			return false
		}
	}
	if f.TopicContains != "" && !containsFolded(c.Topic, foldedNeedle) {
		return false
	}
	return true
}

func containsFolded(topic, foldedNeedle string) bool {
	return strings.Contains(conversation.FoldTopic(topic), foldedNeedle)
}

func conversationKey(field storage.SortField, c *conversation.Conversation) sortKey {
	k := sortKey{ID: c.ID}
	switch field {
	case storage.SortCreatedAt:
		k.Time = c.CreatedAt
	case storage.SortUpdatedAt:
		k.Time = c.UpdatedAt
	case storage.SortPriority:
		k.Rank = c.Priority.Rank()
	}
	return k
}

func sortedUnique(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
