package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/httpapi"
)

// TestUnknownInputIsIgnored checks the default leniency, as Infobip's: an
// unknown query parameter or body field, at any depth, is ignored (never
// folded into a known one by case), while known fields stay strictly
// validated and a refused request writes nothing. The same requests are
// refused in strict mode, naming what is unknown.
func TestUnknownInputIsIgnored(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	strict := setup(t, nil, httpapi.WithStrict())
	strict.seedPeople()

	// Google's connector adds tracking parameters to every call; clients
	// carry typos and fields of their own.
	created := f.must(200, "POST", path("/conversations?piIntegrator=1&piPlatform=lzkj"),
		`{"topic": "a", "summarry": null, "Topic": "B", "colour": {"r": [1, 2]}, "attributes": {"k": "v"}}`).JSON(t)
	require.Equal(t, "a", created["topic"])
	require.Nil(t, created["summary"])
	require.Equal(t, map[string]any{"k": "v"}, created["attributes"], "a map's keys are data, not fields")
	require.NotContains(t, created, "colour")
	requireField(t, strict.do("POST", path("/conversations?piIntegrator=1"), `{"topic": "a"}`), "piIntegrator")
	requireField(t, strict.do("POST", path("/conversations"), `{"topic": "a", "summarry": null}`), "summarry")

	id := created["id"].(string)
	msg := f.must(200, "POST", path("/conversations/%s/messages?piPlatform=lzkj", id),
		`{"content": {"text": "hi", "font": "b"}, "trackingId": 7}`).JSON(t)
	require.Equal(t, map[string]any{"text": "hi"}, msg["content"])

	f.must(200, "PUT", path("/routing"),
		`{"rules": [{"name": "r", "queueId": "billing", "note": "x", "condition": {"when": 1, "channels": ["EMAIL"]}}]}`)
	rules := f.must(200, "GET", path("/routing?x=1"), nil).Items(t, "rules")
	require.Len(t, rules, 1)
	require.Equal(t, []any{"EMAIL"}, rules[0]["condition"].(map[string]any)["channels"])

	f.must(200, "GET", path("/conversations/%s?piIntegrator=1", id), `{"a body": "on a GET"}`)
	f.must(200, "GET", path("/conversations?piIntegrator=1&status=OPEN"), nil)

	// Known fields are still checked, whatever comes with them.
	for _, tc := range []struct{ body, field string }{
		{`{"topic": 42, "colour": "red"}`, "topic"},
		{`{"status": "DONE", "x": 1}`, "status"},
		{`{"topic": "a", "topic": "b", "x": 1}`, "topic"},
		{`{"topic": "a", "x": 1, "x": 2}`, "x"}, // which was meant cannot be told
		{`{"topic": "a", "x": 1`, "body"},
		{`{"topic": "a", "x": 1} {}`, "body"},
	} {
		requireField(t, f.do("POST", path("/conversations?piIntegrator=1"), tc.body), tc.field)
	}
	requireField(t, f.do("GET", path("/conversations?status=GONE&piIntegrator=1"), nil), "status")
	require.Len(t, f.must(200, "GET", path("/conversations"), nil).Items(t, "conversations"), 1, "nothing refused was written")
}

// requireField requires a 400 naming field.
func requireField(t *testing.T, r response, field string) {
	t.Helper()
	requireError(t, r, 400, "INVALID")
	require.Equal(t, field, r.JSON(t)["field"], "%s", r.Body)
}
