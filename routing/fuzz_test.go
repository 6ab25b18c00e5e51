package routing_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// split turns a fuzzed string into a list: values separated by ','; the
// empty string is the empty list.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// pairs turns a fuzzed string into a map: "k=v" items separated by ','.
func pairs(s string) map[string]string {
	m := map[string]string{}
	for _, item := range split(s) {
		k, v, _ := strings.Cut(item, "=")
		m[k] = v
	}
	return m
}

func channels(s string) []conversation.Channel {
	var out []conversation.Channel
	for _, v := range split(s) {
		out = append(out, conversation.Channel(v))
	}
	return out
}

func priorities(s string) []conversation.Priority {
	var out []conversation.Priority
	for _, v := range split(s) {
		out = append(out, conversation.Priority(v))
	}
	return out
}

// FuzzConditionMatches feeds arbitrary conditions and conversations, valid
// or not, to Matches and Evaluate: they must never panic, and the results
// must agree with the rules of combination.
func FuzzConditionMatches(f *testing.F) {
	f.Add("all", "WHATSAPP,SMS", "HIGH", "vip,spam", "billing", "cust-7", "refund", "lang=de",
		"Refund for Order 42", "WHATSAPP", "HIGH", "billing,vip", "cust-7", "lang=de,tier=gold")
	f.Add("any", "EMAIL", "", "", "", "", "İSTANBUL", "", "istanbul trip", "SMS", "LOW", "", "", "")
	f.Add("", "", "", "", "", "", "", "=", "", "", "", "", "", "=")
	f.Add("bogus", "\x00", "\xff", ",,", ",", "\xff\xfe", "\u212a", "k=\x00", "\xe2\x84", "", "URGENT", ",", "", "k")
	f.Fuzz(func(t *testing.T, match, chans, prios, tagsAny, tagsAll, customer, topic, attrs,
		convTopic, convChannel, convPriority, convTags, convCustomer, convAttrs string,
	) {
		cond := routing.Condition{
			Match:         routing.Match(match),
			Channels:      channels(chans),
			Priorities:    priorities(prios),
			TagsAny:       split(tagsAny),
			TagsAll:       split(tagsAll),
			CustomerID:    customer,
			TopicContains: topic,
			Attributes:    pairs(attrs),
		}
		c := &conversation.Conversation{
			ID:         "c1",
			Topic:      convTopic,
			Channel:    conversation.Channel(convChannel),
			Priority:   conversation.Priority(convPriority),
			Tags:       split(convTags),
			CustomerID: convCustomer,
			Attributes: pairs(convAttrs),
		}
		_ = cond.Validate("condition.")

		all, anyOf := cond, cond
		all.Match, anyOf.Match = routing.MatchAll, routing.MatchAny
		gotAll, gotAny := all.Matches(c), anyOf.Matches(c)
		if gotAll && !gotAny {
			t.Fatalf("matches under all but not under any: %+v", cond)
		}
		if cond.Match != routing.MatchAny && cond.Matches(c) != gotAll {
			t.Fatalf("match %q does not read as all", cond.Match)
		}
		if cond.Matches(nil) != cond.Matches(&conversation.Conversation{}) {
			t.Fatal("nil is not read as the empty conversation")
		}
		if topic != "" && cond.Match != routing.MatchAny && cond.Matches(c) &&
			!conversation.TopicContains(convTopic, topic) {
			t.Fatal("matched under all with a failing topic test")
		}

		d := routing.Evaluate([]routing.Rule{{ID: "r1", QueueID: "q1", Condition: cond}}, "dq", c)
		if d.Matched != cond.Matches(c) {
			t.Fatal("Evaluate disagrees with Matches")
		}
		if !d.Matched && d.QueueID != "dq" {
			t.Fatal("no match did not go to the default queue")
		}
	})
}
