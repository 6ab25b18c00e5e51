package sqlstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRender(t *testing.T) {
	t.Parallel()
	pg, err := newDialect(pgFlavor{}, "app")
	require.NoError(t, err)
	lite, err := newDialect(sqliteFlavor{}, "app")
	require.NoError(t, err)
	tmpl := `INSERT INTO {messages} (a, b, c) SELECT $2::text, $10::timestamptz, $1::text[] WHERE x = '$.path' AND y = $3`
	require.Equal(t,
		`INSERT INTO "app".messages (a, b, c) SELECT $2::text, $10::timestamptz, $1::text[] WHERE x = '$.path' AND y = $3`,
		pg.sql(tmpl))
	require.Equal(t,
		`INSERT INTO app_messages (a, b, c) SELECT ?2, ?10, ?1 WHERE x = '$.path' AND y = ?3`,
		lite.sql(tmpl))
	require.Equal(t, "?7", lite.placeholder(7))
	require.Equal(t, "$7", pg.placeholder(7))
}

func TestSQLiteTimeTextIsFixedWidthAndOrdered(t *testing.T) {
	t.Parallel()
	d, err := newDialect(sqliteFlavor{}, "app")
	require.NoError(t, err)
	times := []time.Time{
		{},
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 1000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000_000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120_000_000, time.FixedZone("later", -3600)),
		time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var prev string
	for _, tm := range times {
		s := d.time(tm).(string)
		require.Len(t, s, len(sqliteTimeFormat), s)
		require.Greater(t, s, prev, "text order is time order")
		prev = s
		var back time.Time
		require.NoError(t, timeCol{&back}.Scan(s))
		require.Equal(t, time.UTC, back.Location())
		if tm.Year() < 10000 {
			require.True(t, tm.Truncate(time.Microsecond).Equal(back), "%v != %v", tm, back)
		}
	}
	// Sub-microsecond precision is dropped, never rounded up past a tie.
	require.Equal(t, "2026-01-02T03:04:05.000000Z", d.time(time.Date(2026, 1, 2, 3, 4, 5, 999, time.UTC)))
}

func TestValidSchema(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"parley", "_x", "a1", "app_parley_2", "abcdefghijabcdefghijabcdefghijabcdefghij"} {
		require.NoError(t, ValidSchema(ok), ok)
	}
	for _, bad := range []string{"", "1a", "Parley", "a-b", "a b", `a"b`, "a;drop", "pg_x", "ä",
		"abcdefghijabcdefghijabcdefghijabcdefghijk", "a.b"} {
		require.Error(t, ValidSchema(bad), bad)
		_, err := newDialect(pgFlavor{}, bad)
		require.Error(t, err, bad)
	}
}

func TestCheckArgsKeepsBadTextFromTheDriver(t *testing.T) {
	t.Parallel()
	for _, bad := range []any{"a\x00b", "\xff", []string{"ok", "n\x00"}} {
		require.Error(t, checkArgs([]*stmt{{args: []any{1, bad}}}))
	}
	require.NoError(t, checkArgs([]*stmt{{args: []any{"ünï", []string{"ok"}, nil, 3}}}))
}
