// Package systemtest holds parley's whole-system tests: the library with
// its HTTP adapter and its real stores, processes and databases, rather
// than one package's code. The package has no code of its own; everything
// is in its tests:
//
//   - crash safety: a child process writing to SQLite killed with SIGKILL
//     (crash_test.go);
//   - PostgreSQL faults: backends terminated under load and while
//     committing, statements blocked past their deadline (pgfault_test.go);
//   - load: a mixed workload on every store, checked against the event
//     log, and closes racing messages (load_test.go);
//   - hostile input through the HTTP adapter and the service
//     (hostile_test.go);
//   - the routing race through two pools and two processes on one
//     PostgreSQL database, and the load races (automatic assignment
//     against reopens, a manual assignment, agent changes and a member
//     leaving the queue) and the catalog races (routing rules, tags)
//     across two processes, PARLEY_RACE_TRIALS trials each (race_test.go);
//   - the service inside a host's own transaction (host_test.go);
//   - the helpdesk API over HTTP on every store: each operation, field,
//     default and scope of its seed, customers, and the round trip that
//     changes nothing (helpdesk_test.go);
//   - the layout rules of SPEC §1: the domain packages do no I/O and the
//     adapters reach parley through the service and the domain's types
//     (layout_test.go);
//   - the service benchmarks on every store (bench_test.go).
//
// The checks they share (row counts, integrity, the event log replayed)
// are in invariants_test.go. The test binary doubles as the child process
// of the crash test and of the two-process race (TestMain).
//
// Run them with
//
//	go test ./internal/systemtest
//
// PARLEY_TEST_POSTGRES names the PostgreSQL server (see internal/pgtest);
// without it the PostgreSQL cases are skipped, and under CI=true they fail.
// PARLEY_CRASH_SEED, PARLEY_CRASH_ROUNDS, PARLEY_LOAD_SEED and
// PARLEY_LOAD_SECONDS tune the crash and load tests; RELIABILITY.md says
// how, and what the tests check.
//
// The rules every store must keep, on its own or under the service, are
// not here: they are the conformance suites of storage/storagetest, which
// each store runs from its own tests.
package systemtest
