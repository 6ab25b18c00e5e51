package conversation

import (
	"fmt"
	"maps"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Patch is a partial update: nil fields are left as they are. An empty
// AgentID unassigns; an empty QueueID takes the conversation out of its
// queue. A non-nil Attributes replaces the whole map (an empty, non-nil map
// clears it).
type Patch struct {
	Topic      *string
	Summary    *string
	Status     *Status
	Priority   *Priority
	QueueID    *string
	AgentID    *string
	Channel    *Channel
	CustomerID *string
	Attributes map[string]string

	// IfVersion, when not zero, is the version the caller last saw; Apply
	// fails with ErrConflict when the conversation has moved on.
	IfVersion int64

	// PassOver, with an empty AgentID, says a person takes the conversation
	// off its assignee: Apply records that agent in PassedOver. An empty
	// AgentID without it (a route) clears PassedOver, as does any assignee.
	PassOver bool
}

// Empty reports whether the patch sets no field.
func (p Patch) Empty() bool {
	return p.Topic == nil && p.Summary == nil && p.Status == nil && p.Priority == nil &&
		p.QueueID == nil && p.AgentID == nil && p.Channel == nil && p.CustomerID == nil &&
		p.Attributes == nil
}

// Validate checks every field the patch sets.
func (p Patch) Validate() error {
	if p.Topic != nil {
		if err := fault.Text("topic", *p.Topic, MaxTopicLen); err != nil {
			return err
		}
	}
	if p.Summary != nil {
		if err := fault.Text("summary", *p.Summary, MaxSummaryLen); err != nil {
			return err
		}
	}
	if p.Status != nil && !p.Status.Valid() {
		return fault.Invalid("status", "unknown value %q", *p.Status)
	}
	if p.Priority != nil && !p.Priority.Valid() {
		return fault.Invalid("priority", "unknown value %q", *p.Priority)
	}
	if p.Channel != nil && !p.Channel.Valid() {
		return fault.Invalid("channel", "unknown value %q", *p.Channel)
	}
	if p.QueueID != nil {
		if err := optionalID("queueId", *p.QueueID); err != nil {
			return err
		}
	}
	if p.AgentID != nil {
		if err := optionalID("agentId", *p.AgentID); err != nil {
			return err
		}
	}
	if p.CustomerID != nil {
		if err := ValidateCustomerID("customerId", *p.CustomerID); err != nil {
			return err
		}
	}
	if p.IfVersion < 0 {
		return fault.Invalid("version", "must not be negative")
	}
	return ValidateAttributes(p.Attributes)
}

// Apply applies the patch to c at time now and returns what changed, in
// Diff's order, or nil when nothing did. It is where every change of a
// stored conversation is checked: ErrClosed when c is closed, ErrConflict
// when IfVersion is set and c is at another version, and CheckTransition
// for a new status. Version and UpdatedAt move on only when something
// changed. On error c is unchanged.
//
// p must have passed Validate: Apply does not check the fields again. The
// service validates once, before its transaction, so that bad input costs
// no round trip.
func (p Patch) Apply(c *Conversation, now time.Time) ([]FieldChange, error) {
	if err := c.CheckMutable(); err != nil {
		return nil, err
	}
	if p.IfVersion != 0 && p.IfVersion != c.Version {
		return nil, fmt.Errorf("conversation %q is at version %d, not %d: %w", c.ID, c.Version, p.IfVersion, fault.ErrConflict)
	}
	if p.Status != nil {
		if err := CheckTransition(c.Status, *p.Status); err != nil {
			return nil, err
		}
	}
	// A copy of the struct is enough to go back to: the attributes are
	// replaced below, never written into, and the tags are not touched.
	before := *c
	setIf(&c.Topic, p.Topic)
	setIf(&c.Summary, p.Summary)
	setIf(&c.Status, p.Status)
	setIf(&c.Priority, p.Priority)
	setIf(&c.AgentID, p.AgentID)
	switch {
	case p.AgentID == nil:
	case *p.AgentID == "" && p.PassOver:
		if before.AgentID != "" {
			c.PassedOver = before.AgentID
		}
	default:
		c.PassedOver = ""
	}
	setIf(&c.Channel, p.Channel)
	setIf(&c.CustomerID, p.CustomerID)
	if p.QueueID != nil && *p.QueueID != c.QueueID {
		c.QueueID = *p.QueueID
		c.QueuedAt = time.Time{}
		if c.QueueID != "" {
			c.QueuedAt = now
		}
	}
	if p.Attributes != nil && !maps.Equal(p.Attributes, c.Attributes) {
		c.Attributes = maps.Clone(p.Attributes)
		if len(c.Attributes) == 0 {
			c.Attributes = nil
		}
	}
	if c.Status == Closed {
		c.ClosedAt = now
	}
	diff := Diff(&before, c)
	if len(diff) == 0 {
		if c.PassedOver == before.PassedOver {
			*c = before
			return nil, nil
		}
		// Only PassedOver moved (a route releasing it): bookkeeping that
		// is written, but no change of the conversation's: no version,
		// no updatedAt, no event.
		return []FieldChange{}, nil
	}
	c.changed(now)
	return diff, nil
}

func setIf[T comparable](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
