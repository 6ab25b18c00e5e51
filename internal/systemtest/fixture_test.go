package systemtest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
	"github.com/parleyhq/parley/tag"
)

// The fixture of the system tests: a service over a fresh store, with a
// manual clock and sequential ids, and the helpers the tests share.

// storeFactory makes a fresh, empty Store for one test.
type storeFactory struct {
	name string
	new  func(t testing.TB) storage.Store
}

// storeFactories are the Stores the system tests that run on every store
// run on (hostile input, load, the benchmarks). The service's rules on
// each store are storagetest's service suite, which each store runs from
// its own tests; these tests add what needs the whole system: the HTTP
// adapter, the raw tables, time and volume.
var storeFactories = []storeFactory{
	{"memory", func(testing.TB) storage.Store { return memstore.New() }},
	{"sqlite", newSQLite},
	{"postgres", newPostgres},
}

// newSQLite opens a migrated SQLite store in a file of the test's own.
func newSQLite(t testing.TB) storage.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// newPostgres returns a migrated PostgreSQL store in a fresh schema of the
// test server named by PARLEY_TEST_POSTGRES (skipped without one, failed
// under CI=true).
func newPostgres(t testing.TB) storage.Store {
	t.Helper()
	pool, schema := pgtest.Pool(t)
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// setupFunc builds a fresh fixture (a new, empty store and a service over
// it) for one test.
type setupFunc func(t *testing.T, opts ...parley.Option) *fixture

// forEachStore runs test once per store factory, as a parallel subtest named
// after the store.
func forEachStore(t *testing.T, test func(t *testing.T, setup setupFunc)) {
	t.Helper()
	for _, sf := range storeFactories {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			test(t, func(t *testing.T, opts ...parley.Option) *fixture {
				t.Helper()
				return newFixture(t, sf.new(t), opts...)
			})
		})
	}
}

// t0 is the fixture clock's start: whole microseconds, as stored.
var t0 = time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)

// fixture is one test's service, its store and its clock.
type fixture struct {
	svc   *parley.Service
	store storage.Store
	clock *storagetest.Clock
	base  context.Context // the test's context, with no actor
	ctx   context.Context // the context the helpers use: base, or an actor with every scope when authorisation is on
}

// newFixture wraps store in a service with a manual clock at t0 and
// sequential ids; opts come after those, so they may replace them.
func newFixture(t *testing.T, store storage.Store, opts ...parley.Option) *fixture {
	t.Helper()
	clk := storagetest.NewClock(t0)
	seq := &storagetest.IDs{}
	all := append([]parley.Option{parley.WithClock(clk.Now), parley.WithIDGenerator(seq.Next)}, opts...)
	return &fixture{
		svc:   parley.New(store, all...),
		store: store,
		clock: clk,
		base:  t.Context(),
		ctx:   t.Context(),
	}
}

// tick moves the clock on by a second and returns the new time, so that the
// next change has a time of its own.
func (fx *fixture) tick() time.Time { return fx.clock.Advance(time.Second) }

func (fx *fixture) conversation(t *testing.T, in conversation.Conversation) *conversation.Conversation {
	t.Helper()
	c, err := fx.svc.CreateConversation(fx.ctx, in)
	require.NoError(t, err)
	return c
}

func (fx *fixture) get(t *testing.T, id string) *conversation.Conversation {
	t.Helper()
	c, err := fx.svc.GetConversation(fx.ctx, id)
	require.NoError(t, err)
	return c
}

func (fx *fixture) agent(t *testing.T, id string, role routing.Role) *routing.Agent {
	t.Helper()
	a, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: id, DisplayName: "Agent " + id, Role: role})
	require.NoError(t, err)
	return a
}

func (fx *fixture) queue(t *testing.T, id, name string) *routing.Queue {
	t.Helper()
	q, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: id, Name: name})
	require.NoError(t, err)
	return q
}

// events returns the whole event log.
func (fx *fixture) events(t *testing.T) []*storage.Event {
	t.Helper()
	var out []*storage.Event
	var after int64
	for {
		page, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: after, Limit: storage.MaxLimit})
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < storage.MaxLimit {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// lastSeq is the seq of the newest event, 0 when there is none.
func (fx *fixture) lastSeq(t *testing.T) int64 {
	t.Helper()
	events := fx.events(t)
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Seq
}

// eventsSince returns the events after seq.
func (fx *fixture) eventsSince(t *testing.T, seq int64) []*storage.Event {
	t.Helper()
	events, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: seq, Limit: storage.MaxLimit})
	require.NoError(t, err)
	return events
}

// snapshot is everything the service can read back: comparing two tells
// whether anything was written in between.
type snapshot struct {
	Conversations []*conversation.Conversation
	Messages      map[string][]*message.Message
	Tags          []*tag.Tag
	Agents        []*routing.Agent
	Queues        []*routing.Queue
	Rules         []routing.Rule
	Customers     []*customer.Customer
	Events        []*storage.Event
}

func (fx *fixture) snapshot(t *testing.T) snapshot {
	t.Helper()
	ctx := fx.ctx
	s := snapshot{Messages: map[string][]*message.Message{}}
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
	customers, err := fx.svc.ListCustomers(ctx, storage.CustomerQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	s.Customers = customers.Items
	s.Events = fx.events(t)
	return s
}

// requireUnchanged asserts that nothing was written since before was taken.
func (fx *fixture) requireUnchanged(t *testing.T, before snapshot) {
	t.Helper()
	require.Equal(t, before, fx.snapshot(t), "a failed operation must write nothing and record no event")
}

// types lists the types of events.
func types(events []*storage.Event) []storage.EventType {
	out := make([]storage.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// activeAgent creates an ACTIVE agent with a capacity, member of queues.
func (fx *fixture) activeAgent(t *testing.T, id string, capacity int, queues ...string) *routing.Agent {
	t.Helper()
	a, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: id, DisplayName: id, Status: routing.Active, Capacity: capacity})
	require.NoError(t, err)
	for _, q := range queues {
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, q, id)))
	}
	return a
}

func (fx *fixture) autoQueue(t *testing.T, id string, mods ...func(*routing.Queue)) *routing.Queue {
	t.Helper()
	in := routing.Queue{ID: id, Name: "Queue " + id, AutoAssignment: true}
	for _, m := range mods {
		m(&in)
	}
	q, err := fx.svc.CreateQueue(fx.ctx, in)
	require.NoError(t, err)
	return q
}

func (fx *fixture) rules(t *testing.T, rules ...routing.Rule) {
	t.Helper()
	_, err := fx.svc.SetRoutingRules(fx.ctx, rules)
	require.NoError(t, err)
}

func ignore[T any](_ T, err error) error { return err }

func conversationIDs(cs []*conversation.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// tamper changes one character in the middle of a cursor.
func tamper(cursor string) string {
	b := []byte(cursor)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// forgeCursor builds a cursor of the query that real (a cursor it gave
// out) belongs to, for any keyset, with a correct checksum: the checksum
// is no secret.
func forgeCursor(real string, micros int64, rank byte, id string) string {
	b, err := base64.RawURLEncoding.DecodeString(real)
	if err != nil || len(b) < 9 {
		return real
	}
	body := append([]byte{}, b[:9]...) // version and query fingerprint
	body = binary.BigEndian.AppendUint64(body, uint64(micros))
	body = append(body, rank)
	body = append(body, id...)
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(append(body, sum[:8]...))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
