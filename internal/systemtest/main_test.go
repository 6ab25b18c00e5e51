package systemtest

import (
	"fmt"
	"os"
	"testing"
)

// TestMain lets the test binary double as the child process of
// TestRoutingRaceTwoProcesses, of the load and catalog races across two
// processes, of TestOutboxTwoProcesses and of TestCrashSafetySQLite.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // runs until it is killed
		os.Exit(1)
	}
	if prefix := os.Getenv(outboxChildEnv); prefix != "" {
		if err := outboxChild(prefix); err != nil {
			fmt.Fprintln(os.Stderr, "outbox child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if phase := os.Getenv(raceChildEnv); phase != "" {
		if err := raceChild(phase); err != nil {
			fmt.Fprintln(os.Stderr, "race child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if race := os.Getenv(raceSideChildEnv); race != "" {
		if err := runRaceSideChild(race); err != nil {
			fmt.Fprintln(os.Stderr, "race child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
