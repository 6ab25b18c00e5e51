package routing

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley/conversation"
)

// Matches reports whether the condition holds for conversation c.
//
// Each part that is set (a non-empty list, map or string) is one test. Under
// MatchAny at least one test must pass; under MatchAll, the zero value, every
// test must pass (an unknown Match, which Validate refuses, also means all).
// A condition with no part set matches every conversation, under either
// match. The parts:
//
//   - Channels: the conversation's channel is one of them.
//   - Priorities: its priority is one of them.
//   - TagsAny: it has at least one of these tags.
//   - TagsAll: it has every one of these tags.
//   - CustomerID: its customer id equals it exactly.
//   - TopicContains: its topic contains it, ignoring case, as
//     conversation.TopicContains decides.
//   - Attributes: one test over the whole map; every key is present on the
//     conversation with exactly the given value (a missing key never equals
//     an empty value).
//
// A nil conv is read as a conversation with every field empty.
func (c Condition) Matches(conv *conversation.Conversation) bool {
	if conv == nil {
		conv = &conversation.Conversation{}
	}
	return c.matches(conv, &foldedTopic{topic: conv.Topic})
}

// matches is Matches on a non-nil conversation whose folded topic is kept
// in topic, so that a rule list folds it once rather than once per rule.
func (c *Condition) matches(conv *conversation.Conversation, topic *foldedTopic) bool {
	all := c.Match != MatchAny
	set := false
	for p := range partCount {
		ok, isSet := c.test(p, conv, topic)
		if !isSet {
			continue
		}
		set = true
		// Under all the first failing test decides; under any the first
		// passing one does.
		if ok != all {
			return ok
		}
	}
	return !set || all
}

// part names one test of a condition, in the order Matches runs them:
// cheap comparisons first, the topic search last.
type part int

const (
	partChannels part = iota
	partPriorities
	partCustomerID
	partTagsAny
	partTagsAll
	partAttributes
	partTopic
	partCount
)

// test runs one part of the condition on conv; set is false when the
// condition leaves that part empty.
func (c *Condition) test(p part, conv *conversation.Conversation, topic *foldedTopic) (ok, set bool) {
	switch p {
	case partChannels:
		return slices.Contains(c.Channels, conv.Channel), len(c.Channels) > 0
	case partPriorities:
		return slices.Contains(c.Priorities, conv.Priority), len(c.Priorities) > 0
	case partCustomerID:
		return conv.CustomerID == c.CustomerID, c.CustomerID != ""
	case partTagsAny:
		return slices.ContainsFunc(c.TagsAny, func(name string) bool {
			return slices.Contains(conv.Tags, name)
		}), len(c.TagsAny) > 0
	case partTagsAll:
		for _, name := range c.TagsAll {
			if !slices.Contains(conv.Tags, name) {
				return false, true
			}
		}
		return true, len(c.TagsAll) > 0
	case partAttributes:
		for k, want := range c.Attributes {
			if got, ok := conv.Attributes[k]; !ok || got != want {
				return false, true
			}
		}
		return true, len(c.Attributes) > 0
	case partTopic:
		if c.TopicContains == "" {
			return false, false
		}
		return topic.contains(c.TopicContains), true
	}
	return false, false
}

// foldedTopic is a conversation's topic, folded on first use. contains is
// conversation.TopicContains with the topic's folding done once: both fold
// topic and needle with conversation.FoldTopic.
type foldedTopic struct {
	topic  string
	folded string
	done   bool
}

func (t *foldedTopic) contains(needle string) bool {
	if !t.done {
		t.folded, t.done = conversation.FoldTopic(t.topic), true
	}
	return strings.Contains(t.folded, conversation.FoldTopic(needle))
}

// Decision is where the routing rules send a conversation.
type Decision struct {
	// QueueID is the queue the conversation goes to: the matching rule's
	// queue, else the default queue; "" when neither exists.
	QueueID string
	// Priority is the priority to set on the conversation; "" leaves it as
	// it is (no rule matched, or the rule sets none).
	Priority conversation.Priority
	// Matched is true when a rule matched; false means the default queue
	// (or no queue) was used.
	Matched bool
	// RuleID and RuleName name the rule that matched; both are "" when
	// none did.
	RuleID   string
	RuleName string
}

// Patch is the change routing by d makes to a conversation: it goes to
// QueueID (out of any queue when that is "") unassigned, for
// auto-assignment to pick its agent, and takes Priority when d has one.
func (d Decision) Patch() conversation.Patch {
	none, queueID := "", d.QueueID
	p := conversation.Patch{AgentID: &none, QueueID: &queueID}
	if d.Priority != "" {
		priority := d.Priority
		p.Priority = &priority
	}
	return p
}

// PriorityOf is the priority conversation c has once routed by d.
func (d Decision) PriorityOf(c *conversation.Conversation) conversation.Priority {
	if d.Priority != "" {
		return d.Priority
	}
	return c.Priority
}

// Evaluate runs the ordered rule list on conversation c. The first rule that
// is enabled and whose condition matches decides the queue and priority; with
// no such rule the conversation goes to defaultQueueID ("" for none) and its
// priority is left alone. Evaluate only decides: it changes nothing.
func Evaluate(rules []Rule, defaultQueueID string, c *conversation.Conversation) Decision {
	if c == nil {
		c = &conversation.Conversation{}
	}
	topic := &foldedTopic{topic: c.Topic}
	for i := range rules {
		r := &rules[i]
		if r.Disabled || !r.Condition.matches(c, topic) {
			continue
		}
		return Decision{
			QueueID:  r.QueueID,
			Priority: r.Priority,
			Matched:  true,
			RuleID:   r.ID,
			RuleName: r.Name,
		}
	}
	return Decision{QueueID: defaultQueueID}
}
