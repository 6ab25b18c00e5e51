package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// Changing a value passed to or returned by a store never changes what the
// store holds.
var aliasingCases = []testCase{
	{"Conversation", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"a", "b"}
		f.createConversation(c)
		want := c.Clone()
		c.Attributes["lang"] = "changed"
		c.Tags[0] = "zzz"
		c.Topic = "changed"
		equalConversation(t, want, f.getConversation("c1"))

		got := f.getConversation("c1")
		got.Attributes["lang"] = "changed"
		got.Tags[0] = "zzz"
		equalConversation(t, want, f.getConversation("c1"))

		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{})
		require.NoError(t, err)
		page.Items[0].Attributes["lang"] = "changed"
		page.Items[0].Tags[1] = "zzz"
		equalConversation(t, want, f.getConversation("c1"))

		next := want.Clone()
		next.Version = 2
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, 1) }))
		next.Attributes["lang"] = "after update"
		require.Equal(t, "en", f.getConversation("c1").Attributes["lang"])
	}},
	{"Message", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		ms := everyContentType("c1")
		tmpl, loc := ms[7], ms[5]
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, tmpl) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, loc) }))
		tmpl.Content.Parameters[0] = "changed"
		*loc.Content.Latitude = 1
		got, err := f.store.GetMessage(f.ctx, "template")
		require.NoError(t, err)
		require.Equal(t, "Ann", got.Content.Parameters[0])
		got.Content.Parameters[0] = "changed"
		again, err := f.store.GetMessage(f.ctx, "template")
		require.NoError(t, err)
		require.Equal(t, "Ann", again.Content.Parameters[0])
		gotLoc, err := f.store.GetMessage(f.ctx, "location")
		require.NoError(t, err)
		require.InDelta(t, -33.8688, *gotLoc.Content.Latitude, 1e-9)
		*gotLoc.Content.Latitude = 5
		page, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1"})
		require.NoError(t, err)
		for _, m := range page.Items {
			if m.ID == "location" {
				require.InDelta(t, -33.8688, *m.Content.Latitude, 1e-9)
			}
		}
	}},
	{"AgentQueueRuleTag", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createAgent("a1")
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a1") })
		require.NoError(t, err)
		a, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		a.Queues[0] = "changed"
		a, err = f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"q1"}, a.Queues)
		q, err := f.store.GetQueue(f.ctx, "q1")
		require.NoError(t, err)
		q.Members[0] = "changed"
		q, err = f.store.GetQueue(f.ctx, "q1")
		require.NoError(t, err)
		require.Equal(t, []string{"a1"}, q.Members)

		rules := []routing.Rule{{ID: "r1", Name: "R", QueueID: "q1", Condition: routing.Condition{TagsAny: []string{"x"}, Attributes: map[string]string{"k": "v"}}}}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, rules) }))
		rules[0].Condition.TagsAny[0] = "changed"
		rules[0].Condition.Attributes["k"] = "changed"
		got, err := f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Equal(t, "x", got[0].Condition.TagsAny[0])
		require.Equal(t, "v", got[0].Condition.Attributes["k"])
		got[0].Condition.TagsAny[0] = "changed"
		got, err = f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Equal(t, "x", got[0].Condition.TagsAny[0])

		tg := &tag.Tag{Name: "t1", CreatedAt: t0}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateTag(f.ctx, tg) }))
		tg.Name = "changed"
		_, err = f.store.GetTag(f.ctx, "t1")
		require.NoError(t, err)
	}},
	{"Event", func(t *testing.T, f *fixture) {
		e := sampleEvent("c1", storage.ConversationUpdated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e) }))
		e.Changes[0].Field = "changed"
		e.Changes[0].After[1] = 'X'
		got := f.allEvents()
		require.Equal(t, "topic", got[0].Changes[0].Field)
		requireJSON(t, rawJSON("new ✓"), got[0].Changes[0].After)
		got[0].Changes[0].Field = "changed"
		require.Equal(t, "topic", f.allEvents()[0].Changes[0].Field)
	}},
}
