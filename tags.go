package parley

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// CreateTag adds a tag to the catalog. ErrAlreadyExists when the name is
// taken.
func (s *Service) CreateTag(ctx context.Context, name string) (*tag.Tag, error) {
	if err := s.authorize(ctx, "CreateTag"); err != nil {
		return nil, err
	}
	if err := tag.ValidateName(name); err != nil {
		return nil, err
	}
	var out *tag.Tag
	err := s.run(ctx, "CreateTag", func(tx storage.Tx, rec *recorder) error {
		t := &tag.Tag{Name: name, CreatedAt: rec.now}
		if err := tx.CreateTag(ctx, t); err != nil {
			return err
		}
		rec.add(storage.TagCreated, "", name, nil)
		out = t
		return nil
	})
	return out, err
}

// GetTag returns a catalog entry. ErrNotFound when there is none.
func (s *Service) GetTag(ctx context.Context, name string) (*tag.Tag, error) {
	return read(s, ctx, "GetTag", func() (*tag.Tag, error) {
		if err := tag.ValidateName(name); err != nil {
			return nil, err
		}
		return s.store.GetTag(ctx, name)
	})
}

// ListTags returns a page of the catalog in q's order (by name when it
// names none): all tags, the one with a name, those with a name prefix, or
// those of one conversation (see storage.TagQuery).
func (s *Service) ListTags(ctx context.Context, q storage.TagQuery) (storage.Page[*tag.Tag], error) {
	return read(s, ctx, "ListTags", func() (storage.Page[*tag.Tag], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*tag.Tag]{}, err
		}
		return s.store.ListTags(ctx, q)
	})
}

// DeleteTag removes a tag from the catalog and from every conversation that
// has it and is not closed: each of those moves on a version, as RemoveTag
// would, and records a conversation.untagged event in its history. A CLOSED
// conversation is immutable and is left as it was: its tags still read the
// name (and the tag filter still finds it), its version, updatedAt and
// history unchanged; the name is no longer a catalog tag, so GetTag, the
// catalog list and the tags of that conversation in the catalog
// (ConversationTags) no longer show it, until a tag of that name is
// created again. The tag.deleted event records the catalog change, all in
// one transaction. ErrNotFound when there is no such tag.
func (s *Service) DeleteTag(ctx context.Context, name string) error {
	if err := s.authorize(ctx, "DeleteTag"); err != nil {
		return err
	}
	if err := tag.ValidateName(name); err != nil {
		return err
	}
	return s.run(ctx, "DeleteTag", func(tx storage.Tx, rec *recorder) error {
		if _, err := tx.GetTag(ctx, name); err != nil {
			return err
		}
		ids, err := taggedOpen(ctx, tx, name)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.LockConversation(ctx, id)
			if err != nil {
				return err
			}
			if c.CheckMutable() != nil || !slices.Contains(c.Tags, name) {
				continue // closed, or untagged, since the list was read
			}
			prev := c.Version
			if err := tx.RemoveConversationTag(ctx, id, name); err != nil {
				return err
			}
			c.Untagged(name, rec.now)
			if err := tx.UpdateConversation(ctx, c, prev); err != nil {
				return err
			}
			rec.add(storage.ConversationUntagged, c.ID, c.ID, []storage.Change{change("tag", name, nil)})
		}
		if err := tx.DeleteTag(ctx, name); err != nil {
			return err
		}
		rec.add(storage.TagDeleted, "", name, nil)
		return nil
	})
}

// taggedOpen lists the ids of the conversations that have the tag and are
// not closed, page by page in id order.
func taggedOpen(ctx context.Context, tx storage.Tx, name string) ([]string, error) {
	q := storage.ConversationQuery{
		Filter: storage.ConversationFilter{
			Tags:     []string{name},
			Statuses: []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved},
		},
		Order:  storage.Order{Field: storage.SortID},
		Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true},
	}
	var ids []string
	for {
		page, err := tx.ListConversations(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		if page.NextCursor == "" || len(page.Items) == 0 {
			return ids, nil
		}
		q.Cursor = page.NextCursor
	}
}

// ConversationTags returns a page of the conversation's tags in name order.
// ErrNotFound when the conversation does not exist.
func (s *Service) ConversationTags(ctx context.Context, conversationID string, p storage.Paging) (storage.Page[*tag.Tag], error) {
	return read(s, ctx, "ConversationTags", func() (storage.Page[*tag.Tag], error) {
		q := storage.TagQuery{ConversationID: conversationID, Paging: p}
		if err := checkID("conversationId", conversationID); err != nil {
			return storage.Page[*tag.Tag]{}, err
		}
		if err := q.Normalize(); err != nil {
			return storage.Page[*tag.Tag]{}, err
		}
		return s.store.ListTags(ctx, q)
	})
}

// AddTag tags a conversation, creating the tag in the catalog when it is
// missing. Adding a tag the conversation has already is a no-op: no error,
// no duplicate, no event. A closed conversation is ErrClosed.
func (s *Service) AddTag(ctx context.Context, conversationID, name string) (*conversation.Conversation, error) {
	return s.tagChange(ctx, "AddTag", conversationID, name, true)
}

// RemoveTag removes a tag from a conversation; the tag stays in the catalog.
// ErrNotFound when the conversation does not have it; ErrClosed when the
// conversation is closed.
func (s *Service) RemoveTag(ctx context.Context, conversationID, name string) (*conversation.Conversation, error) {
	return s.tagChange(ctx, "RemoveTag", conversationID, name, false)
}

// tagChange adds or removes one tag of a conversation. The conversation must
// exist and be open to change; when the link changes, the conversation's
// version and updatedAt move on and a tagged or untagged event is recorded.
func (s *Service) tagChange(ctx context.Context, op, conversationID, name string, add bool) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("conversationId", conversationID); err != nil {
		return nil, err
	}
	if err := tag.ValidateName(name); err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if err := c.CheckMutable(); err != nil {
			return err
		}
		// The store holds the links: it says whether one is new, and
		// ErrNotFound when the one to remove is not there.
		prev := c.Version
		typ, ch := storage.ConversationTagged, change("tag", nil, name)
		if add {
			if err := s.ensureTag(ctx, tx, rec, name); err != nil {
				return err
			}
			added, err := tx.AddConversationTag(ctx, conversationID, name)
			if err != nil || !added {
				out = c
				return err
			}
			c.Tagged(name, rec.now)
		} else {
			if err := tx.RemoveConversationTag(ctx, conversationID, name); err != nil {
				return err
			}
			c.Untagged(name, rec.now)
			typ, ch = storage.ConversationUntagged, change("tag", name, nil)
		}
		if err := tx.UpdateConversation(ctx, c, prev); err != nil {
			return err
		}
		rec.add(typ, c.ID, c.ID, []storage.Change{ch})
		out = c
		return nil
	})
	return out, err
}

// ensureTag creates the tag in the catalog when it is missing.
func (s *Service) ensureTag(ctx context.Context, tx storage.Tx, rec *recorder, name string) error {
	created, err := tx.EnsureTag(ctx, &tag.Tag{Name: name, CreatedAt: rec.now})
	if created {
		rec.add(storage.TagCreated, "", name, nil)
	}
	return err
}
