package parley

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// CreateMessage adds a message to a conversation. The direction defaults to
// OUTBOUND, the content type to TEXT and the channel to the conversation's.
//
// An OUTBOUND message obeys the reply matrix (message.CheckReply) for the
// actor in ctx (WithActor): an actor id that names no agent is ErrNotFound,
// and a refused reply ErrForbidden. The message records the actor as its
// agentId. An INBOUND message needs no actor; on a WAITING or SOLVED
// conversation it moves the conversation back to OPEN
// (conversation.ReopenOnInbound; see WithReopenOnInbound). Any message on
// a closed conversation is ErrClosed.
func (s *Service) CreateMessage(ctx context.Context, conversationID string, in message.Message) (*message.Message, error) {
	if err := s.authorize(ctx, "CreateMessage"); err != nil {
		return nil, err
	}
	if err := checkID("conversationId", conversationID); err != nil {
		return nil, err
	}
	m, err := message.New(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, err
	}
	actor := ActorFrom(ctx).AgentID // checked by authorize
	err = s.run(ctx, "CreateMessage", func(tx storage.Tx, rec *recorder) error {
		if m.Direction != message.Outbound {
			c, err := tx.LockConversation(ctx, conversationID)
			if err != nil {
				return err
			}
			return s.appendMessage(ctx, tx, rec, c, m, actor, nil)
		}
		// The reply matrix needs the assignee and the actor: read with
		// the conversation, in one round trip.
		var ids []string
		if actor != "" {
			ids = []string{actor}
		}
		c, agents, err := storage.LockConversationAndAgents(ctx, tx, conversationID, ids...)
		if err != nil {
			return err
		}
		return s.appendMessage(ctx, tx, rec, c, m, actor, agents)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// appendMessage adds m to the locked (or new) conversation c:
// closed-is-immutable, the reply matrix for an OUTBOUND message from actor,
// and the reopening of the conversation by an INBOUND one.
// agents are the agents read with c for an OUTBOUND message (see
// storage.LockConversationAndAgents); an INBOUND one needs none.
// The message is written with storage.AppendMessage: on a SQL store it
// travels with the commit.
func (s *Service) appendMessage(ctx context.Context, tx storage.Tx, rec *recorder, c *conversation.Conversation, m *message.Message, actor string, agents map[string]*routing.Agent) error {
	m.CreatedAt = rec.now // read once c was locked
	if err := m.AttachTo(c); err != nil {
		return err
	}
	if m.Direction == message.Outbound {
		if err := checkReply(c, actor, agents); err != nil {
			return err
		}
		m.AgentID = actor
	} else {
		m.AgentID = ""
	}
	if err := storage.AppendMessage(ctx, tx, m); err != nil {
		return err
	}
	rec.add(storage.MessageCreated, c.ID, m.ID, []storage.Change{
		change("direction", nil, string(m.Direction)),
		change("agentId", nil, m.AgentID),
	})
	if m.Direction == message.Inbound && s.reopenOnInbound {
		if p, ok := conversation.ReopenOnInbound(c); ok {
			return s.applyPatch(ctx, tx, rec, c, p, "")
		}
	}
	return nil
}

// checkReply applies the reply matrix to the conversation's assignee and
// the actor, both among agents (read with c by LockConversationAndAgents,
// which leaves out an id that names no agent: ErrNotFound).
func checkReply(c *conversation.Conversation, actorID string, agents map[string]*routing.Agent) error {
	agent := func(id string) (*routing.Agent, error) {
		if id == "" {
			return nil, nil
		}
		if a, ok := agents[id]; ok {
			return a, nil
		}
		return nil, fmt.Errorf("agent %q: %w", id, fault.ErrNotFound)
	}
	actor, err := agent(actorID)
	if err != nil {
		return err
	}
	assignee, err := agent(c.AgentID)
	if err != nil {
		return err
	}
	return message.CheckReply(assignee, actor)
}

// GetMessage returns one message. ErrNotFound when there is none.
func (s *Service) GetMessage(ctx context.Context, id string) (*message.Message, error) {
	return read(s, ctx, "GetMessage", func() (*message.Message, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetMessage(ctx, id)
	})
}

// ListMessages returns a page of one conversation's messages, chronological
// unless q.Desc (see storage.MessageQuery). ErrNotFound when the
// conversation does not exist.
func (s *Service) ListMessages(ctx context.Context, q storage.MessageQuery) (storage.Page[*message.Message], error) {
	return read(s, ctx, "ListMessages", func() (storage.Page[*message.Message], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*message.Message]{}, err
		}
		return s.store.ListMessages(ctx, q)
	})
}
