package httpwire

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// TestRequestInputs checks the names the inputs of a request go by: a
// wildcard named id or name after its collection's entity, any other by
// its own name, then the query parameters given once.
func TestRequestInputs(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var got []Input
	mux.HandleFunc("DELETE /ccaas/1/conversations/{id}/tags/{tagName}", func(_ http.ResponseWriter, r *http.Request) { got = RequestInputs(r) })
	mux.HandleFunc("GET /ccaas/1/tags/{name}", func(_ http.ResponseWriter, r *http.Request) { got = RequestInputs(r) })
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/ccaas/1/conversations/c1/tags/vip?reason=x&a=1&a=2", nil))
	require.Equal(t, []Input{{"conversationId", "c1"}, {"tagName", "vip"}, {"reason", "x"}}, got)
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/ccaas/1/tags/vip", nil))
	require.Equal(t, []Input{{"tagName", "vip"}}, got)
}

// TestMessage checks each kind of message, and that the store's operation
// never shows.
func TestMessage(t *testing.T) {
	t.Parallel()
	inputs := []Input{{"conversationId", "c1"}, {"queueId", "q1"}}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{storage.Fail("getting conversation", "c1", storage.ErrNotFound), `Invalid conversationId "c1" given! No such conversation exists.`},
		{storage.Fail("getting agent", "ann", storage.ErrNotFound), `Invalid agentId "ann" given! No such agent exists.`},
		{storage.Fail("adding queue member to queue", "q1", storage.ErrNotFound), `Invalid queueId "q1" given! No such queue exists.`},
		{fmt.Errorf("rules[2].queueId: %w", storage.Fail("getting queue", "q9", storage.ErrNotFound)), `Invalid rules[2].queueId "q9" given! No such queue exists.`},
		{storage.Fail("doing something", "x", storage.ErrNotFound), `Invalid id "x" given! No such entity exists.`},
		{fmt.Errorf("agent %q: %w", `a"b`, parley.ErrNotFound), `Invalid agentId "a\"b" given! No such agent exists.`},
		{storage.Fail("creating agent", "ann", storage.ErrAlreadyExists), `Agent "ann" already exists.`},
		{storage.Fail("creating queue with name", "Support", storage.ErrAlreadyExists), `Queue with name "Support" already exists.`},
		{fmt.Errorf("conversation %q: %w", "c1", parley.ErrClosed), `Can not proceed with the action! Conversation "c1" is closed.`},
		{fmt.Errorf("agent %q may not: %w", "bob", parley.ErrForbidden), `Agent "bob" may not.`},
		{storage.Invalid("limit", "must be between 1 and 999"), "invalid limit: must be between 1 and 999"},
		{Tell(storage.Fail("x", "y", storage.ErrNotFound), "Told."), "Told."},
	} {
		require.Equal(t, tc.want, Message(tc.err, inputs), "%v", tc.err)
	}
	// Told, the error keeps its class.
	require.True(t, errors.Is(Tell(parley.ErrNotFound, "x"), parley.ErrNotFound))
}
