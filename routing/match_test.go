package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// sample is the conversation the condition tables test against.
func sample() *conversation.Conversation {
	return &conversation.Conversation{
		ID:         "c1",
		Topic:      "Refund for Order 42",
		Status:     conversation.Open,
		Priority:   conversation.High,
		Channel:    conversation.WhatsApp,
		CustomerID: "cust-7",
		Attributes: map[string]string{"lang": "de", "tier": "gold", "note": ""},
		Tags:       []string{"billing", "vip"},
	}
}

func TestConditionMatchesEachPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cond routing.Condition
		want bool
	}{
		{"empty", routing.Condition{}, true},
		{"empty under any", routing.Condition{Match: routing.MatchAny}, true},
		{"empty lists and maps", routing.Condition{Channels: []conversation.Channel{}, Attributes: map[string]string{}}, true},

		{"channel in, one", routing.Condition{Channels: []conversation.Channel{conversation.WhatsApp}}, true},
		{"channel in, several", routing.Condition{Channels: []conversation.Channel{conversation.SMS, conversation.WhatsApp}}, true},
		{"channel not in", routing.Condition{Channels: []conversation.Channel{conversation.SMS, conversation.Email}}, false},

		{"priority in", routing.Condition{Priorities: []conversation.Priority{conversation.Urgent, conversation.High}}, true},
		{"priority not in", routing.Condition{Priorities: []conversation.Priority{conversation.Low, conversation.Normal}}, false},

		{"tags any, one present", routing.Condition{TagsAny: []string{"spam", "vip"}}, true},
		{"tags any, none present", routing.Condition{TagsAny: []string{"spam", "sales"}}, false},
		{"tags any is case-sensitive", routing.Condition{TagsAny: []string{"VIP"}}, false},

		{"tags all, all present", routing.Condition{TagsAll: []string{"vip", "billing"}}, true},
		{"tags all, one missing", routing.Condition{TagsAll: []string{"vip", "sales"}}, false},

		{"customer equals", routing.Condition{CustomerID: "cust-7"}, true},
		{"customer differs", routing.Condition{CustomerID: "cust-8"}, false},
		{"customer is exact", routing.Condition{CustomerID: "CUST-7"}, false},

		{"topic contains", routing.Condition{TopicContains: "refund"}, true},
		{"topic contains, ignoring case", routing.Condition{TopicContains: "ORDER 4"}, true},
		{"topic does not contain", routing.Condition{TopicContains: "invoice"}, false},

		{"attribute equals", routing.Condition{Attributes: map[string]string{"lang": "de"}}, true},
		{"attributes all equal", routing.Condition{Attributes: map[string]string{"lang": "de", "tier": "gold"}}, true},
		{"attribute differs", routing.Condition{Attributes: map[string]string{"lang": "en"}}, false},
		{"one attribute of two differs", routing.Condition{Attributes: map[string]string{"lang": "de", "tier": "silver"}}, false},
		{"attribute value is case-sensitive", routing.Condition{Attributes: map[string]string{"lang": "DE"}}, false},
		{"attribute missing", routing.Condition{Attributes: map[string]string{"region": "eu"}}, false},
		{"empty value matches a present empty value", routing.Condition{Attributes: map[string]string{"note": ""}}, true},
		{"empty value does not match a missing key", routing.Condition{Attributes: map[string]string{"region": ""}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.cond.Matches(sample()))
			// A single part decides alone under either match.
			anyCond := tt.cond
			anyCond.Match = routing.MatchAny
			require.Equal(t, tt.want, anyCond.Matches(sample()), "under any")
		})
	}
}

func TestConditionMatchesCombined(t *testing.T) {
	t.Parallel()
	yesChannel := []conversation.Channel{conversation.WhatsApp}
	noChannel := []conversation.Channel{conversation.SMS}
	tests := []struct {
		name string
		cond routing.Condition
		want bool
	}{
		{"all: every part holds", routing.Condition{
			Channels: yesChannel, Priorities: []conversation.Priority{conversation.High},
			TagsAny: []string{"vip"}, TagsAll: []string{"billing"}, CustomerID: "cust-7",
			TopicContains: "refund", Attributes: map[string]string{"tier": "gold"},
		}, true},
		{"all: one part fails", routing.Condition{
			Channels: yesChannel, Priorities: []conversation.Priority{conversation.High},
			TagsAny: []string{"vip"}, TagsAll: []string{"billing"}, CustomerID: "cust-7",
			TopicContains: "invoice", Attributes: map[string]string{"tier": "gold"},
		}, false},
		{"explicit all: one part fails", routing.Condition{Match: routing.MatchAll, Channels: noChannel, CustomerID: "cust-7"}, false},
		{"explicit all: both hold", routing.Condition{Match: routing.MatchAll, Channels: yesChannel, CustomerID: "cust-7"}, true},
		{"any: only the last part holds", routing.Condition{
			Match: routing.MatchAny, Channels: noChannel, Priorities: []conversation.Priority{conversation.Low},
			TagsAny: []string{"spam"}, TagsAll: []string{"vip", "sales"}, CustomerID: "cust-8",
			TopicContains: "invoice", Attributes: map[string]string{"tier": "gold"},
		}, true},
		{"any: only the topic holds", routing.Condition{
			Match: routing.MatchAny, Channels: noChannel, TopicContains: "REFUND",
		}, true},
		{"any: no part holds", routing.Condition{
			Match: routing.MatchAny, Channels: noChannel, Priorities: []conversation.Priority{conversation.Low},
			TagsAny: []string{"spam"}, TagsAll: []string{"vip", "sales"}, CustomerID: "cust-8",
			TopicContains: "invoice", Attributes: map[string]string{"tier": "silver"},
		}, false},
		{"any: every part holds", routing.Condition{
			Match: routing.MatchAny, Channels: yesChannel, CustomerID: "cust-7",
		}, true},
		{"unknown match reads as all", routing.Condition{Match: "some", Channels: yesChannel, CustomerID: "cust-8"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.cond.Matches(sample()))
		})
	}
}

func TestConditionMatchesEmptyConversation(t *testing.T) {
	t.Parallel()
	for _, c := range []*conversation.Conversation{nil, {}} {
		require.True(t, routing.Condition{}.Matches(c))
		require.False(t, routing.Condition{TagsAll: []string{"vip"}}.Matches(c))
		require.False(t, routing.Condition{Attributes: map[string]string{"k": ""}}.Matches(c))
		require.True(t, routing.Condition{TopicContains: ""}.Matches(c))
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	whatsapp := routing.Condition{Channels: []conversation.Channel{conversation.WhatsApp}}
	vip := routing.Condition{TagsAny: []string{"vip"}}
	sms := routing.Condition{Channels: []conversation.Channel{conversation.SMS}}
	rule := func(id, queue string, prio conversation.Priority, cond routing.Condition) routing.Rule {
		return routing.Rule{ID: id, Name: "rule " + id, QueueID: queue, Priority: prio, Condition: cond}
	}
	disabled := func(r routing.Rule) routing.Rule { r.Disabled = true; return r }

	tests := []struct {
		name         string
		rules        []routing.Rule
		defaultQueue string
		want         routing.Decision
	}{
		{
			name:  "first match wins",
			rules: []routing.Rule{rule("r1", "q-sms", "", sms), rule("r2", "q-wa", conversation.Urgent, whatsapp), rule("r3", "q-vip", conversation.Low, vip)},
			want:  routing.Decision{QueueID: "q-wa", Priority: conversation.Urgent, Matched: true, RuleID: "r2", RuleName: "rule r2"},
		},
		{
			name:         "a disabled rule is skipped",
			rules:        []routing.Rule{disabled(rule("r1", "q-wa", conversation.Urgent, whatsapp)), rule("r2", "q-vip", "", vip)},
			defaultQueue: "q-default",
			want:         routing.Decision{QueueID: "q-vip", Matched: true, RuleID: "r2", RuleName: "rule r2"},
		},
		{
			name:  "an empty condition matches",
			rules: []routing.Rule{rule("r1", "q-sms", "", sms), rule("catch-all", "q-all", conversation.Normal, routing.Condition{})},
			want:  routing.Decision{QueueID: "q-all", Priority: conversation.Normal, Matched: true, RuleID: "catch-all", RuleName: "rule catch-all"},
		},
		{
			name:         "no match goes to the default queue",
			rules:        []routing.Rule{rule("r1", "q-sms", conversation.Low, sms)},
			defaultQueue: "q-default",
			want:         routing.Decision{QueueID: "q-default"},
		},
		{
			name:         "only disabled matches: the default queue",
			rules:        []routing.Rule{disabled(rule("r1", "q-wa", conversation.Low, whatsapp))},
			defaultQueue: "q-default",
			want:         routing.Decision{QueueID: "q-default"},
		},
		{
			name:  "no match and no default: no queue",
			rules: []routing.Rule{rule("r1", "q-sms", conversation.Low, sms)},
			want:  routing.Decision{},
		},
		{
			name:         "no rules at all",
			defaultQueue: "q-default",
			want:         routing.Decision{QueueID: "q-default"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := sample()
			before := c.Clone()
			require.Equal(t, tt.want, routing.Evaluate(tt.rules, tt.defaultQueue, c))
			require.Equal(t, before, c, "Evaluate changes nothing")
		})
	}
}

// TestDecisionPatch: routing unassigns the conversation, sets the queue
// (none too) and the priority only when the decision has one.
func TestDecisionPatch(t *testing.T) {
	t.Parallel()
	c := &conversation.Conversation{ID: "c1", Status: conversation.Open, Priority: conversation.Low, QueueID: "q0", AgentID: "a1"}
	tests := []struct {
		name     string
		decision routing.Decision
		queueID  string
		priority conversation.Priority
	}{
		{"a rule with a priority", routing.Decision{QueueID: "q1", Priority: conversation.Urgent, Matched: true}, "q1", conversation.Urgent},
		{"a rule without one", routing.Decision{QueueID: "q1", Matched: true}, "q1", conversation.Low},
		{"the default queue", routing.Decision{QueueID: "q9"}, "q9", conversation.Low},
		{"no queue at all", routing.Decision{}, "", conversation.Low},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.priority, tt.decision.PriorityOf(c))
			p := tt.decision.Patch()
			require.NoError(t, p.Validate())
			routed := c.Clone()
			_, err := p.Apply(routed, time.Time{})
			require.NoError(t, err)
			require.Empty(t, routed.AgentID, "routing unassigns")
			require.Equal(t, tt.queueID, routed.QueueID)
			require.Equal(t, tt.priority, routed.Priority, "PriorityOf says what Patch does")
		})
	}
}
