package routing_test

import (
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
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

// The rule and condition validation of the package doc and of
// Rule.Validate's contract, restated independently of the package's code:
// the oracle of FuzzConditionMatches.

var tagNameRule = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)

func textOK(s string, max int) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0) && utf8.RuneCountInString(s) <= max
}

func idOK(s string) bool {
	return s != "" && textOK(s, 255) && !strings.ContainsFunc(s, unicode.IsControl)
}

// badConditionFields lists the fields (after prefix) a condition may be
// refused for; empty when it is valid.
func badConditionFields(c routing.Condition, prefix string) map[string]bool {
	bad := map[string]bool{}
	if c.Match != "" && c.Match != "all" && c.Match != "any" {
		bad[prefix+"match"] = true
	}
	if len(c.Channels) > 100 {
		bad[prefix+"channels"] = true
	}
	for _, ch := range c.Channels {
		if !slices.Contains(conversation.Channels, ch) {
			bad[prefix+"channels"] = true
		}
	}
	if len(c.Priorities) > 100 {
		bad[prefix+"priorities"] = true
	}
	for _, p := range c.Priorities {
		if !slices.Contains(conversation.Priorities, p) {
			bad[prefix+"priorities"] = true
		}
	}
	for field, names := range map[string][]string{"tagsAny": c.TagsAny, "tagsAll": c.TagsAll} {
		if len(names) > 100 {
			bad[prefix+field] = true
		}
		for _, n := range names {
			if !tagNameRule.MatchString(n) {
				bad[prefix+field] = true
			}
		}
	}
	if c.CustomerID != "" && !idOK(c.CustomerID) {
		// A customer id is an id: no control characters.
		bad[prefix+"customerId"] = true
	}
	if !textOK(c.TopicContains, 1000) {
		bad[prefix+"topicContains"] = true
	}
	if len(c.Attributes) > 100 {
		bad[prefix+"attributes"] = true
	}
	for k, v := range c.Attributes {
		if k == "" || !textOK(k, 100) {
			bad[prefix+"attributes"] = true
		}
		if !textOK(v, 1000) {
			bad[prefix+"attributes."+k] = true
		}
	}
	return bad
}

// badRuleFields lists the fields a rule may be refused for.
func badRuleFields(r routing.Rule, prefix string) map[string]bool {
	bad := badConditionFields(r.Condition, prefix+"condition.")
	if !idOK(r.ID) {
		bad[prefix+"id"] = true
	}
	if r.Name == "" || !textOK(r.Name, 255) {
		bad[prefix+"name"] = true
	}
	if !idOK(r.QueueID) {
		bad[prefix+"queueId"] = true
	}
	if r.Priority != "" && !slices.Contains(conversation.Priorities, r.Priority) {
		bad[prefix+"priority"] = true
	}
	return bad
}

// requireVerdict fails unless err agrees with the oracle: nil for valid
// input, else an ErrInvalid *FieldError naming one of the bad fields.
func requireVerdict(t *testing.T, what string, err error, bad map[string]bool) {
	t.Helper()
	if len(bad) == 0 {
		if err != nil {
			t.Fatalf("%s: valid input refused: %v", what, err)
		}
		return
	}
	var fe *fault.FieldError
	if !errors.Is(err, fault.ErrInvalid) || !errors.As(err, &fe) {
		t.Fatalf("%s: invalid input (bad %v): want an ErrInvalid *FieldError, got %T: %v", what, bad, err, err)
	}
	if !bad[fe.Field] {
		t.Fatalf("%s: the error names %q, which is valid; the bad fields are %v (%v)", what, fe.Field, bad, err)
	}
}

// referenceMatches is how the package doc says a condition matches: each
// set part is one test, under "any" one passing test is enough, under
// anything else (the default "all") every test must pass, and a condition
// with no part set matches everything.
func referenceMatches(cond routing.Condition, c *conversation.Conversation) bool {
	if c == nil {
		c = &conversation.Conversation{}
	}
	var tests []bool
	if len(cond.Channels) > 0 {
		tests = append(tests, slices.Contains(cond.Channels, c.Channel))
	}
	if len(cond.Priorities) > 0 {
		tests = append(tests, slices.Contains(cond.Priorities, c.Priority))
	}
	if len(cond.TagsAny) > 0 {
		hit := false
		for _, n := range cond.TagsAny {
			hit = hit || slices.Contains(c.Tags, n)
		}
		tests = append(tests, hit)
	}
	if len(cond.TagsAll) > 0 {
		all := true
		for _, n := range cond.TagsAll {
			all = all && slices.Contains(c.Tags, n)
		}
		tests = append(tests, all)
	}
	if cond.CustomerID != "" {
		tests = append(tests, c.CustomerID == cond.CustomerID)
	}
	if cond.TopicContains != "" {
		tests = append(tests, conversation.TopicContains(c.Topic, cond.TopicContains))
	}
	if len(cond.Attributes) > 0 {
		all := true
		for k, v := range cond.Attributes {
			got, ok := c.Attributes[k]
			all = all && ok && got == v
		}
		tests = append(tests, all)
	}
	if len(tests) == 0 {
		return true
	}
	if cond.Match == "any" {
		return slices.Contains(tests, true)
	}
	return !slices.Contains(tests, false)
}

// The fields FuzzConditionMatches can make long, to reach the limits.
const (
	longNone = iota
	longCustomer
	longTopic
	longName
	longTagList
	longAttributeValue
	longChannelList
	longFields
)

// FuzzConditionMatches feeds arbitrary rules (condition, id, name, queue,
// priority) and conversations to the validation and to Matches and
// Evaluate. Nothing panics; Condition.Validate, Rule.Validate and
// ValidateRules accept exactly what the oracle above allows and refuse the
// rest with an ErrInvalid naming a field that is in fact wrong; Matches
// agrees with referenceMatches on every input (valid or not: an unknown
// match reads as all); Evaluate takes the first enabled match, else the
// default queue.
func FuzzConditionMatches(f *testing.F) {
	f.Add("all", "WHATSAPP,SMS", "HIGH", "vip,spam", "billing", "cust-7", "refund", "lang=de",
		"Refund for Order 42", "WHATSAPP", "HIGH", "billing,vip", "cust-7", "lang=de,tier=gold",
		"r1", "VIP refunds", "q1", "URGENT", false, uint8(0), uint16(0))
	f.Add("any", "EMAIL", "", "", "", "", "İSTANBUL", "", "istanbul trip", "SMS", "LOW", "", "", "",
		"r2", "istanbul", "q2", "", true, uint8(0), uint16(0))
	f.Add("", "", "", "", "", "", "", "=", "", "", "", "", "", "=", "", "", "", "", false, uint8(0), uint16(0))
	f.Add("bogus", "\x00", "\xff", ",,", ",", "\xff\xfe", "\u212a", "k=\x00", "\xe2\x84", "", "URGENT", ",", "", "k",
		"r\x00", "\xff", "q\n", "CRITICAL", false, uint8(0), uint16(0))
	f.Add("all", "", "", "", "", "c", "", "", "", "", "", "", "c", "", "r", "n", "q", "", false, uint8(longCustomer), uint16(254))
	f.Add("all", "", "", "", "", "", "t", "", "", "", "", "", "", "", "r", "n", "q", "", false, uint8(longTopic), uint16(999))
	f.Add("all", "", "", "t", "", "", "", "", "", "", "", "", "", "", "r", "n", "q", "", false, uint8(longTagList), uint16(100))
	f.Fuzz(func(t *testing.T, match, chans, prios, tagsAny, tagsAll, customer, topic, attrs,
		convTopic, convChannel, convPriority, convTags, convCustomer, convAttrs,
		ruleID, ruleName, ruleQueue, rulePriority string, disabled bool, long uint8, n uint16,
	) {
		// long and n let the fuzzer reach every length limit exactly.
		switch long % longFields {
		case longCustomer:
			customer += strings.Repeat("x", int(n%300))
		case longTopic:
			topic += strings.Repeat("é", int(n%1100))
		case longName:
			ruleName += strings.Repeat("n", int(n%300))
		case longTagList:
			tagsAny += strings.Repeat(",t", int(n%120))
		case longAttributeValue:
			attrs += ",long=" + strings.Repeat("v", int(n%1100))
		case longChannelList:
			chans += strings.Repeat(",SMS", int(n%120))
		}
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
		rule := routing.Rule{
			ID: ruleID, Name: ruleName, QueueID: ruleQueue, Priority: conversation.Priority(rulePriority),
			Disabled: disabled, Condition: cond,
		}
		given := rule.Clone()

		// Validation against the oracle.
		requireVerdict(t, "Condition.Validate", cond.Validate("condition."), badConditionFields(cond, "condition."))
		requireVerdict(t, "Rule.Validate", rule.Validate("rules[3]."), badRuleFields(rule, "rules[3]."))
		requireVerdict(t, "ValidateRules", routing.ValidateRules([]routing.Rule{rule}), badRuleFields(rule, "rules[0]."))
		if idOK(ruleID) {
			twice := []routing.Rule{rule, rule}
			twice[1].Name = "other"
			bad := badRuleFields(rule, "rules[0].")
			if len(bad) == 0 {
				bad = map[string]bool{"rules[1].id": true} // the duplicate id
			}
			requireVerdict(t, "ValidateRules with the id twice", routing.ValidateRules(twice), bad)
		}

		// Matching against the reference, under the given match and both
		// others.
		want := referenceMatches(cond, c)
		if got := cond.Matches(c); got != want {
			t.Fatalf("Matches = %v, the reference says %v\ncondition %+v\nconversation %+v", got, want, cond, c)
		}
		for _, m := range []routing.Match{routing.MatchAll, routing.MatchAny, ""} {
			other := cond
			other.Match = m
			if got, want := other.Matches(c), referenceMatches(other, c); got != want {
				t.Fatalf("Matches under %q = %v, the reference says %v", m, got, want)
			}
		}
		if cond.Matches(nil) != referenceMatches(cond, nil) {
			t.Fatal("Matches(nil) disagrees with the reference on the empty conversation")
		}

		// Evaluate: the first enabled match wins, else the default queue.
		d := routing.Evaluate([]routing.Rule{rule}, "dq", c)
		if want && !disabled {
			if !d.Matched || d.QueueID != ruleQueue || d.Priority != rule.Priority || d.RuleID != ruleID || d.RuleName != ruleName {
				t.Fatalf("a matching rule gave %+v", d)
			}
		} else if d != (routing.Decision{QueueID: "dq"}) {
			t.Fatalf("no enabled match gave %+v, want the default queue", d)
		}
		catchAll := routing.Rule{ID: "r-all", Name: "all", QueueID: "q-all"}
		d = routing.Evaluate([]routing.Rule{rule, catchAll}, "", c)
		wantRule := "r-all"
		if want && !disabled {
			wantRule = ruleID
		}
		if !d.Matched || d.RuleID != wantRule {
			t.Fatalf("rule list [fuzzed, catch-all] chose %+v, want rule %q", d, wantRule)
		}
		if !reflect.DeepEqual(given, rule) {
			t.Fatal("validation or matching changed the rule")
		}
	})
}
