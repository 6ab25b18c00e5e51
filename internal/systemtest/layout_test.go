package systemtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// SPEC §1 as a test: the domain packages do no I/O, and the HTTP adapters
// reach parley only through the service and the domain's types.

const module = "github.com/parleyhq/parley"

// imports returns what the non-test files of the package in dir (relative
// to the module root) import.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	root := filepath.Join("..", "..", dir)
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, name), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			if !slices.Contains(out, path) {
				out = append(out, path)
			}
		}
	}
	require.NotEmpty(t, out, "%s has no Go files", dir)
	return out
}

func TestDomainPackagesDoNoIO(t *testing.T) {
	t.Parallel()
	io := []string{"os", "os/exec", "os/signal", "net", "net/http", "net/rpc", "net/smtp", "io/fs", "io/ioutil",
		"database/sql", "database/sql/driver", "syscall", "log", "log/slog", "path/filepath", "crypto/tls", "unsafe"}
	for _, dir := range []string{"conversation", "customer", "message", "tag", "routing", "call", "fault", "schedule", "recording", "audio", "waiting", "wallboard"} {
		for _, imp := range imports(t, dir) {
			require.False(t, slices.Contains(io, imp) || strings.HasPrefix(imp, "net/http/"), "%s imports %s", dir, imp)
			if rest, ok := strings.CutPrefix(imp, module+"/"); ok {
				require.NotContains(t, []string{"storage", "memstore", "sqlstore", "httpapi"}, strings.Split(rest, "/")[0], "%s imports %s", dir, imp)
			}
			require.NotEqual(t, module, imp, "%s imports the service", dir)
		}
	}
}

func TestAdaptersUseTheServiceAndTheDomain(t *testing.T) {
	t.Parallel()
	allowed := []string{module, module + "/conversation", module + "/customer", module + "/message", module + "/routing",
		module + "/tag", module + "/call", module + "/schedule", module + "/fault", module + "/storage", module + "/internal/httpwire",
		module + "/recording", module + "/audio", module + "/waiting", module + "/wallboard"}
	for _, dir := range []string{"httpapi", "httpapi/helpdesk", "internal/httpwire"} {
		for _, imp := range imports(t, dir) {
			if strings.HasPrefix(imp, module) {
				require.Contains(t, allowed, imp, "%s imports %s", dir, imp)
			} else {
				require.NotContains(t, imp, ".", "%s imports %s, outside the standard library", dir, imp)
			}
		}
	}
}
