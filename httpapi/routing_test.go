package httpapi_test

import (
	"testing"

	"github.com/parleyhq/parley/httpapi"
	"github.com/stretchr/testify/require"
)

func TestRouteAndSimulate(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople() // ann is ACTIVE
	f.must(200, "PATCH", path("/queues/billing"), map[string]any{"autoAssignment": true})
	f.must(200, "PATCH", path("/queues/support"), map[string]any{"default": true})
	f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"})
	f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{
		map[string]any{"id": "email", "name": "Email to billing", "queueId": "billing", "priority": "high",
			"condition": map[string]any{"channels": []string{"email"}}},
	}})

	email := f.create(map[string]any{"channel": "email", "agentId": "bob"})
	id := email["id"].(string)

	// The dry run answers and writes nothing.
	d := f.must(200, "GET", path("/conversations/%s/simulate-routing", id), nil).JSON(t)
	require.Equal(t, map[string]any{"id": id, "queueId": "billing", "priority": "HIGH"}, d)
	require.Equal(t, email, f.must(200, "GET", path("/conversations/%s", id), nil).JSON(t))

	// Routing: unassigned, queued, prioritised, auto-assigned to ann.
	routed := f.must(200, "POST", path("/conversations/%s/route", id), nil).JSON(t)
	require.Equal(t, "billing", routed["queueId"])
	require.Equal(t, "HIGH", routed["priority"])
	require.Equal(t, "ann", routed["agentId"])
	f.must(200, "POST", path("/conversations/%s/route", id), map[string]any{}) // an empty object is fine too
	requireError(t, f.do("POST", path("/conversations/%s/route", id), map[string]any{"queueId": "x"}), 400, "INVALID", "queueId")

	// No rule matches: the default queue, priority unchanged.
	other := f.create(map[string]any{"channel": "SMS", "priority": "LOW"})["id"].(string)
	d = f.must(200, "GET", path("/conversations/%s/simulate-routing", other), nil).JSON(t)
	require.Equal(t, map[string]any{"id": other, "queueId": "support", "priority": "LOW"}, d)
	got := f.must(200, "POST", path("/conversations/%s/route", other), nil).JSON(t)
	require.Equal(t, "support", got["queueId"])
	require.Nil(t, got["agentId"], "support does not assign automatically")

	// No default queue and no match: no queue.
	f.must(200, "PATCH", path("/queues/support"), map[string]any{"default": false})
	d = f.must(200, "GET", path("/conversations/%s/simulate-routing", other), nil).JSON(t)
	v, ok := d["queueId"]
	require.True(t, ok)
	require.Nil(t, v)

	events := f.must(200, "GET", path("/conversations/%s/history", id), nil).Items(t, "events")
	require.Equal(t, "conversation.routed", events[1]["type"])

	closed := f.create(map[string]any{"status": "CLOSED"})["id"].(string)
	requireError(t, f.do("POST", path("/conversations/%s/route", closed), nil), 409, "CLOSED")
	requireError(t, f.do("GET", path("/conversations/%s/simulate-routing", closed), nil), 409, "CLOSED")
	requireError(t, f.do("POST", path("/conversations/nope/route"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("GET", path("/conversations/nope/simulate-routing"), nil), 404, "NOT_FOUND")
}

func TestTransfer(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	id := f.create(map[string]any{"queueId": "billing", "agentId": "ann"})["id"].(string)
	p := path("/conversations/%s/transfer", id)

	// To an agent: bob is INVISIBLE, which limits only automatic assignment.
	got := f.must(200, "POST", p, map[string]any{"agentId": "bob"}).JSON(t)
	require.Equal(t, "bob", got["agentId"])
	require.Equal(t, "billing", got["queueId"])

	// To a queue: unassigned there (support does not assign automatically).
	got = f.must(200, "POST", p, map[string]any{"queueId": "support"}).JSON(t)
	require.Equal(t, "support", got["queueId"])
	require.Nil(t, got["agentId"])

	events := f.must(200, "GET", path("/conversations/%s/history", id), nil).Items(t, "events")
	require.Equal(t, "conversation.transferred", events[len(events)-1]["type"])
	require.Equal(t, "conversation.transferred", events[len(events)-2]["type"])

	requireError(t, f.do("POST", p, map[string]any{"agentId": "bob", "queueId": "support"}), 400, "INVALID", "queueId")
	requireError(t, f.do("POST", p, map[string]any{}), 400, "INVALID", "agentId")
	requireError(t, f.do("POST", p, map[string]any{"agentId": nil}), 400, "INVALID", "agentId")
	requireError(t, f.do("POST", p, map[string]any{"agentId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", p, map[string]any{"agentId": "off"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", p, map[string]any{"queueId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/conversations/nope/transfer"), map[string]any{"queueId": "support"}), 404, "NOT_FOUND")

	closed := f.create(map[string]any{"status": "CLOSED"})["id"].(string)
	requireError(t, f.do("POST", path("/conversations/%s/transfer", closed), map[string]any{"agentId": "bob"}), 409, "CLOSED")
	requireError(t, f.do("POST", path("/conversations/%s/transfer", closed), map[string]any{"queueId": "support"}), 409, "CLOSED")
}

// TestTransferSecondVocabulary checks that the transfer body takes the
// aliases assignedTo (agentId) and inboxId (queueId), and that a field
// given with its alias is a 400 naming the alias, as on the conversation
// bodies.
func TestTransferSecondVocabulary(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	id := f.create(map[string]any{"queueId": "billing", "agentId": "ann"})["id"].(string)
	p := path("/conversations/%s/transfer", id)

	got := f.must(200, "POST", p, map[string]any{"assignedTo": "bob"}).JSON(t)
	require.Equal(t, "bob", got["agentId"])
	require.Equal(t, "billing", got["queueId"])
	got = f.must(200, "POST", p, map[string]any{"inboxId": "support"}).JSON(t)
	require.Equal(t, "support", got["queueId"])
	require.Nil(t, got["agentId"])

	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"agentId and assignedTo", map[string]any{"agentId": "bob", "assignedTo": "bob"}, "assignedTo"},
		{"queueId and inboxId", map[string]any{"queueId": "support", "inboxId": "support"}, "inboxId"},
		{"assignedTo and inboxId", map[string]any{"assignedTo": "bob", "inboxId": "support"}, "queueId"},
		{"agentId and inboxId", map[string]any{"agentId": "bob", "inboxId": "support"}, "queueId"},
		{"assignedTo null", map[string]any{"assignedTo": nil}, "agentId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do("POST", p, tc.body)
			requireError(t, r, 400, "INVALID")
			require.Equal(t, tc.field, r.JSON(t)["field"])
		})
	}
	requireError(t, f.do("POST", p, map[string]any{"assignedTo": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", p, map[string]any{"inboxId": "nope"}), 404, "NOT_FOUND")
}
