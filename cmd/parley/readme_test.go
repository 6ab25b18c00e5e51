package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// readmeExample is one command of the README's console blocks and the
// output shown under it.
type readmeExample struct {
	command string
	output  string
}

var consoleBlock = regexp.MustCompile("(?s)```console\n(.*?)```")

// readmeExamples reads every curl command of the README with its output.
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	var out []readmeExample
	for _, m := range consoleBlock.FindAllStringSubmatch(string(raw), -1) {
		for _, line := range strings.Split(strings.TrimRight(m[1], "\n"), "\n") {
			if cmd, ok := strings.CutPrefix(line, "$ "); ok {
				out = append(out, readmeExample{command: cmd})
				continue
			}
			require.NotEmpty(t, out, "output before any command in a console block")
			out[len(out)-1].output += line + "\n"
		}
	}
	return out
}

var (
	wireTimes = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00`)
	uuids     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// waitAges are the live queue statistics' oldest wait, in whole
	// seconds of the server's own clock.
	waitAges = regexp.MustCompile(`"oldestWaitSeconds":\d+`)
)

// normalize blanks out what differs from run to run: times, wait ages and
// generated ids.
func normalize(s string) string {
	s = wireTimes.ReplaceAllString(s, "<time>")
	s = waitAges.ReplaceAllString(s, `"oldestWaitSeconds":<n>`)
	return uuids.ReplaceAllString(s, "<uuid>")
}

// TestReadmeExamples runs the README's curl commands, in order, against a
// freshly seeded server and checks that each answers what the README shows
// (times and generated ids aside).
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	examples := readmeExamples(t)
	require.NotEmpty(t, examples)
	// The walk-throughs the README promises, each run below.
	for _, route := range []string{"/ccaas/voice/2/calls", "/transfer/agent", "/transfer/external-number", "/transfer/accept", "/transfer-configs/external-number"} {
		require.True(t, slices.ContainsFunc(examples, func(ex readmeExample) bool { return strings.Contains(ex.command, route) }),
			"the README shows %s", route)
	}

	// Twice on the same file: -seed sets the demo rows back, so the
	// walk-through runs again. The second time the history's event
	// numbers have moved on (the log only grows), so its page differs.
	db := filepath.Join(t.TempDir(), "parley.db")
	for pass := 1; pass <= 2; pass++ {
		s := startServer(t, serverBinary(t), nil, "-addr", "127.0.0.1:0", "-sqlite", db, "-seed")
		hostport := strings.TrimPrefix(s.root, "http://")
		for _, ex := range examples {
			require.Contains(t, ex.command, "localhost:8080", "the README's commands talk to the default address")
			cmd := exec.Command("bash", "-c", strings.ReplaceAll(ex.command, "localhost:8080", hostport))
			got, err := cmd.Output()
			require.NoError(t, err, ex.command)
			if pass == 2 && strings.Contains(ex.command, "/history") {
				require.Contains(t, string(got), `"events":[`, ex.command)
				continue
			}
			require.Equal(t, normalize(ex.output), normalize(string(got)), "pass %d: %s", pass, ex.command)
		}
		s.stop(syscall.SIGTERM)
	}
}
