package routing_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// requireFieldError asserts that err is ErrInvalid, as a *FieldError naming
// field.
func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrInvalid)
	var fe *storage.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "%v", err)
}

// requireValid asserts err is nil when field is "" and otherwise that it is
// the ErrInvalid naming field.
func requireValid(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		require.NoError(t, err)
		return
	}
	requireFieldError(t, err, field)
}

// Texts at the limits, counted in runes: "é" is two bytes and "😀" four,
// so a byte count would refuse the valid ones.
var (
	runes255 = strings.Repeat("é", 255)
	runes256 = strings.Repeat("é", 256)
	emoji255 = strings.Repeat("😀", 255)
	emoji256 = strings.Repeat("😀", 256)
)

// idCases are the rules of an id field (agent, queue, rule, queue
// reference), named field in the error.
func idCases(field string) []struct {
	name, id, field string
} {
	return []struct{ name, id, field string }{
		{"ascii", "agent-1", ""},
		{"255Runes", runes255, ""},
		{"255Emoji", emoji255, ""},
		{"256Runes", runes256, field},
		{"256Emoji", emoji256, field},
		{"256ASCII", strings.Repeat("a", 256), field},
		{"invalidUTF8", "a\xffb", field},
		{"truncatedRune", "\xc3", field},
		{"nul", "a\x00b", field},
		{"controlCharacter", "a\nb", field},
	}
}

var now = time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)

func TestNewAgentDefaults(t *testing.T) {
	t.Parallel()
	a, err := routing.NewAgent(routing.Agent{
		DisplayName:    "Ann",
		Queues:         []string{"q1"},
		LastAssignedAt: now.Add(-time.Hour),
		WrapUpUntil:    now.Add(time.Hour),
		CreatedAt:      now.Add(-48 * time.Hour),
	}, "generated", now)
	require.NoError(t, err)
	require.Equal(t, &routing.Agent{
		ID: "generated", DisplayName: "Ann", Role: routing.RoleAgent, Status: routing.Invisible,
		Capacity: 5, CreatedAt: now, UpdatedAt: now,
	}, a, "defaults applied; memberships and routing state ignored")
	require.True(t, a.Enabled())

	a, err = routing.NewAgent(routing.Agent{
		ID: "own", DisplayName: "Bob", Role: routing.RoleSupervisor, Status: routing.Active,
		Disabled: true, Capacity: 12, WrapUpSeconds: 30,
	}, "generated", now)
	require.NoError(t, err)
	require.Equal(t, &routing.Agent{
		ID: "own", DisplayName: "Bob", Role: routing.RoleSupervisor, Status: routing.Active,
		Disabled: true, Capacity: 12, WrapUpSeconds: 30, CreatedAt: now, UpdatedAt: now,
	}, a, "the input's own values win")
}

func TestNewAgentValidation(t *testing.T) {
	t.Parallel()
	type agentCase struct {
		name  string
		in    routing.Agent
		genID string
		field string // "" when valid
	}
	valid := func(mod func(*routing.Agent)) routing.Agent {
		a := routing.Agent{ID: "a1", DisplayName: "Ann"}
		mod(&a)
		return a
	}
	cases := []agentCase{
		{"generatedID", routing.Agent{DisplayName: "Ann"}, "gen-1", ""},
		{"noIDAtAll", routing.Agent{DisplayName: "Ann"}, "", "id"},
		{"badGeneratedID", routing.Agent{DisplayName: "Ann"}, "gen\x00", "id"},

		{"displayNameMissing", valid(func(a *routing.Agent) { a.DisplayName = "" }), "", "displayName"},
		{"displayName255Runes", valid(func(a *routing.Agent) { a.DisplayName = runes255 }), "", ""},
		{"displayName255Emoji", valid(func(a *routing.Agent) { a.DisplayName = emoji255 }), "", ""},
		{"displayName256Runes", valid(func(a *routing.Agent) { a.DisplayName = runes256 }), "", "displayName"},
		{"displayName256Emoji", valid(func(a *routing.Agent) { a.DisplayName = emoji256 }), "", "displayName"},
		{"displayNameInvalidUTF8", valid(func(a *routing.Agent) { a.DisplayName = "Ann\xff" }), "", "displayName"},
		{"displayNameNUL", valid(func(a *routing.Agent) { a.DisplayName = "An\x00n" }), "", "displayName"},

		{"roleAgent", valid(func(a *routing.Agent) { a.Role = routing.RoleAgent }), "", ""},
		{"roleSupervisor", valid(func(a *routing.Agent) { a.Role = routing.RoleSupervisor }), "", ""},
		{"roleUnknown", valid(func(a *routing.Agent) { a.Role = "ADMIN" }), "", "role"},
		{"roleLowerCase", valid(func(a *routing.Agent) { a.Role = "agent" }), "", "role"},
		{"roleNUL", valid(func(a *routing.Agent) { a.Role = "AGENT\x00" }), "", "role"},

		{"statusActive", valid(func(a *routing.Agent) { a.Status = routing.Active }), "", ""},
		{"statusBusy", valid(func(a *routing.Agent) { a.Status = routing.Busy }), "", ""},
		{"statusAway", valid(func(a *routing.Agent) { a.Status = routing.Away }), "", ""},
		{"statusInvisible", valid(func(a *routing.Agent) { a.Status = routing.Invisible }), "", ""},
		{"statusUnknown", valid(func(a *routing.Agent) { a.Status = "OFFLINE" }), "", "status"},
		{"statusLowerCase", valid(func(a *routing.Agent) { a.Status = "active" }), "", "status"},

		{"capacityOne", valid(func(a *routing.Agent) { a.Capacity = 1 }), "", ""},
		{"capacityMax", valid(func(a *routing.Agent) { a.Capacity = routing.MaxCapacity }), "", ""},
		{"capacityOverMax", valid(func(a *routing.Agent) { a.Capacity = routing.MaxCapacity + 1 }), "", "capacity"},
		{"capacityNegative", valid(func(a *routing.Agent) { a.Capacity = -1 }), "", "capacity"},
		{"capacityMinInt", valid(func(a *routing.Agent) { a.Capacity = math.MinInt }), "", "capacity"},

		{"wrapUpZero", valid(func(a *routing.Agent) { a.WrapUpSeconds = 0 }), "", ""},
		{"wrapUpMax", valid(func(a *routing.Agent) { a.WrapUpSeconds = routing.MaxWrapUpSeconds }), "", ""},
		{"wrapUpOverMax", valid(func(a *routing.Agent) { a.WrapUpSeconds = routing.MaxWrapUpSeconds + 1 }), "", "wrapUpSeconds"},
		{"wrapUpNegative", valid(func(a *routing.Agent) { a.WrapUpSeconds = -1 }), "", "wrapUpSeconds"},
		{"wrapUpMinInt", valid(func(a *routing.Agent) { a.WrapUpSeconds = math.MinInt }), "", "wrapUpSeconds"},

		// The first rule broken is the one named.
		{"idBeforeDisplayName", routing.Agent{ID: "\xff"}, "", "id"},
	}
	for _, ic := range idCases("id") {
		cases = append(cases, agentCase{"id/" + ic.name, valid(func(a *routing.Agent) { a.ID = ic.id }), "", ic.field})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := routing.NewAgent(tc.in, tc.genID, now)
			requireValid(t, err, tc.field)
			if tc.field != "" {
				require.Nil(t, a)
				return
			}
			require.NoError(t, a.Validate())
		})
	}
}

func TestNewAgentCapacityDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want int }{{0, routing.DefaultCapacity}, {1, 1}, {routing.MaxCapacity, routing.MaxCapacity}} {
		a, err := routing.NewAgent(routing.Agent{ID: "a1", DisplayName: "Ann", Capacity: tc.in}, "", now)
		require.NoError(t, err)
		require.Equal(t, tc.want, a.Capacity, "capacity %d", tc.in)
	}
	require.Equal(t, 5, routing.DefaultCapacity, "the default capacity of the contract")
}

func TestAgentPatch(t *testing.T) {
	t.Parallel()
	base := func() *routing.Agent {
		return &routing.Agent{
			ID: "a1", DisplayName: "Ann", Role: routing.RoleAgent, Status: routing.Active,
			Capacity: 9, WrapUpSeconds: 10, Queues: []string{"q1"}, CreatedAt: now, UpdatedAt: now,
		}
	}
	later := now.Add(time.Minute)
	cases := []struct {
		name    string
		patch   routing.AgentPatch
		field   string               // "" when valid
		changed bool                 // when valid
		want    func(*routing.Agent) // the change a valid patch makes
	}{
		{"empty", routing.AgentPatch{}, "", false, nil},
		{"sameValues", routing.AgentPatch{DisplayName: ptr("Ann"), Role: ptr(routing.RoleAgent), Capacity: ptr(9)}, "", false, nil},
		{"displayName", routing.AgentPatch{DisplayName: ptr(runes255)}, "", true, func(a *routing.Agent) { a.DisplayName = runes255 }},
		{"role", routing.AgentPatch{Role: ptr(routing.RoleSupervisor)}, "", true, func(a *routing.Agent) { a.Role = routing.RoleSupervisor }},
		{"status", routing.AgentPatch{Status: ptr(routing.Away)}, "", true, func(a *routing.Agent) { a.Status = routing.Away }},
		{"disable", routing.AgentPatch{Disabled: ptr(true)}, "", true, func(a *routing.Agent) { a.Disabled = true }},
		{"capacity", routing.AgentPatch{Capacity: ptr(routing.MaxCapacity)}, "", true, func(a *routing.Agent) { a.Capacity = routing.MaxCapacity }},
		{"capacityZeroRestoresDefault", routing.AgentPatch{Capacity: ptr(0)}, "", true, func(a *routing.Agent) { a.Capacity = routing.DefaultCapacity }},
		{"wrapUpZero", routing.AgentPatch{WrapUpSeconds: ptr(0)}, "", true, func(a *routing.Agent) { a.WrapUpSeconds = 0 }},
		{"wrapUpMax", routing.AgentPatch{WrapUpSeconds: ptr(routing.MaxWrapUpSeconds)}, "", true, func(a *routing.Agent) { a.WrapUpSeconds = routing.MaxWrapUpSeconds }},

		{"displayNameEmpty", routing.AgentPatch{DisplayName: ptr("")}, "displayName", false, nil},
		{"displayName256Runes", routing.AgentPatch{DisplayName: ptr(runes256)}, "displayName", false, nil},
		{"displayName256Emoji", routing.AgentPatch{DisplayName: ptr(emoji256)}, "displayName", false, nil},
		{"displayNameInvalidUTF8", routing.AgentPatch{DisplayName: ptr("\xff")}, "displayName", false, nil},
		{"displayNameNUL", routing.AgentPatch{DisplayName: ptr("a\x00")}, "displayName", false, nil},
		{"roleEmpty", routing.AgentPatch{Role: ptr(routing.Role(""))}, "role", false, nil},
		{"roleUnknown", routing.AgentPatch{Role: ptr(routing.Role("OWNER"))}, "role", false, nil},
		{"statusEmpty", routing.AgentPatch{Status: ptr(routing.AgentStatus(""))}, "status", false, nil},
		{"statusUnknown", routing.AgentPatch{Status: ptr(routing.AgentStatus("ONLINE"))}, "status", false, nil},
		{"capacityNegative", routing.AgentPatch{Capacity: ptr(-1)}, "capacity", false, nil},
		{"capacityOverMax", routing.AgentPatch{Capacity: ptr(routing.MaxCapacity + 1)}, "capacity", false, nil},
		{"wrapUpNegative", routing.AgentPatch{WrapUpSeconds: ptr(-1)}, "wrapUpSeconds", false, nil},
		{"wrapUpOverMax", routing.AgentPatch{WrapUpSeconds: ptr(routing.MaxWrapUpSeconds + 1)}, "wrapUpSeconds", false, nil},
		// A valid change does not go through with an invalid one.
		{"validAndInvalid", routing.AgentPatch{DisplayName: ptr("Bea"), WrapUpSeconds: ptr(-5)}, "wrapUpSeconds", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireValid(t, tc.patch.Validate(), tc.field)
			a := base()
			changed, err := tc.patch.Apply(a, later)
			requireValid(t, err, tc.field)
			want := base()
			if tc.field == "" && tc.changed {
				tc.want(want)
				want.UpdatedAt = later
			}
			require.Equal(t, tc.field == "" && tc.changed, changed)
			require.Equal(t, want, a, "an invalid or empty patch leaves the agent as it was")
		})
	}
}

func TestNewQueueDefaults(t *testing.T) {
	t.Parallel()
	q, err := routing.NewQueue(routing.Queue{Name: "Support", Members: []string{"a1"}, CreatedAt: now.Add(-time.Hour)}, "generated", now)
	require.NoError(t, err)
	require.Equal(t, &routing.Queue{
		ID: "generated", Name: "Support", Strategy: routing.LeastBusy, CreatedAt: now, UpdatedAt: now,
	}, q, "defaults applied; members ignored")

	in := routing.Queue{
		ID: "own", Name: "VIP", AutoAssignment: true, Strategy: routing.RoundRobin, StickyAgent: true,
		StickyTimeoutSeconds: 600, MaxWaitSeconds: 120, OverflowQueueID: "q2", Default: true,
	}
	q, err = routing.NewQueue(in, "generated", now)
	require.NoError(t, err)
	in.CreatedAt, in.UpdatedAt = now, now
	require.Equal(t, &in, q, "the input's own values win")
}

func TestNewQueueValidation(t *testing.T) {
	t.Parallel()
	type queueCase struct {
		name  string
		in    routing.Queue
		genID string
		field string // "" when valid
	}
	valid := func(mod func(*routing.Queue)) routing.Queue {
		q := routing.Queue{ID: "q1", Name: "Support"}
		mod(&q)
		return q
	}
	cases := []queueCase{
		{"generatedID", routing.Queue{Name: "Support"}, "gen-1", ""},
		{"noIDAtAll", routing.Queue{Name: "Support"}, "", "id"},

		{"nameMissing", valid(func(q *routing.Queue) { q.Name = "" }), "", "name"},
		{"name255Runes", valid(func(q *routing.Queue) { q.Name = runes255 }), "", ""},
		{"name255Emoji", valid(func(q *routing.Queue) { q.Name = emoji255 }), "", ""},
		{"name256Runes", valid(func(q *routing.Queue) { q.Name = runes256 }), "", "name"},
		{"name256Emoji", valid(func(q *routing.Queue) { q.Name = emoji256 }), "", "name"},
		{"nameInvalidUTF8", valid(func(q *routing.Queue) { q.Name = "Sup\xffport" }), "", "name"},
		{"nameNUL", valid(func(q *routing.Queue) { q.Name = "Sup\x00port" }), "", "name"},

		{"strategyLeastBusy", valid(func(q *routing.Queue) { q.Strategy = routing.LeastBusy }), "", ""},
		{"strategyRoundRobin", valid(func(q *routing.Queue) { q.Strategy = routing.RoundRobin }), "", ""},
		{"strategyUnknown", valid(func(q *routing.Queue) { q.Strategy = "RANDOM" }), "", "strategy"},
		{"strategyLowerCase", valid(func(q *routing.Queue) { q.Strategy = "least_busy" }), "", "strategy"},

		{"stickyTimeoutZero", valid(func(q *routing.Queue) { q.StickyAgent, q.StickyTimeoutSeconds = true, 0 }), "", ""},
		{"stickyTimeoutMax", valid(func(q *routing.Queue) { q.StickyTimeoutSeconds = routing.MaxTimeoutSeconds }), "", ""},
		{"stickyTimeoutOverMax", valid(func(q *routing.Queue) { q.StickyTimeoutSeconds = routing.MaxTimeoutSeconds + 1 }), "", "stickyTimeout"},
		{"stickyTimeoutNegative", valid(func(q *routing.Queue) { q.StickyTimeoutSeconds = -1 }), "", "stickyTimeout"},
		{"maxWaitZero", valid(func(q *routing.Queue) { q.MaxWaitSeconds = 0 }), "", ""},
		{"maxWaitMax", valid(func(q *routing.Queue) { q.MaxWaitSeconds = routing.MaxTimeoutSeconds }), "", ""},
		{"maxWaitOverMax", valid(func(q *routing.Queue) { q.MaxWaitSeconds = routing.MaxTimeoutSeconds + 1 }), "", "maxWaitSeconds"},
		{"maxWaitNegative", valid(func(q *routing.Queue) { q.MaxWaitSeconds = -1 }), "", "maxWaitSeconds"},
		{"maxWaitMinInt", valid(func(q *routing.Queue) { q.MaxWaitSeconds = math.MinInt }), "", "maxWaitSeconds"},

		{"overflowNone", valid(func(q *routing.Queue) { q.OverflowQueueID = "" }), "", ""},
		{"overflowOther", valid(func(q *routing.Queue) { q.OverflowQueueID = "q2" }), "", ""},
		{"overflowItself", valid(func(q *routing.Queue) { q.OverflowQueueID = "q1" }), "", "overflowQueueId"},
		{"overflowItselfGenerated", routing.Queue{Name: "Support", OverflowQueueID: "gen-1"}, "gen-1", "overflowQueueId"},
	}
	for _, ic := range idCases("id") {
		cases = append(cases, queueCase{"id/" + ic.name, valid(func(q *routing.Queue) { q.ID = ic.id }), "", ic.field})
	}
	for _, ic := range idCases("overflowQueueId") {
		cases = append(cases, queueCase{"overflowQueueId/" + ic.name, valid(func(q *routing.Queue) { q.OverflowQueueID = ic.id }), "", ic.field})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := routing.NewQueue(tc.in, tc.genID, now)
			requireValid(t, err, tc.field)
			if tc.field != "" {
				require.Nil(t, q)
				return
			}
			require.NoError(t, q.Validate())
		})
	}
}

func TestQueuePatch(t *testing.T) {
	t.Parallel()
	base := func() *routing.Queue {
		return &routing.Queue{
			ID: "q1", Name: "Support", Strategy: routing.LeastBusy, MaxWaitSeconds: 60, OverflowQueueID: "q2",
			Members: []string{"a1"}, CreatedAt: now, UpdatedAt: now,
		}
	}
	later := now.Add(time.Minute)
	cases := []struct {
		name  string
		patch routing.QueuePatch
		field string               // "" when valid
		want  func(*routing.Queue) // the change a valid patch makes; nil for none
	}{
		{"empty", routing.QueuePatch{}, "", nil},
		{"sameValues", routing.QueuePatch{Name: ptr("Support"), Strategy: ptr(routing.LeastBusy), OverflowQueueID: ptr("q2")}, "", nil},
		{"name", routing.QueuePatch{Name: ptr(emoji255)}, "", func(q *routing.Queue) { q.Name = emoji255 }},
		{"strategy", routing.QueuePatch{Strategy: ptr(routing.RoundRobin)}, "", func(q *routing.Queue) { q.Strategy = routing.RoundRobin }},
		{"sticky", routing.QueuePatch{StickyAgent: ptr(true), StickyTimeoutSeconds: ptr(routing.MaxTimeoutSeconds)}, "", func(q *routing.Queue) {
			q.StickyAgent, q.StickyTimeoutSeconds = true, routing.MaxTimeoutSeconds
		}},
		{"maxWaitZero", routing.QueuePatch{MaxWaitSeconds: ptr(0)}, "", func(q *routing.Queue) { q.MaxWaitSeconds = 0 }},
		{"overflowRemoved", routing.QueuePatch{OverflowQueueID: ptr("")}, "", func(q *routing.Queue) { q.OverflowQueueID = "" }},
		{"autoAndDefault", routing.QueuePatch{AutoAssignment: ptr(true), Default: ptr(true)}, "", func(q *routing.Queue) { q.AutoAssignment, q.Default = true, true }},

		{"nameEmpty", routing.QueuePatch{Name: ptr("")}, "name", nil},
		{"name256Runes", routing.QueuePatch{Name: ptr(runes256)}, "name", nil},
		{"nameInvalidUTF8", routing.QueuePatch{Name: ptr("\xfe")}, "name", nil},
		{"nameNUL", routing.QueuePatch{Name: ptr("\x00")}, "name", nil},
		{"strategyEmpty", routing.QueuePatch{Strategy: ptr(routing.Strategy(""))}, "strategy", nil},
		{"strategyUnknown", routing.QueuePatch{Strategy: ptr(routing.Strategy("SKILLS"))}, "strategy", nil},
		{"stickyTimeoutNegative", routing.QueuePatch{StickyTimeoutSeconds: ptr(-1)}, "stickyTimeout", nil},
		{"stickyTimeoutOverMax", routing.QueuePatch{StickyTimeoutSeconds: ptr(routing.MaxTimeoutSeconds + 1)}, "stickyTimeout", nil},
		{"maxWaitNegative", routing.QueuePatch{MaxWaitSeconds: ptr(-1)}, "maxWaitSeconds", nil},
		{"maxWaitOverMax", routing.QueuePatch{MaxWaitSeconds: ptr(routing.MaxTimeoutSeconds + 1)}, "maxWaitSeconds", nil},
		{"overflowItself", routing.QueuePatch{OverflowQueueID: ptr("q1")}, "overflowQueueId", nil},
		{"overflow256Runes", routing.QueuePatch{OverflowQueueID: ptr(runes256)}, "overflowQueueId", nil},
		{"overflowNUL", routing.QueuePatch{OverflowQueueID: ptr("q\x00")}, "overflowQueueId", nil},
		{"validAndInvalid", routing.QueuePatch{Name: ptr("Other"), MaxWaitSeconds: ptr(-1)}, "maxWaitSeconds", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := base()
			changed, err := tc.patch.Apply(q, later)
			requireValid(t, err, tc.field)
			want := base()
			if tc.want != nil {
				tc.want(want)
				want.UpdatedAt = later
			}
			require.Equal(t, tc.want != nil, changed)
			require.Equal(t, want, q, "an invalid or empty patch leaves the queue as it was")
		})
	}
}

// validRule is a rule with every part of its condition set.
func validRule(id string) routing.Rule {
	return routing.Rule{
		ID: id, Name: "Rule " + id, QueueID: "q1", Priority: conversation.High,
		Condition: routing.Condition{
			Match:      routing.MatchAll,
			Channels:   []conversation.Channel{conversation.Email, conversation.WhatsApp},
			Priorities: []conversation.Priority{conversation.Low, conversation.Urgent},
			TagsAny:    []string{"vip", "billing.eu"}, TagsAll: []string{"tier_1", "a-b"},
			CustomerID: "cust-1", TopicContains: "refund", Attributes: map[string]string{"lang": "de"},
		},
	}
}

type ruleCase struct {
	name  string
	rules []routing.Rule
	field string // "" when valid
}

func TestValidateRules(t *testing.T) {
	t.Parallel()
	many := func(n int) []routing.Rule {
		out := make([]routing.Rule, n)
		for i := range out {
			out[i] = validRule("r" + strconv.Itoa(i))
		}
		return out
	}
	// second returns a valid first rule and a second one changed by mod,
	// so that the index in the field name is checked too.
	second := func(mod func(*routing.Rule)) []routing.Rule {
		r := validRule("r2")
		mod(&r)
		return []routing.Rule{validRule("r1"), r}
	}
	cond := func(mod func(*routing.Condition)) []routing.Rule {
		return second(func(r *routing.Rule) { mod(&r.Condition) })
	}
	const rp = "rules[1]."
	const cp = rp + "condition."
	cases := []ruleCase{
		{"none", nil, ""},
		{"empty", []routing.Rule{}, ""},
		{"maxRules", many(routing.MaxRules), ""},
		{"tooManyRules", many(routing.MaxRules + 1), "rules"},
		{"duplicateID", []routing.Rule{validRule("r1"), validRule("r2"), validRule("r1")}, "rules[2].id"},
		{"emptyCondition", second(func(r *routing.Rule) { r.Condition = routing.Condition{} }), ""},
		{"disabledRuleIsChecked", second(func(r *routing.Rule) { r.Disabled, r.QueueID = true, "" }), rp + "queueId"},

		{"idMissing", second(func(r *routing.Rule) { r.ID = "" }), rp + "id"},
		{"nameMissing", second(func(r *routing.Rule) { r.Name = "" }), rp + "name"},
		{"name255Runes", second(func(r *routing.Rule) { r.Name = runes255 }), ""},
		{"name255Emoji", second(func(r *routing.Rule) { r.Name = emoji255 }), ""},
		{"name256Runes", second(func(r *routing.Rule) { r.Name = runes256 }), rp + "name"},
		{"name256Emoji", second(func(r *routing.Rule) { r.Name = emoji256 }), rp + "name"},
		{"nameInvalidUTF8", second(func(r *routing.Rule) { r.Name = "R\xff" }), rp + "name"},
		{"nameNUL", second(func(r *routing.Rule) { r.Name = "R\x00" }), rp + "name"},
		{"queueIDMissing", second(func(r *routing.Rule) { r.QueueID = "" }), rp + "queueId"},

		{"priorityEmptyLeavesIt", second(func(r *routing.Rule) { r.Priority = "" }), ""},
		{"priorityLow", second(func(r *routing.Rule) { r.Priority = conversation.Low }), ""},
		{"priorityNormal", second(func(r *routing.Rule) { r.Priority = conversation.Normal }), ""},
		{"priorityUrgent", second(func(r *routing.Rule) { r.Priority = conversation.Urgent }), ""},
		{"prioritySeedVocabulary", second(func(r *routing.Rule) { r.Priority = "medium" }), rp + "priority"},
		{"priorityUnknown", second(func(r *routing.Rule) { r.Priority = "CRITICAL" }), rp + "priority"},

		{"matchAny", cond(func(c *routing.Condition) { c.Match = routing.MatchAny }), ""},
		{"matchEmptyIsAll", cond(func(c *routing.Condition) { c.Match = "" }), ""},
		{"matchUnknown", cond(func(c *routing.Condition) { c.Match = "none" }), cp + "match"},
		{"matchUpperCase", cond(func(c *routing.Condition) { c.Match = "ALL" }), cp + "match"},
		{"channelUnknown", cond(func(c *routing.Condition) { c.Channels = []conversation.Channel{conversation.SMS, "FAX"} }), cp + "channels"},
		{"channelSeedVocabulary", cond(func(c *routing.Condition) { c.Channels = []conversation.Channel{"email"} }), cp + "channels"},
		{"channelsAtMax", cond(func(c *routing.Condition) { c.Channels = repeat(conversation.SMS, routing.MaxListLen) }), ""},
		{"channelsOverMax", cond(func(c *routing.Condition) { c.Channels = repeat(conversation.SMS, routing.MaxListLen+1) }), cp + "channels"},
		{"priorityInUnknown", cond(func(c *routing.Condition) { c.Priorities = []conversation.Priority{"high"} }), cp + "priorities"},
		{"prioritiesOverMax", cond(func(c *routing.Condition) { c.Priorities = repeat(conversation.Low, routing.MaxListLen+1) }), cp + "priorities"},
		{"tagsAnyBadName", cond(func(c *routing.Condition) { c.TagsAny = []string{"vip", "no spaces"} }), cp + "tagsAny"},
		{"tagsAnyEmptyName", cond(func(c *routing.Condition) { c.TagsAny = []string{""} }), cp + "tagsAny"},
		{"tagsAnyOverMax", cond(func(c *routing.Condition) { c.TagsAny = repeat("t", routing.MaxListLen+1) }), cp + "tagsAny"},
		{"tagsAllBadName", cond(func(c *routing.Condition) { c.TagsAll = []string{"ü"} }), cp + "tagsAll"},
		{"tagsAllNameTooLong", cond(func(c *routing.Condition) { c.TagsAll = []string{strings.Repeat("t", 101)} }), cp + "tagsAll"},
		{"tagsAllOverMax", cond(func(c *routing.Condition) { c.TagsAll = repeat("t", routing.MaxListLen+1) }), cp + "tagsAll"},
		{"customerID255Runes", cond(func(c *routing.Condition) { c.CustomerID = runes255 }), ""},
		{"customerID256Runes", cond(func(c *routing.Condition) { c.CustomerID = runes256 }), cp + "customerId"},
		{"customerIDNUL", cond(func(c *routing.Condition) { c.CustomerID = "c\x00" }), cp + "customerId"},
		{"customerIDInvalidUTF8", cond(func(c *routing.Condition) { c.CustomerID = "\xff" }), cp + "customerId"},
		{"customerIDControl", cond(func(c *routing.Condition) { c.CustomerID = "cust\t42" }), cp + "customerId"},
		{"topic1000Runes", cond(func(c *routing.Condition) { c.TopicContains = strings.Repeat("ß", 1000) }), ""},
		{"topic1001Runes", cond(func(c *routing.Condition) { c.TopicContains = strings.Repeat("ß", 1001) }), cp + "topicContains"},
		{"topicNUL", cond(func(c *routing.Condition) { c.TopicContains = "\x00" }), cp + "topicContains"},
		{"topicInvalidUTF8", cond(func(c *routing.Condition) { c.TopicContains = "\xc3" }), cp + "topicContains"},
		{"attributeEmptyKey", cond(func(c *routing.Condition) { c.Attributes = map[string]string{"": "v"} }), cp + "attributes"},
		{"attributeKey100Runes", cond(func(c *routing.Condition) { c.Attributes = map[string]string{strings.Repeat("k", 100): "v"} }), ""},
		{"attributeKey101Runes", cond(func(c *routing.Condition) { c.Attributes = map[string]string{strings.Repeat("k", 101): "v"} }), cp + "attributes"},
		{"attributeKeyInvalidUTF8", cond(func(c *routing.Condition) { c.Attributes = map[string]string{"\xff": "v"} }), cp + "attributes"},
		{"attributeValue1000Runes", cond(func(c *routing.Condition) { c.Attributes = map[string]string{"k": strings.Repeat("v", 1000)} }), ""},
		{"attributeValue1001Runes", cond(func(c *routing.Condition) { c.Attributes = map[string]string{"k": strings.Repeat("v", 1001)} }), cp + "attributes.k"},
		{"attributeValueNUL", cond(func(c *routing.Condition) { c.Attributes = map[string]string{"k": "\x00"} }), cp + "attributes.k"},
		{"attributesOverMax", cond(func(c *routing.Condition) {
			c.Attributes = map[string]string{}
			for i := range routing.MaxListLen + 1 {
				c.Attributes["k"+strconv.Itoa(i)] = "v"
			}
		}), cp + "attributes"},
	}
	for _, ic := range idCases(rp + "id") {
		cases = append(cases, ruleCase{"id/" + ic.name, second(func(r *routing.Rule) { r.ID = ic.id }), ic.field})
	}
	for _, ic := range idCases(rp + "queueId") {
		cases = append(cases, ruleCase{"queueId/" + ic.name, second(func(r *routing.Rule) { r.QueueID = ic.id }), ic.field})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireValid(t, routing.ValidateRules(tc.rules), tc.field)
		})
	}
}

func TestRuleValidatePrefix(t *testing.T) {
	t.Parallel()
	r := validRule("r1")
	require.NoError(t, r.Validate(""))
	r.Condition.TagsAll = []string{"bad tag"}
	requireFieldError(t, r.Validate(""), "condition.tagsAll")
	requireFieldError(t, r.Validate("rules[7]."), "rules[7].condition.tagsAll")
	requireFieldError(t, routing.Condition{Match: "most"}.Validate(""), "match")
}

func repeat[T any](v T, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestConditionAttributeErrorsNameOneField: with several bad attributes in
// a condition, the error names the first in key order, every time.
func TestConditionAttributeErrorsNameOneField(t *testing.T) {
	t.Parallel()
	c := routing.Condition{Attributes: map[string]string{"d": "\x00", "b": "\x00", "a": "\x00", "c": "\xff"}}
	for range 50 {
		requireFieldError(t, c.Validate("condition."), "condition.attributes.a")
	}
}

// ptr returns a pointer to a copy of v, for the fields of a patch.
func ptr[T any](v T) *T { return &v }
