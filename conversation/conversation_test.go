package conversation_test

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

var (
	t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	t1 = t0.Add(time.Minute)
)

// requireInvalid asserts that err is ErrInvalid carrying a *FieldError that
// names field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrInvalid)
	var fe *storage.FieldError
	require.True(t, errors.As(err, &fe), "want a *FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

func ptr[T any](v T) *T { return &v }

// accented is n two-byte runes: a limit of n characters must take it, and
// one more must fail, whatever its length in bytes.
func accented(n int) string { return strings.Repeat("é", n) }

func attrs(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	return m
}

// existing returns a stored-looking conversation in status s at t0.
func existing(s conversation.Status) *conversation.Conversation {
	c, err := conversation.New(conversation.Conversation{
		Topic:      "printer on fire",
		Status:     s,
		QueueID:    "q1",
		AgentID:    "a1",
		Attributes: map[string]string{"plan": "gold"},
	}, "c1", t0)
	if err != nil {
		panic(err)
	}
	return c
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	in := conversation.Conversation{
		Attributes: map[string]string{"k": "v"},
		Tags:       []string{"ignored"},
		CreatedAt:  t1,
		UpdatedAt:  t1,
		Version:    42,
	}
	c, err := conversation.New(in, "gen-1", t0)
	require.NoError(t, err)
	require.Equal(t, "gen-1", c.ID)
	require.Equal(t, conversation.Open, c.Status)
	require.Equal(t, conversation.Normal, c.Priority)
	require.Equal(t, conversation.NoChannel, c.Channel)
	require.Equal(t, conversation.SourceAPI, c.Source)
	require.Equal(t, int64(1), c.Version)
	require.Equal(t, t0, c.CreatedAt)
	require.Equal(t, t0, c.UpdatedAt)
	require.True(t, c.ClosedAt.IsZero())
	require.True(t, c.QueuedAt.IsZero())
	require.Empty(t, c.Tags, "tags come through the tag operations")
	require.False(t, c.Assigned())

	// The input's map is copied: changing it later changes nothing.
	in.Attributes["k"] = "changed"
	require.Equal(t, "v", c.Attributes["k"])
}

func TestNewEmptyAttributesAreNil(t *testing.T) {
	t.Parallel()
	c, err := conversation.New(conversation.Conversation{Attributes: map[string]string{}}, "c1", t0)
	require.NoError(t, err)
	require.Nil(t, c.Attributes, "no attributes is one value, nil, as after Patch.Apply")
}

func TestNewKeepsCallerValues(t *testing.T) {
	t.Parallel()
	c, err := conversation.New(conversation.Conversation{
		ID:       "mine",
		Status:   conversation.Closed,
		Priority: conversation.Urgent,
		Channel:  conversation.WhatsApp,
		Source:   conversation.SourceWidget,
		QueueID:  "q1",
		AgentID:  "a1",
	}, "gen-1", t0)
	require.NoError(t, err)
	require.Equal(t, "mine", c.ID)
	require.Equal(t, conversation.SourceWidget, c.Source)
	require.Equal(t, conversation.Closed, c.Status)
	require.Equal(t, t0, c.ClosedAt, "created closed: closedAt is set")
	require.Equal(t, conversation.Urgent, c.Priority)
	require.Equal(t, conversation.WhatsApp, c.Channel)
	require.Equal(t, t0, c.QueuedAt, "created in a queue: queuedAt is set")
	require.True(t, c.Assigned())
}

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	for _, from := range conversation.Statuses {
		for _, to := range conversation.Statuses {
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				t.Parallel()
				err := conversation.CheckTransition(from, to)
				if from == conversation.Closed {
					require.ErrorIs(t, err, storage.ErrClosed)
					return
				}
				require.NoError(t, err)
			})
		}
		for _, to := range []conversation.Status{"", "BOGUS", "open", "PENDING"} {
			t.Run(fmt.Sprintf("%s to unknown %q", from, to), func(t *testing.T) {
				t.Parallel()
				requireInvalid(t, conversation.CheckTransition(from, to), "status")
			})
		}
	}
}

func TestPatchApplyStatusPairs(t *testing.T) {
	t.Parallel()
	for _, from := range conversation.Statuses {
		for _, to := range conversation.Statuses {
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				t.Parallel()
				c := existing(from)
				before := c.Clone()
				diff, err := conversation.Patch{Status: ptr(to)}.Apply(c, t1)
				switch {
				case from == conversation.Closed:
					require.ErrorIs(t, err, storage.ErrClosed)
					require.Nil(t, diff)
					require.Equal(t, before, c, "a refused patch changes nothing")
				case from == to:
					require.NoError(t, err)
					require.Nil(t, diff)
					require.Equal(t, before, c, "a no-op patch bumps nothing")
				default:
					require.NoError(t, err)
					require.NotEmpty(t, diff)
					require.Equal(t, to, c.Status)
					require.Equal(t, before.Version+1, c.Version)
					require.Equal(t, t1, c.UpdatedAt)
					require.Equal(t, t0, c.CreatedAt)
					if to == conversation.Closed {
						require.Equal(t, t1, c.ClosedAt)
						require.Equal(t, "a1", c.AgentID, "the assignee stays on record")
					} else {
						require.True(t, c.ClosedAt.IsZero())
					}
				}
			})
		}
	}
}

func TestPatchApplyOnClosedChangesNothing(t *testing.T) {
	t.Parallel()
	patches := map[string]conversation.Patch{
		"empty":      {},
		"topic":      {Topic: ptr("new")},
		"summary":    {Summary: ptr("new")},
		"priority":   {Priority: ptr(conversation.High)},
		"queue":      {QueueID: ptr("q2")},
		"unqueue":    {QueueID: ptr("")},
		"assign":     {AgentID: ptr("a2")},
		"unassign":   {AgentID: ptr("")},
		"channel":    {Channel: ptr(conversation.SMS)},
		"customer":   {CustomerID: ptr("cust-2")},
		"attributes": {Attributes: map[string]string{}},
		"same topic": {Topic: ptr("printer on fire")},
	}
	for name, p := range patches {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := existing(conversation.Closed)
			before := c.Clone()
			diff, err := p.Apply(c, t1)
			require.ErrorIs(t, err, storage.ErrClosed)
			require.Nil(t, diff)
			require.Equal(t, before, c)
		})
	}
}

func TestPatchApplyFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		patch   conversation.Patch
		changed bool
		check   func(t *testing.T, c *conversation.Conversation)
	}{
		{"empty patch", conversation.Patch{}, false, nil},
		{"same topic", conversation.Patch{Topic: ptr("printer on fire")}, false, nil},
		{"same status", conversation.Patch{Status: ptr(conversation.Open)}, false, nil},
		{"same priority", conversation.Patch{Priority: ptr(conversation.Normal)}, false, nil},
		{"same queue", conversation.Patch{QueueID: ptr("q1")}, false, nil},
		{"same agent", conversation.Patch{AgentID: ptr("a1")}, false, nil},
		{"same channel", conversation.Patch{Channel: ptr(conversation.NoChannel)}, false, nil},
		{"same customer", conversation.Patch{CustomerID: ptr("")}, false, nil},
		{"equal attributes", conversation.Patch{Attributes: map[string]string{"plan": "gold"}}, false, nil},
		{"only a version", conversation.Patch{IfVersion: 1}, false, nil},
		{"topic", conversation.Patch{Topic: ptr("other")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "other", c.Topic)
		}},
		{"summary", conversation.Patch{Summary: ptr("s")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "s", c.Summary)
		}},
		{"priority", conversation.Patch{Priority: ptr(conversation.Urgent)}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, conversation.Urgent, c.Priority)
		}},
		{"channel", conversation.Patch{Channel: ptr(conversation.Email)}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, conversation.Email, c.Channel)
		}},
		{"customer", conversation.Patch{CustomerID: ptr("cust-9")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "cust-9", c.CustomerID)
		}},
		{"reassign", conversation.Patch{AgentID: ptr("a2")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "a2", c.AgentID)
		}},
		{"unassign", conversation.Patch{AgentID: ptr("")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Empty(t, c.AgentID)
			require.False(t, c.Assigned())
		}},
		{"attributes replace the map", conversation.Patch{Attributes: map[string]string{"tier": "1"}}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, map[string]string{"tier": "1"}, c.Attributes)
		}},
		{"an empty map clears the attributes", conversation.Patch{Attributes: map[string]string{}}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Nil(t, c.Attributes)
		}},
		{"queue moves set queuedAt", conversation.Patch{QueueID: ptr("q2")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "q2", c.QueueID)
			require.Equal(t, t1, c.QueuedAt)
		}},
		{"leaving the queue clears queuedAt", conversation.Patch{QueueID: ptr("")}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Empty(t, c.QueueID)
			require.True(t, c.QueuedAt.IsZero())
		}},
		{"several fields bump the version once", conversation.Patch{Topic: ptr("x"), Priority: ptr(conversation.Low), Status: ptr(conversation.Solved)}, true, func(t *testing.T, c *conversation.Conversation) {
			require.Equal(t, "x", c.Topic)
			require.Equal(t, conversation.Low, c.Priority)
			require.Equal(t, conversation.Solved, c.Status)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := existing(conversation.Open)
			before := c.Clone()
			diff, err := tt.patch.Apply(c, t1)
			require.NoError(t, err)
			require.Equal(t, tt.changed, diff != nil)
			require.Equal(t, conversation.Diff(before, c), diff, "Apply returns the change it made")
			if !tt.changed {
				require.Equal(t, before, c, "a no-op patch changes nothing, version and updatedAt included")
				return
			}
			require.Equal(t, before.Version+1, c.Version, "one change, one version")
			require.Equal(t, t1, c.UpdatedAt)
			require.Equal(t, before.CreatedAt, c.CreatedAt)
			tt.check(t, c)
		})
	}
}

func TestPatchApplyKeepsQueuedAtInTheSameQueue(t *testing.T) {
	t.Parallel()
	c := existing(conversation.Open)
	require.Equal(t, t0, c.QueuedAt)
	diff, err := conversation.Patch{QueueID: ptr("q1"), Topic: ptr("other")}.Apply(c, t1)
	require.NoError(t, err)
	require.NotEmpty(t, diff)
	require.Equal(t, t0, c.QueuedAt, "staying in the queue keeps the waiting time")
}

func TestPatchApplyDoesNotAliasAttributes(t *testing.T) {
	t.Parallel()
	c := existing(conversation.Open)
	p := conversation.Patch{Attributes: map[string]string{"a": "1"}}
	_, err := p.Apply(c, t1)
	require.NoError(t, err)
	p.Attributes["a"] = "2"
	require.Equal(t, "1", c.Attributes["a"])
}

func TestPatchApplyInvalidChangesNothing(t *testing.T) {
	t.Parallel()
	c := existing(conversation.Open)
	before := c.Clone()
	diff, err := conversation.Patch{Topic: ptr("ok"), Status: ptr(conversation.Status("DONE"))}.Apply(c, t1)
	requireInvalid(t, err, "status")
	require.Nil(t, diff)
	require.Equal(t, before, c)
}

// TestPatchApplyVersion: the expected version is checked against the
// conversation Apply is given, after closed-is-immutable.
func TestPatchApplyVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    conversation.Status
		ifVersion int64
		want      error // nil: applied
	}{
		{"no version expected", conversation.Open, 0, nil},
		{"the current version", conversation.Open, 1, nil},
		{"a stale version", conversation.Open, 2, storage.ErrConflict},
		{"a version far ahead", conversation.Open, 1 << 62, storage.ErrConflict},
		{"closed wins over a stale version", conversation.Closed, 2, storage.ErrClosed},
		{"closed with the current version", conversation.Closed, 1, storage.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := existing(tt.status)
			before := c.Clone()
			diff, err := conversation.Patch{Topic: ptr("other"), IfVersion: tt.ifVersion}.Apply(c, t1)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				require.Nil(t, diff)
				require.Equal(t, before, c, "a refused patch changes nothing")
				return
			}
			require.NoError(t, err)
			require.Equal(t, []conversation.FieldChange{{Field: "topic", Before: "printer on fire", After: "other"}}, diff)
			require.Equal(t, int64(2), c.Version)
		})
	}
	c := existing(conversation.Open)
	_, err := conversation.Patch{Topic: ptr("other"), IfVersion: 1}.Apply(c, t1)
	require.NoError(t, err)
	_, err = conversation.Patch{Topic: ptr("again"), IfVersion: 1}.Apply(c, t1)
	require.ErrorIs(t, err, storage.ErrConflict, "the version the first patch saw is stale now")
	require.ErrorContains(t, err, `conversation "c1" is at version 2, not 1`)
}

func TestPatchEmpty(t *testing.T) {
	t.Parallel()
	require.True(t, conversation.Patch{}.Empty())
	require.True(t, conversation.Patch{IfVersion: 3}.Empty(), "a version alone sets no field")
	require.False(t, conversation.Patch{AgentID: ptr("")}.Empty())
	require.False(t, conversation.Patch{Attributes: map[string]string{}}.Empty())
}

// limitCases are the validation limits of the fields a conversation and a
// patch share; set writes the value into the input.
type limitCase struct {
	name  string
	set   func(c *conversation.Conversation)
	field string // "" when valid
}

func sharedLimitCases() []limitCase {
	return []limitCase{
		{"topic of 1000 runes", func(c *conversation.Conversation) { c.Topic = accented(1000) }, ""},
		{"topic of 1001 runes", func(c *conversation.Conversation) { c.Topic = accented(1001) }, "topic"},
		{"topic of 1001 ASCII", func(c *conversation.Conversation) { c.Topic = strings.Repeat("a", 1001) }, "topic"},
		{"topic invalid UTF-8", func(c *conversation.Conversation) { c.Topic = "ab\xffcd" }, "topic"},
		{"topic with NUL", func(c *conversation.Conversation) { c.Topic = "a\x00b" }, "topic"},
		{"summary of 4000 runes", func(c *conversation.Conversation) { c.Summary = accented(4000) }, ""},
		{"summary of 4001 runes", func(c *conversation.Conversation) { c.Summary = accented(4001) }, "summary"},
		{"summary invalid UTF-8", func(c *conversation.Conversation) { c.Summary = "\xc3" }, "summary"},
		{"summary with NUL", func(c *conversation.Conversation) { c.Summary = "\x00" }, "summary"},
		{"customerId of 255 runes", func(c *conversation.Conversation) { c.CustomerID = accented(255) }, ""},
		{"customerId of 256 runes", func(c *conversation.Conversation) { c.CustomerID = accented(256) }, "customerId"},
		{"customerId invalid UTF-8", func(c *conversation.Conversation) { c.CustomerID = "\xfe" }, "customerId"},
		{"customerId with NUL", func(c *conversation.Conversation) { c.CustomerID = "c\x00" }, "customerId"},
		{"customerId with a tab", func(c *conversation.Conversation) { c.CustomerID = "cust\t42" }, "customerId"},
		{"customerId with a DEL", func(c *conversation.Conversation) { c.CustomerID = "cust\x7f" }, "customerId"},
		{"customerId with a C1 control", func(c *conversation.Conversation) { c.CustomerID = "cust\u0085" }, "customerId"},
		{"queueId of 255 runes", func(c *conversation.Conversation) { c.QueueID = accented(255) }, ""},
		{"queueId of 256 runes", func(c *conversation.Conversation) { c.QueueID = accented(256) }, "queueId"},
		{"queueId with NUL", func(c *conversation.Conversation) { c.QueueID = "q\x00" }, "queueId"},
		{"queueId invalid UTF-8", func(c *conversation.Conversation) { c.QueueID = "q\xff" }, "queueId"},
		{"agentId of 255 runes", func(c *conversation.Conversation) { c.AgentID = accented(255) }, ""},
		{"agentId of 256 runes", func(c *conversation.Conversation) { c.AgentID = accented(256) }, "agentId"},
		{"agentId with NUL", func(c *conversation.Conversation) { c.AgentID = "\x00" }, "agentId"},
		{"agentId with a control character", func(c *conversation.Conversation) { c.AgentID = "a\nb" }, "agentId"},
		{"unknown status", func(c *conversation.Conversation) { c.Status = "DONE" }, "status"},
		{"alias is no status value", func(c *conversation.Conversation) { c.Status = "pending" }, "status"},
		{"unknown priority", func(c *conversation.Conversation) { c.Priority = "CRITICAL" }, "priority"},
		{"alias is no priority value", func(c *conversation.Conversation) { c.Priority = "medium" }, "priority"},
		{"unknown channel", func(c *conversation.Conversation) { c.Channel = "PIGEON" }, "channel"},
		{"alias is no channel value", func(c *conversation.Conversation) { c.Channel = "chat" }, "channel"},
		{"50 attributes", func(c *conversation.Conversation) { c.Attributes = attrs(50) }, ""},
		{"51 attributes", func(c *conversation.Conversation) { c.Attributes = attrs(51) }, "attributes"},
		{"attribute key of 100 runes", func(c *conversation.Conversation) { c.Attributes = map[string]string{accented(100): "v"} }, ""},
		{"attribute key of 101 runes", func(c *conversation.Conversation) { c.Attributes = map[string]string{accented(101): "v"} }, "attributes"},
		{"empty attribute key", func(c *conversation.Conversation) { c.Attributes = map[string]string{"": "v"} }, "attributes"},
		{"attribute key invalid UTF-8", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k\xff": "v"} }, "attributes"},
		{"attribute key with NUL", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k\x00": "v"} }, "attributes"},
		{"attribute value of 1000 runes", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k": accented(1000)} }, ""},
		{"attribute value of 1001 runes", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k": accented(1001)} }, "attributes.k"},
		{"attribute value invalid UTF-8", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k": "\xff"} }, "attributes.k"},
		{"attribute value with NUL", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k": "v\x00"} }, "attributes.k"},
		{"empty attribute value", func(c *conversation.Conversation) { c.Attributes = map[string]string{"k": ""} }, ""},
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	cases := append(sharedLimitCases(),
		limitCase{"id of 255 runes", func(c *conversation.Conversation) { c.ID = accented(255) }, ""},
		limitCase{"id of 256 runes", func(c *conversation.Conversation) { c.ID = accented(256) }, "id"},
		limitCase{"id invalid UTF-8", func(c *conversation.Conversation) { c.ID = "\xff" }, "id"},
		limitCase{"id with NUL", func(c *conversation.Conversation) { c.ID = "c\x00" }, "id"},
		limitCase{"id with a control character", func(c *conversation.Conversation) { c.ID = "c\t1" }, "id"},
	)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in conversation.Conversation
			tt.set(&in)
			c, err := conversation.New(in, "gen-1", t0)
			if tt.field == "" {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			requireInvalid(t, err, tt.field)
			require.Nil(t, c)
		})
	}
}

func TestNewWithoutAnyID(t *testing.T) {
	t.Parallel()
	_, err := conversation.New(conversation.Conversation{}, "", t0)
	requireInvalid(t, err, "id")
}

// patchOf turns the fields set on c into a patch, so the same limit cases
// run through Patch.Validate (and, when valid, Patch.Apply).
func patchOf(c conversation.Conversation) conversation.Patch {
	var p conversation.Patch
	if c.Topic != "" {
		p.Topic = &c.Topic
	}
	if c.Summary != "" {
		p.Summary = &c.Summary
	}
	if c.Status != "" {
		p.Status = &c.Status
	}
	if c.Priority != "" {
		p.Priority = &c.Priority
	}
	if c.QueueID != "" {
		p.QueueID = &c.QueueID
	}
	if c.AgentID != "" {
		p.AgentID = &c.AgentID
	}
	if c.Channel != "" {
		p.Channel = &c.Channel
	}
	if c.CustomerID != "" {
		p.CustomerID = &c.CustomerID
	}
	p.Attributes = maps.Clone(c.Attributes)
	return p
}

func TestPatchValidation(t *testing.T) {
	t.Parallel()
	for _, tt := range sharedLimitCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in conversation.Conversation
			tt.set(&in)
			p := patchOf(in)
			require.False(t, p.Empty(), "the case must set a field")
			if tt.field != "" {
				// Validate is the gate: Apply takes only a patch that
				// passed it.
				requireInvalid(t, p.Validate(), tt.field)
				return
			}
			require.NoError(t, p.Validate())
			diff, err := p.Apply(existing(conversation.Open), t1)
			require.NoError(t, err)
			require.NotEmpty(t, diff)
		})
	}
}

// TestCustomerIDRule: one rule for a customer id, wherever it is taken; only
// RequireCustomerID refuses the empty one.
func TestCustomerIDRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id       string
		ok       bool // for ValidateCustomerID
		required bool // for RequireCustomerID
	}{
		{"", true, false},
		{"cust-42", true, true},
		{accented(conversation.MaxCustomerIDLen), true, true},
		{accented(conversation.MaxCustomerIDLen + 1), false, false},
		{"cust 42", true, true},
		{"cust\t42", false, false},
		{"cust\n42", false, false},
		{"cust\x7f", false, false},
		{"cust\u0085", false, false},
		{"cust\x00", false, false},
		{"cust\xff", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.id), func(t *testing.T) {
			t.Parallel()
			if err := conversation.ValidateCustomerID("customerId", tt.id); tt.ok {
				require.NoError(t, err)
			} else {
				requireInvalid(t, err, "customerId")
			}
			if err := conversation.RequireCustomerID("from.customer", tt.id); tt.required {
				require.NoError(t, err)
			} else {
				requireInvalid(t, err, "from.customer")
			}
		})
	}
}

func TestPatchValidationVersion(t *testing.T) {
	t.Parallel()
	requireInvalid(t, conversation.Patch{IfVersion: -1}.Validate(), "version")
	require.NoError(t, conversation.Patch{IfVersion: 7}.Validate())
	require.NoError(t, conversation.Patch{AgentID: ptr(""), QueueID: ptr("")}.Validate(), "empty ids unassign and unqueue")
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want conversation.Status
	}{
		{"OPEN", conversation.Open},
		{"WAITING", conversation.Waiting},
		{"SOLVED", conversation.Solved},
		{"CLOSED", conversation.Closed},
		{"open", conversation.Open},
		{"pending", conversation.Waiting},
		{"closed", conversation.Closed},
		{"", ""},
		{"waiting", ""},
		{"solved", ""},
		{"Open", ""},
		{"PENDING", ""},
		{"DONE", ""},
		{" open", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := conversation.ParseStatus(tt.in)
			if tt.want == "" {
				requireInvalid(t, err, "status")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParsePriority(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want conversation.Priority
	}{
		{"LOW", conversation.Low},
		{"NORMAL", conversation.Normal},
		{"HIGH", conversation.High},
		{"URGENT", conversation.Urgent},
		{"low", conversation.Low},
		{"medium", conversation.Normal},
		{"high", conversation.High},
		{"urgent", conversation.Urgent},
		{"", ""},
		{"normal", ""},
		{"MEDIUM", ""},
		{"Urgent", ""},
		{"CRITICAL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := conversation.ParsePriority(tt.in)
			if tt.want == "" {
				requireInvalid(t, err, "priority")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want conversation.Channel
	}{
		{"email", conversation.Email},
		{"chat", conversation.LiveChat},
		{"phone", conversation.Voice},
		{"whatsapp", conversation.WhatsApp},
		{"", ""},
		{"sms", ""},
		{"Email", ""},
		{"PHONE", ""},
		{"CHAT", ""},
		{"PIGEON", ""},
	}
	for _, c := range conversation.Channels {
		tests = append(tests, struct {
			in   string
			want conversation.Channel
		}{string(c), c})
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := conversation.ParseChannel(tt.in)
			if tt.want == "" {
				requireInvalid(t, err, "channel")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestChannelsAreTheContractsList(t *testing.T) {
	t.Parallel()
	want := []string{
		"NO_CHANNEL", "SMS", "VIBER", "VIBER_BOT", "WHATSAPP", "FACEBOOK_MESSENGER",
		"INSTAGRAM_MESSAGING", "TELEGRAM", "LINE", "RCS", "LIVE_CHAT", "EMAIL",
		"GOOGLE_BUSINESS_MESSAGES", "APPLE_BUSINESS_CHAT", "KAKAO_SANGDAM", "TWITTER_DM",
		"VOICE", "VIDEO", "MULTICHANNEL",
	}
	got := make([]string, len(conversation.Channels))
	for i, c := range conversation.Channels {
		got[i] = string(c)
		require.True(t, c.Valid(), c)
	}
	require.ElementsMatch(t, want, got)
	require.False(t, conversation.Channel("").Valid())
}

func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	require.Equal(t, []conversation.Priority{conversation.Low, conversation.Normal, conversation.High, conversation.Urgent}, conversation.Priorities)
	for i, p := range conversation.Priorities {
		require.Equal(t, i, p.Rank())
		require.Equal(t, p, conversation.PriorityOfRank(i))
	}
	require.Equal(t, -1, conversation.Priority("CRITICAL").Rank())
	require.Empty(t, conversation.PriorityOfRank(-1))
	require.Empty(t, conversation.PriorityOfRank(4))
}

func TestCheckMutable(t *testing.T) {
	t.Parallel()
	for _, s := range conversation.Statuses {
		err := existing(s).CheckMutable()
		if s == conversation.Closed {
			require.ErrorIs(t, err, storage.ErrClosed)
		} else {
			require.NoError(t, err, s)
		}
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	a := existing(conversation.Open)
	b := a.Clone()
	require.Empty(t, conversation.Diff(a, b))

	b.Version, b.UpdatedAt, b.QueuedAt, b.Tags = 9, t1, t1, []string{"x"}
	require.Empty(t, conversation.Diff(a, b), "bookkeeping fields are no change")

	b.Topic, b.Status, b.ClosedAt, b.Attributes, b.Source = "t2", conversation.Closed, t1, nil, conversation.SourceEmail
	var fields []string
	for _, d := range conversation.Diff(a, b) {
		fields = append(fields, d.Field)
	}
	require.Equal(t, []string{"topic", "status", "source", "attributes", "closedAt"}, fields)
}

func TestCloneDoesNotAlias(t *testing.T) {
	t.Parallel()
	a := existing(conversation.Open)
	a.Tags = []string{"x"}
	b := a.Clone()
	b.Attributes["plan"] = "silver"
	b.Tags[0] = "y"
	require.Equal(t, "gold", a.Attributes["plan"])
	require.Equal(t, "x", a.Tags[0])
}

func TestTopicContains(t *testing.T) {
	t.Parallel()
	require.True(t, conversation.TopicContains("Printer ON Fire", "on fi"))
	require.True(t, conversation.TopicContains("anything", ""))
	require.False(t, conversation.TopicContains("printer", "scanner"))
}

// TestAttributeErrorsNameOneField: with several bad attributes, the error
// names the first in key order, every time (map order must not leak).
func TestAttributeErrorsNameOneField(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{"d": "\x00", "b": "\x00", "a": "\x00", "c": strings.Repeat("x", conversation.MaxAttributeValueLen+1)}
	for range 50 {
		requireInvalid(t, conversation.ValidateAttributes(attrs), "attributes.a")
	}
}

func TestParseSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want conversation.Source
	}{
		{"WIDGET", conversation.SourceWidget},
		{"PHONE", conversation.SourcePhone},
		{"API", conversation.SourceAPI},
		{"EMAIL", conversation.SourceEmail},
		{"widget", conversation.SourceWidget},
		{"phone", conversation.SourcePhone},
		{"api", conversation.SourceAPI},
		{"email", conversation.SourceEmail},
		{"", ""},
		{"Api", ""},
		{"chat", ""},
		{"SMS", ""},
		{" api", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := conversation.ParseSource(tt.in)
			if tt.want == "" {
				requireInvalid(t, err, "source")
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	require.ElementsMatch(t, []conversation.Source{"WIDGET", "PHONE", "API", "EMAIL"}, conversation.Sources)
	require.False(t, conversation.Source("").Valid())
}

// TestAliasesReadBack: every value shown in the helpdesk vocabulary reads
// back as itself, so a conversation shown in it and sent back is unchanged;
// the vocabulary's own words are the seed's.
func TestAliasesReadBack(t *testing.T) {
	t.Parallel()
	for _, s := range conversation.Statuses {
		got, err := conversation.ParseStatus(s.Alias())
		require.NoError(t, err, s)
		require.Equal(t, s, got)
	}
	for _, p := range conversation.Priorities {
		got, err := conversation.ParsePriority(p.Alias())
		require.NoError(t, err, p)
		require.Equal(t, p, got)
	}
	for _, c := range conversation.Channels {
		got, err := conversation.ParseChannel(c.Alias())
		require.NoError(t, err, c)
		require.Equal(t, c, got)
	}
	for _, s := range conversation.Sources {
		got, err := conversation.ParseSource(s.Alias())
		require.NoError(t, err, s)
		require.Equal(t, s, got)
	}
	words := map[string]string{
		string(conversation.Open): "open", string(conversation.Waiting): "pending",
		string(conversation.Closed): "closed", string(conversation.Solved): "SOLVED",
		string(conversation.Low): "low", string(conversation.Normal): "medium",
		string(conversation.High): "high", string(conversation.Urgent): "urgent",
		string(conversation.Email): "email", string(conversation.LiveChat): "chat",
		string(conversation.Voice): "phone", string(conversation.WhatsApp): "whatsapp",
		string(conversation.SMS): "SMS", string(conversation.NoChannel): "NO_CHANNEL",
		string(conversation.SourceWidget): "widget", string(conversation.SourceAPI): "api",
	}
	alias := func(v string) string {
		for _, s := range conversation.Statuses {
			if string(s) == v {
				return s.Alias()
			}
		}
		for _, p := range conversation.Priorities {
			if string(p) == v {
				return p.Alias()
			}
		}
		for _, c := range conversation.Channels {
			if string(c) == v {
				return c.Alias()
			}
		}
		return conversation.Source(v).Alias()
	}
	for v, want := range words {
		require.Equal(t, want, alias(v), v)
	}
}

func TestSourceOf(t *testing.T) {
	t.Parallel()
	want := map[conversation.Channel]conversation.Source{
		conversation.Email:    conversation.SourceEmail,
		conversation.Voice:    conversation.SourcePhone,
		conversation.LiveChat: conversation.SourceWidget,
	}
	for _, c := range conversation.Channels {
		w, ok := want[c]
		if !ok {
			w = conversation.SourceAPI
		}
		require.Equal(t, w, conversation.SourceOf(c), c)
	}
}

func TestSourceIsValidated(t *testing.T) {
	t.Parallel()
	_, err := conversation.New(conversation.Conversation{Source: "FAX"}, "c1", t0)
	requireInvalid(t, err, "source")
	_, err = conversation.New(conversation.Conversation{Source: "api"}, "c1", t0)
	requireInvalid(t, err, "source") // the domain holds names; the alias is for Parse
}
