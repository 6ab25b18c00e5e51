// Package storagetest holds the conformance suites every storage.Store must
// pass: memstore, both dialects of sqlstore, and any Store a user writes.
//
//   - Run, the storage suite, drives the Store itself: what a storage.Tx
//     keeps, lists, locks and rolls back.
//   - RunService, the service suite, drives parley.Service over the Store:
//     the use cases and their rules (nothing written on a refusal, one
//     event per change, the reply matrix, routing and capacity under
//     racing routers), as a host sees them.
//
// Together they are thorough enough that a store needs no tests of its own
// for the semantics of storage.Tx or of the service; its own tests cover
// only what is particular to it (migrations, drivers, error mapping).
//
// A store runs both from its tests:
//
//	func newStore(t *testing.T) storage.Store { return mystore.New() }
//
//	func TestConformance(t *testing.T) { storagetest.Run(t, newStore, storagetest.Capabilities{}) }
//	func TestService(t *testing.T)     { storagetest.RunService(t, newStore, storagetest.Capabilities{}) }
//
// Each case gets a fresh, empty store from newStore (a case of the service
// suite may ask for several, one per subtest). Cases run in parallel
// unless Capabilities.Serial is set. A store that cannot support a case
// says so in Capabilities.Skip, with the reason; the suites never guess
// from the store's type.
//
// The service suite's fuzz round trips (FuzzConversationRoundTrip and the
// rest) write each input through the service into several stores, which
// must agree with the first, the reference; a package declares them as thin
// targets over its stores, and keeps their seeds in its testdata/fuzz/.
//
// The suites use testify's require and fail the test on the first broken
// rule; they read no environment and start no process. Helpers a store's
// own tests may share are exported beside them: InTx for a one-off write,
// and the phases of the routing race (RoutingRaceSetUp and the rest) and
// of the load races (LoadRaceSetUp, LoadRaceSide, LoadRaceViolations) for
// a store whose instances share a database and can race from several
// processes.
package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// Capabilities declares what a store cannot do, so the suite skips those
// cases with the store's reason instead of failing them.
type Capabilities struct {
	// Skip maps a case name (as printed, e.g. "Events/CommitOrder") to the
	// reason the store cannot run it.
	Skip map[string]string
	// Serial runs the cases one after another, for a store whose fresh
	// instances share a resource that cannot take parallel use.
	Serial bool
}

// Run runs the whole suite against the stores newStore makes.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store, caps Capabilities) {
	s := &suite{newStore: newStore, caps: caps}
	runAreas(t, caps, []area[testCase]{
		{"Conversations", conversationCases},
		{"List", listCases},
		{"Tags", tagCases},
		{"Messages", messageCases},
		{"Agents", agentCases},
		{"Queues", queueCases},
		{"AgentList", agentListCases},
		{"QueueList", queueListCases},
		{"TagList", tagListCases},
		{"Rules", ruleCases},
		{"Routing", routingCases},
		{"Events", eventCases},
		{"Customers", customerCases},
		{"Calls", callCases},
		{"Tx", txCases},
		{"Aliasing", aliasingCases},
		{"Concurrency", concurrencyCases},
		{"Context", contextCases},
		{"Waiting", waitingCases},
		{"Transfers", transferCases},
		{"Recordings", recordingCases},
		{"EventHead", eventHeadCases},
	}, func(t *testing.T, tc testCase) { tc.run(t, s.setup(t)) })
}

// area is a named list of cases of one suite.
type area[C namedCase] struct {
	name  string
	cases []C
}

// namedCase is a case of either suite.
type namedCase interface{ caseName() string }

// runAreas runs each case as the subtest area/case: in parallel unless
// caps.Serial, skipped when caps.Skip names it.
func runAreas[C namedCase](t *testing.T, caps Capabilities, areas []area[C], run func(t *testing.T, c C)) {
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			if !caps.Serial {
				t.Parallel()
			}
			for _, c := range a.cases {
				name := a.name + "/" + c.caseName()
				t.Run(c.caseName(), func(t *testing.T) {
					if reason, ok := caps.Skip[name]; ok {
						t.Skipf("the store declares it cannot run %s: %s", name, reason)
					}
					if !caps.Serial {
						t.Parallel()
					}
					run(t, c)
				})
			}
		})
	}
}

type suite struct {
	newStore func(t *testing.T) storage.Store
	caps     Capabilities
}

type testCase struct {
	name string
	run  func(t *testing.T, f *fixture)
}

func (c testCase) caseName() string { return c.name }

// fixture is one case's store and helpers.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	store storage.Store
}

func (s *suite) setup(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &fixture{t: t, ctx: ctx, store: s.newStore(t)}
}

// t0 is the suite's epoch: UTC, whole microseconds, as the service stores.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897_000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// newConversation returns a valid conversation with every field set.
func newConversation(id string) *conversation.Conversation {
	return &conversation.Conversation{
		ID:         id,
		Topic:      "Topic of " + id,
		Summary:    "Summary",
		Status:     conversation.Open,
		Priority:   conversation.Normal,
		Channel:    conversation.WhatsApp,
		Source:     conversation.SourceWidget,
		CustomerID: "customer-" + id,
		Attributes: map[string]string{"lang": "en", "ñ": "ü"},
		CreatedAt:  t0,
		UpdatedAt:  t0,
		Version:    1,
	}
}

func (f *fixture) createConversation(c *conversation.Conversation) *conversation.Conversation {
	f.t.Helper()
	for _, name := range c.Tags {
		f.ensureTag(name)
	}
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateConversation(f.ctx, c) }))
	return c
}

func (f *fixture) ensureTag(name string) {
	f.t.Helper()
	_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureTag(f.ctx, &tag.Tag{Name: name, CreatedAt: t0}) })
	require.NoError(f.t, err)
}

func (f *fixture) createAgent(id string, mods ...func(*routing.Agent)) *routing.Agent {
	f.t.Helper()
	a := &routing.Agent{
		ID: id, DisplayName: "Agent " + id, Role: routing.RoleAgent, Status: routing.Active,
		Capacity: 5, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, m := range mods {
		m(a)
	}
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateAgent(f.ctx, a) }))
	return a
}

func (f *fixture) createQueue(id string, mods ...func(*routing.Queue)) *routing.Queue {
	f.t.Helper()
	q := &routing.Queue{ID: id, Name: "Queue " + id, Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0}
	for _, m := range mods {
		m(q)
	}
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateQueue(f.ctx, q) }))
	return q
}

func (f *fixture) getConversation(id string) *conversation.Conversation {
	f.t.Helper()
	c, err := f.store.GetConversation(f.ctx, id)
	require.NoError(f.t, err)
	return c
}

func (f *fixture) allEvents() []*storage.Event {
	f.t.Helper()
	var out []*storage.Event
	var after int64
	for {
		page, err := f.store.ListEvents(f.ctx, storage.EventQuery{After: after, Limit: storage.MaxLimit})
		require.NoError(f.t, err)
		out = append(out, page...)
		if len(page) < storage.MaxLimit {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// sqlText matches the shapes of SQL statements in an error message.
var sqlText = regexp.MustCompile(`(?is)\bselect\b.+\bfrom\b|\binsert\s+into\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b|\bwhere\s+\S+\s*(=|<|>|\bin\b)`)

// requireErr asserts that err matches target with errors.Is and that its
// message carries no SQL.
func requireErr(t *testing.T, err, target error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, target, "got %v", err)
	require.False(t, sqlText.MatchString(err.Error()), "an error message must not carry SQL: %v", err)
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	requireErr(t, err, storage.ErrInvalid)
	var fe *storage.FieldError
	require.True(t, errors.As(err, &fe), "want a *storage.FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field)
}

// equalConversation compares two conversations field by field, times with
// Equal and in UTC.
func equalConversation(t *testing.T, want, got *conversation.Conversation) {
	t.Helper()
	require.NotNil(t, got)
	requireUTC(t, got.CreatedAt, got.UpdatedAt, got.ClosedAt, got.QueuedAt)
	w, g := *want, *got
	for _, p := range []*conversation.Conversation{&w, &g} {
		p.CreatedAt, p.UpdatedAt, p.ClosedAt, p.QueuedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if len(p.Attributes) == 0 {
			p.Attributes = nil
		}
		if len(p.Tags) == 0 {
			p.Tags = nil
		}
	}
	require.Equal(t, w, g)
	require.True(t, want.CreatedAt.Equal(got.CreatedAt), "createdAt: want %v, got %v", want.CreatedAt, got.CreatedAt)
	require.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt: want %v, got %v", want.UpdatedAt, got.UpdatedAt)
	require.True(t, want.ClosedAt.Equal(got.ClosedAt), "closedAt: want %v, got %v", want.ClosedAt, got.ClosedAt)
	require.True(t, want.QueuedAt.Equal(got.QueuedAt), "queuedAt: want %v, got %v", want.QueuedAt, got.QueuedAt)
}

func requireUTC(t *testing.T, times ...time.Time) {
	t.Helper()
	for _, tm := range times {
		if !tm.IsZero() {
			require.Equal(t, time.UTC, tm.Location(), "times come back in UTC: %v", tm)
		}
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func conversationIDs(cs []*conversation.Conversation) []string {
	return ids(cs, func(c *conversation.Conversation) string { return c.ID })
}

func messageIDs(ms []*message.Message) []string {
	return ids(ms, func(m *message.Message) string { return m.ID })
}

func tagNames(ts []*tag.Tag) []string {
	return ids(ts, func(t *tag.Tag) string { return t.Name })
}

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func idf(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }

// InTx runs fn in a transaction of s of its own and returns what fn
// returns: a one-off write (or lock) in a test, through InTx as every write
// goes.
func InTx[T any](ctx context.Context, s storage.Store, fn func(tx storage.Tx) (T, error)) (T, error) {
	var out T
	err := s.InTx(ctx, func(tx storage.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// plainTx is a Tx with none of the optional interfaces of its store, so
// that the callers' fallbacks run.
type plainTx struct{ storage.Tx }
