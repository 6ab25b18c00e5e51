package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A key given twice is refused at every depth of a body, naming its path,
// and nothing is written: encoding/json would keep the last one.
func TestDuplicateKeysAtEveryDepth(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	c := f.create(map[string]any{"topic": "Hello", "attributes": map[string]string{"k": "v"}})
	id := c["id"].(string)
	rules := f.must(200, "GET", path("/routing"), nil).Body

	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"top level", "POST", path("/conversations"), `{"topic":"a","topic":"b"}`, "topic"},
		{"create attributes", "POST", path("/conversations"), `{"attributes":{"k":"first","k":"second"}}`, "attributes.k"},
		{"patch attributes", "PATCH", path("/conversations/%s", id), `{"attributes":{"k":"first","k":"second"}}`, "attributes.k"},
		{"put attributes", "PUT", path("/conversations/%s", id), `{"topic":"x","attributes":{"a":"1","b":"2","a":"3"}}`, "attributes.a"},
		{"rule condition attributes", "PUT", path("/routing"),
			`{"rules":[{"name":"r","queueId":"billing","condition":{"attributes":{"k":"1","k":"2"}}}]}`,
			"rules[0].condition.attributes.k"},
		{"second rule", "PUT", path("/routing"),
			`{"rules":[{"name":"r","queueId":"billing"},{"name":"s","queueId":"billing","name":"t"}]}`,
			"rules[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, tc.path, tc.body)
			requireError(t, r, 400, "INVALID", tc.field, "more than once")
			require.Equal(t, tc.field, r.JSON(t)["field"])
		})
	}
	// Nothing was written: one conversation, unchanged, and the same rules.
	require.Len(t, f.must(200, "GET", path("/conversations"), nil).Items(t, "conversations"), 1)
	require.Equal(t, c, f.must(200, "GET", path("/conversations/%s", id), nil).JSON(t))
	require.JSONEq(t, string(rules), string(f.must(200, "GET", path("/routing"), nil).Body))
	// The same keys in different objects are no duplicate.
	f.must(200, "POST", path("/conversations"), `{"topic":"k","attributes":{"topic":"k","k":"topic"}}`)
}
