package httpwire

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// The key checker refuses a key given twice in any object of the body,
// whatever Go type holds it (a struct, a map, a value of no fixed shape),
// and names the path to it.
func TestDecodeBodyDuplicateKeys(t *testing.T) {
	t.Parallel()
	type inner struct {
		Name string `json:"name"`
	}
	type body struct {
		Topic string            `json:"topic"`
		Attrs map[string]string `json:"attributes"`
		Opt   Opt[map[string]string]
		Items []inner          `json:"items"`
		Any   map[string]any   `json:"any"`
		List  []map[string]any `json:"list"`
	}
	for _, tc := range []struct{ body, field string }{
		{`{"topic":"a","topic":"b"}`, "topic"},
		{`{"attributes":{"k":"first","k":"second"}}`, "attributes.k"},
		{`{"Opt":{"k":"1","j":"2","k":"3"}}`, "Opt.k"},
		{`{"items":[{"name":"a"},{"name":"a","name":"b"}]}`, "items[1].name"},
		{`{"any":{"a":{"b":{"c":1,"c":2}}}}`, "any.a.b.c"},
		{`{"any":{"a":[1,{"x":1,"x":1}]}}`, "any.a[1].x"},
		{`{"list":[{},{"a":[{"q":1,"q":1}]}]}`, "list[1].a[0].q"},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		var dst body
		err := DecodeBody(httptest.NewRecorder(), req, &dst)
		require.ErrorIs(t, err, parley.ErrInvalid, tc.body)
		var fe *parley.FieldError
		require.True(t, errors.As(err, &fe), tc.body)
		require.Equal(t, tc.field, fe.Field, tc.body)
		require.Equal(t, "given more than once", fe.Reason, tc.body)
	}
	// Equal keys in different objects, at any depth, are fine.
	req := httptest.NewRequest("POST", "/", strings.NewReader(
		`{"topic":"t","attributes":{"topic":"x"},"any":{"topic":{"topic":[{"topic":1},{"topic":2}]}}}`))
	var dst body
	require.NoError(t, DecodeBody(httptest.NewRecorder(), req, &dst))
	require.Equal(t, "x", dst.Attrs["topic"])
}

// A body nested deep in a value of no fixed shape is read in memory
// proportional to its depth: 100,000 levels within the body limit.
func TestDecodeBodyDeepNesting(t *testing.T) {
	t.Parallel()
	type body struct {
		Any map[string]any `json:"any"`
	}
	const depth = 100_000
	deep := `{"any":{"k":` + strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + "}}"
	req := httptest.NewRequest("POST", "/", strings.NewReader(deep))
	err := DecodeBody(httptest.NewRecorder(), req, &body{})
	require.ErrorIs(t, err, parley.ErrInvalid) // encoding/json refuses the depth itself
	dup := `{"any":{"k":` + strings.Repeat(`{"a":`, 1000) + `{"b":1,"b":2}` + strings.Repeat("}", 1000) + "}}"
	req = httptest.NewRequest("POST", "/", strings.NewReader(dup))
	err = DecodeBody(httptest.NewRecorder(), req, &body{})
	var fe *parley.FieldError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "any.k."+strings.Repeat("a.", 1000)+"b", fe.Field)
}
