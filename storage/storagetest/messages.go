package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

func ptr[T any](v T) *T { return &v }

// everyContentType returns one message of each content type with every
// field set, in conversation conv.
func everyContentType(conv string) []*message.Message {
	base := func(id string, typ message.ContentType, c message.Content) *message.Message {
		m := newMessage(id, conv, 0)
		m.ContentType, m.Content = typ, c
		return m
	}
	out := []*message.Message{
		base("text", message.Text, message.Content{Text: "Grüße 👋 '; DROP TABLE messages; --"}),
		base("image", message.Image, message.Content{URL: "https://example.com/a.png", Caption: "a cat"}),
		base("audio", message.Audio, message.Content{URL: "https://example.com/a.ogg"}),
		base("video", message.Video, message.Content{URL: "https://example.com/a.mp4", Caption: "v"}),
		base("document", message.Document, message.Content{URL: "https://example.com/a.pdf", Caption: "d"}),
		base("location", message.Location, message.Content{Latitude: ptr(-33.8688), Longitude: ptr(151.2093), Name: "Sydney", Address: "NSW"}),
		base("location0", message.Location, message.Content{Latitude: ptr(0.0), Longitude: ptr(-180.0)}),
		base("template", message.Template, message.Content{TemplateName: "order_update", Language: "en_GB", Parameters: []string{"Ann", "", "42"}}),
		base("contact", message.Contact, message.Content{Name: "Ann", Phone: "+15550100", Email: "ann@example.com"}),
		base("email", message.Text, message.Content{Text: "Your invoice", Sender: "billing@example.com", SenderName: "Billing – Ünïcode"}),
	}
	out[len(out)-1].Channel = conversation.Email
	out[1].Direction, out[1].AgentID, out[1].Private = message.Outbound, "a1", true
	return out
}

var messageCases = []testCase{
	{"CreateGetEveryContentType", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		for i, m := range everyContentType("c1") {
			m.CreatedAt = at(time.Duration(i) * time.Millisecond)
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
			got, err := f.store.GetMessage(f.ctx, m.ID)
			require.NoError(t, err)
			requireUTC(t, got.CreatedAt)
			require.True(t, m.CreatedAt.Equal(got.CreatedAt))
			got.CreatedAt = m.CreatedAt
			require.Equal(t, m, got, "message %s", m.ID)
		}
	}},
	{"NoteWithAttachments", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		m := newMessage("note", "c1", 0)
		m.Direction, m.AgentID, m.Private = message.Outbound, "a1", true
		m.Content = message.Content{Attachments: []message.Attachment{
			{ID: "12345"},
			{ID: "f-2", FileName: "Grüße.png", FileExtension: "png", ContentType: "image/png", FileSize: 1 << 40, PublicLink: "https://example.com/a.png?x=1&y=2"},
		}}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
		m.Content.Attachments[0].ID = "changed after create"
		got, err := f.store.GetMessage(f.ctx, "note")
		require.NoError(t, err)
		require.Equal(t, "12345", got.Content.Attachments[0].ID, "the store kept its own copy")
		m.Content.Attachments[0].ID = "12345"
		got.CreatedAt = m.CreatedAt
		require.Equal(t, m, got)
		got.Content.Attachments[1].FileName = "changed after get"
		page, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", PrivateOnly: true})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.Equal(t, m.Content, page.Items[0].Content)
	}},
	{"CreateErrors", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "missing", 0)) }), storage.ErrNotFound)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "c1", 0)) }))
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "c1", time.Second)) }), storage.ErrAlreadyExists)
		_, err := f.store.GetMessage(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"AppendInATransaction", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		m := everyContentType("c1")[1]
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.LockConversation(f.ctx, "c1"); err != nil {
				return err
			}
			if err := storage.AppendMessage(f.ctx, tx, m); err != nil {
				return err
			}
			return tx.AppendEvents(f.ctx, sampleEvent("c1", storage.MessageCreated))
		})
		require.NoError(t, err)
		got, err := f.store.GetMessage(f.ctx, m.ID)
		require.NoError(t, err)
		require.True(t, m.CreatedAt.Equal(got.CreatedAt))
		got.CreatedAt = m.CreatedAt
		require.Equal(t, m, got)
		require.Len(t, f.allEvents(), 1)

		// The transaction's later statements run after it: deleting the
		// conversation takes the message along.
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.LockConversation(f.ctx, "c1"); err != nil {
				return err
			}
			if err := storage.AppendMessage(f.ctx, tx, newMessage("m2", "c1", 0)); err != nil {
				return err
			}
			return tx.DeleteConversation(f.ctx, "c1")
		})
		require.NoError(t, err)
		for _, id := range []string{m.ID, "m2"} {
			_, err = f.store.GetMessage(f.ctx, id)
			requireErr(t, err, storage.ErrNotFound)
		}
	}},
	{"AppendErrorsWriteNothing", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "c1", 0)) }))
		events := f.allEvents()
		// A taken id fails the call or the commit, and the transaction's
		// other writes are undone.
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			c, err := tx.LockConversation(f.ctx, "c1")
			if err != nil {
				return err
			}
			c.Topic, c.Version = "changed", 2
			if err := tx.UpdateConversation(f.ctx, c, 1); err != nil {
				return err
			}
			if err := storage.AppendMessage(f.ctx, tx, newMessage("m1", "c1", time.Second)); err != nil {
				return err
			}
			return tx.AppendEvents(f.ctx, sampleEvent("c1", storage.MessageCreated))
		})
		requireErr(t, err, storage.ErrAlreadyExists)
		require.Equal(t, "Topic of c1", f.getConversation("c1").Topic)
		require.Equal(t, events, f.allEvents())
		got, err := f.store.GetMessage(f.ctx, "m1")
		require.NoError(t, err)
		require.True(t, at(0).Equal(got.CreatedAt), "the first m1 stays")

		// A conversation that does not exist: ErrNotFound, likewise.
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := storage.AppendMessage(f.ctx, tx, newMessage("m2", "missing", 0)); err != nil {
				return err
			}
			return tx.AppendEvents(f.ctx, sampleEvent("c1", storage.MessageCreated))
		})
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.GetMessage(f.ctx, "m2")
		requireErr(t, err, storage.ErrNotFound)
		require.Equal(t, events, f.allEvents())

		// Outside a transaction it is CreateMessage.
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return storage.AppendMessage(f.ctx, tx, newMessage("m1", "c1", 0)) }), storage.ErrAlreadyExists)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return storage.AppendMessage(f.ctx, tx, newMessage("m3", "missing", 0)) }), storage.ErrNotFound)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return storage.AppendMessage(f.ctx, tx, newMessage("m3", "c1", 0)) }))
		_, err = f.store.GetMessage(f.ctx, "m3")
		require.NoError(t, err)
	}},
	{"ListChronologicalWithTies", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		var want []string
		// Created out of order, three per instant.
		for i := 29; i >= 0; i-- {
			m := newMessage(idf("m", (i*7)%30), "c1", time.Duration(i/3)*time.Second)
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("other", "c2", 0)) }))
		type key struct {
			at time.Duration
			id string
		}
		var keys []key
		for i := range 30 {
			keys = append(keys, key{time.Duration(i/3) * time.Second, idf("m", (i*7)%30)})
		}
		slices.SortFunc(keys, func(a, b key) int {
			if a.at != b.at {
				return int(a.at - b.at)
			}
			if a.id < b.id {
				return -1
			}
			return 1
		})
		for _, k := range keys {
			want = append(want, k.id)
		}

		page, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Equal(t, want, messageIDs(page.Items))
		require.Equal(t, 30, page.Total)

		desc, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", Desc: true})
		require.NoError(t, err)
		rev := slices.Clone(want)
		slices.Reverse(rev)
		require.Equal(t, rev, messageIDs(desc.Items))

		for _, isDesc := range []bool{false, true} {
			var got []string
			q := storage.MessageQuery{ConversationID: "c1", Desc: isDesc, Paging: storage.Paging{Limit: 4}}
			for {
				page, err := f.store.ListMessages(f.ctx, q)
				require.NoError(t, err)
				got = append(got, messageIDs(page.Items)...)
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			if isDesc {
				require.Equal(t, rev, got)
			} else {
				require.Equal(t, want, got)
			}
		}
		page, err = f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 7, Page: 2}})
		require.NoError(t, err)
		require.Equal(t, want[14:21], messageIDs(page.Items))
	}},
	{"ListFilters", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		ms := everyContentType("c1")
		for i, m := range ms {
			m.CreatedAt = at(time.Duration(i) * time.Second)
			if i%2 == 0 {
				m.Channel = conversation.SMS
			}
			if m.ID == "video" {
				m.Direction = message.Outbound // not private
			}
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
		}
		cases := []struct {
			q    storage.MessageQuery
			want []string
		}{
			{storage.MessageQuery{IDs: []string{"video", "text", "nope"}}, []string{"text", "video"}},
			{storage.MessageQuery{Direction: message.Outbound}, []string{"image", "video"}},
			{storage.MessageQuery{PrivateOnly: true}, []string{"image"}},
			{storage.MessageQuery{PrivateOnly: true, Desc: true, IDs: []string{"image", "video"}}, []string{"image"}},
			{storage.MessageQuery{Direction: message.Inbound, Channel: conversation.SMS}, []string{"text", "audio", "document", "location0", "contact"}},
			{storage.MessageQuery{CreatedAfter: at(2 * time.Second), CreatedBefore: at(4 * time.Second)}, []string{"audio", "video"}},
			{storage.MessageQuery{Channel: conversation.Viber}, nil},
		}
		for _, tc := range cases {
			tc.q.ConversationID = "c1"
			page, err := f.store.ListMessages(f.ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, tc.want, nilIfEmpty(messageIDs(page.Items)), "query %+v", tc.q)
			require.Equal(t, len(tc.want), page.Total)
		}
	}},
	{"EveryFilterByCursorAndPage", func(t *testing.T, f *fixture) {
		// Every filter, walked page by page in both directions, gives the
		// filtered full list: the cursor carries the filter's position,
		// with ties in createdAt at the page boundaries.
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		channels := []conversation.Channel{conversation.WhatsApp, conversation.SMS, conversation.Email}
		var all []*message.Message
		for i := range 30 {
			m := newMessage(idf("m", (i*11)%30), "c1", time.Duration(i/3)*time.Second) // ids not in time order
			m.Channel = channels[i%len(channels)]
			if i%4 == 0 {
				m.Direction, m.AgentID = message.Outbound, "a1"
			}
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, m) }))
			all = append(all, m)
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("other", "c2", time.Second)) }))
		filters := []struct {
			name string
			q    storage.MessageQuery
		}{
			{"none", storage.MessageQuery{}},
			{"ids", storage.MessageQuery{IDs: []string{"m-002", "m-005", "m-013", "m-014", "m-017", "m-021", "m-026", "m-029", "other", "nope"}}},
			{"direction", storage.MessageQuery{Direction: message.Outbound}},
			{"channel", storage.MessageQuery{Channel: conversation.SMS}},
			{"directionAndChannel", storage.MessageQuery{Direction: message.Inbound, Channel: conversation.Email}},
			{"createdAfter", storage.MessageQuery{CreatedAfter: at(4 * time.Second)}},
			{"createdBefore", storage.MessageQuery{CreatedBefore: at(5 * time.Second)}},
			{"createdRange", storage.MessageQuery{CreatedAfter: at(2 * time.Second), CreatedBefore: at(8 * time.Second)}},
			{"everything", storage.MessageQuery{
				IDs: []string{"m-000", "m-001", "m-003", "m-006", "m-009", "m-011", "m-015", "m-018", "m-027"}, Direction: message.Inbound,
				Channel: conversation.WhatsApp, CreatedAfter: at(time.Second), CreatedBefore: at(9 * time.Second),
			}},
			{"nothingMatches", storage.MessageQuery{Channel: conversation.Viber}},
		}
		for _, fl := range filters {
			for _, desc := range []bool{false, true} {
				q := fl.q
				q.ConversationID, q.Desc, q.Limit = "c1", desc, 3
				want := expectedMessages(all, q)
				label := fmt.Sprintf("filter %s, desc %v", fl.name, desc)

				var got []string
				for pages := 0; ; pages++ {
					require.Less(t, pages, 100, "paging does not end: %s", label)
					page, err := f.store.ListMessages(f.ctx, q)
					require.NoError(t, err, label)
					require.Equal(t, len(want), page.Total, label)
					got = append(got, messageIDs(page.Items)...)
					if page.NextCursor == "" {
						break
					}
					require.Len(t, page.Items, q.Limit, "a page before the last is full: %s", label)
					q.Cursor = page.NextCursor
				}
				require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "by cursor: %s", label)

				q.Cursor, got = "", nil
				for q.Page = 0; ; q.Page++ {
					require.Less(t, q.Page, 100, "paging does not end: %s", label)
					page, err := f.store.ListMessages(f.ctx, q)
					require.NoError(t, err, label)
					require.Equal(t, len(want), page.Total, label)
					if len(page.Items) == 0 {
						break
					}
					got = append(got, messageIDs(page.Items)...)
				}
				require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "by page: %s", label)
			}
		}
	}},
	{"ListErrors", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		for i := range 3 {
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage(idf("a", i), "c1", 0)) }))
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage(idf("b", i), "c2", 0)) }))
		}
		page, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		_, err = f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c2", Paging: storage.Paging{Cursor: page.NextCursor}})
		requireField(t, err, "cursor")
		_, err = f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", Desc: true, Paging: storage.Paging{Cursor: page.NextCursor}})
		requireField(t, err, "cursor")
		_, err = f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "missing"})
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1", Direction: "SIDEWAYS"})
		requireField(t, err, "direction")
		_, err = f.store.ListMessages(f.ctx, storage.MessageQuery{})
		requireField(t, err, "conversationId")
	}},
}

// expectedMessages is the reference for a message query: filter and order
// done the obvious way in Go.
func expectedMessages(all []*message.Message, q storage.MessageQuery) []string {
	var rows []*message.Message
	for _, m := range all {
		if m.ConversationID == q.ConversationID &&
			(len(q.IDs) == 0 || slices.Contains(q.IDs, m.ID)) &&
			(q.Direction == "" || m.Direction == q.Direction) &&
			(q.Channel == "" || m.Channel == q.Channel) &&
			(q.CreatedAfter.IsZero() || !m.CreatedAt.Before(q.CreatedAfter)) &&
			(q.CreatedBefore.IsZero() || m.CreatedAt.Before(q.CreatedBefore)) {
			rows = append(rows, m)
		}
	}
	slices.SortFunc(rows, func(a, b *message.Message) int {
		c := a.CreatedAt.Compare(b.CreatedAt)
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if q.Desc {
			return -c
		}
		return c
	})
	return messageIDs(rows)
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
