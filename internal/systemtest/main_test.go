package systemtest

import (
	"fmt"
	"os"
	"testing"

	"github.com/parleyhq/parley/storage/storagetest"
)

// TestMain lets the test binary double as the child process of
// TestRoutingRaceTwoProcesses, of TestLoadRacesTwoProcesses and of
// TestCrashSafetySQLite.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // runs until it is killed
		os.Exit(1)
	}
	if phase := os.Getenv(raceChildEnv); phase != "" {
		if err := raceChild(phase); err != nil {
			fmt.Fprintln(os.Stderr, "race child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if race := os.Getenv(loadRaceChildEnv); race != "" {
		if err := runLoadRaceChild(storagetest.LoadRace(race)); err != nil {
			fmt.Fprintln(os.Stderr, "load race child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
