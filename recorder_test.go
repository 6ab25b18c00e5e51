package parley

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestJSONValueMatchesEncodingJSON: the fast paths of jsonValue write
// exactly the bytes encoding/json writes, for every kind of value an event
// records, escapes included.
func TestJSONValueMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	strs := []string{
		"OPEN", "Where is my parcel?", "a\"b", `back\slash`, "<b>&amp;</b>", "tab\there", "new\nline",
		"\x00nul", "\x7f", "é", "日本語", "\u2028", "\xff\xfe", " ", "agent-00", "2024-05-01T09:30:00Z",
	}
	for _, s := range strs {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(jsonValue(s)), "%q", s)
	}
	require.Nil(t, jsonValue(""))
	for _, m := range []map[string]string{
		{"lang": "en"}, {"b": "2", "a": "1", "c": "<3>"}, {"k\"": "v"}, {"é": "x", "a": "ü"},
	} {
		want, err := json.Marshal(m)
		require.NoError(t, err)
		require.Equal(t, string(want), string(jsonValue(m)), "%v", m)
	}
	require.Nil(t, jsonValue(map[string]string{}))
	for _, list := range [][]string{{"vip"}, {"a", "b&c"}, {}, {"x", "\n"}} {
		want, err := json.Marshal(list)
		require.NoError(t, err)
		require.Equal(t, string(want), string(jsonValue(list)), "%v", list)
	}
	for _, tm := range []time.Time{
		time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC),
		time.Date(2024, 5, 1, 9, 30, 0, 123456000, time.FixedZone("x", 3600)),
	} {
		want, err := json.Marshal(tm.UTC().Format(time.RFC3339Nano))
		require.NoError(t, err)
		require.Equal(t, string(want), string(jsonValue(tm)))
	}
	require.Nil(t, jsonValue(time.Time{}))
	for _, v := range []any{42, int64(7), true, nil} {
		want, err := json.Marshal(v)
		require.NoError(t, err)
		if v == nil {
			require.Nil(t, jsonValue(v))
			continue
		}
		require.Equal(t, string(want), string(jsonValue(v)))
	}
}
