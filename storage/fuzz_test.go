package storage_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// split turns a fuzzed string into a list: values separated by ','.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func typed[T ~string](s string) []T {
	var out []T
	for _, v := range split(s) {
		out = append(out, T(v))
	}
	return out
}

// requireInvalid fails unless err is an ErrInvalid *FieldError whose field
// is one of fields.
func requireInvalid(t *testing.T, err error, fields ...string) {
	t.Helper()
	var fe *storage.FieldError
	if !errors.Is(err, storage.ErrInvalid) || !errors.As(err, &fe) {
		t.Fatalf("want an ErrInvalid *FieldError, got %T: %v", err, err)
	}
	for _, f := range fields {
		if fe.Field == f {
			return
		}
	}
	t.Fatalf("the error names %q, want one of %v: %v", fe.Field, fields, err)
}

// conversationQueryFields are the fields a conversation query's errors may
// name.
var conversationQueryFields = []string{
	"orderBy", "ids", "status", "priority", "queueIds", "agentId", "channel", "tag",
	"customerId", "topic", "limit", "page", "cursor",
}

// FuzzConversationQuery normalises arbitrary conversation queries and
// decodes arbitrary cursors with them. Neither ever panics; a refusal is an
// ErrInvalid naming a query field; Normalize is idempotent, and what it
// accepts has a valid order and a limit within bounds.
func FuzzConversationQuery(f *testing.F) {
	f.Add("c1,c2", "OPEN,CLOSED", "HIGH", "q1", "", true, "SMS", "vip", "cust", "refund", "createdAt", true, 50, 0, "")
	f.Add("", "", "", "", "a1", false, "", "", "", "", "priority", false, 1000, 3, "AQ")
	f.Add("x'; DROP TABLE conversations; --", "open", "CRITICAL", "", "a1", true, "PIGEON", "bad tag", "\x00", "\xff", "id;DROP", false, -1, -5, "%%%")
	f.Add("", "", "", "", "", false, "", "", "", "", "updatedAt", false, 1001, 0, "")
	f.Add("", "", "", "", "", false, "", "", "", "", "", false, 10, 1<<30, "")
	f.Add("", "", "", "", "", false, "", "", "", "", "id", true, 0, 1, "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, ids, statuses, priorities, queueIDs, agentID string, unassigned bool,
		channels, tags, customerID, topic, orderField string, desc bool, limit, page int, cursor string,
	) {
		q := storage.ConversationQuery{
			Filter: storage.ConversationFilter{
				IDs: split(ids), Statuses: typed[conversation.Status](statuses),
				Priorities: typed[conversation.Priority](priorities), QueueIDs: split(queueIDs),
				AgentID: agentID, Unassigned: unassigned, Channels: typed[conversation.Channel](channels),
				Tags: split(tags), CustomerID: customerID, TopicContains: topic,
			},
			Order:  storage.Order{Field: storage.SortField(orderField), Desc: desc},
			Paging: storage.Paging{Limit: limit, Page: page, Cursor: cursor},
		}
		err := q.Normalize()
		if err != nil {
			requireInvalid(t, err, conversationQueryFields...)
			return
		}
		if limit < 0 || limit > storage.MaxLimit || page < 0 {
			t.Fatalf("limit %d, page %d accepted", limit, page)
		}
		if q.Limit < 1 || q.Limit > storage.MaxLimit {
			t.Fatalf("normalised limit %d", q.Limit)
		}
		again := q
		if err := again.Normalize(); err != nil || !reflect.DeepEqual(q, again) {
			t.Fatalf("Normalize is not idempotent: %v", err)
		}
		ks, err := q.Keyset()
		switch {
		case err != nil:
			requireInvalid(t, err, "cursor")
		case cursor == "" && ks != nil:
			t.Fatal("a keyset without a cursor")
		case ks != nil && !cleanID(ks.ID):
			t.Fatalf("a cursor decoded to an id no store can take: %q", ks.ID)
		}
	})
}

// cleanID reports whether s is text a store can take: valid UTF-8 without
// NUL bytes.
func cleanID(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// forge builds a cursor of the query whose real cursor is real, with any
// keyset and a correct checksum: the checksum is no secret, so a client
// can always do this.
func forge(real string, micros int64, rank byte, id string) string {
	b, err := base64.RawURLEncoding.DecodeString(real)
	if err != nil || len(b) < 9 {
		panic("forge needs a real cursor")
	}
	body := append([]byte{}, b[:9]...) // version and query fingerprint
	body = binary.BigEndian.AppendUint64(body, uint64(micros))
	body = append(body, rank)
	body = append(body, id...)
	sum := sha256.Sum256(body)
	return base64.RawURLEncoding.EncodeToString(append(body, sum[:8]...))
}

var orders = []storage.SortField{storage.SortCreatedAt, storage.SortUpdatedAt, storage.SortPriority, storage.SortID}

// FuzzCursor makes cursors with CursorAfter and then abuses them. A cursor
// decodes to the keyset of the row it was made after; flipping any bit of
// it, using it with another query or another kind of list, is ErrInvalid
// naming the cursor; a forged cursor (a keyset of the client's choosing
// with a correct checksum) either decodes to an id a store can take or is
// ErrInvalid. Nothing panics.
func FuzzCursor(f *testing.F) {
	f.Add("c1", int64(1714555800000000), uint8(2), uint8(0), true, "refund", uint16(5), uint8(1), int64(-1), uint8(9), "c\x00")
	f.Add("01900000-0000-7000-8000-000000000000", int64(0), uint8(3), uint8(1), false, "", uint16(0), uint8(0x80), int64(1<<62), uint8(255), "\xff")
	f.Add("x'; DROP TABLE events; --", int64(-62135596800000000), uint8(0), uint8(2), false, "' OR 1=1", uint16(40), uint8(255), int64(-1<<63), uint8(3), "")
	f.Add("é", int64(253402300799999999), uint8(1), uint8(3), true, "é", uint16(1000), uint8(16), int64(0), uint8(0), "ok-id")
	f.Fuzz(func(t *testing.T, id string, micros int64, prio, order uint8, desc bool, topic string,
		pos uint16, flip uint8, forgedMicros int64, forgedRank uint8, forgedID string,
	) {
		q := storage.ConversationQuery{
			Filter: storage.ConversationFilter{TopicContains: topic},
			Order:  storage.Order{Field: orders[int(order)%len(orders)], Desc: desc},
		}
		if q.Normalize() != nil {
			return // the topic is not valid text: covered by FuzzConversationQuery
		}
		// UpdatedAt is a microsecond later, and must still be a time of
		// int64 microseconds, as every stored time is.
		micros = min(micros, math.MaxInt64-1)
		at := time.UnixMicro(micros).UTC()
		c := &conversation.Conversation{ID: id, CreatedAt: at, UpdatedAt: at.Add(time.Microsecond), Priority: conversation.Priorities[int(prio)%4]}
		cursor := q.CursorAfter(c)

		// The round trip.
		want := storage.Keyset{ID: id}
		switch q.Order.Field {
		case storage.SortCreatedAt:
			want.Time = c.CreatedAt
		case storage.SortUpdatedAt:
			want.Time = c.UpdatedAt
		case storage.SortPriority:
			want.Rank = c.Priority.Rank()
		}
		q.Cursor = cursor
		ks, err := q.Keyset()
		if !cleanID(id) {
			// No store ever holds such an id; its cursor is refused.
			requireInvalid(t, err, "cursor")
		} else {
			if err != nil {
				t.Fatalf("a cursor made by CursorAfter is refused: %v", err)
			}
			if !ks.Time.Equal(want.Time) || ks.Rank != want.Rank || ks.ID != want.ID {
				t.Fatalf("cursor round trip:\n got %+v\nwant %+v", *ks, want)
			}
		}

		// One flipped bit anywhere.
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil {
			t.Fatalf("a cursor is not base64url: %v", err)
		}
		if flip != 0 {
			raw[int(pos)%len(raw)] ^= flip
			q.Cursor = base64.RawURLEncoding.EncodeToString(raw)
			_, err = q.Keyset()
			requireInvalid(t, err, "cursor")
		}
		// Cut short, or with something appended.
		for _, bad := range []string{cursor[:1+int(pos)%(len(cursor)-1)], cursor + "A", cursor + "=", "=" + cursor} {
			q.Cursor = bad
			_, err = q.Keyset()
			requireInvalid(t, err, "cursor")
		}

		// Another query: other filters, another order, or another kind of
		// list.
		other := q
		other.Filter.TopicContains += "x"
		other.Cursor = cursor
		_, err = other.Keyset()
		requireInvalid(t, err, "cursor")
		other = q
		other.Filter.TopicContains = topic
		other.Order.Desc = !other.Order.Desc
		other.Cursor = cursor
		_, err = other.Keyset()
		requireInvalid(t, err, "cursor")
		mq := storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Cursor: cursor}}
		_, err = mq.Keyset()
		requireInvalid(t, err, "cursor")
		tq := storage.TagQuery{Paging: storage.Paging{Cursor: cursor}}
		_, err = tq.Keyset()
		requireInvalid(t, err, "cursor")
		aq := storage.AgentQuery{Paging: storage.Paging{Cursor: cursor}}
		_, err = aq.Keyset()
		requireInvalid(t, err, "cursor")

		// Forged: a checksum anyone can compute.
		q.Cursor = forge(cursor, forgedMicros, forgedRank, forgedID)
		ks, err = q.Keyset()
		if err != nil {
			requireInvalid(t, err, "cursor")
		} else if !cleanID(ks.ID) {
			t.Fatalf("a forged cursor decoded to an id no store can take: %q", ks.ID)
		}

		// The other kinds of lists round-trip too.
		m := &message.Message{ID: id, CreatedAt: at}
		mq = storage.MessageQuery{ConversationID: "c1", Desc: desc}
		mq.Cursor = mq.CursorAfter(m)
		if ks, err := mq.Keyset(); cleanID(id) && (err != nil || ks.ID != id || !ks.Time.Equal(at)) {
			t.Fatalf("message cursor round trip: %+v, %v", ks, err)
		}
		tq = storage.TagQuery{Prefix: "v"}
		tq.Cursor = tq.CursorAfter(&tag.Tag{Name: id})
		if ks, err := tq.Keyset(); cleanID(id) && (err != nil || ks.ID != id) {
			t.Fatalf("tag cursor round trip: %+v, %v", ks, err)
		}
		qq := storage.QueueQuery{}
		qq.Cursor = qq.CursorAfter(&routing.Queue{ID: id})
		if ks, err := qq.Keyset(); cleanID(id) && (err != nil || ks.ID != id) {
			t.Fatalf("list cursor round trip: %+v, %v", ks, err)
		}
		aq = storage.AgentQuery{Paging: storage.Paging{Cursor: qq.Cursor}}
		if _, err := aq.Keyset(); err == nil {
			t.Fatal("a queue cursor was taken by the agent list")
		}
		// A text key round-trips beside the id.
		aq = storage.AgentQuery{Order: storage.Order{Field: storage.SortDisplayName, Desc: desc}}
		aq.Cursor = aq.CursorAfter(&routing.Agent{ID: id, DisplayName: topic})
		if ks, err := aq.Keyset(); cleanID(id) && cleanID(topic) && (err != nil || ks.ID != id || ks.Text != topic) {
			t.Fatalf("agent cursor round trip: %+v, %v", ks, err)
		}
	})
}

// FuzzMessageQuery normalises arbitrary message queries and decodes their
// cursors: no panic, refusals name a field of the query.
func FuzzMessageQuery(f *testing.F) {
	f.Add("c1", "m1,m2", "INBOUND", "SMS", true, 10, 0, "")
	f.Add("", "", "UP", "PIGEON", false, -1, -1, "AQ")
	f.Add("c\x00", "\xff", "", "", false, 1001, 1<<31, "x'; --")
	f.Fuzz(func(t *testing.T, conversationID, ids, direction, channel string, desc bool, limit, page int, cursor string) {
		q := storage.MessageQuery{
			ConversationID: conversationID, IDs: split(ids),
			Direction: message.Direction(direction), Channel: conversation.Channel(channel), Desc: desc,
			Paging: storage.Paging{Limit: limit, Page: page, Cursor: cursor},
		}
		if err := q.Normalize(); err != nil {
			requireInvalid(t, err, "conversationId", "ids", "direction", "channel", "limit", "page", "cursor")
			return
		}
		if _, err := q.Keyset(); err != nil {
			requireInvalid(t, err, "cursor")
		}
	})
}
