package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// serviceFixture is one case's service, its store and its clock.
type serviceFixture struct {
	svc   *parley.Service
	store storage.Store
	clock *Clock
	base  context.Context // the test's context, with no actor
	ctx   context.Context // the context the helpers use: base, or an actor with every scope when authorisation is on
}

// newServiceFixture wraps store in a service with a manual clock at t0 and
// sequential ids; opts come after those, so they may replace them.
func newServiceFixture(t *testing.T, store storage.Store, opts ...parley.Option) *serviceFixture {
	t.Helper()
	clk := NewClock(t0)
	seq := &IDs{}
	all := append([]parley.Option{parley.WithClock(clk.Now), parley.WithIDGenerator(seq.Next)}, opts...)
	return &serviceFixture{
		svc:   parley.New(store, all...),
		store: store,
		clock: clk,
		base:  t.Context(),
		ctx:   t.Context(),
	}
}

// tick moves the clock on by a second and returns the new time, so that the
// next change has a time of its own.
func (fx *serviceFixture) tick() time.Time { return fx.clock.Advance(time.Second) }

// as returns a context with an actor.
func (fx *serviceFixture) as(agentID string, scopes ...parley.Scope) context.Context {
	return parley.WithActor(fx.base, parley.Actor{AgentID: agentID, Scopes: scopes})
}

func (fx *serviceFixture) conversation(t *testing.T, in conversation.Conversation) *conversation.Conversation {
	t.Helper()
	c, err := fx.svc.CreateConversation(fx.ctx, in)
	require.NoError(t, err)
	return c
}

func (fx *serviceFixture) get(t *testing.T, id string) *conversation.Conversation {
	t.Helper()
	c, err := fx.svc.GetConversation(fx.ctx, id)
	require.NoError(t, err)
	return c
}

func (fx *serviceFixture) agent(t *testing.T, id string, role routing.Role) *routing.Agent {
	t.Helper()
	a, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: id, DisplayName: "Agent " + id, Role: role})
	require.NoError(t, err)
	return a
}

func (fx *serviceFixture) disable(t *testing.T, agentID string) {
	t.Helper()
	off := true
	_, err := fx.svc.UpdateAgent(fx.ctx, agentID, routing.AgentPatch{Disabled: &off})
	require.NoError(t, err)
}

func (fx *serviceFixture) queue(t *testing.T, id, name string) *routing.Queue {
	t.Helper()
	q, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: id, Name: name})
	require.NoError(t, err)
	return q
}

func (fx *serviceFixture) text(t *testing.T, ctx context.Context, conversationID string, dir message.Direction, text string) *message.Message {
	t.Helper()
	m, err := fx.svc.CreateMessage(ctx, conversationID, message.Message{Direction: dir, Content: message.Content{Text: text}})
	require.NoError(t, err)
	return m
}

// events returns the whole event log.
func (fx *serviceFixture) events(t *testing.T) []*storage.Event {
	t.Helper()
	return allServiceEvents(t, fx.ctx, fx.svc)
}

// lastSeq is the seq of the newest event, 0 when there is none.
func (fx *serviceFixture) lastSeq(t *testing.T) int64 {
	t.Helper()
	events := fx.events(t)
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Seq
}

// eventsSince returns the events after seq.
func (fx *serviceFixture) eventsSince(t *testing.T, seq int64) []*storage.Event {
	t.Helper()
	events, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: seq, Limit: storage.MaxLimit})
	require.NoError(t, err)
	return events
}

func (fx *serviceFixture) history(t *testing.T, conversationID string) []*storage.Event {
	t.Helper()
	events, err := fx.svc.History(fx.ctx, conversationID, 0, storage.MaxLimit)
	require.NoError(t, err)
	return events
}

// serviceSnapshot is everything the service can read back: comparing two tells
// whether anything was written in between.
type serviceSnapshot struct {
	Conversations []*conversation.Conversation
	Messages      map[string][]*message.Message
	Tags          []*tag.Tag
	Agents        []*routing.Agent
	Queues        []*routing.Queue
	Rules         []routing.Rule
	Customers     []*customer.Customer
	Events        []*storage.Event
}

func (fx *serviceFixture) snapshot(t *testing.T) serviceSnapshot {
	t.Helper()
	ctx := fx.ctx
	s := serviceSnapshot{Messages: map[string][]*message.Message{}}
	q := storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}}
	q.Limit = storage.MaxLimit
	for {
		page, err := fx.svc.ListConversations(ctx, q)
		require.NoError(t, err)
		s.Conversations = append(s.Conversations, page.Items...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	for _, c := range s.Conversations {
		page, err := fx.svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID, Paging: storage.Paging{Limit: storage.MaxLimit}})
		require.NoError(t, err)
		s.Messages[c.ID] = page.Items
	}
	tags, err := fx.svc.ListTags(ctx, storage.TagQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	s.Tags = tags.Items
	agents, err := fx.svc.ListAgents(ctx, storage.AgentQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	s.Agents = agents.Items
	queues, err := fx.svc.ListQueues(ctx, storage.QueueQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	s.Queues = queues.Items
	s.Rules, err = fx.svc.RoutingRules(ctx)
	require.NoError(t, err)
	cq := storage.CustomerQuery{Paging: storage.Paging{Limit: storage.MaxLimit}}
	for {
		page, err := fx.svc.ListCustomers(ctx, cq)
		require.NoError(t, err)
		s.Customers = append(s.Customers, page.Items...)
		if page.NextCursor == "" {
			break
		}
		cq.Cursor = page.NextCursor
	}
	s.Events = fx.events(t)
	return s
}

// requireUnchanged asserts that nothing was written since before was taken.
func (fx *serviceFixture) requireUnchanged(t *testing.T, before serviceSnapshot) {
	t.Helper()
	require.Equal(t, before, fx.snapshot(t), "a failed operation must write nothing and record no event")
}

// requireInvalid asserts that err is ErrInvalid with a *FieldError naming
// field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, parley.ErrInvalid)
	var fe *parley.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

// change is an expected field change of an event, its values as JSON text
// ("" for no value).
type change struct {
	field, before, after string
}

// requireEvent asserts an event's type, conversation, actor, time and
// changes (in order).
func requireEvent(t *testing.T, e *storage.Event, typ storage.EventType, conversationID, actor string, at time.Time, changes ...change) {
	t.Helper()
	require.Equal(t, typ, e.Type)
	require.Equal(t, conversationID, e.ConversationID, "conversationId of %s", typ)
	require.Equal(t, actor, e.Actor, "actor of %s", typ)
	require.True(t, at.Equal(e.At), "time of %s: %v, want %v", typ, e.At, at)
	require.Positive(t, e.Seq)
	if changes == nil {
		return
	}
	fields := make([]string, len(e.Changes))
	for i, c := range e.Changes {
		fields[i] = c.Field
	}
	want := make([]string, len(changes))
	for i, c := range changes {
		want[i] = c.field
	}
	require.Equal(t, want, fields, "changed fields of %s", typ)
	for i, c := range changes {
		requireJSONText(t, c.before, e.Changes[i].Before, "%s %s before", typ, c.field)
		requireJSONText(t, c.after, e.Changes[i].After, "%s %s after", typ, c.field)
	}
}

func requireJSONText(t *testing.T, want string, got []byte, msgAndArgs ...any) {
	t.Helper()
	if want == "" {
		require.Empty(t, got, msgAndArgs...)
		return
	}
	require.JSONEq(t, want, string(got), msgAndArgs...)
}

// types lists the types of events.
func types(events []*storage.Event) []storage.EventType {
	out := make([]storage.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// jsonTime is how an event encodes a time.
func jsonTime(t time.Time) string { return `"` + t.UTC().Format(time.RFC3339Nano) + `"` }

// jsonString is how an event encodes a string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
