package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

var serviceTagCases = []serviceCase{
	{"CreateTag", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		now := fx.tick()
		tg, err := fx.svc.CreateTag(fx.as("s1"), "vip")
		require.NoError(t, err)
		require.Equal(t, &tag.Tag{Name: "vip", CreatedAt: now}, tg)
		got, err := fx.svc.GetTag(fx.ctx, "vip")
		require.NoError(t, err)
		require.Equal(t, tg, got)
		events := fx.events(t)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.TagCreated, "", "s1", now)
		require.Equal(t, "vip", events[0].EntityID)

		before := fx.snapshot(t)
		_, err = fx.svc.CreateTag(fx.ctx, "vip")
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)

		// Names are case-sensitive.
		_, err = fx.svc.CreateTag(fx.ctx, "VIP")
		require.NoError(t, err)

		_, err = fx.svc.GetTag(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"AddTag", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		c := fx.conversation(t, conversation.Conversation{ID: "c1"})
		seq := fx.lastSeq(t)
		now := fx.tick()

		got, err := fx.svc.AddTag(fx.as("a1"), "c1", "vip")
		require.NoError(t, err)
		require.Equal(t, []string{"vip"}, got.Tags)
		require.Equal(t, c.Version+1, got.Version, "tagging is a change of the conversation")
		require.Equal(t, now, got.UpdatedAt)
		require.Equal(t, got, fx.get(t, "c1"))
		tg, err := fx.svc.GetTag(fx.ctx, "vip")
		require.NoError(t, err, "a missing tag is created in the catalog")
		require.Equal(t, now, tg.CreatedAt)

		events := fx.eventsSince(t, seq)
		require.Len(t, events, 2)
		requireEvent(t, events[0], storage.TagCreated, "", "a1", now)
		require.Equal(t, "vip", events[0].EntityID)
		requireEvent(t, events[1], storage.ConversationTagged, "c1", "a1", now, change{"tag", "", `"vip"`})

		// Adding it again is a no-op: no error, no duplicate, no event.
		before := fx.snapshot(t)
		fx.tick()
		again, err := fx.svc.AddTag(fx.ctx, "c1", "vip")
		require.NoError(t, err)
		require.Equal(t, got, again)
		fx.requireUnchanged(t, before)
		page, err := fx.svc.ConversationTags(fx.ctx, "c1", storage.Paging{})
		require.NoError(t, err)
		require.Equal(t, []string{"vip"}, tagNames(page.Items))

		// A tag already in the catalog is linked without a tag.created event.
		_, err = fx.svc.CreateTag(fx.ctx, "billing")
		require.NoError(t, err)
		seq = fx.lastSeq(t)
		got, err = fx.svc.AddTag(fx.ctx, "c1", "billing")
		require.NoError(t, err)
		require.Equal(t, []string{"billing", "vip"}, got.Tags, "in name order")
		require.Equal(t, []storage.EventType{storage.ConversationTagged}, types(fx.eventsSince(t, seq)))

		// A missing conversation: nothing is written, not even the catalog entry.
		before = fx.snapshot(t)
		_, err = fx.svc.AddTag(fx.ctx, "nope", "brand-new")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"RemoveTag", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip", "billing"}})
		_, err := fx.svc.CreateTag(fx.ctx, "unused")
		require.NoError(t, err)
		c := fx.get(t, "c1")
		seq := fx.lastSeq(t)
		now := fx.tick()

		got, err := fx.svc.RemoveTag(fx.as("a1"), "c1", "vip")
		require.NoError(t, err)
		require.Equal(t, []string{"billing"}, got.Tags)
		require.Equal(t, c.Version+1, got.Version)
		require.Equal(t, now, got.UpdatedAt)
		require.Equal(t, got, fx.get(t, "c1"), "the conversation stays")
		_, err = fx.svc.GetTag(fx.ctx, "vip")
		require.NoError(t, err, "the tag stays in the catalog")
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationUntagged, "c1", "a1", now, change{"tag", `"vip"`, ""})

		before := fx.snapshot(t)
		for _, name := range []string{"vip", "unused", "not-in-catalog"} {
			_, err = fx.svc.RemoveTag(fx.ctx, "c1", name)
			require.ErrorIs(t, err, parley.ErrNotFound, "removing the missing link %q", name)
			fx.requireUnchanged(t, before)
		}
		_, err = fx.svc.RemoveTag(fx.ctx, "nope", "billing")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"DeleteTag", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip", "billing"}})
		fx.conversation(t, conversation.Conversation{ID: "c2", Tags: []string{"vip"}})
		fx.conversation(t, conversation.Conversation{ID: "c3", Tags: []string{"vip"}})
		_, err := fx.svc.CloseConversation(fx.ctx, "c3")
		require.NoError(t, err)
		fx.conversation(t, conversation.Conversation{ID: "c4", Tags: []string{"billing"}})
		versions := map[string]int64{}
		for _, id := range []string{"c1", "c2", "c3", "c4"} {
			versions[id] = fx.get(t, id).Version
		}
		seq := fx.lastSeq(t)
		now := fx.tick()

		closedBefore := fx.get(t, "c3")
		closedHistory := fx.history(t, "c3")

		require.NoError(t, fx.svc.DeleteTag(fx.as("s1"), "vip"))
		_, err = fx.svc.GetTag(fx.ctx, "vip")
		require.ErrorIs(t, err, parley.ErrNotFound)
		// c1 and c2 lose the tag, each a change of its own; the CLOSED c3
		// is left as it was, tag included (closed is immutable); c4 never
		// had it.
		want := map[string][]string{"c1": {"billing"}, "c2": nil, "c3": {"vip"}, "c4": {"billing"}}
		bumped := map[string]bool{"c1": true, "c2": true}
		for id, tags := range want {
			c := fx.get(t, id)
			require.Equal(t, tags, nilIfEmpty(c.Tags), "tags of %s", id)
			if bumped[id] {
				require.Equal(t, versions[id]+1, c.Version, "version of %s", id)
				require.True(t, now.Equal(c.UpdatedAt), "updatedAt of %s", id)
			} else {
				require.Equal(t, versions[id], c.Version, "version of %s", id)
			}
		}
		require.Equal(t, closedBefore, fx.get(t, "c3"), "a closed conversation is not changed")
		require.Equal(t, closedHistory, fx.history(t, "c3"))
		// The catalog's tags of a conversation: the name is no catalog tag
		// any more, on c3 either.
		for id, tags := range map[string][]string{"c1": {"billing"}, "c2": nil, "c3": nil, "c4": {"billing"}} {
			page, err := fx.svc.ConversationTags(fx.ctx, id, storage.Paging{})
			require.NoError(t, err)
			require.Equal(t, tags, nilIfEmpty(tagNames(page.Items)), "catalog tags of %s", id)
		}
		// The tag filter reads the conversations' tags: c3 alone.
		page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"vip"}}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.Equal(t, "c3", page.Items[0].ID)
		// One untagged event in the history of each conversation changed,
		// then the catalog's.
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 3)
		untagged := map[string]bool{}
		for _, e := range events[:2] {
			requireEvent(t, e, storage.ConversationUntagged, e.ConversationID, "s1", now, change{"tag", `"vip"`, ""})
			untagged[e.ConversationID] = true
		}
		require.Equal(t, bumped, untagged)
		requireEvent(t, events[2], storage.TagDeleted, "", "s1", now)
		require.Equal(t, "vip", events[2].EntityID)
		for _, id := range []string{"c1", "c2"} {
			h := fx.history(t, id)
			require.Equal(t, storage.ConversationUntagged, h[len(h)-1].Type, "history of %s", id)
		}

		before := fx.snapshot(t)
		require.ErrorIs(t, fx.svc.DeleteTag(fx.ctx, "vip"), parley.ErrNotFound)
		fx.requireUnchanged(t, before)

		// The name is free again; created again, it is c3's catalog tag
		// once more.
		_, err = fx.svc.CreateTag(fx.ctx, "vip")
		require.NoError(t, err)
		tags, err := fx.svc.ConversationTags(fx.ctx, "c3", storage.Paging{})
		require.NoError(t, err)
		require.Equal(t, []string{"vip"}, tagNames(tags.Items))
		_, err = fx.svc.RemoveTag(fx.ctx, "c3", "vip")
		require.ErrorIs(t, err, parley.ErrClosed)
	}},
	{"ListTags", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		for _, name := range []string{"billing", "bug", "Bug", "vip", "b", "billing.refund"} {
			_, err := fx.svc.CreateTag(fx.ctx, name)
			require.NoError(t, err)
		}
		fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip", "bug"}})

		all, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{})
		require.NoError(t, err)
		require.Equal(t, []string{"Bug", "b", "billing", "billing.refund", "bug", "vip"}, tagNames(all.Items), "byte order")
		require.Equal(t, 6, all.Total)

		prefixed, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{Prefix: "bi"})
		require.NoError(t, err)
		require.Equal(t, []string{"billing", "billing.refund"}, tagNames(prefixed.Items))

		of, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Equal(t, []string{"bug", "vip"}, tagNames(of.Items))
		_, err = fx.svc.ListTags(fx.ctx, storage.TagQuery{ConversationID: "nope"})
		require.ErrorIs(t, err, parley.ErrNotFound)

		var walked []string
		q := storage.TagQuery{Paging: storage.Paging{Limit: 4}}
		for {
			page, err := fx.svc.ListTags(fx.ctx, q)
			require.NoError(t, err)
			walked = append(walked, tagNames(page.Items)...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, tagNames(all.Items), walked)

		second, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{Paging: storage.Paging{Page: 1, Limit: 4}})
		require.NoError(t, err)
		require.Equal(t, []string{"bug", "vip"}, tagNames(second.Items))
		require.Equal(t, 6, second.Total)
	}},
}
