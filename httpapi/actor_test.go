package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/storage"
)

// A host middleware that authenticates and puts the actor in the request
// context wins over x-agent-id under the default ActorFunc: the header
// cannot make a caller someone else. Without an actor in the context the
// header is read as before.
func TestDefaultActorKeepsTheHostsActor(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	inner := f.handler
	// The host's authentication: the "x-user" header stands for a verified
	// token; a request without it gets no actor from the host.
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user := r.Header.Get("x-user"); user != "" {
			r = r.WithContext(parley.WithActor(r.Context(), parley.Actor{AgentID: user}))
		}
		inner.ServeHTTP(w, r)
	})
	id := f.create(map[string]any{"topic": "Refund", "agentId": "ann"})["id"].(string)
	msgs := path("/conversations/%s/messages", id)
	reply := map[string]any{"content": map[string]any{"text": "Hi"}}

	// bob, authenticated, claims to be ann in the header: he is still bob,
	// and an AGENT who is not the assignee may not reply.
	requireError(t, f.do("POST", msgs, reply, header{"x-user", "bob"}, asAgent("ann")), 403, "FORBIDDEN")
	// ann, authenticated, replies; the header naming bob changes nothing.
	m := f.must(200, "POST", msgs, reply, header{"x-user", "ann"}, asAgent("bob")).JSON(t)
	require.Equal(t, "ann", m["agentId"])
	// No actor from the host: the header is the actor.
	m = f.must(200, "POST", msgs, reply, asAgent("sam")).JSON(t)
	require.Equal(t, "sam", m["agentId"])
	requireError(t, f.do("POST", msgs, reply, asAgent("bob")), 403, "FORBIDDEN")

	events, err := f.svc.Events(t.Context(), storage.EventQuery{})
	require.NoError(t, err)
	var actors []string
	for _, e := range events {
		if e.Type == "message.created" {
			actors = append(actors, e.Actor)
		}
	}
	require.Equal(t, []string{"ann", "sam"}, actors)
}

// HeaderActor itself: the context's actor first, even one without an agent
// id (a service account's scopes), then the header.
func TestHeaderActorPrefersTheContext(t *testing.T) {
	t.Parallel()
	req, err := http.NewRequest("GET", "/", nil)
	require.NoError(t, err)
	req.Header.Set(httpapi.HeaderAgentID, "bob")
	a, err := httpapi.HeaderActor(req)
	require.NoError(t, err)
	require.Equal(t, parley.Actor{AgentID: "bob"}, a)

	robot := parley.Actor{Scopes: []parley.Scope{parley.ScopeRead}}
	a, err = httpapi.HeaderActor(req.WithContext(parley.WithActor(req.Context(), robot)))
	require.NoError(t, err)
	require.Equal(t, robot, a)
}
