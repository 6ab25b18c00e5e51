package storagetest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

var conversationCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createAgent("a1")
		c := newConversation("c1")
		c.QueueID, c.AgentID = "q1", "a1"
		c.Status, c.Priority = conversation.Solved, conversation.Urgent
		c.QueuedAt = at(time.Minute)
		c.UpdatedAt = at(2 * time.Hour)
		c.Version = 7
		c.Tags = []string{"vip", "billing"}
		f.createConversation(c)
		got := f.getConversation("c1")
		want := c.Clone()
		want.Tags = []string{"billing", "vip"}
		equalConversation(t, want, got)
	}},
	{"ZeroValuesRoundTrip", func(t *testing.T, f *fixture) {
		c := &conversation.Conversation{
			ID: "bare", Status: conversation.Open, Priority: conversation.Low,
			Channel: conversation.NoChannel, CreatedAt: t0, UpdatedAt: t0, Version: 1,
		}
		f.createConversation(c)
		equalConversation(t, c, f.getConversation("bare"))
	}},
	{"ClosedRoundTrip", func(t *testing.T, f *fixture) {
		c := newConversation("closed")
		c.Status = conversation.Closed
		c.ClosedAt = at(time.Hour + time.Microsecond)
		f.createConversation(c)
		equalConversation(t, c, f.getConversation("closed"))
	}},
	{"TextAtTheLimitsRoundTrip", func(t *testing.T, f *fixture) {
		c := newConversation(strings.Repeat("é", conversation.MaxIDLen))
		c.Topic = strings.Repeat("ü", conversation.MaxTopicLen)
		c.Summary = strings.Repeat("😀", conversation.MaxSummaryLen)
		c.CustomerID = "'; DROP TABLE conversations; --"
		c.Attributes = map[string]string{}
		for i := range conversation.MaxAttributes {
			c.Attributes[strings.Repeat("k", conversation.MaxAttributeKeyLen-4)+idf("", i)] = strings.Repeat("v", conversation.MaxAttributeValueLen)
		}
		f.createConversation(c)
		equalConversation(t, c, f.getConversation(c.ID))
	}},
	{"CreateDuplicateID", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		dup := newConversation("c1")
		dup.Topic = "other"
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateConversation(f.ctx, dup) }), storage.ErrAlreadyExists)
		require.Equal(t, "Topic of c1", f.getConversation("c1").Topic)
	}},
	{"CreateWithUnknownTag", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"nope"}
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateConversation(f.ctx, c) }), storage.ErrNotFound)
		_, err := f.store.GetConversation(f.ctx, "c1")
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"GetMissing", func(t *testing.T, f *fixture) {
		_, err := f.store.GetConversation(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*conversation.Conversation, error) { return tx.LockConversation(f.ctx, "missing") })
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"LockReturnsTheConversation", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"a"}
		f.createConversation(c)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			got, err := tx.LockConversation(f.ctx, "c1")
			require.NoError(t, err)
			equalConversation(t, c, got)
			return nil
		}))
	}},
	{"UpdateWritesEveryFieldButTagsAndCreatedAt", func(t *testing.T, f *fixture) {
		f.createQueue("q2")
		f.createAgent("a2")
		c := newConversation("c1")
		c.Tags = []string{"keep"}
		f.createConversation(c)

		next := c.Clone()
		next.Topic, next.Summary = "new topic", ""
		next.Status, next.Priority = conversation.Closed, conversation.High
		next.QueueID, next.AgentID = "q2", "a2"
		next.Channel, next.CustomerID = conversation.Email, "cust-2"
		next.Attributes = map[string]string{"x": "y"}
		next.Tags = []string{"ignored"}
		next.CreatedAt = at(99 * time.Hour)
		next.UpdatedAt, next.ClosedAt, next.QueuedAt = at(time.Hour), at(time.Hour), at(30*time.Minute)
		next.Version = 2
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, 1) }))

		want := next.Clone()
		want.Tags = []string{"keep"}
		want.CreatedAt = t0
		equalConversation(t, want, f.getConversation("c1"))
	}},
	{"UpdateClearsOptionalFields", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createAgent("a1")
		c := newConversation("c1")
		c.QueueID, c.AgentID, c.QueuedAt = "q1", "a1", t0
		f.createConversation(c)
		next := c.Clone()
		next.QueueID, next.AgentID, next.QueuedAt = "", "", time.Time{}
		next.Attributes, next.Topic, next.CustomerID = nil, "", ""
		next.Version = 2
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, 1) }))
		equalConversation(t, next, f.getConversation("c1"))
	}},
	{"UpdateVersionConflict", func(t *testing.T, f *fixture) {
		c := f.createConversation(newConversation("c1"))
		next := c.Clone()
		next.Topic, next.Version = "lost", 3
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, 2) }), storage.ErrConflict)
		equalConversation(t, c, f.getConversation("c1"))
	}},
	{"InsertAndUpdateHeldInATransaction", func(t *testing.T, f *fixture) {
		// InsertConversation may wait for the commit, and so may an update
		// of a row the transaction holds: the transaction's later reads
		// see both, in order.
		c := newConversation("c1")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := storage.InsertConversation(f.ctx, tx, c); err != nil {
				return err
			}
			next := c.Clone()
			next.Topic, next.Version = "second", 2
			if err := tx.UpdateConversation(f.ctx, next, 1); err != nil {
				return err
			}
			got, err := tx.GetConversation(f.ctx, "c1")
			if err != nil {
				return err
			}
			require.Equal(t, "second", got.Topic)
			next = next.Clone()
			next.Topic, next.Version = "third", 3
			return tx.UpdateConversation(f.ctx, next, 2)
		})
		require.NoError(t, err)
		got := f.getConversation("c1")
		require.Equal(t, "third", got.Topic)
		require.EqualValues(t, 3, got.Version)

		// Locked, then updated twice: each update expects the version the
		// one before it wrote.
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error {
			locked, err := tx.LockConversation(f.ctx, "c1")
			if err != nil {
				return err
			}
			next := locked.Clone()
			next.Topic, next.Version = "fourth", 4
			if err := tx.UpdateConversation(f.ctx, next, 3); err != nil {
				return err
			}
			stale := next.Clone()
			stale.Topic, stale.Version = "lost", 4
			return tx.UpdateConversation(f.ctx, stale, 3)
		})
		requireErr(t, err, storage.ErrConflict)
		require.Equal(t, "third", f.getConversation("c1").Topic, "the transaction wrote nothing")

		// A taken id fails the call or the commit, and nothing is written.
		events := f.allEvents()
		dup := newConversation("c1")
		dup.Topic = "duplicate"
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := storage.InsertConversation(f.ctx, tx, newConversation("c2")); err != nil {
				return err
			}
			if err := storage.InsertConversation(f.ctx, tx, dup); err != nil {
				return err
			}
			return tx.AppendEvents(f.ctx, sampleEvent("c2", storage.ConversationCreated))
		})
		requireErr(t, err, storage.ErrAlreadyExists)
		require.Equal(t, "third", f.getConversation("c1").Topic)
		_, err = f.store.GetConversation(f.ctx, "c2")
		requireErr(t, err, storage.ErrNotFound)
		require.Equal(t, events, f.allEvents())
	}},
	{"UpdateMissing", func(t *testing.T, f *fixture) {
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, newConversation("nope"), 1) }), storage.ErrNotFound)
	}},
	{"DeleteRemovesMessagesTagLinksAndEvents", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"t1"}
		f.createConversation(c)
		other := newConversation("c2")
		other.Tags = []string{"t1"}
		f.createConversation(other)
		m := newMessage("m1", "c1", 0)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m2", "c2", 0)) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.AppendEvents(f.ctx,
				&storage.Event{Type: storage.ConversationCreated, ConversationID: "c1", EntityID: "c1", At: t0},
				&storage.Event{Type: storage.ConversationCreated, ConversationID: "c2", EntityID: "c2", At: t0},
				&storage.Event{Type: storage.TagCreated, EntityID: "t1", At: t0},
			)
		}))

		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c1") }))

		_, err := f.store.GetConversation(f.ctx, "c1")
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.GetMessage(f.ctx, "m1")
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.ListTags(f.ctx, storage.TagQuery{ConversationID: "c1"})
		requireErr(t, err, storage.ErrNotFound)
		// The tag stays in the catalog and on the other conversation.
		_, err = f.store.GetTag(f.ctx, "t1")
		require.NoError(t, err)
		require.Equal(t, []string{"t1"}, f.getConversation("c2").Tags)
		_, err = f.store.GetMessage(f.ctx, "m2")
		require.NoError(t, err)
		// Its events are gone (it had no conversation.deleted record, the
		// one kind a deletion keeps: see Events/DeletionEventsSurviveIdReuse);
		// the others stay.
		own, err := f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Empty(t, own)
		all := f.allEvents()
		require.Len(t, all, 2)
		require.Equal(t, "c2", all[0].EntityID)
		require.Equal(t, "t1", all[1].EntityID)
		// The id can be used again, with nothing of the deleted one.
		f.createConversation(newConversation("c1"))
		own, err = f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Empty(t, own)
	}},
	{"DeleteMissing", func(t *testing.T, f *fixture) {
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "nope") }), storage.ErrNotFound)
	}},
}

// newMessage returns a valid TEXT message of conversation conv created d
// after t0.
func newMessage(id, conv string, d time.Duration) *message.Message {
	return &message.Message{
		ID: id, ConversationID: conv, Direction: message.Inbound, Channel: conversation.WhatsApp,
		From: "+15550100", To: "+15550199", ContentType: message.Text,
		Content: message.Content{Text: "hello from " + id}, CreatedAt: at(d),
	}
}
