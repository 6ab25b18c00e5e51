package conversation

import (
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

	// IfVersion, when not zero, is the version the caller last saw; the
	// update fails with ErrConflict when the conversation has moved on.
	IfVersion int64
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

// Apply validates the patch and applies it to c at time now. It fails with
// ErrClosed on a closed conversation and with ErrInvalid on a bad field; on
// error c is unchanged. It reports whether anything changed; only then are
// Version and UpdatedAt bumped. The version check (IfVersion) is the
// caller's, since it must be made against the stored row.
func (p Patch) Apply(c *Conversation, now time.Time) (changed bool, err error) {
	if err := c.CheckMutable(); err != nil {
		return false, err
	}
	if err := p.Validate(); err != nil {
		return false, err
	}
	if p.Status != nil {
		if err := CheckTransition(c.Status, *p.Status); err != nil {
			return false, err
		}
	}
	before := c.Clone()
	setIf(&c.Topic, p.Topic)
	setIf(&c.Summary, p.Summary)
	setIf(&c.Status, p.Status)
	setIf(&c.Priority, p.Priority)
	setIf(&c.AgentID, p.AgentID)
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
	if len(Diff(before, c)) == 0 {
		*c = *before
		return false, nil
	}
	c.Version++
	c.UpdatedAt = now
	return true, nil
}

func setIf[T comparable](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
