package httpapi_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
)

// TestErrorMessagesNameEntityAndField checks the message of every
// not-found, conflict and closed answer, on the memory store and on
// SQLite: in the words of Infobip's answers, naming the entity and the
// field, with no package, store operation, SQL or database text.
func TestErrorMessagesNameEntityAndField(t *testing.T) {
	t.Parallel()
	stores := map[string]func(t *testing.T) storage.Store{
		"memstore": func(*testing.T) storage.Store { return nil },
		"sqlite": func(t *testing.T) storage.Store {
			st, err := sqlite.Open(t.Context(), sqlite.Memory)
			if err != nil {
				t.Skipf("no SQLite in this build: %v", err)
			}
			t.Cleanup(func() { _ = st.Close() })
			require.NoError(t, st.Migrate(t.Context()))
			return st
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, newStore(t))
			f.seedPeople()
			f.create(map[string]any{"id": "c1", "agentId": "ann"})
			f.create(map[string]any{"id": "shut", "status": "CLOSED"})
			f.must(200, "POST", path("/tags"), map[string]any{"name": "vip"})
			for _, tc := range []struct {
				method, path string
				body         any
				headers      []header
				status       int
				want         string
			}{
				{"GET", "/conversations/nope", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"PATCH", "/conversations/nope", map[string]any{"topic": "x"}, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"DELETE", "/conversations/nope", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"PUT", "/conversations/c1/assignee", map[string]any{"agentId": "nobody"}, nil, 404, `Invalid agentId "nobody" given! No such agent exists.`},
				{"POST", "/conversations/c1/transfer", map[string]any{"queueId": "nowhere"}, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"DELETE", "/conversations/c1/tags/vip", nil, nil, 404, `Invalid tagName "vip" given! Conversation "c1" has no such tag.`},
				{"DELETE", "/conversations/nope/tags/vip", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"GET", "/conversations/nope/messages", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"POST", "/conversations/c1/messages", map[string]any{"content": map[string]any{"text": "x"}}, []header{asAgent("ghost")}, 404, `Invalid agentId "ghost" given! No such agent exists.`},
				{"GET", "/conversations/nope/notes", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"GET", "/conversations/nope/history", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"GET", "/agents/nobody", nil, nil, 404, `Invalid agentId "nobody" given! No such agent exists.`},
				{"GET", "/agents/" + url.PathEscape(`a"b\c`), nil, nil, 404, `Invalid agentId "a\"b\\c" given! No such agent exists.`},
				{"POST", "/conversations/c1/messages", map[string]any{"content": map[string]any{"text": "x"}}, []header{asAgent(`g"h\`)}, 404, `Invalid agentId "g\"h\\" given! No such agent exists.`},
				{"GET", "/queues/nowhere", nil, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"POST", "/queues/nowhere/agents", map[string]any{"agentId": "ann"}, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"POST", "/queues/billing/agents", map[string]any{"agentId": "nobody"}, nil, 404, `Invalid agentId "nobody" given! No such agent exists.`},
				{"POST", "/agents/ann/queues", map[string]any{"queueId": "nowhere"}, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"DELETE", "/queues/billing/agents/bob", nil, nil, 404, `Invalid agentId "bob" given! The agent is no member of queue "billing".`},
				{"DELETE", "/queues/nowhere/agents/bob", nil, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"DELETE", "/tags/nope", nil, nil, 404, `Invalid tagName "nope" given! No such tag exists.`},
				{"GET", "/tags?conversationId=nope", nil, nil, 404, `Invalid conversationId "nope" given! No such conversation exists.`},
				{"POST", "/conversations", map[string]any{"queueId": "nowhere"}, nil, 404, `Invalid queueId "nowhere" given! No such queue exists.`},
				{"PUT", "/routing", map[string]any{"rules": []any{map[string]any{"name": "r", "queueId": "nowhere"}}}, nil, 404, `Invalid rules[0].queueId "nowhere" given! No such queue exists.`},
				{"POST", "/agents", map[string]any{"id": "ann", "displayName": "Ann"}, nil, 409, `Agent "ann" already exists.`},
				{"POST", "/queues", map[string]any{"id": "billing", "name": "Other"}, nil, 409, `Queue "billing" already exists.`},
				{"POST", "/queues", map[string]any{"id": "q9", "name": "Billing"}, nil, 409, `Queue with name "Billing" already exists.`},
				{"POST", "/conversations", map[string]any{"id": "c1"}, nil, 409, `Conversation "c1" already exists.`},
				{"PATCH", "/conversations/shut", map[string]any{"topic": "x"}, nil, 409, `Can not proceed with the action! Conversation "shut" is closed.`},
				{"PATCH", "/conversations/c1", map[string]any{"topic": "x"}, []header{{"If-Match", `"99"`}}, 409, `Conversation "c1" is at version 1, not 99.`},
				{"POST", "/conversations/c1/messages", map[string]any{"content": map[string]any{"text": "x"}}, []header{asAgent("bob")}, 403, `Agent "bob" may reply only to conversations assigned to them.`},
			} {
				r := f.do(tc.method, path("%s", tc.path), tc.body, tc.headers...)
				require.Equal(t, tc.status, r.Status, "%s %s: %s", tc.method, tc.path, r.Body)
				msg := r.JSON(t)["message"]
				require.Equal(t, tc.want, msg, "%s %s", tc.method, tc.path)
				require.NotRegexp(t, `(?i)storage|sqlstore|memstore|sqlite|getting|listing|creating|select|sql`, msg, "%s %s", tc.method, tc.path)
			}
		})
	}
}
