package systemtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The PostgreSQL fault tests: the pool's backends terminated under load,
// a transaction's backend terminated while it waits to commit, and
// statements that outlive their context's deadline. Operations fail with
// an error (no panic, no hang past the deadline), the pool recovers by
// itself, and nothing is half written.
//
// An error does not always mean nothing was written: when the connection
// is lost after the server committed and before the client heard so, the
// caller gets an error for a write that stands (no client can tell these
// apart). TestPostgresBackendsTerminated counts these and checks that each
// is whole.

// pgFault is a store on a pool of its own, whose connections carry an
// application_name of their own so that an admin connection can find
// their backends; the admin connection, which watches and terminates
// them; and a connection that holds locks in the way of the pool's. (The
// admin stays out of transactions: inside one, pg_stat_activity would not
// move.)
type pgFault struct {
	store  *sqlstore.Store
	svc    *parley.Service
	pool   *pgxpool.Pool
	admin  *pgx.Conn
	holder *pgx.Conn
	app    string
	raw    *rawDB
}

// pgFaultMaxConns is the size of the pool under test.
const pgFaultMaxConns = 8

func newPGFault(t *testing.T) *pgFault {
	t.Helper()
	schema := pgtest.Schema(t)
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(t))
	require.NoError(t, err)
	app := "fault_" + schema
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	cfg.MaxConns = pgFaultMaxConns
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close) // before the schema's cleanup, which drops it
	store, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, store.Migrate(t.Context()))
	connect := func() *pgx.Conn {
		conn, err := pgx.Connect(t.Context(), pgtest.DSN(t))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
		return conn
	}
	return &pgFault{
		store: store, svc: parley.New(store), pool: pool, admin: connect(), holder: connect(),
		app: app, raw: openRaw(t, store),
	}
}

// terminate ends every backend of the pool and returns how many it ended.
func (p *pgFault) terminate(t *testing.T) int {
	t.Helper()
	var n int
	err := p.admin.QueryRow(t.Context(),
		`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, p.app).Scan(&n)
	require.NoError(t, err)
	return n
}

// terminateWaiting ends the pool's backends that wait for a lock and
// returns how many it ended.
func (p *pgFault) terminateWaiting(t *testing.T) int {
	t.Helper()
	var n int
	err := p.admin.QueryRow(t.Context(),
		`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, p.app).Scan(&n)
	require.NoError(t, err)
	return n
}

// waitForLockWait waits until one of the pool's backends waits for a lock.
func (p *pgFault) waitForLockWait(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		err := p.admin.QueryRow(t.Context(),
			`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, p.app).Scan(&n)
		return err == nil && n > 0
	}, 30*time.Second, 5*time.Millisecond, "no backend of the pool came to wait for the lock")
}

// recovered runs operations until n in a row succeed and returns how many
// failed before that; a pool that does not recover fails the test. The
// operations go in rounds of pgFaultMaxConns at once, so that every
// connection the pool holds is tried: one a fault killed fails its
// operation (and leaves the pool) whichever operation draws it, and a
// sequential run would keep drawing the one live connection it just used.
func (p *pgFault) recovered(t *testing.T, n int) int {
	t.Helper()
	failed, ok := 0, 0
	for ok < n {
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			errs   int
			sample error
		)
		for range pgFaultMaxConns {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				if _, err := p.svc.CreateConversation(ctx, conversation.Conversation{Topic: "after the fault"}); err != nil {
					mu.Lock()
					errs, sample = errs+1, err
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if errs > 0 {
			failed += errs
			ok = 0
			require.LessOrEqual(t, failed, 4*pgFaultMaxConns, "the pool does not recover: %v", sample)
			continue
		}
		ok += pgFaultMaxConns
	}
	return failed
}

// faultAcks is what succeeded under faults: it must all be there. It also
// keeps the operations that failed, to find those whose write committed
// all the same.
type faultAcks struct {
	mu            sync.Mutex
	conversations map[string]int64 // id to the newest acknowledged version
	messages      map[string]string
	closed        map[string]bool
	ops, failed   int
	failures      []failedOp
}

// failedOp is an operation that returned an error: what it would have
// written.
type failedOp struct {
	kind           string // "create", "message", "update", "tag" or "close"
	conversationID string
	messageID      string // of a message
	value          string // the topic of a create or an update, the tag of a tag
	err            error
}

// hiddenCommits finds the failed operations whose write is there anyway:
// the connection was lost after the server committed and before the
// client heard so, and the caller got an error for a write that stands.
// Each such write must be whole: a created conversation with its tag and
// its conversation.created event, a message with its message.created
// event (the invariants of checkLog and requireIntact check the rest). It
// returns their number by kind.
func (a *faultAcks) hiddenCommits(t *testing.T, svc *parley.Service) map[string]int {
	t.Helper()
	ctx := t.Context()
	found := map[string]int{}
	for _, f := range a.failures {
		c, err := svc.GetConversation(ctx, f.conversationID)
		if errors.Is(err, parley.ErrNotFound) {
			require.NotEqual(t, "message", f.kind, "the conversation of failed message %s is gone", f.messageID)
			continue
		}
		require.NoError(t, err, f.conversationID)
		history, err := svc.History(ctx, c.ID, 0, storage.MaxLimit)
		require.NoError(t, err, c.ID)
		committed := false
		switch f.kind {
		case "create":
			// Nothing else touched it: the worker moved on.
			committed = true
			require.Equal(t, f.value, c.Topic, "the topic of %s", c.ID)
			require.Equal(t, int64(1), c.Version, c.ID)
			require.Equal(t, []string{"load"}, c.Tags, "conversation %s is there without the tag it was created with", c.ID)
			require.Equal(t, []storage.EventType{storage.ConversationCreated}, types(history), "the events of %s", c.ID)
		case "message":
			m, err := svc.GetMessage(ctx, f.messageID)
			if errors.Is(err, parley.ErrNotFound) {
				continue
			}
			require.NoError(t, err, f.messageID)
			committed = true
			require.Equal(t, c.ID, m.ConversationID)
			require.True(t, slices.ContainsFunc(history, func(e *storage.Event) bool {
				return e.Type == storage.MessageCreated && e.EntityID == m.ID
			}), "message %s is there without its event", m.ID)
		case "update":
			committed = c.Topic == f.value
		case "tag":
			committed = slices.Contains(c.Tags, f.value)
		case "close":
			committed = c.Status == conversation.Closed
		}
		if committed {
			found[f.kind]++
			if total := sum(found); total <= 3 {
				t.Logf("a failed %s of %s committed: %v", f.kind, f.conversationID, f.err)
			}
		}
	}
	return found
}

func (a *faultAcks) note(fn func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn()
}

func (a *faultAcks) verify(t *testing.T, svc *parley.Service) {
	t.Helper()
	ctx := t.Context()
	for id, version := range a.conversations {
		c, err := svc.GetConversation(ctx, id)
		require.NoError(t, err, "acknowledged conversation %s", id)
		require.GreaterOrEqual(t, c.Version, version, id)
		if a.closed[id] {
			require.Equal(t, conversation.Closed, c.Status, id)
		}
	}
	for id, conversationID := range a.messages {
		m, err := svc.GetMessage(ctx, id)
		require.NoError(t, err, "acknowledged message %s", id)
		require.Equal(t, conversationID, m.ConversationID)
	}
}

func sum(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// TestPostgresBackendsTerminated runs a write load on the pool while an
// admin connection terminates all of the pool's backends, again and again.
// Operations fail or succeed, each within its deadline; afterwards the
// pool works again by itself, everything acknowledged is there, and no
// operation is half there.
func TestPostgresBackendsTerminated(t *testing.T) {
	t.Parallel()
	p := newPGFault(t)
	const (
		workers  = 6
		faults   = 30
		deadline = 10 * time.Second
	)
	acks := &faultAcks{conversations: map[string]int64{}, messages: map[string]string{}, closed: map[string]bool{}}
	progress := make(chan struct{}, 1024)
	stop := make(chan struct{})
	var slowest atomic.Int64
	// op runs one operation with a deadline, checks it ended within it, and
	// reports whether it succeeded; lastErr keeps the error of the last
	// one of each worker that failed.
	op := func(fn func(ctx context.Context) error, lastErr *error) bool {
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		start := time.Now()
		err := fn(ctx)
		took := time.Since(start)
		if took > time.Duration(slowest.Load()) {
			slowest.Store(int64(took))
		}
		if took > deadline+2*time.Second {
			t.Errorf("an operation took %v, past its deadline of %v (%v)", took, deadline, err)
		}
		acks.note(func() {
			acks.ops++
			if err != nil {
				acks.failed++
			}
		})
		select {
		case progress <- struct{}{}:
		default:
		}
		*lastErr = err
		return err == nil
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Ids of the test's own, so that a failed write can be
				// looked for afterwards.
				id, name := fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("t%d", i%7)
				var err error
				failed := func(kind, messageID, value string) {
					acks.note(func() {
						acks.failures = append(acks.failures, failedOp{kind: kind, conversationID: id, messageID: messageID, value: value, err: err})
					})
				}
				var c *conversation.Conversation
				if !op(func(ctx context.Context) (err error) {
					c, err = p.svc.CreateConversation(ctx, conversation.Conversation{ID: id, Topic: id, Tags: []string{"load"}})
					return err
				}, &err) {
					failed("create", "", id)
					continue
				}
				acks.note(func() { acks.conversations[c.ID] = c.Version })
				var m *message.Message
				if op(func(ctx context.Context) (err error) {
					m, err = p.svc.CreateMessage(ctx, c.ID, message.Message{ID: "m-" + id, Direction: message.Inbound, Content: message.Content{Text: "hello"}})
					return err
				}, &err) {
					acks.note(func() { acks.messages[m.ID] = c.ID })
				} else {
					failed("message", "m-"+id, "")
				}
				topic := id + " changed"
				var got *conversation.Conversation
				if op(func(ctx context.Context) (err error) {
					got, err = p.svc.UpdateConversation(ctx, c.ID, conversation.Patch{Topic: &topic})
					return err
				}, &err) {
					acks.note(func() { acks.conversations[c.ID] = max(acks.conversations[c.ID], got.Version) })
				} else {
					failed("update", "", topic)
				}
				if op(func(ctx context.Context) (err error) {
					got, err = p.svc.AddTag(ctx, c.ID, name)
					return err
				}, &err) {
					acks.note(func() { acks.conversations[c.ID] = max(acks.conversations[c.ID], got.Version) })
				} else {
					failed("tag", "", name)
				}
				if i%2 == 0 {
					if op(func(ctx context.Context) (err error) {
						_, err = p.svc.CloseConversation(ctx, c.ID)
						return err
					}, &err) {
						acks.note(func() { acks.closed[c.ID] = true })
					} else {
						failed("close", "", "")
					}
				}
			}
		})
	}
	terminated := 0
	for range faults {
		for range 10 {
			<-progress // let the load move on between faults
		}
		terminated += p.terminate(t)
	}
	close(stop)
	wg.Wait()

	failedAfter := p.recovered(t, 20)
	acks.verify(t, p.svc)
	p.raw.requireIntact(t)
	stats := checkLog(t, t.Context(), p.svc, true)
	hidden := acks.hiddenCommits(t, p.svc)
	require.Positive(t, acks.failed, "no operation met a fault")
	total := sum(hidden)
	t.Logf("%d faults injected, %d backends terminated; %d operations, %d failed, slowest %v; %d failed before the pool recovered; "+
		"%d conversations and %d messages acknowledged and found; %d errors whose write had committed, each whole (%v); %s",
		faults, terminated, acks.ops, acks.failed, time.Duration(slowest.Load()), failedAfter,
		len(acks.conversations), len(acks.messages), total, hidden, stats)
}

// TestPostgresTerminatedWhileCommitting terminates the backend of a
// transaction that has written and waits to commit (another connection
// holds the row that numbers events): the operation fails at once, none
// of its writes remain, and the pool serves the next operations.
func TestPostgresTerminatedWhileCommitting(t *testing.T) {
	t.Parallel()
	p := newPGFault(t)
	ctx := t.Context()
	_, err := p.svc.CreateConversation(ctx, conversation.Conversation{ID: "c1"})
	require.NoError(t, err)
	before := p.raw.counts(t)

	operations := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"create with a new tag", func(ctx context.Context) error {
			return ignore(p.svc.CreateConversation(ctx, conversation.Conversation{ID: "c2", Tags: []string{"fresh"}}))
		}},
		{"message", func(ctx context.Context) error {
			return ignore(p.svc.CreateMessage(ctx, "c1", message.Message{ID: "m1", Direction: message.Inbound, Content: message.Content{Text: "x"}}))
		}},
		{"tag", func(ctx context.Context) error { return ignore(p.svc.AddTag(ctx, "c1", "other")) }},
		{"delete", func(ctx context.Context) error { return p.svc.DeleteConversation(ctx, "c1", "gone") }},
	}
	for _, o := range operations {
		tx, err := p.holder.Begin(ctx)
		require.NoError(t, err)
		// Writing events waits for this lock, in the round trip that commits.
		_, err = tx.Exec(ctx, `LOCK TABLE "`+p.store.Schema()+`".events IN SHARE MODE`)
		require.NoError(t, err)
		done := make(chan error, 1)
		opCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		go func() { done <- o.run(opCtx) }()
		p.waitForLockWait(t)
		require.Equal(t, 1, p.terminateWaiting(t), o.name)
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: still running after its backend was terminated", o.name)
		}
		cancel()
		require.Error(t, err, o.name)
		require.False(t, errors.Is(err, context.DeadlineExceeded), "%s: %v", o.name, err)
		require.NoError(t, tx.Rollback(ctx))
		require.Equal(t, before, p.raw.counts(t), "%s: a terminated transaction left rows", o.name)
	}
	_, err = p.svc.GetTag(ctx, "fresh")
	require.ErrorIs(t, err, parley.ErrNotFound)
	c, err := p.svc.GetConversation(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, int64(1), c.Version)
	p.recovered(t, 5)
	p.raw.requireIntact(t)
	checkLog(t, ctx, p.svc, true)
}

// TestPostgresDeadlineWhileBlocked holds locks from another connection so
// that parley's operations block, with a short context deadline: each
// returns the deadline's error soon after the deadline, writes nothing,
// and once the locks are gone the same operations succeed on the same
// pool.
func TestPostgresDeadlineWhileBlocked(t *testing.T) {
	t.Parallel()
	p := newPGFault(t)
	ctx := t.Context()
	_, err := p.svc.CreateConversation(ctx, conversation.Conversation{ID: "c1"})
	require.NoError(t, err)
	schema := p.store.Schema()
	const deadline = 300 * time.Millisecond

	blocked := []struct {
		name string
		lock string // the statement that holds the lock, in the admin's transaction
		run  func(ctx context.Context) error
	}{
		{"update of a locked conversation", `SELECT 1 FROM "` + schema + `".conversations WHERE id = 'c1' FOR UPDATE`, func(ctx context.Context) error {
			return ignore(p.svc.UpdateConversation(ctx, "c1", conversation.Patch{Topic: ptr("changed")}))
		}},
		{"message to a locked conversation", `SELECT 1 FROM "` + schema + `".conversations WHERE id = 'c1' FOR UPDATE`, func(ctx context.Context) error {
			return ignore(p.svc.CreateMessage(ctx, "c1", message.Message{Direction: message.Inbound, Content: message.Content{Text: "x"}}))
		}},
		{"create while the event log is locked", `LOCK TABLE "` + schema + `".events IN SHARE MODE`, func(ctx context.Context) error {
			return ignore(p.svc.CreateConversation(ctx, conversation.Conversation{ID: "c2", Tags: []string{"fresh"}}))
		}},
		{"tag while the event log is locked", `LOCK TABLE "` + schema + `".events IN SHARE MODE`, func(ctx context.Context) error {
			return ignore(p.svc.AddTag(ctx, "c1", "other"))
		}},
		{"read of a locked table", `LOCK TABLE "` + schema + `".conversations IN ACCESS EXCLUSIVE MODE`, func(ctx context.Context) error {
			return ignore(p.svc.GetConversation(ctx, "c1"))
		}},
	}
	before := p.raw.counts(t)
	for _, b := range blocked {
		tx, err := p.holder.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, b.lock)
		require.NoError(t, err, b.name)
		opCtx, cancel := context.WithTimeout(ctx, deadline)
		start := time.Now()
		err = b.run(opCtx)
		took := time.Since(start)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, b.name)
		require.NotErrorIs(t, err, parley.ErrInvalid, b.name)
		require.Less(t, took, deadline+2*time.Second, "%s: took %v", b.name, took)
		require.NoError(t, tx.Rollback(ctx))
		require.Equal(t, before, p.raw.counts(t), "%s: a timed-out operation left rows", b.name)
		require.NoError(t, b.run(ctx), "%s: after the lock is gone", b.name)
		before = p.raw.counts(t)
	}
	p.recovered(t, 5)
	p.raw.requireIntact(t)
	checkLog(t, ctx, p.svc, true)
}
