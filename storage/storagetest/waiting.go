package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/waiting"
)

// ttsMessage is an enabled TTS message saying text.
func ttsMessage(text string) audio.Message {
	return audio.Message{Enabled: true, AudioSourceType: audio.TTSSource, TTS: &audio.TTS{
		Text: text, Language: "en-gb", Voice: audio.Voice{Name: "Emma", Gender: "FEMALE"}, SpeechRate: 1,
	}}
}

// queueStrategy is a valid QUEUE strategy naming queues, every message set,
// created at t0.
func queueStrategy(id string, queues ...string) *waiting.Strategy {
	every := audio.Duration{Unit: audio.Seconds, Value: 30}
	collect := audio.Duration{Unit: audio.Seconds, Value: 5}
	file := &audio.File{FileDescriptor: "hold-music-1"}
	return &waiting.Strategy{
		ID: id, Name: "Strategy " + id,
		MaximumWaitTime: audio.Duration{Unit: audio.Minutes, Value: 2},
		GreetingMessage: ttsMessage("Welcome"),
		MusicOnHold:     audio.Music{Enabled: true, File: file},
		AnnouncementMessage: audio.Announcement{Message: ttsMessage("You are {{QUEUE_POSITION_DEFAULT}} in line"),
			RepeatInterval: &every, CollectDuration: &collect,
			Collectables: []audio.Collectable{{Code: "1", Action: audio.Callback, Value: "cb"}, {Code: "9", Action: audio.ReturnToIVR, Value: "menu"}}},
		CallbackConfirmationMessage: audio.Message{Enabled: true, AudioSourceType: audio.FileSource, File: &audio.File{FileDescriptor: "cb-ok"}},
		MaximumWaitTimeMessage:      ttsMessage("Sorry"),
		ConditionType:               waiting.ByQueue,
		Condition:                   waiting.Condition{Queues: queues},
		CreatedAt:                   t0, UpdatedAt: t0,
	}
}

// senderStrategy is a valid SENDER strategy naming PSTN numbers.
func senderStrategy(id string, numbers ...string) *waiting.Strategy {
	s := queueStrategy(id)
	s.ConditionType = waiting.BySender
	s.Condition = waiting.Condition{}
	for _, n := range numbers {
		s.Condition.Senders = append(s.Condition.Senders, waiting.Sender{ClientType: call.PSTN, Identifier: n})
	}
	return s
}

func (f *fixture) createStrategy(s *waiting.Strategy) error {
	return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateWaitingStrategy(f.ctx, s) })
}

func (f *fixture) strategyIDs(p waiting.ListParams) ([]string, int) {
	f.t.Helper()
	page, err := f.store.ListWaitingStrategies(f.ctx, p)
	require.NoError(f.t, err)
	ids := []string{}
	for _, s := range page.Items {
		ids = append(ids, s.ID)
	}
	return ids, page.Total
}

var waitingCases = []testCase{
	{"RoundTrip", func(t *testing.T, f *fixture) {
		s := queueStrategy("w1", "q1", waiting.DefaultQueue)
		s.Outcome = waiting.Outcome{Action: waiting.Overflow, QueueID: "q9"}
		require.NoError(t, f.createStrategy(s))
		got, err := f.store.GetWaitingStrategy(f.ctx, "w1")
		require.NoError(t, err)
		require.Equal(t, s, got)
		snd := senderStrategy("w2", "+385100", "+385200")
		snd.MusicOnHold = audio.Music{Enabled: true, UseDefault: true}
		snd.GreetingMessage = audio.Message{}
		require.NoError(t, f.createStrategy(snd))
		got, err = f.store.GetWaitingStrategy(f.ctx, "w2")
		require.NoError(t, err)
		require.Equal(t, snd, got)

		require.ErrorIs(t, f.createStrategy(queueStrategy("w1", "q7")), storage.ErrAlreadyExists)
		_, err = f.store.GetWaitingStrategy(f.ctx, "nope")
		require.ErrorIs(t, err, storage.ErrNotFound)
	}},
	{"UpdateAndDelete", func(t *testing.T, f *fixture) {
		require.NoError(t, f.createStrategy(queueStrategy("w1", "q1")))
		next := queueStrategy("w1", "q2")
		next.Name, next.CreatedAt, next.UpdatedAt = "Renamed", at(time.Hour), at(time.Hour)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateWaitingStrategy(f.ctx, next) }))
		got, err := f.store.GetWaitingStrategy(f.ctx, "w1")
		require.NoError(t, err)
		require.Equal(t, "Renamed", got.Name)
		require.Equal(t, []string{"q2"}, got.Condition.Queues)
		require.Equal(t, t0, got.CreatedAt, "CreatedAt is kept")
		require.Equal(t, at(time.Hour), got.UpdatedAt)
		// q1 is free again, q2 is taken.
		require.NoError(t, f.createStrategy(queueStrategy("w2", "q1")))
		require.ErrorIs(t, f.createStrategy(queueStrategy("w3", "q2")), storage.ErrConflict)

		missing := queueStrategy("nope", "q5")
		require.ErrorIs(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateWaitingStrategy(f.ctx, missing) }), storage.ErrNotFound)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteWaitingStrategy(f.ctx, "w1") }))
		require.ErrorIs(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteWaitingStrategy(f.ctx, "w1") }), storage.ErrNotFound)
		// Its queue is free once it is gone.
		require.NoError(t, f.createStrategy(queueStrategy("w4", "q2")))
	}},
	{"Claims", func(t *testing.T, f *fixture) {
		require.NoError(t, f.createStrategy(queueStrategy("w1", "q1", waiting.DefaultQueue)))
		require.NoError(t, f.createStrategy(senderStrategy("w2", "+385100")))
		require.ErrorIs(t, f.createStrategy(queueStrategy("w3", "q2", "default")), storage.ErrConflict)
		require.ErrorIs(t, f.createStrategy(senderStrategy("w3", "+385200", "+385100")), storage.ErrConflict)
		// The same identifier as another kind, or of another client type, is no claim.
		require.NoError(t, f.createStrategy(queueStrategy("w4", "+385100")))
		w5 := senderStrategy("w5", "+385100")
		w5.Condition.Senders[0].ClientType = call.WebRTC
		require.NoError(t, f.createStrategy(w5))
		// A refused create left nothing behind.
		_, err := f.store.GetWaitingStrategy(f.ctx, "w3")
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.NoError(t, f.createStrategy(queueStrategy("w3", "q2")))
		// An update that would take another's queue is refused.
		bad := queueStrategy("w3", "q1")
		require.ErrorIs(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateWaitingStrategy(f.ctx, bad) }), storage.ErrConflict)

		got, err := f.store.ClaimingWaitingStrategies(f.ctx, []waiting.Sender{{ClientType: call.PSTN, Identifier: "+385100"}}, []string{"q2", waiting.DefaultQueue})
		require.NoError(t, err)
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		require.ElementsMatch(t, []string{"w1", "w2", "w3"}, ids)
		got, err = f.store.ClaimingWaitingStrategies(f.ctx, nil, []string{"nothing"})
		require.NoError(t, err)
		require.Empty(t, got)
	}},
	{"List", func(t *testing.T, f *fixture) {
		for i, id := range []string{"b", "a", "c", "d"} {
			s := queueStrategy(id, "q-"+id)
			s.Name = map[string]string{"a": "Zeta", "b": "Alpha", "c": "Mid", "d": "Mid"}[id]
			s.CreatedAt, s.UpdatedAt = at(time.Duration(i)*time.Minute), at(time.Duration(i)*time.Minute)
			if id == "d" {
				s.Condition.Queues = append(s.Condition.Queues, "shared")
			}
			require.NoError(t, f.createStrategy(s))
		}
		ids, total := f.strategyIDs(waiting.ListParams{})
		require.Equal(t, []string{"d", "c", "a", "b"}, ids, "newest first by default")
		require.Equal(t, 4, total)
		ids, _ = f.strategyIDs(waiting.ListParams{SortBy: waiting.ByName, SortDirection: waiting.Asc})
		require.Equal(t, []string{"b", "c", "d", "a"}, ids, "ties by id")
		ids, _ = f.strategyIDs(waiting.ListParams{SortBy: waiting.ByName, SortDirection: waiting.Desc})
		require.Equal(t, []string{"a", "c", "d", "b"}, ids, "ties by id ascending")
		ids, total = f.strategyIDs(waiting.ListParams{PageNumber: 1, PageSize: 3})
		require.Equal(t, []string{"b"}, ids)
		require.Equal(t, 4, total)
		ids, total = f.strategyIDs(waiting.ListParams{PageNumber: 7, PageSize: 3})
		require.Empty(t, ids)
		require.Equal(t, 4, total)
		ids, total = f.strategyIDs(waiting.ListParams{QueueID: "shared"})
		require.Equal(t, []string{"d"}, ids)
		require.Equal(t, 1, total)
		ids, total = f.strategyIDs(waiting.ListParams{QueueID: "none"})
		require.Empty(t, ids)
		require.Equal(t, 0, total)
		_, err := f.store.ListWaitingStrategies(f.ctx, waiting.ListParams{PageSize: waiting.MaxPageSize + 1})
		require.ErrorIs(t, err, storage.ErrInvalid)
	}},
	{"CallWaits", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createCall(newCall("k1", "c1"))
		f.createCall(newCall("k2", "c1"))
		w1 := &storage.CallWait{CallID: "k1", QueueID: "q1", StrategyID: "w1", Since: t0, NextAnnouncement: at(30 * time.Second), MaximumWaitAt: at(2 * time.Minute), Due: at(30 * time.Second)}
		w2 := &storage.CallWait{CallID: "k2", QueueID: "q1", StrategyID: "w1", Since: t0, MaximumWaitAt: at(20 * time.Second), Due: at(20 * time.Second)}
		put := func(w *storage.CallWait) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.PutCallWait(f.ctx, w) })
		}
		require.NoError(t, put(w1))
		require.NoError(t, put(w2))
		require.ErrorIs(t, put(&storage.CallWait{CallID: "nope", QueueID: "q", StrategyID: "w", Since: t0, MaximumWaitAt: t0, Due: t0}), storage.ErrNotFound)
		got, err := f.store.GetCallWait(f.ctx, "k1")
		require.NoError(t, err)
		require.Equal(t, w1, got)
		due, err := f.store.DueCallWaits(f.ctx, at(time.Minute), 10)
		require.NoError(t, err)
		require.Equal(t, []*storage.CallWait{w2, w1}, due, "earliest first")
		due, err = f.store.DueCallWaits(f.ctx, at(25*time.Second), 10)
		require.NoError(t, err)
		require.Equal(t, []*storage.CallWait{w2}, due)
		due, err = f.store.DueCallWaits(f.ctx, at(time.Minute), 1)
		require.NoError(t, err)
		require.Len(t, due, 1)

		w1b := *w1
		w1b.NextAnnouncement, w1b.Due = time.Time{}, at(2*time.Minute)
		require.NoError(t, put(&w1b))
		got, err = f.store.GetCallWait(f.ctx, "k1")
		require.NoError(t, err)
		require.Equal(t, &w1b, got, "replaced")
		var deleted bool
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) (err error) { deleted, err = tx.DeleteCallWait(f.ctx, "k1"); return err }))
		require.True(t, deleted)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) (err error) { deleted, err = tx.DeleteCallWait(f.ctx, "k1"); return err }))
		require.False(t, deleted)
		_, err = f.store.GetCallWait(f.ctx, "k1")
		require.ErrorIs(t, err, storage.ErrNotFound)

		// Deleting the conversation deletes its calls' waits, and a
		// rollback of that keeps them.
		boom := errors.New("boom")
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.DeleteConversation(f.ctx, "c1"); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		got, err = f.store.GetCallWait(f.ctx, "k2")
		require.NoError(t, err)
		require.Equal(t, w2, got, "rolled back")
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c1") }))
		_, err = f.store.GetCallWait(f.ctx, "k2")
		require.ErrorIs(t, err, storage.ErrNotFound, "gone with its conversation")
		due, err = f.store.DueCallWaits(f.ctx, at(time.Hour), 10)
		require.NoError(t, err)
		require.Empty(t, due)
	}},
}
