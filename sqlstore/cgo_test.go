package sqlstore_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A PostgreSQL-only program imports sqlstore alone; it must not link the
// cgo SQLite driver.
func TestSQLStoreDoesNotPullInCgo(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/parleyhq/parley/sqlstore").CombinedOutput()
	require.NoError(t, err, string(out))
	require.NotContains(t, string(out), "github.com/mattn/go-sqlite3")
	require.True(t, strings.Contains(string(out), "github.com/jackc/pgx/v5/pgxpool"))
}
