// Package conversation holds the Conversation type and its rules: the
// statuses, how they move and the sets other rules use, closed-is-immutable,
// versions, defaults, validation limits, patches, tags as changes, and the
// id and customer-id rules.
//
// The rules, each defined here once so that the service, every store and
// every transport share it:
//
//   - A new conversation defaults to status OPEN, priority NORMAL, channel
//     NO_CHANNEL and source API, version 1. The source says how it came in
//     (WIDGET, PHONE, API, EMAIL); whatever creates the conversation sets
//     it, and no patch changes it. A conversation that a customer's first
//     inbound message starts takes the source of its channel (SourceOf).
//   - The helpdesk vocabulary (open/pending/closed, low/medium/high/urgent,
//     email/chat/phone/whatsapp, widget/phone/api/email) is read by the
//     Parse functions beside parley's names, and each value's Alias gives
//     it back: the word where the vocabulary has one, parley's own name
//     where it has none (SOLVED, SMS, NO_CHANNEL). Parse(Alias(v)) is v
//     for every value, so a value shown in that vocabulary and sent back
//     never changes.
//   - OPEN, WAITING and SOLVED may move to each other freely and any of them
//     to CLOSED. CLOSED is terminal: Patch.Apply on a closed conversation
//     fails with ErrClosed and changes nothing.
//   - Every status but CLOSED is NotClosed: inbound threading appends to
//     the customer's newest conversation in one of them. OPEN and WAITING
//     are InProgress: they count against the assignee's capacity, and an
//     unassigned one in a queue waits for an agent.
//   - An INBOUND message moves a WAITING or SOLVED conversation back to
//     OPEN (ReopenOnInbound); the host may turn this off in the service.
//   - Closing sets ClosedAt. Every change bumps Version and UpdatedAt; a patch
//     that changes nothing bumps neither.
//   - A tag linked or unlinked (Tagged, Untagged) is a change of the
//     conversation too: it bumps Version and UpdatedAt. Tags are kept
//     sorted, each name once. The links themselves are the store's.
//   - A patch may carry the version its caller last saw (IfVersion): when
//     the conversation is at another, the patch is ErrConflict.
//   - A patch is checked in two steps: Patch.Validate checks its fields,
//     once, before any stored state is read; Patch.Apply, given the stored
//     conversation, checks closed-is-immutable, the version and the status
//     transition, and returns the change it made (Diff), which is what the
//     events record.
//   - Text limits count runes; invalid UTF-8 and NUL bytes are ErrInvalid, so
//     no store ever sees them. Every entity id, of any package, is at most
//     MaxIDLen runes with no control characters.
//   - A customer id is an id (ValidateCustomerID): no control characters, at
//     most MaxCustomerIDLen runes. A conversation may have none; an INBOUND
//     message needs one to be threaded by (RequireCustomerID). Create,
//     update, inbound threading and routing conditions all use this rule,
//     so a conversation's customer can always write in.
//
// The package does no I/O. Checks that need stored state (does the queue
// exist, is the agent enabled) belong to the service in the root package.
package conversation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Validation limits, counted in runes.
const (
	MaxIDLen             = 255 // every entity id: conversations, messages, agents, queues, rules
	MaxTopicLen          = 1000
	MaxSummaryLen        = 4000
	MaxCustomerIDLen     = 255
	MaxAttributes        = 50
	MaxAttributeKeyLen   = 100
	MaxAttributeValueLen = 1000
)

// Conversation is a thread of messages between a customer and agents.
type Conversation struct {
	ID         string
	Topic      string
	Summary    string
	Status     Status
	Priority   Priority
	QueueID    string // "" when in no queue
	AgentID    string // the assignee; "" when unassigned
	Channel    Channel
	Source     Source // how it came in; set on create, never changed
	CustomerID string
	Attributes map[string]string
	Tags       []string // tag names, sorted, each once (SortedTags); changed through Tagged and Untagged
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time // zero until closed
	QueuedAt   time.Time // when it entered its current queue; zero when in none
	Version    int64

	// PassedOver is the agent a person took the conversation off (an
	// unassign, a transfer to a queue): automatic assignment passes that
	// agent over, so the conversation is not handed straight back, and it
	// waits for another agent. It is cleared when the conversation is
	// assigned again or routed (a route may give it to any eligible agent).
	// It is not on the wire and records no event field.
	PassedOver string
}

// Clone returns a deep copy: changing the copy never changes c.
func (c *Conversation) Clone() *Conversation {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Attributes = maps.Clone(c.Attributes)
	cp.Tags = slices.Clone(c.Tags)
	return &cp
}

// Assigned reports whether the conversation has an assignee.
func (c *Conversation) Assigned() bool { return c.AgentID != "" }

// New builds a conversation from the caller's input: it applies the
// defaults, checks every field, and stamps id, times and version 1. The
// input's own ID wins over id when set. Tags, times and version in the input
// are ignored: tags are added through the tag operations.
func New(in Conversation, id string, now time.Time) (*Conversation, error) {
	c := &Conversation{
		ID:         in.ID,
		Topic:      in.Topic,
		Summary:    in.Summary,
		Status:     in.Status,
		Priority:   in.Priority,
		QueueID:    in.QueueID,
		AgentID:    in.AgentID,
		Channel:    in.Channel,
		Source:     in.Source,
		CustomerID: in.CustomerID,
		Attributes: maps.Clone(in.Attributes),
		CreatedAt:  now,
		UpdatedAt:  now,
		Version:    1,
	}
	if c.ID == "" {
		c.ID = id
	}
	if len(c.Attributes) == 0 {
		// No attributes is nil, as Patch.Apply leaves it, so every store
		// reads back what was written.
		c.Attributes = nil
	}
	if c.Status == "" {
		c.Status = Open
	}
	if c.Priority == "" {
		c.Priority = Normal
	}
	if c.Channel == "" {
		c.Channel = NoChannel
	}
	if c.Source == "" {
		c.Source = SourceAPI
	}
	if c.Status == Closed {
		c.ClosedAt = now
	}
	if c.QueueID != "" {
		c.QueuedAt = now
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks every field against the limits and enums.
func (c *Conversation) Validate() error {
	if err := fault.Identifier("id", c.ID, MaxIDLen); err != nil {
		return err
	}
	if err := fault.Text("topic", c.Topic, MaxTopicLen); err != nil {
		return err
	}
	if err := fault.Text("summary", c.Summary, MaxSummaryLen); err != nil {
		return err
	}
	if !c.Status.Valid() {
		return fault.Invalid("status", "unknown value %q", c.Status)
	}
	if !c.Priority.Valid() {
		return fault.Invalid("priority", "unknown value %q", c.Priority)
	}
	if !c.Channel.Valid() {
		return fault.Invalid("channel", "unknown value %q", c.Channel)
	}
	if !c.Source.Valid() {
		return fault.Invalid("source", "unknown value %q", c.Source)
	}
	if err := optionalID("queueId", c.QueueID); err != nil {
		return err
	}
	if err := optionalID("agentId", c.AgentID); err != nil {
		return err
	}
	if err := ValidateCustomerID("customerId", c.CustomerID); err != nil {
		return err
	}
	return ValidateAttributes(c.Attributes)
}

// ValidateCustomerID checks a customer id, naming field in the error: at
// most MaxCustomerIDLen runes of valid UTF-8 with no NUL or other control
// character, like every id. Empty is allowed: a conversation need not have
// a customer. The same rule holds wherever a customer id is taken, so that
// a conversation's customer can always be threaded into (RequireCustomerID).
func ValidateCustomerID(field, id string) error {
	if id == "" {
		return nil
	}
	return fault.Identifier(field, id, MaxCustomerIDLen)
}

// RequireCustomerID is ValidateCustomerID for a customer id that must be
// given: an INBOUND message is threaded by its customer.
func RequireCustomerID(field, id string) error {
	if id == "" {
		return fault.Invalid(field, "must not be empty")
	}
	return ValidateCustomerID(field, id)
}

// ValidateAttributes checks the attribute map: at most MaxAttributes keys,
// non-empty keys of at most MaxAttributeKeyLen runes, values of at most
// MaxAttributeValueLen runes.
func ValidateAttributes(attrs map[string]string) error {
	if len(attrs) > MaxAttributes {
		return fault.Invalid("attributes", "more than %d keys", MaxAttributes)
	}
	for k, v := range attrs {
		if validateAttribute(k, v) != nil {
			// Report the first bad attribute in key order, so that the
			// same input always names the same field.
			for _, k := range slices.Sorted(maps.Keys(attrs)) {
				if err := validateAttribute(k, attrs[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func validateAttribute(k, v string) error {
	if k == "" {
		return fault.Invalid("attributes", "empty key")
	}
	if err := fault.Text("attributes", k, MaxAttributeKeyLen); err != nil {
		return fault.Invalid("attributes", "key: %s", err.(*fault.FieldError).Reason)
	}
	return fault.Text("attributes."+k, v, MaxAttributeValueLen)
}

func optionalID(field, id string) error {
	if id == "" {
		return nil
	}
	return fault.Identifier(field, id, MaxIDLen)
}

// CheckTransition says whether a conversation in status from may move to
// status to: ErrClosed when from is CLOSED, ErrInvalid when to is unknown.
// Moving to the same status is allowed (and changes nothing).
func CheckTransition(from, to Status) error {
	if !to.Valid() {
		return fault.Invalid("status", "unknown value %q", to)
	}
	if from == Closed {
		return fmt.Errorf("status %s to %s: %w", from, to, fault.ErrClosed)
	}
	return nil
}

// CheckMutable returns ErrClosed when the conversation is closed: a closed
// conversation accepts no change of any kind.
func (c *Conversation) CheckMutable() error {
	if c.Status == Closed {
		return fmt.Errorf("conversation %q: %w", c.ID, fault.ErrClosed)
	}
	return nil
}

// FoldTopic is the case folding under which "topic contains" matches: both
// the topic and the needle are folded with it. Stores that search in SQL
// store the folded topic beside the topic, so every store agrees with
// TopicContains.
func FoldTopic(s string) string { return strings.ToLower(s) }

// TopicContains reports whether topic contains needle, ignoring case.
func TopicContains(topic, needle string) bool {
	return strings.Contains(FoldTopic(topic), FoldTopic(needle))
}
