package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The seeded data set: n conversations, one every seedSpacing, the newest
// an hour before the run, over seedRoster's queues (which assign nothing)
// and agents, 100,000 customers and five channels; 40% OPEN (half of them
// assigned), 20% WAITING, 20% SOLVED and 20% CLOSED; a third untagged, a
// third with one tag, a third with two (of 21). Each has its
// conversation.created event, so that the event log is what parley would
// have written for them and the next event's seq follows on.
//
// The rows are written straight into the tables (COPY on PostgreSQL,
// batched transactions on SQLite) in the encoding the SQL store uses; the
// roster they name is made through the service first.
const seedSpacing = 30 * time.Second

// seedFilterQueue and the OPEN status are the status + queue filter the
// scale section measures: about a tenth of the rows.
var seedFilterQueue = seedQueueID(1)

var (
	seedChannels = []conversation.Channel{conversation.LiveChat, conversation.Email, conversation.WhatsApp, conversation.SMS, conversation.Voice}
	seedTopics   = []string{"Where is my parcel?", "Refund for order", "Invoice copy", "Change my address",
		"Card declined", "Cancel subscription", "Password reset", "Damaged item"}
)

// seedRow is one seeded conversation and its tags.
type seedRow struct {
	c    conversation.Conversation
	tags []string
}

func seedStatus(i int) conversation.Status {
	switch i % 10 {
	case 0, 1, 2, 3:
		return conversation.Open
	case 4, 5:
		return conversation.Waiting
	case 6, 7:
		return conversation.Solved
	}
	return conversation.Closed
}

func seedPriority(i int) conversation.Priority {
	switch (i / 7) % 10 {
	case 0:
		return conversation.Low
	case 7, 8:
		return conversation.High
	case 9:
		return conversation.Urgent
	}
	return conversation.Normal
}

// uuidV7At is a UUIDv7 for time t, as parley would have made then.
func uuidV7At(t time.Time, rnd *rand.Rand) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], rnd.Uint64())
	binary.BigEndian.PutUint64(u[0:], uint64(t.UnixMilli())<<16|rnd.Uint64()&0xffff)
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// seedSet is the n rows of a seeded data set, made again, identically, by
// each iteration (so that no table's rows need be held in memory).
type seedSet struct {
	n           int
	base        time.Time
	first, last seedRow
	matching    int // rows of the status + queue filter
}

func newSeedSet(n int, now time.Time) *seedSet {
	s := &seedSet{n: n, base: now.Add(-time.Hour - time.Duration(n)*seedSpacing).UTC().Truncate(time.Microsecond)}
	it := s.iter()
	for r, ok := it.next(); ok; r, ok = it.next() {
		if it.i == 1 {
			s.first = r
		}
		s.last = r
		if r.c.Status == conversation.Open && r.c.QueueID == seedFilterQueue {
			s.matching++
		}
	}
	return s
}

// seedIter walks a seedSet in creation order.
type seedIter struct {
	set *seedSet
	i   int
	rnd *rand.Rand
}

func (s *seedSet) iter() *seedIter {
	return &seedIter{set: s, rnd: rand.New(rand.NewPCG(1, uint64(s.n)))}
}

// next returns the next row; false after the last.
func (it *seedIter) next() (seedRow, bool) {
	if it.i == it.set.n {
		return seedRow{}, false
	}
	i := it.i
	it.i++
	created := it.set.base.Add(time.Duration(i) * seedSpacing)
	updated := created.Add(time.Duration(i%977) * time.Minute)
	c := conversation.Conversation{
		ID:         uuidV7At(created, it.rnd),
		Topic:      fmt.Sprintf("%s #%d", seedTopics[i%len(seedTopics)], i),
		Status:     seedStatus(i),
		Priority:   seedPriority(i),
		QueueID:    seedQueueID((i / 3) % seedQueues),
		Channel:    seedChannels[(i/5)%len(seedChannels)],
		CustomerID: fmt.Sprintf("cust-%06d", (i*7919)%100_000),
		CreatedAt:  created,
		UpdatedAt:  updated,
		QueuedAt:   created,
		Version:    int64(1 + i%3),
	}
	if c.Status != conversation.Waiting && (c.Status != conversation.Open || (i/11)%2 == 0) {
		c.AgentID = agentID((i / 13) % seedAgents)
	}
	if c.Status == conversation.Closed {
		c.ClosedAt = updated
	}
	if i%4 == 0 {
		c.Attributes = map[string]string{"lang": "en"}
	}
	var tags []string
	switch i % 3 {
	case 1:
		tags = []string{seedTagName((i / 17) % seedTags)}
	case 2:
		tags = []string{seedTagName((i / 17) % seedTags), tagVIP}
	}
	return seedRow{c: c, tags: tags}, true
}

// createdEvent is the changes column of a seeded conversation's
// conversation.created event, in the SQL store's encoding: a JSON array of
// {field, before, after}, before and after holding JSON text.
func createdEvent(c *conversation.Conversation) string {
	type change struct {
		Field  string  `json:"field"`
		Before *string `json:"before"`
		After  *string `json:"after"`
	}
	var out []change
	add := func(field, value string) {
		if value == "" {
			return
		}
		b, _ := json.Marshal(value) // a string always encodes
		s := string(b)
		out = append(out, change{Field: field, After: &s})
	}
	add("topic", c.Topic)
	add("status", string(c.Status))
	add("priority", string(c.Priority))
	add("queueId", c.QueueID)
	add("agentId", c.AgentID)
	add("channel", string(c.Channel))
	add("customerId", c.CustomerID)
	b, _ := json.Marshal(out)
	return string(b)
}

func attributesJSON(m map[string]string) any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lastSeq is the seq of the newest event.
func lastSeq(ctx context.Context, s *sqlStore) (int64, error) {
	var last int64
	q := storage.EventQuery{Limit: storage.MaxLimit}
	for {
		events, err := s.store.ListEvents(ctx, q)
		if err != nil {
			return 0, err
		}
		if len(events) == 0 {
			return last, nil
		}
		last = events[len(events)-1].Seq
		q.After = last
	}
}

// seed writes set into s: the roster through the service, then the rows,
// their tag links and their events, then the event counter; then it asks
// the database to analyse the tables, and checks through parley that the
// rows read back.
func seed(ctx context.Context, s *sqlStore, set *seedSet) error {
	if err := seedRoster().create(ctx, s.svc); err != nil {
		return err
	}
	seq0, err := lastSeq(ctx, s)
	if err != nil {
		return err
	}
	if s.store.Dialect() == sqlstore.Postgres {
		err = seedPostgres(ctx, s, set, seq0)
	} else {
		err = seedSQLite(ctx, s, set, seq0)
	}
	if err != nil {
		return err
	}
	return checkSeed(ctx, s, set, seq0)
}

func seedPostgres(ctx context.Context, s *sqlStore, set *seedSet, seq0 int64) error {
	conn, err := s.pgConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := s.store.Schema()
	copyRows := func(table string, cols []string, rows func(i int, r *seedRow, out [][]any) [][]any) error {
		it := set.iter()
		var pending [][]any
		src := pgx.CopyFromFunc(func() ([]any, error) {
			for len(pending) == 0 {
				r, ok := it.next()
				if !ok {
					return nil, nil
				}
				pending = rows(it.i-1, &r, pending[:0])
			}
			next := pending[0]
			pending = pending[1:]
			return next, nil
		})
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{schema, table}, cols, src); err != nil {
			return fmt.Errorf("copying %s: %w", table, err)
		}
		return nil
	}
	err = copyRows("conversations", []string{"id", "topic", "topic_folded", "summary", "status", "priority", "queue_id",
		"agent_id", "channel", "customer_id", "attributes", "created_at", "updated_at", "closed_at", "queued_at", "version"},
		func(_ int, r *seedRow, out [][]any) [][]any {
			c := &r.c
			return append(out, []any{
				c.ID, c.Topic, conversation.FoldTopic(c.Topic), c.Summary, string(c.Status), int16(c.Priority.Rank()),
				nullText(c.QueueID), nullText(c.AgentID), string(c.Channel), c.CustomerID, attributesJSON(c.Attributes),
				c.CreatedAt, c.UpdatedAt, nullTime(c.ClosedAt), nullTime(c.QueuedAt), c.Version,
			})
		})
	if err != nil {
		return err
	}
	err = copyRows("conversation_tags", []string{"conversation_id", "tag_name"}, func(_ int, r *seedRow, out [][]any) [][]any {
		for _, t := range r.tags {
			out = append(out, []any{r.c.ID, t})
		}
		return out
	})
	if err != nil {
		return err
	}
	err = copyRows("events", []string{"seq", "type", "conversation_id", "entity_id", "actor", "at", "changes"},
		func(i int, r *seedRow, out [][]any) [][]any {
			c := &r.c
			return append(out, []any{seq0 + int64(i) + 1, string(storage.ConversationCreated), c.ID, c.ID, "", c.CreatedAt, createdEvent(c)})
		})
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `UPDATE "`+schema+`".event_seq SET last = $1 WHERE id = 1`, seq0+int64(set.n)); err != nil {
		return err
	}
	for _, t := range []string{"conversations", "conversation_tags", "events"} {
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE "`+schema+`".`+t); err != nil {
			return err
		}
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// sqliteTime is the SQL store's SQLite time encoding: fixed-width UTC text.
func sqliteTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// seedBatch is how many conversations one SQLite transaction writes.
const seedBatch = 20_000

func seedSQLite(ctx context.Context, s *sqlStore, set *seedSet, seq0 int64) error {
	db := s.store.SQLDB()
	p := s.store.Schema() + "_"
	it := set.iter()
	for start := 0; start < set.n; start += seedBatch {
		err := func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			conv, err := tx.PrepareContext(ctx, `INSERT INTO `+p+`conversations (id, topic, topic_folded, summary, status,
				priority, queue_id, agent_id, channel, customer_id, attributes, created_at, updated_at, closed_at, queued_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			link, err := tx.PrepareContext(ctx, `INSERT INTO `+p+`conversation_tags (conversation_id, tag_name) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			event, err := tx.PrepareContext(ctx, `INSERT INTO `+p+`events (seq, type, conversation_id, entity_id, actor, at, changes)
				VALUES (?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			for i := start; i < min(set.n, start+seedBatch); i++ {
				r, _ := it.next()
				c := &r.c
				if _, err := conv.ExecContext(ctx, c.ID, c.Topic, conversation.FoldTopic(c.Topic), c.Summary, string(c.Status),
					c.Priority.Rank(), nullText(c.QueueID), nullText(c.AgentID), string(c.Channel), c.CustomerID,
					attributesJSON(c.Attributes), sqliteTime(c.CreatedAt), sqliteTime(c.UpdatedAt), sqliteTime(c.ClosedAt),
					sqliteTime(c.QueuedAt), c.Version); err != nil {
					return err
				}
				for _, t := range r.tags {
					if _, err := link.ExecContext(ctx, c.ID, t); err != nil {
						return err
					}
				}
				if _, err := event.ExecContext(ctx, seq0+int64(i)+1, string(storage.ConversationCreated), c.ID, c.ID, "",
					sqliteTime(c.CreatedAt), createdEvent(c)); err != nil {
					return err
				}
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("seeding rows from %d: %w", start, err)
		}
	}
	for _, q := range []string{
		`UPDATE ` + p + `event_seq SET last = ` + fmt.Sprint(seq0+int64(set.n)) + ` WHERE id = 1`,
		`ANALYZE`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// checkSeed reads the seeded set back through parley: the newest and the
// oldest conversation with their tags, a first page, and the event log's
// end.
func checkSeed(ctx context.Context, s *sqlStore, set *seedSet, seq0 int64) error {
	for _, want := range []seedRow{set.first, set.last} {
		got, err := s.svc.GetConversation(ctx, want.c.ID)
		if err != nil {
			return fmt.Errorf("reading a seeded conversation back: %w", err)
		}
		if got.Status != want.c.Status || len(got.Tags) != len(want.tags) || !got.CreatedAt.Equal(want.c.CreatedAt) {
			return fmt.Errorf("seeded conversation %s reads back as %+v", want.c.ID, got)
		}
	}
	page, err := s.svc.ListConversations(ctx, storage.ConversationQuery{Paging: storage.Paging{SkipTotal: true}})
	if err != nil {
		return err
	}
	if len(page.Items) != storage.DefaultLimit || page.Items[0].ID != set.last.c.ID {
		return fmt.Errorf("the first page of the seeded set does not start with its newest conversation")
	}
	events, err := s.svc.Events(ctx, storage.EventQuery{After: seq0 + int64(set.n) - 1})
	if err != nil {
		return err
	}
	if len(events) != 1 || events[0].ConversationID != set.last.c.ID || events[0].Type != storage.ConversationCreated {
		return fmt.Errorf("the event log does not end with the newest seeded conversation's event")
	}
	return nil
}
