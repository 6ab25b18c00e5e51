package storagetest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The fuzz targets of the service suite write every input through the
// service into each of the stores they are given, which must agree with
// each other as well as with the rules. Each fuzzing process opens its
// stores once. A package declares a thin target that calls one of them
// with its stores (the seed corpus lives under its testdata/fuzz/); "every
// store" below means every store the target is given:
//
//	func FuzzPatchRoundTrip(f *testing.F) {
//		storagetest.FuzzPatchRoundTrip(f, storagetest.FuzzStore{Name: "memory", New: newMemory}, storagetest.FuzzStore{Name: "mine", New: newMine})
//	}

// FuzzStore is one store of a fuzz target of the service suite. A target
// runs each input on every store it is given ("every store" in the targets'
// docs), and the first is the reference: another that answers otherwise on
// any input fails it. (memstore makes a good reference for a new store.)
type FuzzStore struct {
	// Name names the store in failures.
	Name string
	// New opens the store, once per fuzzing process; tb is the target's
	// *testing.F.
	New func(tb testing.TB) storage.Store
}

// fuzzStore is one store of a fuzz target, with a service over it whose
// clock and ids are the same for every store.
type fuzzStore struct {
	name    string
	svc     *parley.Service
	clock   *Clock
	lastSeq int64 // the newest event seen
}

// openFuzzStores opens the stores, each with agent a1 and queue q1.
func openFuzzStores(f *testing.F, stores []FuzzStore) []*fuzzStore {
	f.Helper()
	if len(stores) == 0 {
		f.Fatal("a fuzz target of the service suite needs at least one store")
	}
	var out []*fuzzStore
	for _, s := range stores {
		clk := NewClock(t0)
		seq := &IDs{}
		fs := &fuzzStore{
			name:  s.Name,
			svc:   parley.New(s.New(f), parley.WithClock(clk.Now), parley.WithIDGenerator(seq.Next)),
			clock: clk,
		}
		_, err := fs.svc.CreateAgent(f.Context(), routing.Agent{ID: "a1", DisplayName: "Ann"})
		require.NoError(f, err)
		_, err = fs.svc.CreateQueue(f.Context(), routing.Queue{ID: "q1", Name: "Support"})
		require.NoError(f, err)
		fs.lastSeq = fs.newestSeq(f)
		out = append(out, fs)
	}
	return out
}

func (fs *fuzzStore) newestSeq(t testing.TB) int64 {
	t.Helper()
	seq := fs.lastSeq
	for {
		events, err := fs.svc.Events(t.Context(), storage.EventQuery{After: seq, Limit: storage.MaxLimit})
		require.NoError(t, err)
		if len(events) == 0 {
			return seq
		}
		seq = events[len(events)-1].Seq
	}
}

// newEvents returns the events since the last call.
func (fs *fuzzStore) newEvents(t *testing.T) []*storage.Event {
	t.Helper()
	events, err := fs.svc.Events(t.Context(), storage.EventQuery{After: fs.lastSeq, Limit: storage.MaxLimit})
	require.NoError(t, err)
	if len(events) > 0 {
		fs.lastSeq = events[len(events)-1].Seq
	}
	return events
}

// reset deletes every conversation and skips the events: an input that
// failed before it cleaned up leaves its conversations behind, and the
// fuzzer then runs more inputs on the same stores while it minimises the
// failure; each input starts from an empty store so that those runs fail
// for the same reason, or not at all.
func (fs *fuzzStore) reset(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for {
		page, err := fs.svc.ListConversations(ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}})
		require.NoError(t, err, fs.name)
		if len(page.Items) == 0 {
			break
		}
		for _, c := range page.Items {
			require.NoError(t, fs.svc.DeleteConversation(ctx, c.ID, "reset"), fs.name)
		}
	}
	fs.clock.now = t0
	fs.lastSeq = fs.newestSeq(t)
}

// resetAll resets every store.
func resetAll(t *testing.T, stores []*fuzzStore) {
	t.Helper()
	for _, fs := range stores {
		fs.reset(t)
	}
}

// requireNoConversations asserts the store holds no conversation.
func (fs *fuzzStore) requireNoConversations(t *testing.T) {
	t.Helper()
	page, err := fs.svc.ListConversations(t.Context(), storage.ConversationQuery{Paging: storage.Paging{Limit: 1}})
	require.NoError(t, err)
	require.Zero(t, page.Total, "%s: conversations left", fs.name)
}

// fieldOf returns the field an ErrInvalid names, failing unless err is an
// ErrInvalid *FieldError.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var fe *parley.FieldError
	require.ErrorIs(t, err, parley.ErrInvalid)
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.NotEmpty(t, fe.Field)
	return fe.Field
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func splitPairs(s string) map[string]string {
	if s == "" {
		return nil
	}
	m := map[string]string{}
	for _, item := range splitList(s) {
		k, v, _ := strings.Cut(item, "=")
		m[k] = v
	}
	return m
}

// FuzzConversationRoundTrip creates conversations from arbitrary input
// through the service on every store. Invalid input is ErrInvalid naming
// a field, the same on every store, and writes nothing; valid input reads
// back unchanged by id and through the list filters it matches, the same on
// every store, with its conversation.created event; it is then deleted.
func FuzzConversationRoundTrip(f *testing.F, given ...FuzzStore) {
	f.Add("", "Refund", "", "", "", "", "", "", "", uint8(0))
	f.Add("c-1", "Printer on FIRE", "s", "WAITING", "URGENT", "WHATSAPP", "cust-1", "lang=de,tier=gold", "vip,billing", uint8(3))
	f.Add("x'; DROP TABLE conversations; --", "' OR '1'='1", "\"); DELETE FROM events; --", "CLOSED", "LOW", "EMAIL", "1; SELECT pg_sleep(10)", "k'=v'--", "a.b_c-D", uint8(2))
	f.Add("c\x00", "a\x00b", "\xff", "DONE", "CRITICAL", "PIGEON", "\xfe", "=v", "bad tag", uint8(0))
	f.Add("İ", "İSTANBUL ǅ ß \u212a", "emoji 🎉", "SOLVED", "HIGH", "LIVE_CHAT", "é", "é=ü", "x,x,y", uint8(1))
	f.Add("%2F..%2F", "\u2028\u2029\ufeff", "\\\\", "OPEN", "NORMAL", "NO_CHANNEL", "\\", "a=\\\"", "", uint8(0))
	stores := openFuzzStores(f, given)
	f.Fuzz(func(t *testing.T, id, topic, summary, status, priority, channel, customerID, attrs, tags string, refs uint8) {
		resetAll(t, stores)
		in := conversation.Conversation{
			ID: id, Topic: topic, Summary: summary,
			Status: conversation.Status(status), Priority: conversation.Priority(priority),
			Channel: conversation.Channel(channel), CustomerID: customerID,
			Attributes: splitPairs(attrs), Tags: splitList(tags),
		}
		if refs&1 != 0 {
			in.QueueID = "q1"
		}
		if refs&2 != 0 {
			in.AgentID = "a1"
		}
		ctx := t.Context()
		var first *conversation.Conversation
		firstField := ""
		for i, fs := range stores {
			c, err := fs.svc.CreateConversation(ctx, in)
			if err != nil {
				field := fieldOf(t, err)
				if i > 0 {
					require.Equal(t, firstField, field, "%s refuses for another field than %s", fs.name, stores[0].name)
				}
				firstField = field
				fs.requireNoConversations(t)
				require.Empty(t, fs.newEvents(t), "%s: a refused create left events", fs.name)
				continue
			}
			require.Empty(t, firstField, "%s accepts what %s refused", fs.name, stores[0].name)
			if i == 0 {
				first = c
			} else {
				require.Equal(t, first, c, "%s and %s disagree", fs.name, stores[0].name)
			}

			got, err := fs.svc.GetConversation(ctx, c.ID)
			require.NoError(t, err, fs.name)
			require.Equal(t, c, got, "%s: read back", fs.name)
			require.Equal(t, createdFrom(in, c.ID), got, "%s: the stored copy against the input", fs.name)
			if id == "" {
				require.Regexp(t, `^id-[0-9]{4,}$`, c.ID, "%s: a generated id", fs.name)
			}

			filters := []storage.ConversationFilter{
				{IDs: []string{c.ID}},
				{Statuses: []conversation.Status{c.Status}, Priorities: []conversation.Priority{c.Priority}, Channels: []conversation.Channel{c.Channel}},
			}
			if c.Topic != "" {
				filters = append(filters, storage.ConversationFilter{TopicContains: c.Topic})
			}
			if c.CustomerID != "" {
				filters = append(filters, storage.ConversationFilter{CustomerID: c.CustomerID})
			}
			if len(c.Tags) > 0 {
				filters = append(filters, storage.ConversationFilter{Tags: c.Tags})
			}
			if c.AgentID != "" {
				filters = append(filters, storage.ConversationFilter{AgentID: c.AgentID})
			} else {
				filters = append(filters, storage.ConversationFilter{Unassigned: true})
			}
			if c.QueueID != "" {
				filters = append(filters, storage.ConversationFilter{QueueIDs: []string{c.QueueID}})
			}
			for _, fl := range filters {
				page, err := fs.svc.ListConversations(ctx, storage.ConversationQuery{Filter: fl})
				require.NoError(t, err, "%s: %+v", fs.name, fl)
				require.Equal(t, []*conversation.Conversation{c}, page.Items, "%s: listed with %+v", fs.name, fl)
			}

			events := fs.newEvents(t)
			require.NotEmpty(t, events, fs.name)
			last := events[len(events)-1]
			require.Equal(t, storage.ConversationCreated, last.Type, fs.name)
			require.Equal(t, c.ID, last.ConversationID, fs.name)

			require.NoError(t, fs.svc.DeleteConversation(ctx, c.ID, "fuzz"), fs.name)
			fs.requireNoConversations(t)
			fs.newEvents(t)
		}
	})
}

// createdFrom is the conversation a create of in stores, by the rules of
// the package doc rather than the code: the given fields as they are, the
// defaults (OPEN, NORMAL, NO_CHANNEL), the tags unique and sorted, version
// 1, and every time the fuzz clock's (t0), closedAt for a CLOSED one and
// queuedAt for one in a queue.
func createdFrom(in conversation.Conversation, id string) *conversation.Conversation {
	want := &conversation.Conversation{
		ID: id, Topic: in.Topic, Summary: in.Summary, Status: in.Status, Priority: in.Priority,
		QueueID: in.QueueID, AgentID: in.AgentID, Channel: in.Channel, CustomerID: in.CustomerID,
		CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
	if want.Status == "" {
		want.Status = conversation.Open
	}
	if want.Priority == "" {
		want.Priority = conversation.Normal
	}
	if want.Channel == "" {
		want.Channel = conversation.NoChannel
	}
	want.Source = conversation.SourceAPI // not fuzzed: the default
	if len(in.Attributes) > 0 {
		want.Attributes = maps.Clone(in.Attributes)
	}
	for _, name := range in.Tags {
		if !slices.Contains(want.Tags, name) {
			want.Tags = append(want.Tags, name)
		}
	}
	slices.Sort(want.Tags)
	if want.Status == conversation.Closed {
		want.ClosedAt = t0
	}
	if want.QueueID != "" {
		want.QueuedAt = t0
	}
	return want
}

// FuzzMessageRoundTrip sends arbitrary messages into a conversation through
// the service on every store, every field set from the input: addresses,
// every content field, private, and the agent id (outbound messages are
// sent, when byAgent, by the assignee a1 as the actor; otherwise into an
// unassigned conversation with no actor). Invalid input is ErrInvalid
// naming a field, the same on every store, and writes nothing; a valid
// message reads back as the input with the defaults applied (OUTBOUND,
// TEXT, the conversation's channel, the actor as agentId), by id and in the
// conversation's list, the same on every store, with its message.created
// event.
func FuzzMessageRoundTrip(f *testing.F, given ...FuzzStore) {
	f.Add("", "", "", "", "", "hello", "", "", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "", false, false)
	f.Add("m1", "INBOUND", "SMS", "+385 1", "+1 555", "' OR 1=1; --", "", "", false, 0.0, false, 0.0, "", "", "", "", "", "", "", "", false, true)
	f.Add("m'; DROP TABLE messages; --", "OUTBOUND", "", "", "", "", "", "", true, -90.0, true, 180.0, "LOCATION", "Trg", "'; DELETE FROM events; --", "", "", "", "", "", true, true)
	f.Add("m3", "OUTBOUND", "", "", "", "", "https://example.com/a.png?x='1'", "cap\u2028", false, 0.0, false, 0.0, "IMAGE", "", "", "", "", "", "", "", false, true)
	f.Add("m4", "OUTBOUND", "", "", "", "", "", "", false, 0.0, false, 0.0, "TEMPLATE", "", "", "welcome", "en", "a,,\"b\"", "", "", false, false)
	f.Add("m5", "OUTBOUND", "", "", "", "", "", "", true, 5e-324, true, math.Copysign(0, -1), "LOCATION", "", "", "", "", "", "", "", false, true)
	f.Add("m6", "OUTBOUND", "", "", "", "", "", "", true, 1e308, true, 0.1, "LOCATION", "", "", "", "", "", "", "", false, false)
	f.Add("m7", "INBOUND", "WHATSAPP", "ann@example.com", "+1 (555) 0100", "", "", "", false, 0.0, false, 0.0, "CONTACT", "Ann \u00e9", "", "", "", "", "+385 1 234", "a'@b.c", true, false)
	f.Add("m\x00", "SIDEWAYS", "PIGEON", "\xff", "", "a\x00", "", "", false, 0.0, false, 0.0, "GIF", "", "", "", "", "", "\x00", "\xff", true, true)
	stores := openFuzzStores(f, given)
	f.Fuzz(func(t *testing.T, id, direction, channel, from, to, text, url, caption string,
		hasLat bool, lat float64, hasLon bool, lon float64, contentType, name, address, templateName, language, params,
		phone, email string, private, byAgent bool,
	) {
		resetAll(t, stores)
		in := message.Message{
			ID: id, Direction: message.Direction(direction), Channel: conversation.Channel(channel),
			From: from, To: to, ContentType: message.ContentType(contentType), Private: private,
			Content: message.Content{
				Text: text, URL: url, Caption: caption, Name: name, Address: address,
				TemplateName: templateName, Language: language, Phone: phone, Email: email,
			},
		}
		if hasLat {
			in.Content.Latitude = &lat
		}
		if hasLon {
			in.Content.Longitude = &lon
		}
		in.Content.Parameters = splitList(params)
		base := conversation.Conversation{ID: "fuzz-conversation", Channel: conversation.SMS}
		ctx := t.Context()
		if byAgent {
			base.AgentID = "a1"
			ctx = parley.WithActor(ctx, parley.Actor{AgentID: "a1"})
		}
		var first *message.Message
		firstField := ""
		for i, fs := range stores {
			c, err := fs.svc.CreateConversation(ctx, base)
			require.NoError(t, err, fs.name)
			fs.newEvents(t)
			m, err := fs.svc.CreateMessage(ctx, c.ID, in)
			if err != nil {
				field := fieldOf(t, err)
				if i > 0 {
					require.Equal(t, firstField, field, "%s refuses for another field than %s", fs.name, stores[0].name)
				}
				firstField = field
				page, err := fs.svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID})
				require.NoError(t, err)
				require.Zero(t, page.Total, "%s: a refused message was written", fs.name)
				require.Empty(t, fs.newEvents(t), "%s: a refused message left events", fs.name)
			} else {
				require.Empty(t, firstField, "%s accepts what %s refused", fs.name, stores[0].name)
				if i == 0 {
					first = m
				} else {
					require.Equal(t, first, m, "%s and %s disagree", fs.name, stores[0].name)
				}
				got, err := fs.svc.GetMessage(ctx, m.ID)
				require.NoError(t, err, fs.name)
				require.Equal(t, m, got, "%s: read back", fs.name)
				require.Equal(t, sentFrom(in, m.ID, c, byAgent), got, "%s: the stored copy against the input", fs.name)
				page, err := fs.svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID})
				require.NoError(t, err)
				require.Equal(t, []*message.Message{m}, page.Items, "%s: listed", fs.name)
				events := fs.newEvents(t)
				require.NotEmpty(t, events, fs.name)
				require.Equal(t, storage.MessageCreated, events[0].Type, fs.name)
				require.Equal(t, m.ID, events[0].EntityID, fs.name)
			}
			require.NoError(t, fs.svc.DeleteConversation(ctx, c.ID, "fuzz"), fs.name)
			fs.newEvents(t)
		}
	})
}

// sentFrom is the message a send of in into c stores, by the rules of the
// package doc: the given fields as they are, the defaults (OUTBOUND, TEXT,
// the conversation's channel), the fuzz clock's time, and agentId a1 for an
// OUTBOUND message its actor a1 sent (byAgent), else none.
func sentFrom(in message.Message, id string, c *conversation.Conversation, byAgent bool) *message.Message {
	want := in.Clone()
	want.ID, want.ConversationID, want.CreatedAt, want.AgentID = id, c.ID, t0, ""
	if want.Direction == "" {
		want.Direction = message.Outbound
	}
	if want.ContentType == "" {
		want.ContentType = message.Text
	}
	if want.Channel == "" {
		want.Channel = c.Channel
	}
	if want.Direction == message.Outbound && byAgent {
		want.AgentID = "a1"
	}
	return want
}

// listData are the conversations FuzzListConversations lists, created a
// second apart from the Unix epoch on (a time that encodes as 0 in a
// cursor), with c2 and c5 updated afterwards.
var listData = []conversation.Conversation{
	{ID: "c1", Topic: "Printer on FIRE", Status: conversation.Open, Priority: conversation.Low, QueueID: "q1", AgentID: "a1", Channel: conversation.Email, CustomerID: "cust-1", Tags: []string{"vip", "hardware"}},
	{ID: "c2", Topic: "Refund please", Status: conversation.Waiting, Priority: conversation.Urgent, Channel: conversation.SMS, CustomerID: "cust-2", Tags: []string{"billing"}},
	{ID: "c3", Topic: "fire alarm İ", Status: conversation.Solved, Priority: conversation.High, QueueID: "q1", AgentID: "a1", Channel: conversation.Email, CustomerID: "cust-1", Tags: []string{"vip"}},
	{ID: "c4", Topic: "x'; DROP TABLE conversations; --", Status: conversation.Closed, Priority: conversation.Normal, Channel: conversation.Voice, CustomerID: "cust-3"},
	{ID: "c5", Topic: "printer jam", Status: conversation.Open, Priority: conversation.Urgent, QueueID: "q1", Channel: conversation.SMS, CustomerID: "cust-2", Tags: []string{"hardware", "vip", "billing"}},
	{ID: "c6", Status: conversation.Open, Priority: conversation.Normal, AgentID: "a1", Channel: conversation.WhatsApp},
	{ID: "c7", Topic: "Wi-Fi", Status: conversation.Waiting, Priority: conversation.Low, AgentID: "a1", Channel: conversation.Email, Tags: []string{"hardware"}},
	{ID: "c8", Topic: "FIREWALL", Status: conversation.Open, Priority: conversation.High, Channel: conversation.LiveChat, CustomerID: "cust-1"},
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

// listResult is what a list answered, comparable between stores.
type listResult struct {
	IDs   []string
	Total int
	Next  string
	Field string // the field of an ErrInvalid, "" on success
}

func listOn(t *testing.T, fs *fuzzStore, q storage.ConversationQuery) listResult {
	t.Helper()
	page, err := fs.svc.ListConversations(t.Context(), q)
	if err != nil {
		return listResult{Field: fieldOf(t, err)}
	}
	return listResult{IDs: conversationIDs(page.Items), Total: page.Total, Next: page.NextCursor}
}

// FuzzListConversations lists a fixed set of conversations with arbitrary
// filters, orders, paging and cursors (given, and forged from a real one)
// on every store. Every store gives the same answer; a refusal is
// ErrInvalid naming a field; walking the pages by cursor or by page number
// yields exactly the rows of one big page, in its order.
func FuzzListConversations(f *testing.F, given ...FuzzStore) {
	f.Add("", "", "", "", "", false, "", "", "", "", "createdAt", false, 2, 0, "", int64(0), uint8(0), "c3", int64(0))
	f.Add("c1,c5,c9", "OPEN,WAITING", "URGENT,LOW", "q1", "", false, "SMS,EMAIL", "vip", "", "fire", "priority", true, 1, 0, "", int64(-1), uint8(9), "c\x00", int64(0))
	f.Add("", "", "", "", "a1", false, "", "hardware,vip", "cust-1", "", "updatedAt", true, 3, 1, "", int64(1<<62), uint8(2), "\xff", int64(1000000))
	f.Add("", "CLOSED", "", "", "", true, "VOICE", "", "", "DROP TABLE", "id", false, 1, 0, "AQ", int64(-1<<63), uint8(255), "x'; --", int64(-5))
	f.Add("", "", "", "", "", false, "", "", "", "", "id; DROP TABLE conversations", false, 1001, -1, "", int64(0), uint8(0), "", int64(0))
	f.Add("", "", "", "", "", false, "", "", "", "İ", "createdAt", true, 1, 0, "", int64(2000000), uint8(1), "c2", int64(3000000))
	stores := openFuzzStores(f, given)
	for _, fs := range stores {
		fs.clock.now = time.Unix(0, 0).UTC()
		for _, in := range listData {
			_, err := fs.svc.CreateConversation(f.Context(), in)
			require.NoError(f, err)
			fs.clock.Advance(time.Second)
		}
		for _, id := range []string{"c2", "c5"} {
			_, err := fs.svc.UpdateConversation(f.Context(), id, conversation.Patch{Summary: ptr("s")})
			require.NoError(f, err)
			fs.clock.Advance(time.Second)
		}
	}
	f.Fuzz(func(t *testing.T, ids, statuses, priorities, queueIDs, agentID string, unassigned bool,
		channels, tags, customerID, topic, orderBy string, desc bool, limit, page int, cursor string,
		forgedMicros int64, forgedRank uint8, forgedID string, afterMicros int64,
	) {
		q := storage.ConversationQuery{
			Filter: storage.ConversationFilter{
				IDs: splitList(ids), QueueIDs: splitList(queueIDs), AgentID: agentID, Unassigned: unassigned,
				Tags: splitList(tags), CustomerID: customerID, TopicContains: topic,
			},
			Order:  storage.Order{Field: storage.SortField(orderBy), Desc: desc},
			Paging: storage.Paging{Limit: limit, Page: page, Cursor: cursor},
		}
		for _, s := range splitList(statuses) {
			q.Filter.Statuses = append(q.Filter.Statuses, conversation.Status(s))
		}
		for _, p := range splitList(priorities) {
			q.Filter.Priorities = append(q.Filter.Priorities, conversation.Priority(p))
		}
		for _, c := range splitList(channels) {
			q.Filter.Channels = append(q.Filter.Channels, conversation.Channel(c))
		}
		if afterMicros != 0 {
			q.Filter.CreatedAfter = time.UnixMicro(afterMicros)
		}

		// Every store answers the same.
		want := listOn(t, stores[0], q)
		for _, fs := range stores[1:] {
			require.Equal(t, want, listOn(t, fs, q), "%s and %s disagree on %+v", fs.name, stores[0].name, q)
		}
		if want.Field != "" || cursor != "" || page != 0 {
			return
		}

		// The whole list in one page; then walked by cursor and by page.
		all := q
		all.Limit = storage.MaxLimit
		whole := listOn(t, stores[0], all)
		require.Empty(t, whole.Field)
		require.Empty(t, whole.Next)
		for _, fs := range stores {
			walked := []string{}
			next := q
			for range len(listData) + 1 {
				r := listOn(t, fs, next)
				require.Empty(t, r.Field, "%s: a cursor the store gave out is refused", fs.name)
				walked = append(walked, r.IDs...)
				if r.Next == "" {
					break
				}
				next.Cursor = r.Next
			}
			require.Equal(t, whole.IDs, nonNil(walked), "%s: walked by cursor, limit %d", fs.name, q.Limit)
			paged := []string{}
			byPage := q
			for p := 0; p <= len(listData); p++ {
				byPage.Page = p
				paged = append(paged, listOn(t, fs, byPage).IDs...)
			}
			require.Equal(t, whole.IDs, nonNil(paged), "%s: walked by page", fs.name)
		}

		// A forged cursor: every store gives the same answer, or the same
		// refusal.
		if want.Next != "" {
			forged := q
			forged.Cursor = forgeCursor(want.Next, forgedMicros, forgedRank, forgedID)
			first := listOn(t, stores[0], forged)
			if first.Field != "" {
				require.Equal(t, "cursor", first.Field)
			}
			for _, fs := range stores[1:] {
				require.Equal(t, first, listOn(t, fs, forged), "%s and %s disagree on a forged cursor", fs.name, stores[0].name)
			}
		}
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// outcome names how a service call ended, comparable between stores: "ok",
// "invalid <field>", or the sentinel the error wraps. An error of no
// sentinel fails the test.
func outcome(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return "ok"
	}
	if errors.Is(err, parley.ErrInvalid) {
		return "invalid " + fieldOf(t, err)
	}
	for _, s := range []error{parley.ErrNotFound, parley.ErrAlreadyExists, parley.ErrClosed, parley.ErrForbidden, parley.ErrConflict} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	t.Fatalf("an error of no sentinel: %v", err)
	return ""
}

// The fields a fuzzed patch sets, one bit each.
const (
	patchTopic = 1 << iota
	patchSummary
	patchStatus
	patchPriority
	patchQueue
	patchAgent
	patchChannel
	patchCustomer
	patchAttributes
)

// patchEvents are the event types a change from before to after records:
// conversation.updated for the plain fields, then conversation.assigned or
// .unassigned for the assignee, then conversation.status_changed or
// .closed for the status.
func patchEvents(before, after *conversation.Conversation) []storage.EventType {
	var plain, agent, status bool
	for _, d := range conversation.Diff(before, after) {
		switch d.Field {
		case "agentId":
			agent = true
		case "status", "closedAt":
			status = true
		default:
			plain = true
		}
	}
	var out []storage.EventType
	if plain {
		out = append(out, storage.ConversationUpdated)
	}
	if agent {
		typ := storage.ConversationAssigned
		if after.AgentID == "" {
			typ = storage.ConversationUnassigned
		}
		out = append(out, typ)
	}
	if status {
		typ := storage.ConversationStatusChanged
		if after.Status == conversation.Closed {
			typ = storage.ConversationClosed
		}
		out = append(out, typ)
	}
	return out
}

// FuzzPatchRoundTrip applies arbitrary patches through
// Service.UpdateConversation to a conversation in every status, with and
// without queue, assignee and attributes, on every store. The outcome is
// the one the rules give, the same on every store: an invalid patch is
// ErrInvalid naming the field Patch.Validate names; then a closed
// conversation is ErrClosed, a stale expected version ErrConflict, a queue
// or agent that does not exist ErrNotFound. A refused patch writes nothing
// (the stored conversation and its version unchanged, no event). An
// accepted one stores exactly conversation.Patch.Apply of the patch to the
// original, at the service's clock, the same on every store, and records
// the events of that change (none when nothing changed).
func FuzzPatchRoundTrip(f *testing.F, given ...FuzzStore) {
	f.Add(uint8(0), uint16(patchTopic), "new topic", "", "", "", "", "", "", "", "", int64(0))
	f.Add(uint8(32), uint16(patchStatus|patchAgent), "", "", "CLOSED", "", "", "", "", "", "", int64(1))
	f.Add(uint8(3), uint16(patchTopic), "closed already", "", "", "", "", "", "", "", "", int64(0))
	f.Add(uint8(17), uint16(0x1ff), "'; DROP TABLE conversations; --", "\" OR 1=1 --", "SOLVED", "URGENT", "q1", "a1", "SMS", "x'); DELETE FROM events; --", "k'=v';--,a=1", int64(0))
	f.Add(uint8(80), uint16(patchAttributes|patchQueue), "", "", "", "", "", "", "", "", "", int64(0))
	f.Add(uint8(48), uint16(patchQueue|patchAgent), "", "", "", "", "missing-queue", "missing-agent", "", "", "", int64(0))
	f.Add(uint8(5), uint16(patchStatus|patchPriority|patchChannel), "", "", "pending", "medium", "", "", "PIGEON", "", "", int64(0))
	f.Add(uint8(4), uint16(patchTopic|patchCustomer), "\xff", "", "", "", "", "", "", "\x00", "", int64(0))
	f.Add(uint8(1), uint16(patchSummary), "", "stale", "", "", "", "", "", "", "", int64(7))
	f.Add(uint8(2), uint16(patchTopic), "x", "", "", "", "", "", "", "", "", int64(-1))
	stores := openFuzzStores(f, given)
	f.Fuzz(func(t *testing.T, base uint8, mask uint16, topic, summary, status, priority, queueID, agentID, channel, customerID, attrs string, ifVersion int64) {
		resetAll(t, stores)
		start := conversation.Conversation{
			ID:         "fuzz-patch",
			Topic:      "old",
			Status:     conversation.Statuses[base%4],
			Priority:   conversation.Priorities[base/4%4],
			QueueID:    []string{"", "q1"}[base/16%2],
			AgentID:    []string{"", "a1"}[base/32%2],
			Channel:    conversation.SMS,
			CustomerID: "cust",
			Attributes: []map[string]string{nil, {"k": "v"}}[base/64%2],
		}
		var p conversation.Patch
		set := func(bit uint16, dst **string, v string) {
			if mask&bit != 0 {
				*dst = &v
			}
		}
		set(patchTopic, &p.Topic, topic)
		set(patchSummary, &p.Summary, summary)
		set(patchQueue, &p.QueueID, queueID)
		set(patchAgent, &p.AgentID, agentID)
		set(patchCustomer, &p.CustomerID, customerID)
		if mask&patchStatus != 0 {
			p.Status = ptr(conversation.Status(status))
		}
		if mask&patchPriority != 0 {
			p.Priority = ptr(conversation.Priority(priority))
		}
		if mask&patchChannel != 0 {
			p.Channel = ptr(conversation.Channel(channel))
		}
		if mask&patchAttributes != 0 {
			p.Attributes = splitPairs(attrs)
			if p.Attributes == nil {
				p.Attributes = map[string]string{} // clears them
			}
		}
		p.IfVersion = ifVersion
		at := t0.Add(time.Minute)

		// The outcome the rules give, in the order the service checks.
		want := "ok"
		unknown := func(v *string, current, existing string) bool {
			return v != nil && *v != "" && *v != current && *v != existing
		}
		switch err := p.Validate(); {
		case err != nil:
			want = outcome(t, err)
		case start.Status == conversation.Closed:
			want = parley.ErrClosed.Error()
		case ifVersion != 0 && ifVersion != 1:
			want = parley.ErrConflict.Error()
		case unknown(p.QueueID, start.QueueID, "q1") || unknown(p.AgentID, start.AgentID, "a1"):
			want = parley.ErrNotFound.Error()
		}

		var first *conversation.Conversation
		for _, fs := range stores {
			fs.clock.now = t0
			original, err := fs.svc.CreateConversation(t.Context(), start)
			require.NoError(t, err, fs.name)
			fs.newEvents(t)
			fs.clock.now = at

			got, err := fs.svc.UpdateConversation(t.Context(), original.ID, p)
			require.Equal(t, want, outcome(t, err), "%s: patch %+v on %s", fs.name, p, original.Status)
			stored, getErr := fs.svc.GetConversation(t.Context(), original.ID)
			require.NoError(t, getErr, fs.name)
			events := fs.newEvents(t)
			if err != nil {
				require.Nil(t, got, fs.name)
				require.Equal(t, original, stored, "%s: a refused patch changed the conversation", fs.name)
				require.Empty(t, events, "%s: a refused patch left events", fs.name)
			} else {
				expected := original.Clone()
				// UpdateConversation takes a cleared assignee as a person's
				// unassign (conversation.Patch.PassOver).
				p.PassOver = p.AgentID != nil && *p.AgentID == ""
				diff, err := p.Apply(expected, at)
				require.NoError(t, err, "the patch applies in memory")
				changed := diff != nil
				require.Equal(t, expected, stored, "%s: stored against Patch.Apply", fs.name)
				require.Equal(t, expected, got, "%s: returned against Patch.Apply", fs.name)
				if !changed {
					require.Equal(t, original.Version, stored.Version, fs.name)
				}
				require.Equal(t, nonNilTypes(patchEvents(original, expected)), nonNilTypes(types(events)), "%s: the events of the change", fs.name)
				for _, e := range events {
					require.Equal(t, original.ID, e.ConversationID, fs.name)
					require.True(t, at.Equal(e.At), "%s: event at %v", fs.name, e.At)
				}
				if first == nil {
					first = stored
				} else {
					require.Equal(t, first, stored, "%s and %s disagree", fs.name, stores[0].name)
				}
			}
			require.NoError(t, fs.svc.DeleteConversation(t.Context(), original.ID, "fuzz"), fs.name)
			fs.requireNoConversations(t)
			fs.newEvents(t)
		}
	})
}

func nonNilTypes(s []storage.EventType) []storage.EventType {
	if s == nil {
		return []storage.EventType{}
	}
	return s
}

// FuzzRoutingRulesRoundTrip replaces the routing rules through the service
// on every store with a list of one arbitrary rule, optionally followed by
// a fixed valid one. Every store gives the same outcome: an invalid rule is
// ErrInvalid naming a field, a queue that does not exist ErrNotFound, and
// either writes nothing (the rules before, no event). Accepted rules come
// back from SetRoutingRules and then from RoutingRules exactly as given (an
// id generated where none was), in order, the same on every store, with one
// routing.rules_replaced event.
func FuzzRoutingRulesRoundTrip(f *testing.F, given ...FuzzStore) {
	f.Add("r1", "VIP refunds", "q1", "URGENT", false, "all", "WHATSAPP,SMS", "HIGH", "vip,spam", "billing", "cust-7", "refund", "lang=de", true)
	f.Add("", "catch all", "q1", "", true, "", "", "", "", "", "", "", "", false)
	f.Add("r'; DROP TABLE routing_rules; --", "' OR '1'='1", "q1", "", false, "any", "", "", "", "", "1; DELETE FROM events", "%' --", "k'=v'", true)
	f.Add("r2", "to nowhere", "no-such-queue", "", false, "", "", "", "", "", "", "", "", false)
	f.Add("fixed", "duplicate id", "q1", "", false, "", "", "", "", "", "", "", "", true)
	f.Add("r\x00", "\xff", "q\n", "CRITICAL", false, "some", "PIGEON", "\xff", "bad tag", "a,,b", "\x00", "\xed\xa0\x80", "=v", false)
	f.Add("r3", "İstanbul", "q1", "LOW", false, "any", "LIVE_CHAT", "", "", "", "", "İSTANBUL \u212a", "é=ü", false)
	stores := openFuzzStores(f, given)
	f.Fuzz(func(t *testing.T, id, name, queueID, priority string, disabled bool,
		match, chans, prios, tagsAny, tagsAll, customer, topic, attrs string, second bool,
	) {
		rule := routing.Rule{
			ID: id, Name: name, QueueID: queueID, Priority: conversation.Priority(priority), Disabled: disabled,
			Condition: routing.Condition{
				Match: routing.Match(match), TagsAny: splitList(tagsAny), TagsAll: splitList(tagsAll),
				CustomerID: customer, TopicContains: topic, Attributes: splitPairs(attrs),
			},
		}
		for _, c := range splitList(chans) {
			rule.Condition.Channels = append(rule.Condition.Channels, conversation.Channel(c))
		}
		for _, p := range splitList(prios) {
			rule.Condition.Priorities = append(rule.Condition.Priorities, conversation.Priority(p))
		}
		in := []routing.Rule{rule}
		if second {
			in = append(in, routing.Rule{ID: "fixed", Name: "fixed", QueueID: "q1", Condition: routing.Condition{Channels: []conversation.Channel{conversation.SMS}}})
		}
		given := make([]routing.Rule, len(in))
		for i, r := range in {
			given[i] = r.Clone()
		}

		firstOutcome := ""
		var firstRules []routing.Rule
		for i, fs := range stores {
			before, err := fs.svc.RoutingRules(t.Context())
			require.NoError(t, err, fs.name)
			got, err := fs.svc.SetRoutingRules(t.Context(), in)
			o := outcome(t, err)
			if i == 0 {
				firstOutcome = o
			} else {
				require.Equal(t, firstOutcome, o, "%s and %s disagree on %+v", fs.name, stores[0].name, in)
			}
			require.Equal(t, given, in, "%s: SetRoutingRules changed its input", fs.name)
			stored, readErr := fs.svc.RoutingRules(t.Context())
			require.NoError(t, readErr, fs.name)
			events := fs.newEvents(t)
			if err != nil {
				require.True(t, strings.HasPrefix(o, "invalid ") || o == parley.ErrNotFound.Error(), "%s: %v", fs.name, err)
				require.Equal(t, before, stored, "%s: refused rules replaced the list", fs.name)
				require.Empty(t, events, "%s: refused rules left events", fs.name)
				continue
			}
			want := make([]routing.Rule, len(given))
			for i, r := range given {
				want[i] = r.Clone()
				if want[i].ID == "" {
					want[i].ID = got[i].ID
					require.NotEmpty(t, want[i].ID, "%s: no id generated", fs.name)
				}
			}
			require.Equal(t, want, got, "%s: SetRoutingRules answered", fs.name)
			require.Equal(t, want, stored, "%s: RoutingRules read back", fs.name)
			require.Equal(t, []storage.EventType{storage.RoutingRulesReplaced}, types(events), fs.name)
			if i == 0 {
				firstRules = stored
			} else {
				require.Equal(t, firstRules, stored, "%s and %s disagree", fs.name, stores[0].name)
			}
		}
	})
}
