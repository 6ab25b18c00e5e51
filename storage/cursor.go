package storage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/tag"
)

// Keyset is a decoded cursor: the sort key and id of the last row of the
// previous page. The next page holds the rows strictly after it in the
// query's order.
type Keyset struct {
	Time time.Time // the sort key when the order is by a time
	Rank int       // the sort key when the order is by priority (conversation.Priority.Rank) or a boolean (0 or 1)
	Text string    // the sort key when the order is by a text (an agent's display name, a queue's name)
	ID   string    // the last row's id (a tag's name for tags): the tie-break, and the key of an id order
}

// Cursors are opaque to callers: a version byte, a fingerprint of the query
// they belong to, the keyset, and a checksum over all of it, in base64url.
// They are not secret; the checksum catches a tampered or truncated cursor
// and the fingerprint one from another query (other filters or order), so
// both are ErrInvalid instead of a silently wrong page.
const cursorVersion = 1

// cursorVersionText is the layout of a cursor whose keyset has a Text: the
// version 1 header, the text's length as a uvarint and the text, then the
// id. A keyset without one is written in version 1, so that the cursors of
// the lists that never sort by a text are what they always were.
const cursorVersionText = 2

// fingerprint hashes the parts of a query that define its row order and
// membership: its kind, filters and order. Limit and page are left out, so
// a caller may change the page size while paging. Any-of lists are sorted
// first, as their order means nothing.
type fingerprint struct{ b bytes.Buffer }

func newFingerprint(kind string) *fingerprint {
	f := &fingerprint{}
	f.str(kind)
	return f
}

func (f *fingerprint) str(s string) {
	f.b.WriteString(s)
	f.b.WriteByte(0)
}

func (f *fingerprint) list(ss []string) {
	sorted := slices.Clone(ss)
	slices.Sort(sorted)
	f.str(strings.Join(sorted, "\x01"))
}

func (f *fingerprint) time(t time.Time) {
	if t.IsZero() {
		f.str("")
		return
	}
	f.str(t.UTC().Format(time.RFC3339Nano))
}

func (f *fingerprint) sum() [8]byte {
	h := sha256.Sum256(f.b.Bytes())
	return [8]byte(h[:8])
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func encodeCursor(fp [8]byte, k Keyset) string {
	var b []byte
	version := byte(cursorVersion)
	if k.Text != "" {
		version = cursorVersionText
	}
	b = append(b, version)
	b = append(b, fp[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(k.Time.UnixMicro()))
	b = append(b, byte(k.Rank))
	if version == cursorVersionText {
		b = binary.AppendUvarint(b, uint64(len(k.Text)))
		b = append(b, k.Text...)
	}
	b = append(b, k.ID...)
	sum := sha256.Sum256(b)
	b = append(b, sum[:8]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

const cursorHeader = 1 + 8 + 8 + 1

// decodeCursor checks a cursor against the fingerprint of the query it is
// used with and returns its keyset. timed says whether the query orders by
// a time, and so whether the keyset has one: every time is decoded as it
// is, the Unix epoch (0) included. An id that no store can hold (invalid
// UTF-8, a NUL byte) can only come from a forged cursor, since the checksum
// catches accidents but not intent; it is refused here so that it never
// reaches a store.
func decodeCursor(fp [8]byte, s string, timed bool) (*Keyset, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < cursorHeader+8 {
		return nil, fault.Invalid("cursor", "malformed")
	}
	body, sum := b[:len(b)-8], b[len(b)-8:]
	want := sha256.Sum256(body)
	if !bytes.Equal(sum, want[:8]) || (body[0] != cursorVersion && body[0] != cursorVersionText) {
		return nil, fault.Invalid("cursor", "malformed")
	}
	if !bytes.Equal(body[1:9], fp[:]) {
		return nil, fault.Invalid("cursor", "belongs to another query")
	}
	k := &Keyset{Rank: int(body[17])}
	rest := body[cursorHeader:]
	if body[0] == cursorVersionText {
		n, size := binary.Uvarint(rest)
		if size <= 0 || n > uint64(len(rest)-size) {
			return nil, fault.Invalid("cursor", "malformed")
		}
		k.Text = string(rest[size : size+int(n)])
		rest = rest[size+int(n):]
	}
	k.ID = string(rest)
	for _, s := range []string{k.ID, k.Text} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return nil, fault.Invalid("cursor", "malformed")
		}
	}
	if timed {
		k.Time = time.UnixMicro(int64(binary.BigEndian.Uint64(body[9:17]))).UTC()
	}
	return k, nil
}

func (q *ConversationQuery) fingerprint() [8]byte {
	f := newFingerprint("conversations")
	fl := q.Filter
	f.list(fl.IDs)
	f.list(strs(fl.Statuses))
	f.list(strs(fl.Priorities))
	f.list(fl.QueueIDs)
	f.str(fl.AgentID)
	if fl.Unassigned {
		f.str("unassigned")
	} else {
		f.str("")
	}
	f.list(strs(fl.Channels))
	f.list(fl.Tags)
	f.str(fl.CustomerID)
	f.time(fl.CreatedAfter)
	f.time(fl.CreatedBefore)
	f.time(fl.UpdatedAfter)
	f.time(fl.UpdatedBefore)
	f.str(fl.TopicContains)
	f.str(q.Order.String())
	if len(fl.Sources) > 0 {
		// Last, and only when set: the cursors of queries that name no
		// source are what they were before there were sources.
		f.list(strs(fl.Sources))
	}
	if !fl.ClosedAfter.IsZero() || !fl.ClosedBefore.IsZero() {
		// Likewise.
		f.str("closed")
		f.time(fl.ClosedAfter)
		f.time(fl.ClosedBefore)
	}
	return f.sum()
}

// Keyset decodes the query's cursor; it returns nil when there is none and
// ErrInvalid when the cursor is malformed or belongs to another query. Call
// it after Normalize.
func (q *ConversationQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	timed := q.Order.Field == SortCreatedAt || q.Order.Field == SortUpdatedAt
	return decodeCursor(q.fingerprint(), q.Cursor, timed)
}

// CursorAfter returns the cursor of the page that follows c.
func (q *ConversationQuery) CursorAfter(c *conversation.Conversation) string {
	k := Keyset{ID: c.ID}
	switch q.Order.Field {
	case SortCreatedAt:
		k.Time = c.CreatedAt
	case SortUpdatedAt:
		k.Time = c.UpdatedAt
	case SortPriority:
		k.Rank = c.Priority.Rank()
	}
	return encodeCursor(q.fingerprint(), k)
}

func (q *MessageQuery) fingerprint() [8]byte {
	f := newFingerprint("messages")
	f.str(q.ConversationID)
	f.list(q.IDs)
	f.str(string(q.Direction))
	f.str(string(q.Channel))
	f.time(q.CreatedAfter)
	f.time(q.CreatedBefore)
	if q.PrivateOnly {
		f.str("private")
	}
	f.str(q.Order().String())
	return f.sum()
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset).
func (q *MessageQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, true)
}

// CursorAfter returns the cursor of the page that follows m.
func (q *MessageQuery) CursorAfter(m *message.Message) string {
	return encodeCursor(q.fingerprint(), Keyset{Time: m.CreatedAt, ID: m.ID})
}

func (q *TagQuery) fingerprint() [8]byte {
	f := newFingerprint("tags")
	f.str(q.Prefix)
	f.str(q.ConversationID)
	if q.Name != "" || orderOrID(q.Order) != DefaultIDOrder {
		// Only when set: the cursors of the name order without a name
		// are what they were before tags had other orders.
		f.str(q.Name)
		f.str(q.Order.String())
	}
	return f.sum()
}

// orderOrID is o, or DefaultIDOrder for the zero order (a query not yet
// normalized).
func orderOrID(o Order) Order {
	if o.Field == "" {
		return DefaultIDOrder
	}
	return o
}

// tagTimed reports whether the tag order is by a time.
func (q *TagQuery) tagTimed() bool {
	return q.Order.Field == SortCreatedAt || q.Order.Field == SortUpdatedAt
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset); its ID
// is the last tag's name. Call it after Normalize.
func (q *TagQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, q.tagTimed())
}

// CursorAfter returns the cursor of the page that follows t.
func (q *TagQuery) CursorAfter(t *tag.Tag) string {
	return encodeCursor(q.fingerprint(), TagKey(q.Order.Field, t))
}

// TagKey is a tag's position in an order by field (one of TagOrders): its
// creation time for a time order, and its name, the tie-break.
func TagKey(field SortField, t *tag.Tag) Keyset {
	k := Keyset{ID: t.Name}
	if field == SortCreatedAt || field == SortUpdatedAt {
		k.Time = t.CreatedAt
	}
	return k
}

func (q *AgentQuery) fingerprint() [8]byte {
	f := newFingerprint(KindAgents)
	if orderOrID(q.Order) == DefaultIDOrder && q.Filter.isZero() {
		// The cursors of an unfiltered id order are what they were
		// before agents had filters and orders.
		return f.sum()
	}
	fl := q.Filter
	f.list(fl.IDs)
	f.list(fl.QueueIDs)
	f.str(routing.FoldDisplayName(fl.DisplayNameContains))
	f.list(strs(fl.Statuses))
	f.list(strs(fl.Roles))
	switch {
	case fl.Enabled == nil:
		f.str("")
	case *fl.Enabled:
		f.str("enabled")
	default:
		f.str("disabled")
	}
	f.time(fl.CreatedAfter)
	f.time(fl.CreatedBefore)
	f.time(fl.UpdatedAfter)
	f.time(fl.UpdatedBefore)
	f.str(q.Order.String())
	return f.sum()
}

func (f *AgentFilter) isZero() bool {
	return len(f.IDs) == 0 && len(f.QueueIDs) == 0 && f.DisplayNameContains == "" &&
		len(f.Statuses) == 0 && len(f.Roles) == 0 && f.Enabled == nil &&
		f.CreatedAfter.IsZero() && f.CreatedBefore.IsZero() && f.UpdatedAfter.IsZero() && f.UpdatedBefore.IsZero()
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset). Call
// it after Normalize.
func (q *AgentQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, q.Order.Field == SortCreatedAt || q.Order.Field == SortUpdatedAt)
}

// CursorAfter returns the cursor of the page that follows a.
func (q *AgentQuery) CursorAfter(a *routing.Agent) string {
	return encodeCursor(q.fingerprint(), AgentKey(q.Order.Field, a))
}

// AgentKey is an agent's position in an order by field (one of
// AgentOrders): its key and its id.
func AgentKey(field SortField, a *routing.Agent) Keyset {
	k := Keyset{ID: a.ID}
	switch field {
	case SortDisplayName:
		k.Text = a.DisplayName
	case SortStatus:
		k.Text = string(a.Status)
	case SortRole:
		k.Text = string(a.Role)
	case SortEnabled:
		if !a.Disabled {
			k.Rank = 1
		}
	case SortCreatedAt:
		k.Time = a.CreatedAt
	case SortUpdatedAt:
		k.Time = a.UpdatedAt
	}
	return k
}

func (q *QueueQuery) fingerprint() [8]byte {
	f := newFingerprint(KindQueues)
	fl := q.Filter
	if orderOrID(q.Order) == DefaultIDOrder && len(fl.IDs) == 0 && fl.AgentID == "" && fl.Name == "" && fl.WorkingHoursID == "" {
		// As for agents.
		return f.sum()
	}
	f.list(fl.IDs)
	f.str(fl.AgentID)
	f.str(fl.Name)
	if fl.WorkingHoursID != "" {
		// Only when set, so that the cursors of the other filters stay
		// as they were.
		f.str("workingHoursId=" + fl.WorkingHoursID)
	}
	f.str(q.Order.String())
	return f.sum()
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset). Call
// it after Normalize.
func (q *QueueQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, q.Order.Field == SortCreatedAt || q.Order.Field == SortUpdatedAt)
}

// CursorAfter returns the cursor of the page that follows qu.
func (q *QueueQuery) CursorAfter(qu *routing.Queue) string {
	return encodeCursor(q.fingerprint(), QueueKey(q.Order.Field, qu))
}

// QueueKey is a queue's position in an order by field (one of
// QueueOrders): its key and its id.
func QueueKey(field SortField, q *routing.Queue) Keyset {
	k := Keyset{ID: q.ID}
	switch field {
	case SortName:
		k.Text = q.Name
	case SortAutoAssignment:
		if q.AutoAssignment {
			k.Rank = 1
		}
	case SortStickyAgent:
		if q.StickyAgent {
			k.Rank = 1
		}
	case SortCreatedAt:
		k.Time = q.CreatedAt
	case SortUpdatedAt:
		k.Time = q.UpdatedAt
	}
	return k
}

func (q *CustomerQuery) fingerprint() [8]byte {
	f := newFingerprint(KindCustomers)
	f.list(q.Filter.IDs)
	f.str(customer.FoldEmail(q.Filter.Email))
	f.str(customer.FoldPhone(q.Filter.Phone))
	f.str(customer.FoldName(q.Filter.NameContains))
	return f.sum()
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset); its ID
// is the last customer's id.
func (q *CustomerQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, false)
}

// CursorAfter returns the cursor of the page that follows c.
func (q *CustomerQuery) CursorAfter(c *customer.Customer) string {
	return encodeCursor(q.fingerprint(), Keyset{ID: c.ID})
}
