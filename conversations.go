package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// MaxReasonLen is the longest delete reason, in characters.
const MaxReasonLen = 1000

// CreateConversation creates a conversation from in. Every field is
// optional: status defaults to OPEN, priority to NORMAL, channel to
// NO_CHANNEL and the id to a new UUIDv7. A queueId or agentId must name an
// existing queue or enabled agent (ErrNotFound); tags are created in the
// catalog when missing. A caller-supplied id that exists is
// ErrAlreadyExists. With KnownCustomer, a customerId must name a customer.
func (s *Service) CreateConversation(ctx context.Context, in conversation.Conversation, opts ...ConversationOption) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, "CreateConversation"); err != nil {
		return nil, err
	}
	// Validate before the transaction: bad input costs no round trip.
	c, err := conversation.New(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, err
	}
	tags, err := uniqueTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err = s.run(ctx, "CreateConversation", func(tx storage.Tx, rec *recorder) error {
		rec.now = c.CreatedAt // the change happens when the conversation was made
		if err := s.checkReferences(ctx, tx, "", c.QueueID, "", c.AgentID); err != nil {
			return err
		}
		if conversationOptionsOf(opts).knownCustomer && c.CustomerID != "" {
			if err := requireCustomer(ctx, tx, c.CustomerID); err != nil {
				return err
			}
		}
		for _, name := range tags {
			if err := s.ensureTag(ctx, tx, rec, name); err != nil {
				return err
			}
		}
		c.Tags = tags
		// On a SQL store the INSERT travels with the commit.
		if err := storage.InsertConversation(ctx, tx, c); err != nil {
			return err
		}
		rec.add(storage.ConversationCreated, c.ID, c.ID, createdChanges(c))
		if err := s.followRouting(ctx, tx, rec, &conversation.Conversation{}, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// createdChanges are the fields of a new conversation, as the changes of its
// conversation.created event: every field set, tags included. They are
// what change would make of conversation.Diff from an empty conversation
// (the fields in Diff's order, each value's JSON as jsonValue writes it),
// written into one buffer: a create is the hottest write.
func createdChanges(c *conversation.Conversation) []storage.Change {
	out := make([]storage.Change, 0, 13)
	buf := make([]byte, 0, 192)
	set := func(field string, b []byte, start int) {
		buf = b
		out = append(out, storage.Change{Field: field, After: buf[start:len(buf):len(buf)]})
	}
	str := func(field, v string) {
		if v == "" {
			return
		}
		start := len(buf)
		if b, ok := appendJSONString(buf, v); ok {
			set(field, b, start)
			return
		}
		set(field, append(buf, jsonValue(v)...), start)
	}
	str("topic", c.Topic)
	str("summary", c.Summary)
	str("status", string(c.Status))
	str("priority", string(c.Priority))
	str("queueId", c.QueueID)
	str("agentId", c.AgentID)
	str("channel", string(c.Channel))
	str("source", string(c.Source))
	str("customerId", c.CustomerID)
	if len(c.Attributes) > 0 {
		start := len(buf)
		set("attributes", append(buf, jsonValue(c.Attributes)...), start)
	}
	if !c.ClosedAt.IsZero() {
		start := len(buf)
		set("closedAt", append(buf, jsonValue(c.ClosedAt)...), start)
	}
	if len(c.Tags) > 0 {
		out = append(out, change("tags", nil, c.Tags))
	}
	return out
}

// uniqueTags checks the tag names of a new conversation and returns them as
// Conversation.Tags holds them, so that what create returns is what a read
// returns.
func uniqueTags(names []string) ([]string, error) {
	for _, name := range names {
		if err := tag.ValidateNameField("tags", name); err != nil {
			return nil, err
		}
	}
	return conversation.SortedTags(names), nil
}

// GetConversation returns the conversation with its tags. ErrNotFound when
// there is none.
func (s *Service) GetConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return read(s, ctx, "GetConversation", func() (*conversation.Conversation, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetConversation(ctx, id)
	})
}

// ListConversations returns one page of the conversations q selects (see
// storage.ConversationQuery for filters, order and paging).
func (s *Service) ListConversations(ctx context.Context, q storage.ConversationQuery) (storage.Page[*conversation.Conversation], error) {
	return read(s, ctx, "ListConversations", func() (storage.Page[*conversation.Conversation], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*conversation.Conversation]{}, err
		}
		return s.store.ListConversations(ctx, q)
	})
}

// UpdateConversation applies a patch: only the fields it sets change, and an
// empty AgentID unassigns. A closed conversation is ErrClosed; a patch with
// IfVersion set fails with ErrConflict when the conversation has moved on. A
// patch that changes nothing writes nothing and records no event. With
// KnownCustomer, a customerId that the patch changes must name a customer
// (one the conversation names already need not, so that writing back what
// was read never fails).
func (s *Service) UpdateConversation(ctx context.Context, id string, p conversation.Patch, opts ...ConversationOption) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, "UpdateConversation"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	// Clearing the assignee is a person taking the conversation off its
	// agent, as UnassignConversation is.
	p.PassOver = p.AgentID != nil && *p.AgentID == ""
	known := conversationOptionsOf(opts).knownCustomer
	var out *conversation.Conversation
	err := s.run(ctx, "UpdateConversation", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		if known && p.CustomerID != nil && *p.CustomerID != "" && *p.CustomerID != c.CustomerID && c.CheckMutable() == nil {
			if err := requireCustomer(ctx, tx, *p.CustomerID); err != nil {
				return err
			}
		}
		if err := s.applyPatch(ctx, tx, rec, c, p, ""); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// AssignConversation assigns the conversation to an agent, who must exist
// and be enabled (ErrNotFound otherwise). A manual assignment ignores the
// agent's status and capacity. Assigning to the current assignee changes
// nothing.
func (s *Service) AssignConversation(ctx context.Context, id, agentID string) (*conversation.Conversation, error) {
	return s.patchConversation(ctx, "AssignConversation", id, conversation.Patch{AgentID: &agentID}, func() error {
		return checkID("agentId", agentID)
	})
}

// UnassignConversation removes the assignee. In a queue that assigns
// automatically the conversation is not handed straight back to that agent:
// it waits for another eligible agent (conversation.PassedOver), or for a
// route, which may give it to any.
func (s *Service) UnassignConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	none := ""
	return s.patchConversation(ctx, "UnassignConversation", id, conversation.Patch{AgentID: &none, PassOver: true})
}

// CloseConversation closes the conversation for good: it sets closedAt, keeps
// the assignee on record (no longer counting against capacity) and starts
// the assignee's wrap-up time. Closing a closed conversation is ErrClosed.
func (s *Service) CloseConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	closed := conversation.Closed
	return s.patchConversation(ctx, "CloseConversation", id, conversation.Patch{Status: &closed})
}

// patchConversation runs one conversation patch as operation op; check, when
// given, validates what the patch alone cannot (an id that must be set).
func (s *Service) patchConversation(ctx context.Context, op, id string, p conversation.Patch, check ...func() error) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	for _, c := range check {
		if err := c(); err != nil {
			return nil, err
		}
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		if err := s.applyPatch(ctx, tx, rec, c, p, ""); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// applyPatch is every conversation change in one place: it applies p to c
// (which it updates in place; Patch.Apply checks mutability, version and
// status), checks the references the change sets, writes it, records its
// events (as one event of type as, when set) and follows it with the
// routing it calls for. p has passed Validate. A refused patch (closed,
// stale version, unknown queue or agent) leaves c unchanged.
func (s *Service) applyPatch(ctx context.Context, tx storage.Tx, rec *recorder, c *conversation.Conversation, p conversation.Patch, as storage.EventType) error {
	before := *c // Apply replaces what it changes: a copy of the struct keeps the old values
	diff, err := p.Apply(c, rec.now)
	if err != nil || diff == nil {
		return err
	}
	if err := s.checkReferences(ctx, tx, before.QueueID, c.QueueID, before.AgentID, c.AgentID); err != nil {
		*c = before
		return err
	}
	if err := tx.UpdateConversation(ctx, c, before.Version); err != nil {
		return err
	}
	rec.conversationChanged(c, diff, as)
	return s.followRouting(ctx, tx, rec, &before, c)
}

// followRouting acts on what a change of a conversation from before to
// after means for routing (routing.EffectsOf): in the transaction, the lock
// of an agent whose load the change raised (the lock automatic assignment
// takes, so that the two never interleave), the new assignee's time of last
// assignment and the wrap-up of the assignee of a closed conversation;
// after the commit, the draining of the queue the conversation started
// waiting in and of the queues of an agent that has room again.
//
// Every agent it locks is the conversation's assignee after the change
// (Loaded, Assigned and WrapUp are all after.AgentID): one agent per
// conversation, taken after the conversation's lock (see the package doc's
// lock order).
func (s *Service) followRouting(ctx context.Context, tx storage.Tx, rec *recorder, before, after *conversation.Conversation) error {
	e := routing.EffectsOf(before, after)
	// noteAssignment locks a new assignee; a reopen locks the one it
	// keeps. An assignee that names no agent (agents are never deleted,
	// and a new one was checked) has no capacity to guard.
	if e.Loaded != "" && e.Loaded != e.Assigned {
		if _, err := tx.LockAgent(ctx, e.Loaded); err != nil && !errors.Is(err, fault.ErrNotFound) {
			return err
		}
	}
	if e.Assigned != "" {
		if err := s.noteAssignment(ctx, tx, e.Assigned, rec.now); err != nil {
			return err
		}
	}
	if e.WrapUp != "" {
		if err := s.startWrapUp(ctx, tx, e.WrapUp, rec.now); err != nil {
			return err
		}
	}
	if e.Freed != "" {
		rec.wakeAgents = append(rec.wakeAgents, e.Freed)
	}
	if e.Queue != "" {
		rec.wakeQueues = append(rec.wakeQueues, e.Queue)
	}
	return nil
}

// checkReferences checks that a queue or agent newly set on a conversation
// exists, and that the agent is enabled (ErrNotFound otherwise).
func (s *Service) checkReferences(ctx context.Context, tx storage.Tx, oldQueue, newQueue, oldAgent, newAgent string) error {
	if newQueue != "" && newQueue != oldQueue {
		if _, err := tx.GetQueue(ctx, newQueue); err != nil {
			return err
		}
	}
	if newAgent != "" && newAgent != oldAgent {
		a, err := tx.GetAgent(ctx, newAgent)
		if err != nil {
			return err
		}
		if a.Disabled {
			return fmt.Errorf("agent %q is disabled: %w", newAgent, fault.ErrNotFound)
		}
	}
	return nil
}

// noteAssignment records when the agent last got a conversation, which the
// routing strategies order by.
func (s *Service) noteAssignment(ctx context.Context, tx storage.Tx, agentID string, now time.Time) error {
	a, err := tx.LockAgent(ctx, agentID)
	if err != nil {
		return err
	}
	a.LastAssignedAt = now
	return tx.UpdateAgent(ctx, a)
}

// startWrapUp keeps the agent from auto-assignment for its wrap-up time.
func (s *Service) startWrapUp(ctx context.Context, tx storage.Tx, agentID string, now time.Time) error {
	a, err := tx.LockAgent(ctx, agentID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	until := a.WrapUpAfterClose(now)
	if until.Equal(a.WrapUpUntil) {
		return nil
	}
	a.WrapUpUntil = until
	return tx.UpdateAgent(ctx, a)
}

// DeleteConversation removes the conversation with its messages, tag links
// and events for good; reason (at most 1000 characters) is kept in the
// conversation.deleted event, the only trace left. Deleting is allowed on a
// closed conversation.
func (s *Service) DeleteConversation(ctx context.Context, id, reason string) error {
	if err := s.authorize(ctx, "DeleteConversation"); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return err
	}
	if err := fault.Text("reason", reason, MaxReasonLen); err != nil {
		return err
	}
	var recordings []string // deleted with it (recordings.go)
	err := s.run(ctx, "DeleteConversation", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		if recordings, err = recordingsOf(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.DeleteConversation(ctx, id); err != nil {
			return err
		}
		rec.add(storage.ConversationDeleted, id, id, []storage.Change{change("reason", nil, reason)})
		recordingsDeleted(rec, id, recordings)
		// Gone is a change to nothing: the assignee may have room again.
		return s.followRouting(ctx, tx, rec, c, &conversation.Conversation{})
	})
	if err == nil {
		s.deleteRecordingFiles(ctx, recordings)
	}
	return err
}

func checkID(field, id string) error {
	return fault.Identifier(field, id, conversation.MaxIDLen)
}
