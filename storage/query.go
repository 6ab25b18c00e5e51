package storage

import (
	"math"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/tag"
)

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
	// MaxOffset bounds page × limit, so a huge page number is refused rather
	// than overflowing or scanning forever.
	MaxOffset = math.MaxInt32
	// MaxFilterValues bounds each any-of list of a filter.
	MaxFilterValues = 1000
)

// Paging selects one page of a list. There are two ways to page through the
// same order: Page (0-based) with Limit, which can also count the total, or
// Cursor, an opaque token from the previous page's NextCursor (keyset
// paging: every page costs the same, however deep). Giving both a Cursor and
// a Page other than 0 is ErrInvalid.
type Paging struct {
	Limit     int    // 0 means DefaultLimit; more than MaxLimit is ErrInvalid, not clamped
	Page      int    // 0-based page number; ignored with a cursor
	Cursor    string // where the previous page ended
	SkipTotal bool   // don't count the matching rows (counting costs a scan)
}

// normalize applies the default limit and checks the bounds.
func (p *Paging) normalize() error {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 0 || p.Limit > MaxLimit {
		return fault.Invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	if p.Page < 0 {
		return fault.Invalid("page", "must not be negative")
	}
	if p.Page > MaxOffset/p.Limit {
		return fault.Invalid("page", "too large")
	}
	if p.Cursor != "" && p.Page != 0 {
		return fault.Invalid("cursor", "cannot be combined with page")
	}
	return nil
}

// Offset is the number of rows before the page in page mode.
func (p Paging) Offset() int {
	if p.Cursor != "" {
		return 0
	}
	return p.Page * p.Limit
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Total      int    // all rows matching the filter; -1 when the query skipped the count
	NextCursor string // continues after the last item; "" on the last page
}

// SortField is a field a list can be ordered by.
type SortField string

// The sort fields of the conversation list. Every order is tie-broken by id
// in the same direction, so it is total.
const (
	SortCreatedAt SortField = "createdAt"
	SortUpdatedAt SortField = "updatedAt"
	SortPriority  SortField = "priority"
	SortID        SortField = "id"
)

// Order is a sort field and a direction.
type Order struct {
	Field SortField
	Desc  bool
}

// String renders the order as on the wire: "createdAt:desc".
func (o Order) String() string {
	if o.Desc {
		return string(o.Field) + ":desc"
	}
	return string(o.Field) + ":asc"
}

// DefaultConversationOrder is the order of a conversation list that names
// none: newest first.
var DefaultConversationOrder = Order{Field: SortCreatedAt, Desc: true}

// ConversationFilter selects conversations. Every set field must hold (AND);
// the lists are any-of, except Tags, which is all-of. Time bounds are
// half-open: After is inclusive, Before exclusive.
type ConversationFilter struct {
	IDs           []string
	Statuses      []conversation.Status
	Priorities    []conversation.Priority
	QueueIDs      []string
	AgentID       string // conversations assigned to this agent
	Unassigned    bool   // conversations with no assignee; excludes AgentID
	Channels      []conversation.Channel
	Sources       []conversation.Source
	Tags          []string // conversations that have every one of these tags
	CustomerID    string
	CreatedAfter  time.Time
	CreatedBefore time.Time
	UpdatedAfter  time.Time
	UpdatedBefore time.Time
	TopicContains string // case-insensitive substring of the topic (see conversation.FoldTopic)
}

// ConversationQuery is a filtered, ordered page of conversations.
type ConversationQuery struct {
	Filter ConversationFilter
	Order  Order // zero value: DefaultConversationOrder
	Paging
}

// Normalize applies the defaults and checks every field; stores call it
// first, and it is cheap to call again.
func (q *ConversationQuery) Normalize() error {
	if q.Order.Field == "" {
		q.Order = DefaultConversationOrder
	}
	switch q.Order.Field {
	case SortCreatedAt, SortUpdatedAt, SortPriority, SortID:
	default:
		return fault.Invalid("orderBy", "unknown field %q", q.Order.Field)
	}
	f := &q.Filter
	if err := checkList("ids", f.IDs, func(s string) error { return fault.Identifier("ids", s, conversation.MaxIDLen) }); err != nil {
		return err
	}
	if err := checkList("status", f.Statuses, func(s conversation.Status) error {
		if !s.Valid() {
			return fault.Invalid("status", "unknown value %q", s)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkList("priority", f.Priorities, func(p conversation.Priority) error {
		if !p.Valid() {
			return fault.Invalid("priority", "unknown value %q", p)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkList("queueIds", f.QueueIDs, func(s string) error { return fault.Identifier("queueIds", s, conversation.MaxIDLen) }); err != nil {
		return err
	}
	if f.AgentID != "" {
		if f.Unassigned {
			return fault.Invalid("agentId", "cannot ask for an agent and for unassigned at once")
		}
		if err := fault.Identifier("agentId", f.AgentID, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	if err := checkList("channel", f.Channels, func(c conversation.Channel) error {
		if !c.Valid() {
			return fault.Invalid("channel", "unknown value %q", c)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkList("source", f.Sources, func(s conversation.Source) error {
		if !s.Valid() {
			return fault.Invalid("source", "unknown value %q", s)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkList("tag", f.Tags, func(s string) error { return tag.ValidateNameField("tag", s) }); err != nil {
		return err
	}
	if err := conversation.ValidateCustomerID("customerId", f.CustomerID); err != nil {
		return err
	}
	if err := fault.Text("topic", f.TopicContains, conversation.MaxTopicLen); err != nil {
		return err
	}
	return q.Paging.normalize()
}

// MessageQuery is a filtered page of one conversation's messages,
// chronological unless Desc is set.
type MessageQuery struct {
	ConversationID string
	IDs            []string
	Direction      message.Direction // "" for both
	Channel        conversation.Channel
	CreatedAfter   time.Time // inclusive
	CreatedBefore  time.Time // exclusive
	PrivateOnly    bool      // only the private messages: the internal notes
	Desc           bool      // newest first
	Paging
}

// Order is the message order, by createdAt and then id.
func (q *MessageQuery) Order() Order { return Order{Field: SortCreatedAt, Desc: q.Desc} }

// Normalize applies the defaults and checks every field.
func (q *MessageQuery) Normalize() error {
	if err := fault.Identifier("conversationId", q.ConversationID, conversation.MaxIDLen); err != nil {
		return err
	}
	if err := checkList("ids", q.IDs, func(s string) error { return fault.Identifier("ids", s, message.MaxIDLen) }); err != nil {
		return err
	}
	if q.Direction != "" && !q.Direction.Valid() {
		return fault.Invalid("direction", "unknown value %q", q.Direction)
	}
	if q.Channel != "" && !q.Channel.Valid() {
		return fault.Invalid("channel", "unknown value %q", q.Channel)
	}
	return q.Paging.normalize()
}

// TagQuery is a page of the tag catalog in name order: all tags, those whose
// name starts with Prefix, or those of one conversation.
type TagQuery struct {
	Prefix         string
	ConversationID string
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *TagQuery) Normalize() error {
	if q.Prefix != "" {
		if err := tag.ValidateNameField("prefix", q.Prefix); err != nil {
			return err
		}
	}
	if q.ConversationID != "" {
		if err := fault.Identifier("conversationId", q.ConversationID, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	return q.Paging.normalize()
}

// ListQuery is a page of agents or queues in id order.
type ListQuery struct {
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *ListQuery) Normalize() error { return q.Paging.normalize() }

// CustomerFilter selects customers. Every set field must hold (AND).
type CustomerFilter struct {
	IDs          []string // any of these ids
	Email        string   // this email, ignoring case (customer.FoldEmail)
	Phone        string   // this phone number, by its digits (customer.FoldPhone)
	NameContains string   // case-insensitive substring of the name (customer.FoldName)
}

// CustomerQuery is a filtered page of customers, in id order.
type CustomerQuery struct {
	Filter CustomerFilter
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *CustomerQuery) Normalize() error {
	f := &q.Filter
	if err := checkList("ids", f.IDs, func(s string) error { return conversation.RequireCustomerID("ids", s) }); err != nil {
		return err
	}
	if err := fault.Text("email", f.Email, customer.MaxEmailLen); err != nil {
		return err
	}
	if err := fault.Text("phone", f.Phone, customer.MaxPhoneLen); err != nil {
		return err
	}
	if f.Phone != "" && strings.Trim(customer.FoldPhone(f.Phone), "+") == "" {
		// It would match the customers without a phone.
		return fault.Invalid("phone", "must have digits")
	}
	if err := fault.Text("name", f.NameContains, customer.MaxNameLen); err != nil {
		return err
	}
	return q.Paging.normalize()
}

// EventQuery reads the event log in seq order.
type EventQuery struct {
	After          int64  // only events with a greater seq
	ConversationID string // only this conversation's events, when set
	Limit          int    // 0 means DefaultLimit; at most MaxLimit
}

// Normalize applies the defaults and checks every field.
func (q *EventQuery) Normalize() error {
	if q.After < 0 {
		return fault.Invalid("after", "must not be negative")
	}
	if q.ConversationID != "" {
		if err := fault.Identifier("conversationId", q.ConversationID, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return fault.Invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	return nil
}

// WaitingQuery selects the conversations waiting in a queue for an agent:
// unassigned, OPEN or WAITING, in the queue; in serving order (URGENT first,
// then the longest waiting, then id).
type WaitingQuery struct {
	QueueID      string
	QueuedBefore time.Time // when set, only those that entered the queue before this time
	Limit        int       // 0 means DefaultLimit; at most MaxLimit
}

// Normalize applies the defaults and checks every field.
func (q *WaitingQuery) Normalize() error {
	if err := fault.Identifier("queueId", q.QueueID, conversation.MaxIDLen); err != nil {
		return err
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		return fault.Invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	return nil
}

func checkList[T any](field string, values []T, check func(T) error) error {
	if len(values) > MaxFilterValues {
		return fault.Invalid(field, "more than %d values", MaxFilterValues)
	}
	for _, v := range values {
		if err := check(v); err != nil {
			return err
		}
	}
	return nil
}
