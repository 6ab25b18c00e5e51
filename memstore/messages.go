package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

func compareMessages(a, b *message.Message) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func (t *txn) CreateMessage(ctx context.Context, m *message.Message) error {
	if err := t.check(ctx, "creating message"); err != nil {
		return err
	}
	if _, err := t.conversation("creating message", m.ConversationID); err != nil {
		return err
	}
	if _, ok := t.st.messages[m.ID]; ok {
		return storage.Fail("creating message", m.ID, storage.ErrAlreadyExists)
	}
	stored := m.Clone()
	old := t.st.convMessages[m.ConversationID]
	i, _ := slices.BinarySearchFunc(old, stored, compareMessages)
	// Insert into a fresh slice when not appending at the end, so the undo
	// can restore the old one untouched.
	var next []*message.Message
	if i == len(old) {
		next = append(old, stored)
	} else {
		next = slices.Insert(slices.Clone(old), i, stored)
	}
	t.st.convMessages[m.ConversationID] = next
	t.st.messages[m.ID] = stored
	t.onUndo(func() {
		delete(t.st.messages, m.ID)
		if old == nil {
			delete(t.st.convMessages, m.ConversationID)
		} else {
			t.st.convMessages[m.ConversationID] = old
		}
	})
	return nil
}

func (t *txn) GetMessage(ctx context.Context, id string) (*message.Message, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting message"); err != nil {
		return nil, err
	}
	m, ok := t.st.messages[id]
	if !ok {
		return nil, storage.Fail("getting message", id, storage.ErrNotFound)
	}
	return m.Clone(), nil
}

func (t *txn) ListMessages(ctx context.Context, q storage.MessageQuery) (storage.Page[*message.Message], error) {
	defer t.enter()()
	var none storage.Page[*message.Message]
	if err := t.check(ctx, "listing messages"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	if _, err := t.conversation("listing messages", q.ConversationID); err != nil {
		return none, err
	}
	var rows []*message.Message
	for _, m := range t.st.convMessages[q.ConversationID] {
		if len(q.IDs) > 0 && !slices.Contains(q.IDs, m.ID) ||
			q.Direction != "" && m.Direction != q.Direction ||
			q.Channel != "" && m.Channel != q.Channel ||
			q.PrivateOnly && !m.Private ||
			!inRange(m.CreatedAt, q.CreatedAfter, q.CreatedBefore) {
			continue
		}
		rows = append(rows, m)
	}
	p := pager[*message.Message]{
		order:  q.Order(),
		key:    func(m *message.Message) sortKey { return sortKey{Time: m.CreatedAt, ID: m.ID} },
		cursor: q.CursorAfter,
		clone:  (*message.Message).Clone,
	}
	return p.page(rows, q.Paging, ks), nil
}
