package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

var tagCases = []testCase{
	{"CreateGet", func(t *testing.T, f *fixture) {
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.CreateTag(f.ctx, &tag.Tag{Name: "Billing.v2_x-y", CreatedAt: at(time.Second)})
		}))
		got, err := f.store.GetTag(f.ctx, "Billing.v2_x-y")
		require.NoError(t, err)
		require.Equal(t, "Billing.v2_x-y", got.Name)
		require.True(t, at(time.Second).Equal(got.CreatedAt))
		requireUTC(t, got.CreatedAt)
		// Names are case-sensitive.
		_, err = f.store.GetTag(f.ctx, "billing.v2_x-y")
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"CreateDuplicate", func(t *testing.T, f *fixture) {
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, &tag.Tag{Name: "a", CreatedAt: t0}) }))
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, &tag.Tag{Name: "a", CreatedAt: at(time.Hour)}) }), storage.ErrAlreadyExists)
		got, err := f.store.GetTag(f.ctx, "a")
		require.NoError(t, err)
		require.True(t, t0.Equal(got.CreatedAt))
	}},
	{"Ensure", func(t *testing.T, f *fixture) {
		created, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureTag(f.ctx, &tag.Tag{Name: "a", CreatedAt: t0}) })
		require.NoError(t, err)
		require.True(t, created)
		created, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) {
			return tx.EnsureTag(f.ctx, &tag.Tag{Name: "a", CreatedAt: at(time.Hour)})
		})
		require.NoError(t, err)
		require.False(t, created)
		got, err := f.store.GetTag(f.ctx, "a")
		require.NoError(t, err)
		require.True(t, t0.Equal(got.CreatedAt), "EnsureTag keeps the existing tag")
	}},
	// EnsureHoldsAgainstDelete: a transaction that ensures a tag and links
	// it to a new conversation races one that deletes the tag. Neither
	// fails, and the end is one of the serial orders: the tag and the
	// link both there (ensured after the delete, so created again), or
	// neither (deleted after the link was made).
	{"EnsureHoldsAgainstDelete", func(t *testing.T, f *fixture) {
		const rounds = 20
		for round := range rounds {
			name, id := catalogRaceTag(round), catalogRaceConversation(round)
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, &tag.Tag{Name: name, CreatedAt: t0}) }))
			var created bool
			err := raceTrial(func(side int) error {
				if side == 1 {
					return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteTag(f.ctx, name) })
				}
				return f.store.InTx(f.ctx, func(tx storage.Tx) error {
					var err error
					if created, err = tx.EnsureTag(f.ctx, &tag.Tag{Name: name, CreatedAt: at(time.Hour)}); err != nil {
						return err
					}
					c := newConversation(id)
					c.Tags = []string{name}
					return tx.CreateConversation(f.ctx, c)
				})
			})
			require.NoError(t, err, "round %d", round)
			c, err := f.store.GetConversation(f.ctx, id)
			require.NoError(t, err)
			_, err = f.store.GetTag(f.ctx, name)
			inCatalog := err == nil
			require.Equal(t, inCatalog, created, "round %d: the tag stays exactly when the ensure came second and created it again", round)
			if inCatalog {
				require.Equal(t, []string{name}, c.Tags, "round %d", round)
			} else {
				requireErr(t, err, storage.ErrNotFound)
				require.Empty(t, c.Tags, "round %d", round)
			}
		}
	}},
	{"GetMissing", func(t *testing.T, f *fixture) {
		_, err := f.store.GetTag(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"DeleteLeavesClosedConversations", func(t *testing.T, f *fixture) {
		open := newConversation("open")
		open.Tags = []string{"gone", "kept"}
		f.createConversation(open)
		closed := newConversation("closed")
		closed.Tags = []string{"gone", "kept"}
		closed.Status = conversation.Closed
		closed.ClosedAt = at(time.Minute)
		f.createConversation(closed)
		before := f.getConversation("closed")

		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteTag(f.ctx, "gone") }))
		_, err := f.store.GetTag(f.ctx, "gone")
		requireErr(t, err, storage.ErrNotFound)
		require.Equal(t, []string{"kept"}, f.getConversation("open").Tags)
		require.Equal(t, before, f.getConversation("closed"), "a closed conversation keeps its tags")
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"gone"}}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.Equal(t, "closed", page.Items[0].ID)
		// Its catalog tags are those the catalog still has.
		tags, err := f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "closed"})
		require.NoError(t, err)
		require.Len(t, tags.Items, 1)
		require.Equal(t, "kept", tags.Items[0].Name)
		// Deleting the conversation takes its links along.
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "closed") }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, &tag.Tag{Name: "gone", CreatedAt: t0}) }))
		page, err = f.store.ListConversations(f.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"gone"}}})
		require.NoError(t, err)
		require.Empty(t, page.Items)
	}},
	{"DeleteRemovesFromEveryConversation", func(t *testing.T, f *fixture) {
		for _, id := range []string{"c1", "c2", "c3"} {
			c := newConversation(id)
			c.Tags = []string{"gone", "kept"}
			f.createConversation(c)
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteTag(f.ctx, "gone") }))
		_, err := f.store.GetTag(f.ctx, "gone")
		requireErr(t, err, storage.ErrNotFound)
		for _, id := range []string{"c1", "c2", "c3"} {
			require.Equal(t, []string{"kept"}, f.getConversation(id).Tags)
		}
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"gone"}}})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteTag(f.ctx, "gone") }), storage.ErrNotFound)
		// The name is free again.
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, &tag.Tag{Name: "gone", CreatedAt: t0}) }))
		require.Equal(t, []string{"kept"}, f.getConversation("c1").Tags)
	}},
	{"AddAndRemoveLinks", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.ensureTag("b")
		f.ensureTag("a")
		added, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "c1", "b") })
		require.NoError(t, err)
		require.True(t, added)
		added, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "c1", "a") })
		require.NoError(t, err)
		require.True(t, added)
		added, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "c1", "b") })
		require.NoError(t, err)
		require.False(t, added, "adding a link twice changes nothing")
		require.Equal(t, []string{"a", "b"}, f.getConversation("c1").Tags, "tags come back sorted, without duplicates")

		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveConversationTag(f.ctx, "c1", "b") }))
		require.Equal(t, []string{"a"}, f.getConversation("c1").Tags)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveConversationTag(f.ctx, "c1", "b") }), storage.ErrNotFound)
		_, err = f.store.GetTag(f.ctx, "b")
		require.NoError(t, err, "removing a link keeps the tag in the catalog")
	}},
	{"LinkErrors", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.ensureTag("a")
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "c1", "missing") })
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "missing", "a") })
		requireErr(t, err, storage.ErrNotFound)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveConversationTag(f.ctx, "missing", "a") }), storage.ErrNotFound)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveConversationTag(f.ctx, "c1", "a") }), storage.ErrNotFound)
		require.Empty(t, f.getConversation("c1").Tags)
	}},
	{"ListCatalog", func(t *testing.T, f *fixture) {
		names := []string{"b2", "a1", "b1", "B0", "c", "b10", "a-2", "a.3", "a_4"}
		for _, n := range names {
			f.ensureTag(n)
		}
		want := []string{"B0", "a-2", "a.3", "a1", "a_4", "b1", "b10", "b2", "c"} // byte order
		page, err := f.store.ListTags(f.ctx, storage.TagQuery{})
		require.NoError(t, err)
		require.Equal(t, want, tagNames(page.Items))
		require.Equal(t, len(want), page.Total)
		require.Empty(t, page.NextCursor)

		page, err = f.store.ListTags(f.ctx, storage.TagQuery{Prefix: "b1"})
		require.NoError(t, err)
		require.Equal(t, []string{"b1", "b10"}, tagNames(page.Items))
		page, err = f.store.ListTags(f.ctx, storage.TagQuery{Prefix: "a_"})
		require.NoError(t, err)
		require.Equal(t, []string{"a_4"}, tagNames(page.Items), "a prefix is literal, '_' is no wildcard")
		page, err = f.store.ListTags(f.ctx, storage.TagQuery{Prefix: "A"})
		require.NoError(t, err)
		require.Empty(t, page.Items, "the prefix is case-sensitive")

		// Paged both ways.
		var byCursor []string
		q := storage.TagQuery{Paging: storage.Paging{Limit: 2}}
		for {
			page, err := f.store.ListTags(f.ctx, q)
			require.NoError(t, err)
			byCursor = append(byCursor, tagNames(page.Items)...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, want, byCursor)
		page, err = f.store.ListTags(f.ctx, storage.TagQuery{Paging: storage.Paging{Limit: 4, Page: 1}})
		require.NoError(t, err)
		require.Equal(t, want[4:8], tagNames(page.Items))
		require.Equal(t, len(want), page.Total)
	}},
	{"ListOfAConversation", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"z", "m", "a"}
		f.createConversation(c)
		f.ensureTag("other")
		page, err := f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "m", "z"}, tagNames(page.Items))
		require.Equal(t, 3, page.Total)
		page, err = f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 2}})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "m"}, tagNames(page.Items))
		page, err = f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 2, Cursor: page.NextCursor}})
		require.NoError(t, err)
		require.Equal(t, []string{"z"}, tagNames(page.Items))
		require.Empty(t, page.NextCursor)

		_, err = f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "missing"})
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"InvalidQueries", func(t *testing.T, f *fixture) {
		f.ensureTag("a")
		f.ensureTag("b")
		page, err := f.store.ListTags(f.ctx, storage.TagQuery{Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		_, err = f.store.ListTags(f.ctx, storage.TagQuery{Prefix: "x", Paging: storage.Paging{Cursor: page.NextCursor}})
		requireField(t, err, "cursor")
		_, err = f.store.ListTags(f.ctx, storage.TagQuery{Prefix: "bad prefix"})
		requireField(t, err, "prefix")
		_, err = f.store.ListTags(f.ctx, storage.TagQuery{Paging: storage.Paging{Limit: storage.MaxLimit + 1}})
		requireField(t, err, "limit")
	}},
}
