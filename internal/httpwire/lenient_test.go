package httpwire

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

type leafJSON struct {
	A string `json:"a"`
}

type rootJSON struct {
	Name  Opt[string]       `json:"name"`
	Leaf  *leafJSON         `json:"leaf"`
	Leafs []leafJSON        `json:"leafs"`
	Attrs map[string]string `json:"attrs"`
	Any   []string          `json:"any"`
}

// TestDropUnknown checks the rewriting of a body: unknown keys go at every
// depth the type describes, the rest is kept byte for byte, and what is
// not a valid object is left for the strict reading to refuse.
func TestDropUnknown(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[rootJSON]()
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{`{"x": 1}`, `{}`},
		{` { "name" : "a\"}" , "x":{"y":[1,{"z":2}]},"Name":"b" } `, `{"name":"a\"}"} `},
		{`{"leaf": {"a": "1", "b": 2}, "leafs": [{"b": 1}, {"a": "2", "c": [3]}], "x": null}`, `{"leaf":{"a":"1"},"leafs":[{},{"a":"2"}]}`},
		{`{"attrs": {"x": "1", "y": "2"}, "any": ["a", "b"]}`, `{"attrs":{"x": "1", "y": "2"},"any":["a","b"]}`},
		{`{"name": null, "leaf": null, "leafs": null}`, `{"name":null,"leaf":null,"leafs":null}`},
		{`{"leafs": {"a": "1"}}`, `{"leafs":{"a": "1"}}`}, // a wrong type is kept, for the decoder to name
		{`{"x": 1} trailing`, `{} trailing`},
		{`[1]`, `[1]`},
		{`"a"`, `"a"`},
	} {
		got, err := dropUnknown([]byte(tc.in), typ)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, string(got), tc.in)
	}
	for in, field := range map[string]string{
		`{"x": 1`:                           "body",
		`{"x": [1}`:                         "body",
		`{"x": 1, "x": 2}`:                  "x",
		`{"leafs": [{}, {"b": 1, "b": 2}]}`: "leafs[1].b",
	} {
		_, err := dropUnknown([]byte(in), typ)
		require.Error(t, err, in)
		require.Contains(t, err.Error(), field, in)
	}
}
