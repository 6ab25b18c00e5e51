package memstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

func (t *txn) CreateTag(ctx context.Context, tg *tag.Tag) error {
	if err := t.check(ctx, "creating tag"); err != nil {
		return err
	}
	if _, ok := t.st.tags[tg.Name]; ok {
		return storage.Fail("creating tag", tg.Name, storage.ErrAlreadyExists)
	}
	stored := *tg
	t.st.tags[tg.Name] = &stored
	t.onUndo(func() { delete(t.st.tags, tg.Name) })
	return nil
}

func (t *txn) EnsureTag(ctx context.Context, tg *tag.Tag) (bool, error) {
	if err := t.check(ctx, "ensuring tag"); err != nil {
		return false, err
	}
	if _, ok := t.st.tags[tg.Name]; ok {
		return false, nil
	}
	return true, t.CreateTag(ctx, tg)
}

func (t *txn) GetTag(ctx context.Context, name string) (*tag.Tag, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting tag"); err != nil {
		return nil, err
	}
	tg, ok := t.st.tags[name]
	if !ok {
		return nil, storage.Fail("getting tag", name, storage.ErrNotFound)
	}
	cp := *tg
	return &cp, nil
}

func (t *txn) DeleteTag(ctx context.Context, name string) error {
	if err := t.check(ctx, "deleting tag"); err != nil {
		return err
	}
	tg, ok := t.st.tags[name]
	if !ok {
		return storage.Fail("deleting tag", name, storage.ErrNotFound)
	}
	for id := range t.st.tagConvs[name] {
		old := t.st.conversations[id]
		if old.Status == conversation.Closed {
			continue // closed is immutable: it keeps the name
		}
		c := old.Clone()
		c.Tags = slices.DeleteFunc(c.Tags, func(n string) bool { return n == name })
		t.replaceConversation(old, c)
	}
	delete(t.st.tags, name)
	t.onUndo(func() { t.st.tags[name] = tg })
	return nil
}

func (t *txn) ListTags(ctx context.Context, q storage.TagQuery) (storage.Page[*tag.Tag], error) {
	defer t.enter()()
	var none storage.Page[*tag.Tag]
	if err := t.check(ctx, "listing tags"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	var rows []*tag.Tag
	if q.ConversationID != "" {
		c, err := t.conversation("listing tags", q.ConversationID)
		if err != nil {
			return none, err
		}
		for _, name := range c.Tags {
			// A closed conversation may keep a name the catalog lost.
			if tg, ok := t.st.tags[name]; ok && tagMatches(name, &q) {
				rows = append(rows, tg)
			}
		}
	} else {
		for name, tg := range t.st.tags {
			if tagMatches(name, &q) {
				rows = append(rows, tg)
			}
		}
	}
	p := pager[*tag.Tag]{
		order:  q.Order,
		key:    func(tg *tag.Tag) sortKey { return storage.TagKey(q.Order.Field, tg) },
		cursor: q.CursorAfter,
		clone:  func(tg *tag.Tag) *tag.Tag { cp := *tg; return &cp },
	}
	return p.page(rows, q.Paging, ks), nil
}

func tagMatches(name string, q *storage.TagQuery) bool {
	return strings.HasPrefix(name, q.Prefix) && (q.Name == "" || name == q.Name)
}

func (t *txn) AddConversationTag(ctx context.Context, conversationID, name string) (bool, error) {
	if err := t.check(ctx, "tagging conversation"); err != nil {
		return false, err
	}
	old, err := t.conversation("tagging conversation", conversationID)
	if err != nil {
		return false, err
	}
	if _, ok := t.st.tags[name]; !ok {
		return false, storage.Fail("tagging conversation with", name, storage.ErrNotFound)
	}
	i, found := slices.BinarySearch(old.Tags, name)
	if found {
		return false, nil
	}
	c := old.Clone()
	c.Tags = slices.Insert(c.Tags, i, name)
	t.replaceConversation(old, c)
	return true, nil
}

func (t *txn) RemoveConversationTag(ctx context.Context, conversationID, name string) error {
	if err := t.check(ctx, "untagging conversation"); err != nil {
		return err
	}
	old, err := t.conversation("untagging conversation", conversationID)
	if err != nil {
		return err
	}
	i, found := slices.BinarySearch(old.Tags, name)
	if !found {
		return storage.Fail("untagging conversation "+strconv.Quote(conversationID)+" of tag", name, storage.ErrNotFound)
	}
	c := old.Clone()
	c.Tags = slices.Delete(c.Tags, i, i+1)
	t.replaceConversation(old, c)
	return nil
}
