package routing

import (
	"maps"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/tag"
)

// Limits on routing rules.
const (
	MaxRules       = 1000
	MaxRuleNameLen = 255
	MaxListLen     = 100 // the most values in one list of a condition
)

// Match says how the parts of a condition combine.
type Match string

// The ways to combine a condition's parts. The zero value means MatchAll.
const (
	MatchAll Match = "all"
	MatchAny Match = "any"
)

// Condition tests a conversation. Each set part is one test; Match says
// whether all of them or any of them must hold. A condition with no part set
// matches every conversation.
type Condition struct {
	Match         Match
	Channels      []conversation.Channel  // the conversation's channel is one of these
	Priorities    []conversation.Priority // its priority is one of these
	TagsAny       []string                // it has at least one of these tags
	TagsAll       []string                // it has all of these tags
	CustomerID    string                  // its customer id equals this
	TopicContains string                  // its topic contains this, ignoring case
	Attributes    map[string]string       // each of these attributes has exactly this value
}

// Rule sends the conversations its condition matches to a queue, and may set
// their priority. Rules are evaluated in order; the first enabled match wins.
type Rule struct {
	ID        string
	Name      string
	QueueID   string
	Priority  conversation.Priority // "" leaves the conversation's priority as it is
	Disabled  bool                  // "enabled": false on the wire
	Condition Condition
	// WorkingHoursID, when set, makes the rule match only while those
	// working hours are inside (package schedule); the service leaves the
	// rule out of the evaluation otherwise.
	WorkingHoursID string
}

// Clone returns a deep copy.
func (r Rule) Clone() Rule {
	c := r.Condition
	c.Channels = slices.Clone(c.Channels)
	c.Priorities = slices.Clone(c.Priorities)
	c.TagsAny = slices.Clone(c.TagsAny)
	c.TagsAll = slices.Clone(c.TagsAll)
	c.Attributes = maps.Clone(c.Attributes)
	r.Condition = c
	return r
}

// Validate checks the rule; fields are named as in the request body, with
// prefix (such as "rules[2].") before them.
func (r Rule) Validate(prefix string) error {
	if err := fault.Identifier(prefix+"id", r.ID, MaxIDLen); err != nil {
		return err
	}
	if r.Name == "" {
		return fault.Invalid(prefix+"name", "is required")
	}
	if err := fault.Text(prefix+"name", r.Name, MaxRuleNameLen); err != nil {
		return err
	}
	if err := fault.Identifier(prefix+"queueId", r.QueueID, MaxIDLen); err != nil {
		return err
	}
	if r.Priority != "" && !r.Priority.Valid() {
		return fault.Invalid(prefix+"priority", "unknown value %q", r.Priority)
	}
	if err := optionalID(prefix+"workingHoursId", r.WorkingHoursID); err != nil {
		return err
	}
	return r.Condition.Validate(prefix + "condition.")
}

// Validate checks the condition; fields are named with prefix before them.
func (c Condition) Validate(prefix string) error {
	if c.Match != "" && c.Match != MatchAll && c.Match != MatchAny {
		return fault.Invalid(prefix+"match", "must be \"all\" or \"any\"")
	}
	lists := []struct {
		field string
		n     int
	}{{"channels", len(c.Channels)}, {"priorities", len(c.Priorities)}, {"tagsAny", len(c.TagsAny)}, {"tagsAll", len(c.TagsAll)}, {"attributes", len(c.Attributes)}}
	for _, l := range lists {
		if l.n > MaxListLen {
			return fault.Invalid(prefix+l.field, "more than %d values", MaxListLen)
		}
	}
	for _, ch := range c.Channels {
		if !ch.Valid() {
			return fault.Invalid(prefix+"channels", "unknown value %q", ch)
		}
	}
	for _, p := range c.Priorities {
		if !p.Valid() {
			return fault.Invalid(prefix+"priorities", "unknown value %q", p)
		}
	}
	for _, name := range c.TagsAny {
		if err := tag.ValidateNameField(prefix+"tagsAny", name); err != nil {
			return err
		}
	}
	for _, name := range c.TagsAll {
		if err := tag.ValidateNameField(prefix+"tagsAll", name); err != nil {
			return err
		}
	}
	if err := conversation.ValidateCustomerID(prefix+"customerId", c.CustomerID); err != nil {
		return err
	}
	if err := fault.Text(prefix+"topicContains", c.TopicContains, conversation.MaxTopicLen); err != nil {
		return err
	}
	// In key order, so that the same input always names the same field.
	for _, k := range slices.Sorted(maps.Keys(c.Attributes)) {
		if k == "" {
			return fault.Invalid(prefix+"attributes", "empty key")
		}
		if err := fault.Text(prefix+"attributes", k, conversation.MaxAttributeKeyLen); err != nil {
			return err
		}
		if err := fault.Text(prefix+"attributes."+k, c.Attributes[k], conversation.MaxAttributeValueLen); err != nil {
			return err
		}
	}
	return nil
}

// ValidateRules checks an ordered rule list: at most MaxRules rules, each
// valid, ids unique.
func ValidateRules(rules []Rule) error {
	if len(rules) > MaxRules {
		return fault.Invalid("rules", "more than %d rules", MaxRules)
	}
	seen := make(map[string]bool, len(rules))
	for i, r := range rules {
		prefix := "rules[" + strconv.Itoa(i) + "]."
		if err := r.Validate(prefix); err != nil {
			return err
		}
		if seen[r.ID] {
			return fault.Invalid(prefix+"id", "duplicate id %q", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}
