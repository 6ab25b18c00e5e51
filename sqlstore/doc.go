// Package sqlstore is parley's SQL storage.Store, one implementation over
// two dialects: PostgreSQL through pgx's native API, and SQLite through
// database/sql.
//
//	pool, _ := pgxpool.New(ctx, dsn)          // or the host's own pool
//	store, _ := sqlstore.NewPostgres(pool)    // no cgo
//	store, _ := sqlite.Open(ctx, "parley.db") // package sqlstore/sqlite: cgo
//	err := store.Migrate(ctx)
//
// # cgo
//
// This package compiles no C: it reaches SQLite only through database/sql
// and a SQLiteConfig. The one import of github.com/mattn/go-sqlite3 is in
// package sqlstore/sqlite, so a PostgreSQL-only program never links it.
//
// # Statements
//
// Every value is a parameter; the only thing ever spliced into SQL text is
// the namespace of WithSchema, checked by ValidSchema against
// [a-z_][a-z0-9_]*. Statements are written once, in PostgreSQL's syntax
// with {table} names, and rendered per dialect ($n becomes ?n on SQLite, a
// cast after a parameter is dropped); where the dialects differ (lists,
// substring search, aggregates, locking, numbering events) the dialect's
// flavor supplies the fragment or the statement. Lists are parameters too:
// a text[] on PostgreSQL, a JSON array read with json_each on SQLite.
//
// Operations think in round trips. On PostgreSQL the statements of one
// operation go in one pipelined batch (a list's count and its page, a
// delete and its children), BEGIN rides with the first statement of a
// transaction and COMMIT with the last, and pgx caches prepared statements.
// Expected failures (a taken id, a missing parent) are found without the
// database raising an error (INSERT … ON CONFLICT DO NOTHING, INSERT …
// SELECT … WHERE EXISTS), so they neither abort a PostgreSQL transaction
// nor cost a savepoint; a second read on the failure path says which.
//
// # Layout
//
// The Store, its transactions, its statements and Migrate are written once
// (store.go, the files named after what they store, migrate.go), over the
// flavor interface of dialect.go, which holds everything that differs
// between the databases. Each dialect's flavor is one file, with its
// constructor:
//
//   - postgres.go: NewPostgres and WithPgxTx (and the isolation check); schema-qualified table
//     names; statements as written; timestamptz times and text[] lists;
//     strpos, string_agg and json_agg; FOR NO KEY UPDATE; events written
//     under draft keys and numbered after they commit by the sequencer;
//     advisory locks for LockKey and Migrate, and CREATE SCHEMA; writes
//     deferred to the commit's round trip; SQLSTATE classification.
//   - sqlite.go: SQLiteConfig, NewSQLite, SQLDB and WithSQLTx; prefixed
//     table names; ?NNN parameters without casts; fixed-width text times
//     and JSON lists; instr, group_concat and json_group_array; no row or
//     key locks (write transactions run one at a time); events numbered
//     past the highest seq, the counter moved only by a delete; the
//     driver's classification (SQLiteConfig.Classify).
//
// How statements reach the database is separate from the dialect: pgx.go runs
// them through pgx (pipelined batches, BEGIN and COMMIT riding with the
// first and last statements), sqldb.go through database/sql (one after
// the other), each on the store's own connections or in savepoints of the
// host's transaction. Migrations are per dialect, in migrations/<dialect>,
// with the same version numbers.
//
// # Migrations and operations
//
// Migrate applies what is missing and records it in schema_migrations;
// SchemaVersion says which version a database is at, LatestVersion which
// one this build brings, and CheckSchema whether they agree (a readiness
// check). A database that a newer build migrated is ErrSchemaTooNew for
// Migrate and CheckSchema: an old instance must not run on a new schema.
// Each file starts with goose's "-- +goose Up" annotation (a comment to
// Migrate) and has no Down section; a statement that holds a semicolon
// of its own goes between "-- +goose StatementBegin" and "-- +goose
// StatementEnd". So the files MigrationFS returns run as they are with
// goose (checked in CI with a pinned goose), or with another tool that
// reads them, in place of Migrate: a host uses one or the other, since
// each records versions in its own table.
//
// A database that cannot be reached (a connection refused, reset or
// closed, a failed connection attempt, PostgreSQL shutting down or out of
// connections) is ErrUnavailable, which callers may retry; any other
// database failure keeps no sentinel.
//
// Adding a third dialect is a Dialect constant, a file with its flavor and
// constructor, its entry in flavors, and its migrations directory; a
// backend too if its driver is neither pgx nor database/sql. Nothing else
// changes, and the conformance suite (storage/storagetest) says whether it
// behaves.
//
// The SQL restates a few domain rules, for the indexes and filters that
// make them fast: the statuses that count as load (routing.CountsAsLoad),
// what waiting means and the serving order (routing.Waiting and
// routing.ServingOrder). Each such statement names the Go function it
// restates, and a test compares their answers over every status.
//
// # Schema
//
// Normalised tables: conversations, tags, conversation_tags, messages,
// agents, queues, queue_members, routing_rules, events, event_seq,
// customers, calls, agent_presence and settings, with
// cascading foreign keys from a conversation to its messages and tag links
// and from a tag to its links (deletes also remove the children
// explicitly, for SQLite connections of a host that does not enforce
// foreign keys). References to agents and queues from conversations and
// rules are the service's to check: neither is ever deleted. There is an
// index for every filter and order of the conversation list and for the
// orders and time filters of the agent, queue and tag lists, the partial
// index of conversations waiting in a queue in serving order, and the
// indexes behind agent loads, inbound threading and sticky routing (see
// the migration files). An agent's display name is stored folded too
// (routing.FoldDisplayName), which the list's displayName filter matches
// with strpos/instr; on PostgreSQL display names and queue names use the
// "C" collation, so that the name orders agree with Go's. A conversation's priority is stored as its rank,
// so that it sorts; its topic is stored folded too (conversation.FoldTopic)
// and "topic contains" is strpos/instr on it, never LIKE. Ids and names
// use the "C" collation on PostgreSQL and BINARY on SQLite, so that both
// order as Go does. Attributes, message content, rule conditions and event
// changes are JSON text.
//
// A call belongs to its conversation (a cascading foreign key, and an
// explicit delete with the conversation's other children); its transfer
// in progress and its refusals are JSON text. The unique partial index
// calls_live_agent, on the agent of each RINGING, DIALING or CONNECTED
// call, keeps an agent from ever having two live calls, whatever the
// interleaving: CreateCall inserts nothing when it would break it (ON
// CONFLICT DO NOTHING, which on PostgreSQL waits for a transaction writing
// the other call), and an UpdateCall that passed its guard while the other
// call was uncommitted fails on it; both are ErrConflict. The same index
// says whether an agent is on a call (QueueMemberLoads, AgentPresences).
// A transfer's ringing agent and deadline are also columns of their own
// (migration 14): the agent a transfer rings at counts as on a call
// (call.Call.Occupies). The unique partial index calls_transfer_agent keeps
// two transfers from ringing at one agent; the writes guard the rest (a
// transfer never rings at an agent with a live call, nor the reverse),
// which the service serializes by locking the agent before it writes
// either. calls_transfer_due finds the transfers that ring out (DueCalls).
//
// An agent's heartbeat is a row of agent_presence, not a column of agents,
// so that a heartbeat never waits for the agent's row lock that routing
// holds. Every agent has one: CreateAgent writes it (never present, no
// heartbeat), and migration 10 wrote one for each agent created before it.
// On PostgreSQL RecordHeartbeat is one statement, an UPDATE whose subquery
// locks the row first so that it returns the flag as the last committed
// writer left it, and the Store runs it alone, with no BEGIN or COMMIT
// (storage.HeartbeatRecorder); on SQLite it is a read and an upsert in one
// write transaction. MarkAbsent is one conditional UPDATE (present, and the
// heartbeat at or before the lapse), so that of two runners marking one
// lapse one reports it, and a heartbeat that came in first keeps the agent
// present. Settings are key and bytes.
//
// Customers are a table of their own, with no foreign key from
// conversations: a conversation's customer id may name no customer (only
// the service's KnownCustomer writes require one), and the service, not
// the schema, refuses to delete a customer who has conversations. The
// customers' name, email and phone are stored folded too (customer.FoldName,
// FoldEmail, FoldPhone), which is what the list's filters match: email and
// phone by equality on an index, the name by strpos/instr.
//
// Lists read limit+1 rows to know whether a page follows, in index order:
// a cursor page is a keyset condition ((key, id) after the cursor's, key
// being the priority rank for the priority order), so it costs the same at
// any depth. The tags of a page are aggregated in the page's own query,
// for the page's rows only.
//
// # Times
//
// PostgreSQL stores timestamptz. SQLite stores UTC text of one fixed width,
// 2006-01-02T15:04:05.000000Z, so that text order is time order (a format
// that drops trailing zeros would store fine and then compare wrongly).
// Both keep microseconds; times come back in UTC.
//
// # Events
//
// Event seqs increase in the order events become visible, so that a
// reader that has seen seq N misses nothing by asking for the events after
// N. A sequence alone cannot promise that: a transaction may take seq 7,
// commit after another took 8, and a reader that saw 8 skips 7. A counter
// row moved in each writing transaction can, but it serialises every
// write on the database until commit, a host's open transaction included.
//
// So on PostgreSQL events are numbered after they commit (deferred
// numbering). A writer inserts its events with seq NULL under draft keys,
// a block of 1024 from the event_drafts sequence that the INSERT takes
// itself (nextval), in the round trip that commits (a transaction with
// more than 1024 events takes its blocks in a round trip of its own just
// before): no counter, no lock, nothing another writer waits for, no
// round trip of its own. A transaction
// that saw another's changes takes its drafts after that one committed,
// hence larger ones, on any instance, so draft order keeps cause before
// effect. The sequencer
// numbers the committed, unnumbered events in draft order: under an
// advisory lock of the schema's, taken by a statement of its own, one
// statement moves the event_seq counter and sets the seqs. That
// statement's snapshot is taken once the lock is held, so every event it
// numbers has committed, and every event that commits later is numbered by
// a later run, past the counter this one leaves: no seq ever appears below
// one a reader has seen. Events locked by a transaction that is deleting
// them are skipped (SKIP LOCKED), so the sequencer never waits for a
// writer; if the deletion rolls back, a later run numbers them. Readers
// see numbered events only.
//
// The sequencer runs in the round trip that commits a transaction with
// events, right behind the COMMIT (as an implicit transaction of its own,
// whose failure does not undo the commit), and numbers every committed
// event (that transaction's, and any a failed run left), then reads back
// the seqs it, or a run before it, gave that transaction's events: the
// caller's events get their seqs as before, in the same number of round
// trips. A read of the log outside a transaction runs it first, in the
// read's round trip, so that a reader sees whatever committed before it
// asked; a read inside a transaction reads what is numbered. A writer's run does not wait for its WAL flush
// (synchronous_commit off for that run alone: the events themselves
// committed durably), which would be a second flush per write; a reader's
// run takes a transaction id, so that its commit waits for the flush of
// everything before it, a writer's runs included, before the page is
// returned. A seq a reader has seen is therefore durable, and a server
// crash cannot hand it to another event; a crash can only lose a numbering
// nobody has read, and the events are numbered again. Runs queue on the lock, which is held for one statement and
// the commit. A writer's run goes only as far as its own events need: it
// first waits for the run under way with the lock taken shared and let go
// at once (shared waiters are let through together), then takes the lock
// only if its events are still unnumbered, and numbers only if they still
// are once it holds it; so one run numbers what a queue of writers
// committed, and the rest pass through without writing. Only the sequencer NOTIFYs (the channel
// "parley_events_" + schema, whenever it numbered something), so the lock
// PostgreSQL takes to queue notifications at commit holds no writer up
// either. An event deleted with its conversation before it was numbered
// never gets a seq, and its caller's copy keeps seq 0.
//
// The alternative, recording each event's transaction id
// (pg_current_xact_id) and letting readers see only events of
// transactions older than the oldest running one
// (pg_snapshot_xmin(pg_current_snapshot())), needs no second write of the
// row, but a single long transaction anywhere on the database, a host's or
// not, then holds every reader back, and the position would be a pair
// (xid, seq) or the order of transaction ids rather than an int64 that
// increases: deferred numbering keeps the public int64 seq and the
// outbox's promise, and a host's open transaction delays only its own
// events.
//
// On SQLite write transactions run one at a time anyway, so an event is
// numbered as it is written, and needs no counter update: its seq is one
// past the highest ever handed out, the largest of the log's own highest
// seq and the counter, which only DeleteConversation moves, when it
// deletes the newest events (so that no seq is handed out twice). An event
// then dirties two pages (its row and its per-conversation index entry)
// instead of three.
//
// AppendMessage inside InTx on PostgreSQL is not sent at once: its INSERT
// goes with the transaction's next statements, usually the events and the
// COMMIT, so that a reply costs two round trips in all (the locking read
// of the conversation with the agents the reply matrix needs, then the
// INSERT, the events and the COMMIT). A taken id then fails that round
// trip, which aborts the transaction before its COMMIT runs. So does a new
// conversation's INSERT (InsertConversation; a create without tags is one
// round trip), and the UPDATE of a conversation or agent the transaction
// holds: a conversation it locked or created, at the version it last read
// or wrote, or an agent it locked. Nobody else can change or delete a row
// this transaction holds, so the version guard cannot fail; a status
// update is the locking read, then the UPDATE, the events and the COMMIT.
// A route reads what it needs in three batches (RoutingReader: the
// conversation locked with the rules and the default queue; the queue
// with its waiting head and its members' loads; the chosen agent locked
// with its load) besides the check that its new queue exists, and writes
// with the commit: five round trips.
//
// # Transactions
//
// InTx on PostgreSQL is a READ COMMITTED transaction on one pooled
// connection; LockConversation, LockCall, LockAgent and LockCustomer are
// SELECT … FOR NO KEY UPDATE (nothing references a call, so for LockCall
// that is FOR UPDATE) and
// LockKey is pg_advisory_xact_lock. LockAgent reads the agent in a second
// statement of the same round trip, so that the memberships it returns
// (another table) are those committed before the lock was granted, not
// those of the locking statement's start. EnsureTag, and CreateConversation
// for its tags, hold the tags FOR KEY SHARE, which keeps a DELETE out but
// no other tagger; ReplaceRules takes an advisory lock of the rule list
// first, so that two replacements never meet at the primary key. On SQLite InTx is an IMMEDIATE
// transaction on the single writing connection, so write transactions run
// one at a time and the locks have nothing left to do. The Store's own
// methods each run as one transaction (a single statement, or one batch).
//
// # The host's transaction
//
// WithPgxTx and WithSQLTx return a Store that runs inside a transaction the
// host opened, so that a business write of the host's and a parley change
// commit or roll back together:
//
//	tx, _ := pool.Begin(ctx)
//	defer tx.Rollback(ctx)
//	// ... the host's own writes on tx ...
//	in, err := store.WithPgxTx(ctx, tx)   // checks tx is at READ COMMITTED
//	// ... svc.WithStore(in).CloseConversation(ctx, id), ...
//	if err := in.Commit(ctx); err != nil { // both, or neither; then subscribers and routing
//		return err
//	}
//
// A host on database/sql over PostgreSQL (pgx's stdlib driver: sqlx, sqlc,
// ent and gorm users) passes its *sql.Tx to WithSQLTx the same way. The
// level is checked because parley reads rows under their locks and must see
// their latest committed versions: at REPEATABLE READ or SERIALIZABLE such
// a read fails whenever the row changed after the transaction's snapshot.
//
// That Store never commits: each of its operations and each of its InTx is
// a savepoint of the host's transaction, released on success and rolled
// back on failure, so a failed parley operation leaves the host's
// transaction usable. Since only the host knows when its transaction
// commits, a service over that Store calls its event subscribers and runs
// the routing its changes trigger (draining queues) when the host reports
// the commit, over the store outside the transaction: HostStore.Commit
// commits and runs them; a host that commits itself calls Committed after,
// which refuses (ErrHostTxOpen) while the transaction is still open. After
// a rollback nothing of it runs. The event log's rows commit with the
// host's; on PostgreSQL Commit and Committed also number them, so that the
// events subscribers hear carry their seqs (without the call, the next
// reader of the log numbers them). The host's open transaction holds no
// other writer up: its events wait, unnumbered and invisible, for its
// commit.
//
// # Errors
//
// Errors are *storage.Error values that wrap one of storage's sentinels and
// the driver's own error (errors.Is and errors.As both work). Their messages
// name the operation and the id but never carry SQL, a database code or the
// driver's message. Text with a NUL byte
// or invalid UTF-8 never reaches a driver: it is ErrInvalid.
package sqlstore
