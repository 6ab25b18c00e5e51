package storage

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
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
	// ClosedAfter and ClosedBefore select closed conversations by their
	// closedAt; either one leaves out every conversation not closed.
	// ClosedAfter must come before ClosedBefore.
	ClosedAfter  time.Time
	ClosedBefore time.Time
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
	if err := checkRange("closedAfter", "closedBefore", f.ClosedAfter, f.ClosedBefore); err != nil {
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

// TagQuery is an ordered page of the tag catalog: all tags, the one named
// Name, those whose name starts with Prefix, or those of one conversation
// (the filters combine).
type TagQuery struct {
	Name           string
	Prefix         string
	ConversationID string
	Order          Order // zero value: by name (a tag's id); one of TagOrders
	Paging
}

// TagOrders returns the fields a tag list can be ordered by. A tag's id is its
// name, so SortID and SortName are the same order; a tag is never updated,
// so SortUpdatedAt is SortCreatedAt.
func TagOrders() []SortField { return []SortField{SortID, SortName, SortCreatedAt, SortUpdatedAt} }

// Normalize applies the defaults and checks every field.
func (q *TagQuery) Normalize() error {
	if err := normalizeOrder(&q.Order, TagOrders()); err != nil {
		return err
	}
	if q.Name != "" {
		if err := tag.ValidateNameField("name", q.Name); err != nil {
			return err
		}
	}
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

// The sort fields of the agent, queue and tag lists, beside SortID,
// SortCreatedAt and SortUpdatedAt. Text fields sort by their bytes (as Go
// compares strings); booleans sort false first. Every order is tie-broken
// by id in the same direction.
const (
	SortDisplayName    SortField = "displayName"    // agents
	SortStatus         SortField = "status"         // agents: the status name
	SortRole           SortField = "role"           // agents: the role name
	SortEnabled        SortField = "enabled"        // agents
	SortName           SortField = "name"           // queues and tags (a tag's name is its id)
	SortAutoAssignment SortField = "autoAssignment" // queues
	SortStickyAgent    SortField = "stickyAgent"    // queues
)

// DefaultIDOrder is the order of an agent, queue or tag list that names
// none: by id, ascending, as Infobip's lists are.
var DefaultIDOrder = Order{Field: SortID}

// AgentFilter selects agents. Every set field must hold (AND); the lists
// are any-of. Time bounds are half-open: After is inclusive, Before
// exclusive, and After must come before Before.
type AgentFilter struct {
	IDs                 []string
	QueueIDs            []string // agents that are members of any of these queues
	DisplayNameContains string   // case-insensitive substring of the display name (routing.FoldDisplayName)
	Statuses            []routing.AgentStatus
	Roles               []routing.Role
	Enabled             *bool // nil for both
	CreatedAfter        time.Time
	CreatedBefore       time.Time
	UpdatedAfter        time.Time
	UpdatedBefore       time.Time
}

// AgentQuery is a filtered, ordered page of agents.
type AgentQuery struct {
	Filter AgentFilter
	Order  Order // zero value: DefaultIDOrder; one of AgentOrders
	Paging
}

// AgentOrders returns the fields an agent list can be ordered by.
func AgentOrders() []SortField {
	return []SortField{SortID, SortDisplayName, SortStatus, SortRole, SortEnabled, SortCreatedAt, SortUpdatedAt}
}

// Normalize applies the defaults and checks every field.
func (q *AgentQuery) Normalize() error {
	if err := normalizeOrder(&q.Order, AgentOrders()); err != nil {
		return err
	}
	f := &q.Filter
	if err := checkIDs("agentIds", f.IDs); err != nil {
		return err
	}
	if err := checkIDs("queueIds", f.QueueIDs); err != nil {
		return err
	}
	if err := fault.Text("displayName", f.DisplayNameContains, routing.MaxDisplayNameLen); err != nil {
		return err
	}
	if err := checkList("status", f.Statuses, func(s routing.AgentStatus) error {
		if !s.Valid() {
			return fault.Invalid("status", "unknown value %q", s)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkList("role", f.Roles, func(r routing.Role) error {
		if !r.Valid() {
			return fault.Invalid("role", "unknown value %q", r)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := checkRange("createdAfter", "createdBefore", f.CreatedAfter, f.CreatedBefore); err != nil {
		return err
	}
	if err := checkRange("updatedAfter", "updatedBefore", f.UpdatedAfter, f.UpdatedBefore); err != nil {
		return err
	}
	return q.Paging.normalize()
}

// QueueFilter selects queues. Every set field must hold (AND).
type QueueFilter struct {
	IDs     []string // any of these ids
	AgentID string   // queues this agent is a member of
	Name    string   // the queue with this name (names are unique)
	// WorkingHoursID selects the queues that follow these working hours.
	WorkingHoursID string
}

// QueueQuery is a filtered, ordered page of queues.
type QueueQuery struct {
	Filter QueueFilter
	Order  Order // zero value: DefaultIDOrder; one of QueueOrders
	Paging
}

// QueueOrders returns the fields a queue list can be ordered by.
func QueueOrders() []SortField {
	return []SortField{SortID, SortName, SortAutoAssignment, SortStickyAgent, SortCreatedAt, SortUpdatedAt}
}

// Normalize applies the defaults and checks every field.
func (q *QueueQuery) Normalize() error {
	if err := normalizeOrder(&q.Order, QueueOrders()); err != nil {
		return err
	}
	f := &q.Filter
	if err := checkIDs("queueIds", f.IDs); err != nil {
		return err
	}
	if f.AgentID != "" {
		if err := fault.Identifier("agentId", f.AgentID, routing.MaxIDLen); err != nil {
			return err
		}
	}
	if err := fault.Text("name", f.Name, routing.MaxQueueNameLen); err != nil {
		return err
	}
	if f.WorkingHoursID != "" {
		if err := fault.Identifier("workingHoursId", f.WorkingHoursID, routing.MaxIDLen); err != nil {
			return err
		}
	}
	return q.Paging.normalize()
}

// normalizeOrder applies the default id order and refuses a field that is
// not one of fields.
func normalizeOrder(o *Order, fields []SortField) error {
	if o.Field == "" {
		o.Field = SortID
	}
	if !slices.Contains(fields, o.Field) {
		return fault.Invalid("orderBy", "unknown field %q", o.Field)
	}
	return nil
}

// checkIDs checks an any-of list of ids.
func checkIDs(field string, ids []string) error {
	return checkList(field, ids, func(s string) error { return fault.Identifier(field, s, routing.MaxIDLen) })
}

// checkRange refuses a time range that selects nothing: after not before
// before.
func checkRange(afterField, beforeField string, after, before time.Time) error {
	if !after.IsZero() && !before.IsZero() && !after.Before(before) {
		return fault.Invalid(beforeField, "must be later than %s", afterField)
	}
	return nil
}

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
