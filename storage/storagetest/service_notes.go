package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// serviceNoteCases check a conversation's internal notes, its private
// messages: listed alone with PrivateOnly, by page and by cursor, and
// refused on a CLOSED conversation with nothing written.
var serviceNoteCases = []serviceCase{
	{"ListedAlone", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "sam", routing.RoleSupervisor)
		c := fx.conversation(t, conversation.Conversation{AgentID: "sam"})
		sam := fx.as("sam")
		var want []string
		for i := range 3 {
			fx.tick()
			fx.text(t, fx.ctx, c.ID, message.Inbound, "from the customer")
			fx.tick()
			n, err := fx.svc.CreateMessage(sam, c.ID, message.Message{Direction: message.Outbound, Private: true, Content: message.Content{Text: "note " + string(rune('a'+i))}})
			require.NoError(t, err)
			want = append(want, n.ID)
		}
		q := storage.MessageQuery{ConversationID: c.ID, PrivateOnly: true, Paging: storage.Paging{Limit: 2}}
		page, err := fx.svc.ListMessages(fx.ctx, q)
		require.NoError(t, err)
		require.Equal(t, want[:2], messageIDs(page.Items))
		require.Equal(t, 3, page.Total)
		q.Cursor = page.NextCursor
		page, err = fx.svc.ListMessages(fx.ctx, q)
		require.NoError(t, err)
		require.Equal(t, want[2:], messageIDs(page.Items))
		// A cursor of the unfiltered list is not one of the notes.
		all, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: c.ID, Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		q.Cursor = all.NextCursor
		_, err = fx.svc.ListMessages(fx.ctx, q)
		requireInvalid(t, err, "cursor")
	}},
	{"NoneOnAClosedConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		c := fx.conversation(t, conversation.Conversation{Status: conversation.Closed})
		before := fx.snapshot(t)
		_, err := fx.svc.CreateMessage(fx.ctx, c.ID, message.Message{Direction: message.Outbound, Private: true, Content: message.Content{Text: "late"}})
		require.ErrorIs(t, err, storage.ErrClosed)
		fx.requireUnchanged(t, before)
	}},
}
