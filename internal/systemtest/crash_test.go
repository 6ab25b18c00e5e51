package systemtest

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// The crash test: a child process (this test binary started again, see
// TestMain) writes through the service to an SQLite file in a loop and
// prints each write the service acknowledged; the parent kills it with
// SIGKILL at a random moment, reopens the file, and checks that every
// acknowledged write is there and that no operation is half there. The
// same file goes through every round, so later rounds crash on a bigger
// database, and each reopening recovers the WAL of the crash before.
//
// A write can commit and the kill come before its acknowledgement is
// printed; that is fine for every write but one: a delete undoes an
// acknowledged create. So a conversation acknowledged but gone passes
// only when its conversation.deleted event is there, it is of the round
// just killed, and it was closed (the child deletes only conversations it
// closed). Under heavy CPU load this window is wide enough to hit; before
// it was allowed for, it made the test fail now and then.
//
// The rounds differ: some kill the child while it opens the database, most
// after a few writes, and some let it write hundreds of times, with larger
// messages, for up to 200 ms more, so that its WAL grows past SQLite's
// automatic checkpoint (1000 pages) and the kill may come during or after
// a checkpoint; the log says in how many rounds the killed child's WAL had
// been checkpointed and restarted.
//
// PARLEY_CRASH_SEED sets the seed of the kill moments (the log says which
// one ran) and PARLEY_CRASH_ROUNDS the number of rounds (default 25; under
// CI=true at least crashMinRounds, whatever it says).

// crashChildEnv, when set, makes the test binary the crash test's child; it
// holds the database path.
const crashChildEnv = "PARLEY_CRASH_CHILD"

// crashWorkers is how many goroutines of the child write at once.
const crashWorkers = 3

// crashMinRounds is the fewest rounds CI runs.
const crashMinRounds = 20

// crashChild opens the database and writes until it is killed. Each
// acknowledged write is one line on stdout:
//
//	conversation ID
//	message ID CONVERSATION
//	update CONVERSATION VERSION
//	tag CONVERSATION NAME
//	close CONVERSATION
//	delete CONVERSATION
//
// Every change is one event, so that the parent can count them against
// versions. An unexpected error ends the child with status 1.
func crashChild(path string) {
	ctx := context.Background()
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "crash child: %s: %v\n", what, err)
		os.Exit(1)
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		fail("open", err)
	}
	if err := store.Migrate(ctx); err != nil {
		fail("migrate", err)
	}
	svc := parley.New(store)
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		// One write per line: a line is whole in the pipe or not there.
		if _, err := io.WriteString(os.Stdout, fmt.Sprintf(format, args...)+"\n"); err != nil {
			os.Exit(1)
		}
	}
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Go(func() {
			var closed []string
			for i := 0; ; i++ {
				c, err := svc.CreateConversation(ctx, conversation.Conversation{
					Topic: fmt.Sprintf("crash %d/%d", w, i), CustomerID: fmt.Sprintf("cust-%d", i%7),
					Tags: []string{fmt.Sprintf("w%d", w)},
				})
				if err != nil {
					fail("create", err)
				}
				ack("conversation %s", c.ID)
				for k := range 2 {
					dir := []message.Direction{message.Inbound, message.Outbound}[k]
					// Sizes up to the limit, so that pages fill and split.
					m, err := svc.CreateMessage(ctx, c.ID, message.Message{Direction: dir, Content: message.Content{Text: strings.Repeat("x", 1+(i*97+k*13)%message.MaxTextLen)}})
					if err != nil {
						fail("message", err)
					}
					ack("message %s %s", m.ID, c.ID)
				}
				topic := fmt.Sprintf("crash %d/%d changed", w, i)
				c, err = svc.UpdateConversation(ctx, c.ID, conversation.Patch{Topic: &topic})
				if err != nil {
					fail("update", err)
				}
				ack("update %s %d", c.ID, c.Version)
				name := fmt.Sprintf("n%d", i%5)
				if _, err := svc.AddTag(ctx, c.ID, name); err != nil {
					fail("tag", err)
				}
				ack("tag %s %s", c.ID, name)
				if i%2 == 0 {
					if _, err := svc.CloseConversation(ctx, c.ID); err != nil {
						fail("close", err)
					}
					ack("close %s", c.ID)
					closed = append(closed, c.ID)
				}
				if i%6 == 5 && len(closed) > 0 {
					if err := svc.DeleteConversation(ctx, closed[0], "crash test"); err != nil {
						fail("delete", err)
					}
					ack("delete %s", closed[0])
					closed = closed[1:]
				}
			}
		})
	}
	wg.Wait()
}

// acked is what the children acknowledged, over all rounds.
type acked struct {
	conversations map[string]bool   // created and not deleted
	deleted       map[string]bool   // deleted
	messages      map[string]string // message id to conversation id
	versions      map[string]int64  // the newest version acknowledged
	tags          map[string][]string
	closed        map[string]bool
	writes        int

	// The conversations and messages of the round not yet verified.
	roundConversations, roundMessages []string

	// unacknowledgedDeletes counts the deletes that committed but whose
	// acknowledgement the kill cut off.
	unacknowledgedDeletes int
}

func newAcked() *acked {
	return &acked{
		conversations: map[string]bool{}, deleted: map[string]bool{}, messages: map[string]string{},
		versions: map[string]int64{}, tags: map[string][]string{}, closed: map[string]bool{},
	}
}

// note records one line of the child's.
func (a *acked) note(t *testing.T, line string) {
	t.Helper()
	f := strings.Fields(line)
	require.NotEmpty(t, f, "an empty line from the child")
	a.writes++
	switch {
	case f[0] == "conversation" && len(f) == 2:
		a.conversations[f[1]] = true
		a.roundConversations = append(a.roundConversations, f[1])
	case f[0] == "message" && len(f) == 3:
		a.messages[f[1]] = f[2]
		a.roundMessages = append(a.roundMessages, f[1])
	case f[0] == "update" && len(f) == 3:
		v, err := strconv.ParseInt(f[2], 10, 64)
		require.NoError(t, err, line)
		a.versions[f[1]] = max(a.versions[f[1]], v)
	case f[0] == "tag" && len(f) == 3:
		a.tags[f[1]] = append(a.tags[f[1]], f[2])
	case f[0] == "close" && len(f) == 2:
		a.closed[f[1]] = true
	case f[0] == "delete" && len(f) == 2:
		delete(a.conversations, f[1])
		a.deleted[f[1]] = true
	default:
		t.Fatalf("the child wrote %q", line)
	}
}

// verify reopens the database and checks the database's integrity, that
// nothing is half there, and that every acknowledged write of every round
// is there: all of them in bulk below the service, this round's (on a full
// check, all of them) through the service too. A full check also reads the
// whole store through the service (checkLog); the others use the same
// rules in a few queries, so that a round costs the same on a big
// database.
func (a *acked) verify(t *testing.T, path string, full bool) logStats {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer func() { require.NoError(t, store.Close()) }()
	require.NoError(t, store.Migrate(ctx), "the schema is whole: migrating again does nothing")
	raw := openRaw(t, store)
	raw.requireIntact(t)
	raw.requireOneEventPerChange(t)

	// Every acknowledged write, in bulk.
	type row struct {
		version int64
		status  string
	}
	conversations := map[string]row{}
	for _, rec := range raw.records(t, `SELECT id, CAST(version AS TEXT), status FROM {conversations}`) {
		v, err := strconv.ParseInt(rec[1], 10, 64)
		require.NoError(t, err)
		conversations[rec[0]] = row{v, rec[2]}
	}
	links := map[string]map[string]bool{}
	for _, rec := range raw.records(t, `SELECT conversation_id, tag_name FROM {conversation_tags}`) {
		if links[rec[0]] == nil {
			links[rec[0]] = map[string]bool{}
		}
		links[rec[0]][rec[1]] = true
	}
	messages := map[string]string{}
	for _, rec := range raw.records(t, `SELECT id, conversation_id FROM {messages}`) {
		messages[rec[0]] = rec[1]
	}
	deletions := map[string]bool{}
	for _, rec := range raw.records(t, `SELECT conversation_id FROM {events} WHERE type = 'conversation.deleted'`) {
		deletions[rec[0]] = true
	}
	// A delete that committed just before the kill cut off its
	// acknowledgement: the conversation is gone, and its deletion event is
	// there. The child deletes only conversations it closed itself, so it
	// is one of this round's, and closed.
	for _, id := range a.roundConversations {
		if _, ok := conversations[id]; ok || !a.conversations[id] || !deletions[id] {
			continue
		}
		require.True(t, a.closed[id], "conversation %s was deleted without being closed", id)
		delete(a.conversations, id)
		a.deleted[id] = true
		a.unacknowledgedDeletes++
	}
	for id := range a.conversations {
		c, ok := conversations[id]
		require.True(t, ok, "acknowledged conversation %s", id)
		require.GreaterOrEqual(t, c.version, a.versions[id], "acknowledged update of %s", id)
		for _, name := range a.tags[id] {
			require.True(t, links[id][name], "acknowledged tag %s of %s", name, id)
		}
		if a.closed[id] {
			require.Equal(t, string(conversation.Closed), c.status, "acknowledged close of %s", id)
		}
	}
	for id := range a.deleted {
		_, ok := conversations[id]
		require.False(t, ok, "acknowledged delete of %s", id)
	}
	for id, conversationID := range a.messages {
		got, ok := messages[id]
		if a.deleted[conversationID] {
			require.False(t, ok, "message %s of deleted %s", id, conversationID)
			continue
		}
		require.True(t, ok, "acknowledged message %s", id)
		require.Equal(t, conversationID, got, "the conversation of message %s", id)
	}

	// Through the service.
	svc := parley.New(store)
	ids, messageIDs := a.roundConversations, a.roundMessages
	if full {
		ids, messageIDs = slices.Collect(maps.Keys(a.conversations)), slices.Collect(maps.Keys(a.messages))
	}
	for _, id := range ids {
		c, err := svc.GetConversation(ctx, id)
		if a.deleted[id] {
			require.ErrorIs(t, err, parley.ErrNotFound, "acknowledged delete of %s", id)
			continue
		}
		require.NoError(t, err, "acknowledged conversation %s", id)
		require.GreaterOrEqual(t, c.Version, a.versions[id], "acknowledged update of %s", id)
		for _, name := range a.tags[id] {
			require.Contains(t, c.Tags, name, "acknowledged tag of %s", id)
		}
		if a.closed[id] {
			require.Equal(t, conversation.Closed, c.Status, "acknowledged close of %s", id)
		}
	}
	for _, id := range messageIDs {
		conversationID := a.messages[id]
		m, err := svc.GetMessage(ctx, id)
		if a.deleted[conversationID] {
			require.ErrorIs(t, err, parley.ErrNotFound, "message %s of deleted %s", id, conversationID)
			continue
		}
		require.NoError(t, err, "acknowledged message %s", id)
		require.Equal(t, conversationID, m.ConversationID)
	}
	a.roundConversations, a.roundMessages = nil, nil
	if full {
		return checkLog(t, ctx, svc, true)
	}
	return logStats{Conversations: len(conversations), Messages: len(messages), Events: int(raw.count(t, "SELECT count(*) FROM {events}"))}
}

// TestCrashSafetySQLite kills a writing child process at random moments,
// round after round, and checks the SQLite file after each kill.
func TestCrashSafetySQLite(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARLEY_CRASH_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "PARLEY_CRASH_SEED")
	}
	rounds := 25
	if s := os.Getenv("PARLEY_CRASH_ROUNDS"); s != "" {
		var err error
		rounds, err = strconv.Atoi(s)
		require.NoError(t, err, "PARLEY_CRASH_ROUNDS")
	}
	if os.Getenv("CI") == "true" && rounds < crashMinRounds {
		t.Logf("PARLEY_CRASH_ROUNDS=%d is below the %d rounds CI runs: running %d", rounds, crashMinRounds, crashMinRounds)
		rounds = crashMinRounds
	}
	t.Logf("PARLEY_CRASH_SEED=%d, %d rounds", seed, rounds)
	rng := rand.New(rand.NewPCG(seed, 0x70617273))

	path := filepath.Join(t.TempDir(), "crash.db")
	store, err := sqlite.Open(t.Context(), path)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(t.Context()))
	require.NoError(t, store.Close())
	a := newAcked()
	var stats logStats
	killedIdle, killedWriting, checkpointed, maxWAL := 0, 0, 0, int64(0)
	for round := range rounds {
		// Kill after a random number of acknowledged writes (none: while
		// it opens the database), then after a random further delay, while
		// it goes on writing; every fourth round writes far more and waits
		// longer, to grow the WAL past a checkpoint.
		wantAcks := rng.IntN(60)
		delay := time.Duration(rng.IntN(20_000)) * time.Microsecond
		switch round % 4 {
		case 0:
			wantAcks, delay = 0, time.Duration(rng.IntN(5_000))*time.Microsecond
		case 3:
			wantAcks = 150 + rng.IntN(450)
			delay = time.Duration(rng.IntN(200_000)) * time.Microsecond
		}

		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())

		lines := make(chan string)
		go func() {
			defer close(lines)
			rd := bufio.NewReader(stdout)
			for {
				line, err := rd.ReadString('\n')
				if err != nil {
					return // a line cut off by the kill was never acknowledged
				}
				lines <- strings.TrimSuffix(line, "\n")
			}
		}()
		got := 0
		var partial []string
		for got < wantAcks {
			line, ok := <-lines
			if !ok {
				break // the child died by itself: Wait reports why
			}
			partial = append(partial, line)
			got++
		}
		time.Sleep(delay) // the random moment of the kill, not a synchronisation
		require.NoError(t, cmd.Process.Kill())
		for line := range lines {
			partial = append(partial, line)
		}
		err = cmd.Wait()
		require.Error(t, err, "the child ended by itself: %s", stderr.String())
		require.Contains(t, err.Error(), "killed", "the child failed: %s", stderr.String())
		if len(partial) == 0 {
			killedIdle++
		} else {
			killedWriting++
		}
		size, resets := walState(t, path)
		maxWAL = max(maxWAL, size)
		if resets > 0 {
			checkpointed++
		}
		for _, line := range partial {
			a.note(t, line)
		}
		stats = a.verify(t, path, round == rounds-1)
	}
	t.Logf("%d rounds killed (%d before a first write, %d while writing, %d after a WAL checkpoint); %d acknowledged writes verified, "+
		"%d committed deletes found whose acknowledgement the kill cut off; largest WAL %d KiB; at the end %s",
		rounds, killedIdle, killedWriting, checkpointed, a.writes, a.unacknowledgedDeletes, maxWAL>>10, stats)
}

// walState reads the WAL file a killed child left: its size, and how
// often the WAL was restarted after a checkpoint (the checkpoint sequence
// number of its header). Every round starts without a WAL: the parent's
// last close checkpoints it and removes it.
func walState(t *testing.T, path string) (size int64, resets uint32) {
	t.Helper()
	f, err := os.Open(path + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0
	}
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	var header [16]byte
	if n, _ := io.ReadFull(f, header[:]); n < len(header) {
		return info.Size(), 0 // killed before the header was written
	}
	magic := binary.BigEndian.Uint32(header[0:4])
	require.Contains(t, []uint32{0x377f0682, 0x377f0683}, magic, "the WAL header's magic number")
	return info.Size(), binary.BigEndian.Uint32(header[12:16])
}
