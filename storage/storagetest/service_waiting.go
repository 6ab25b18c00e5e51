package storagetest

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/waiting"
)

func init() {
	operations["CreateWaitingStrategy"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateWaitingStrategy(ctx, *queueStrategy("ws-new", "q-new")))
	}}
	operations["GetWaitingStrategy"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetWaitingStrategy(ctx, "ws1"))
	}}
	operations["ListWaitingStrategies"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListWaitingStrategies(ctx, waiting.ListParams{}))
	}}
	operations["UpdateWaitingStrategy"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UpdateWaitingStrategy(ctx, "ws1", *senderStrategy("ignored", "+3851000", "+3852000")))
	}}
	operations["DeleteWaitingStrategy"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteWaitingStrategy(ctx, "ws1")
	}}
	operations["WaitingStrategyFor"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.WaitingStrategyFor(ctx, "call-w"))
	}}
	operations["RunWaits"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RunWaits(ctx))
	}}
	operations["CollectWaitingInput"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CollectWaitingInput(ctx, "call-w", "1"))
	}}
	for _, name := range []string{"GetWaitingStrategy", "UpdateWaitingStrategy", "DeleteWaitingStrategy", "WaitingStrategyFor", "CollectWaitingInput"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *senderStrategy("ws1", "+3851000"))
			require.NoError(t, err)
			_, err = fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{ID: "call-w", CustomerID: "k1", From: "+38591777", To: "+3851000"})
			require.NoError(t, err)
		}
	}
}

// strategies lists every waiting strategy, oldest first.
func (fx *serviceFixture) strategies(t *testing.T) []*waiting.Strategy {
	t.Helper()
	page, err := fx.svc.ListWaitingStrategies(fx.ctx, waiting.ListParams{PageSize: waiting.MaxPageSize, SortDirection: waiting.Asc})
	require.NoError(t, err)
	return page.Items
}

// waitFixture has a default queue q and a queue q2, neither with agents,
// so inbound calls wait QUEUED; and a QUEUE strategy ws naming q (two
// minutes, an announcement every 30 seconds) changed by mods.
func (s *serviceSuite) waitFixture(t *testing.T, mods ...func(*waiting.Strategy)) *serviceFixture {
	t.Helper()
	fx := s.setup(t)
	fx.autoQueue(t, "q", func(q *routing.Queue) { q.Default = true })
	fx.autoQueue(t, "q2")
	st := queueStrategy("ws", "q")
	for _, m := range mods {
		m(st)
	}
	_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *st)
	require.NoError(t, err)
	return fx
}

// waitEvent is what a waiting-strategy event of a call says: its type and,
// for a prompt, its kind.
type waitEvent struct {
	Type storage.EventType
	Kind string
}

// waitEvents lists the prompts, callbacks, IVR returns, requeues and ends
// of call id since seq.
func (fx *serviceFixture) waitEvents(t *testing.T, id string, seq int64) []waitEvent {
	t.Helper()
	out := []waitEvent{}
	for _, e := range fx.eventsSince(t, seq) {
		if e.EntityID != id {
			continue
		}
		switch e.Type {
		case storage.CallPrompt:
			var kind string
			for _, c := range e.Changes {
				if c.Field == "kind" {
					require.NoError(t, json.Unmarshal(c.After, &kind))
				}
			}
			out = append(out, waitEvent{e.Type, kind})
		case storage.CallCallbackRequested, storage.CallReturnedToIVR, storage.CallRequeued, storage.CallEnded:
			out = append(out, waitEvent{Type: e.Type})
		}
	}
	return out
}

func prompt(kind waiting.PromptKind) waitEvent {
	return waitEvent{storage.CallPrompt, string(kind)}
}

// changeOf returns the JSON value of field in the last event of type typ.
func (fx *serviceFixture) changeOf(t *testing.T, typ storage.EventType, field string) string {
	t.Helper()
	var v string
	for _, e := range fx.events(t) {
		if e.Type != typ {
			continue
		}
		for _, c := range e.Changes {
			if c.Field == field {
				v = string(c.After)
			}
		}
	}
	return v
}

var serviceWaitingCases = []serviceCase{
	{"CRUD", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		st, err := fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws1", "q1", waiting.DefaultQueue))
		require.NoError(t, err)
		require.Equal(t, "ws1", st.ID)
		require.Equal(t, fx.clock.Now(), st.CreatedAt)
		got, err := fx.svc.GetWaitingStrategy(fx.ctx, "ws1")
		require.NoError(t, err)
		require.Equal(t, st, got)
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws1", "q7"))
		require.ErrorIs(t, err, parley.ErrAlreadyExists)

		in := *senderStrategy("", "+385100")
		fx.tick()
		snd, err := fx.svc.CreateWaitingStrategy(fx.ctx, in)
		require.NoError(t, err)
		require.NotEmpty(t, snd.ID, "a new id")

		next := *queueStrategy("ignored", "q2")
		next.Name = "Renamed"
		fx.tick()
		up, err := fx.svc.UpdateWaitingStrategy(fx.ctx, "ws1", next)
		require.NoError(t, err)
		require.Equal(t, "ws1", up.ID)
		require.Equal(t, st.CreatedAt, up.CreatedAt)
		require.Equal(t, fx.clock.Now(), up.UpdatedAt)
		got, err = fx.svc.GetWaitingStrategy(fx.ctx, "ws1")
		require.NoError(t, err)
		require.Equal(t, up, got)
		require.Equal(t, []string{"q2"}, got.Condition.Queues)

		page, err := fx.svc.ListWaitingStrategies(fx.ctx, waiting.ListParams{})
		require.NoError(t, err)
		require.Equal(t, 2, page.Total)
		require.Equal(t, []string{snd.ID, "ws1"}, []string{page.Items[0].ID, page.Items[1].ID}, "newest first")
		page, err = fx.svc.ListWaitingStrategies(fx.ctx, waiting.ListParams{QueueID: "q2"})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)

		require.NoError(t, fx.svc.DeleteWaitingStrategy(fx.ctx, snd.ID))
		_, err = fx.svc.GetWaitingStrategy(fx.ctx, snd.ID)
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteWaitingStrategy(fx.ctx, snd.ID), parley.ErrNotFound)
		_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, snd.ID, *senderStrategy("", "+385100"))
		require.ErrorIs(t, err, parley.ErrNotFound)

		require.Equal(t, []storage.EventType{storage.WaitingStrategyCreated, storage.WaitingStrategyCreated,
			storage.WaitingStrategyUpdated, storage.WaitingStrategyDeleted}, eventTypes(fx.events(t)))
	}},
	{"LimitsWriteNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws1", "q1"))
		require.NoError(t, err)
		before := fx.snapshot(t)
		strategiesBefore := fx.strategies(t)
		bad := func(field string, mod func(*waiting.Strategy)) {
			t.Helper()
			st := queueStrategy("ws2", "q2")
			mod(st)
			_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *st)
			requireInvalid(t, err, field)
			_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, "ws1", *st)
			requireInvalid(t, err, field)
		}
		bad("name", func(s *waiting.Strategy) { s.Name = "" })
		bad("name", func(s *waiting.Strategy) { s.Name = strings.Repeat("n", waiting.MaxNameLen+1) })
		bad("maximumWaitTime", func(s *waiting.Strategy) { s.MaximumWaitTime = audio.Duration{} })
		bad("maximumWaitTime.unit", func(s *waiting.Strategy) { s.MaximumWaitTime.Unit = "DAYS" })
		bad("maximumWaitTime.value", func(s *waiting.Strategy) { s.MaximumWaitTime.Value = 0 })
		bad("greetingMessage.ttsAudioSource.text", func(s *waiting.Strategy) {
			s.GreetingMessage.TTS.Text = strings.Repeat("t", audio.MaxTTSText+1)
		})
		bad("maximumWaitTimeMessage.ttsAudioSource.speechRate", func(s *waiting.Strategy) { s.MaximumWaitTimeMessage.TTS.SpeechRate = 0.4 })
		bad("maximumWaitTimeMessage.ttsAudioSource.speechRate", func(s *waiting.Strategy) { s.MaximumWaitTimeMessage.TTS.SpeechRate = 2.1 })
		bad("announcementMessage.collectables[1].action", func(s *waiting.Strategy) { s.AnnouncementMessage.Collectables[1].Action = "HANG_UP" })
		bad("announcementMessage.repeatInterval", func(s *waiting.Strategy) { s.AnnouncementMessage.RepeatInterval = nil })
		bad("musicOnHold.fileAudioSource", func(s *waiting.Strategy) { s.MusicOnHold.File = nil })
		bad("conditionType", func(s *waiting.Strategy) { s.ConditionType = "OTHER" })
		bad("condition.queues", func(s *waiting.Strategy) { s.Condition.Queues = nil })
		bad("condition.queues[1]", func(s *waiting.Strategy) { s.Condition.Queues = []string{"q2", "q2"} })
		bad("condition.senders", func(s *waiting.Strategy) {
			s.Condition.Senders = []waiting.Sender{{ClientType: call.PSTN, Identifier: "+385"}}
		})
		bad("condition.senders[0].clientType", func(s *waiting.Strategy) {
			s.ConditionType, s.Condition = waiting.BySender, waiting.Condition{Senders: []waiting.Sender{{ClientType: "FAX", Identifier: "+385"}}}
		})
		bad("outcome.queueId", func(s *waiting.Strategy) { s.Outcome = waiting.Outcome{Action: waiting.Overflow} })

		// The conditionType is fixed once created.
		_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, "ws1", *senderStrategy("ws1", "+385100"))
		requireInvalid(t, err, "conditionType")

		for _, c := range []struct {
			field string
			p     waiting.ListParams
		}{
			{"pageSize", waiting.ListParams{PageSize: waiting.MaxPageSize + 1}}, {"pageSize", waiting.ListParams{PageSize: -1}},
			{"pageNumber", waiting.ListParams{PageNumber: -1}}, {"pageNumber", waiting.ListParams{PageNumber: waiting.MaxPageNumber + 1}},
			{"sortBy", waiting.ListParams{SortBy: "ID"}}, {"sortDirection", waiting.ListParams{SortDirection: "UP"}},
			{"queueId", waiting.ListParams{QueueID: "bad\x00id"}},
		} {
			_, err := fx.svc.ListWaitingStrategies(fx.ctx, c.p)
			requireInvalid(t, err, c.field)
		}
		// The last page there can be is empty, not an error.
		page, err := fx.svc.ListWaitingStrategies(fx.ctx, waiting.ListParams{PageNumber: waiting.MaxPageNumber, PageSize: waiting.MaxPageSize})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Equal(t, 1, page.Total)
		_, err = fx.svc.CollectWaitingInput(fx.ctx, "k1", "")
		requireInvalid(t, err, "code")
		fx.requireUnchanged(t, before)
		require.Equal(t, strategiesBefore, fx.strategies(t))
	}},
	{"LimitsAccepted", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		st := queueStrategy("ws1", "q1", waiting.DefaultQueue)
		st.Name = strings.Repeat("n", waiting.MaxNameLen)
		st.MaximumWaitTime = audio.Duration{Unit: audio.Seconds, Value: 1}
		st.GreetingMessage.TTS.Text = strings.Repeat("t", audio.MaxTTSText)
		st.GreetingMessage.TTS.SpeechRate = audio.MinSpeechRate
		st.MaximumWaitTimeMessage.TTS.SpeechRate = audio.MaxSpeechRate
		st.MusicOnHold = audio.Music{Enabled: true, UseDefault: true}
		created, err := fx.svc.CreateWaitingStrategy(fx.ctx, *st)
		require.NoError(t, err)
		got, err := fx.svc.GetWaitingStrategy(fx.ctx, "ws1")
		require.NoError(t, err)
		require.Equal(t, created, got, "kept as given")
		for _, unit := range []audio.Unit{audio.Minutes, audio.Hours} {
			st.MaximumWaitTime = audio.Duration{Unit: unit, Value: 1}
			_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, "ws1", *st)
			require.NoError(t, err, "unit %s", unit)
		}
	}},
	{"ConnectedCallLeavesItsWait", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws", "q"))
		require.NoError(t, err)
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Ringing, c.State, "still waiting while it rings")
		_, err = fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		seq := fx.lastSeq(t)
		fx.clock.Advance(time.Hour)
		r, err := fx.svc.RunWaits(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, parley.WaitReport{}, r)
		require.Empty(t, fx.waitEvents(t, c.ID, seq), "nothing plays to a connected caller")
		require.Equal(t, call.Connected, fx.getCall(t, c.ID).State)
	}},
	{"Conflicts", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws1", "q1", waiting.DefaultQueue))
		require.NoError(t, err)
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *senderStrategy("ws2", "+385100"))
		require.NoError(t, err)
		before := fx.snapshot(t)
		strategiesBefore := fx.strategies(t)
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws3", "q3", waiting.DefaultQueue))
		require.ErrorIs(t, err, parley.ErrConflict)
		require.Contains(t, err.Error(), `"default"`)
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *senderStrategy("ws3", "+385200", "+385100"))
		require.ErrorIs(t, err, parley.ErrConflict)
		fx.requireUnchanged(t, before)
		require.Equal(t, strategiesBefore, fx.strategies(t))
		_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, "ws2", *senderStrategy("", "+385100", "+385300"))
		require.NoError(t, err, "a strategy does not conflict with itself")
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws3", "q3"))
		require.NoError(t, err)
		before = fx.snapshot(t)
		strategiesBefore = fx.strategies(t)
		_, err = fx.svc.UpdateWaitingStrategy(fx.ctx, "ws3", *queueStrategy("", "q3", "q1"))
		require.ErrorIs(t, err, parley.ErrConflict)
		fx.requireUnchanged(t, before)
		require.Equal(t, strategiesBefore, fx.strategies(t))
	}},
	{"ConcurrentOverlapsOneWins", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws"+string(rune('a'+i)), "q-shared", "q"+string(rune('a'+i))))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				require.ErrorIs(t, err, parley.ErrConflict)
			}
		}
		require.Equal(t, 1, won)
		require.Len(t, fx.strategies(t), 1)
	}},
	{"WhichApplies", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q", func(q *routing.Queue) { q.Default = true })
		fx.autoQueue(t, "q2")
		for _, st := range []*waiting.Strategy{
			queueStrategy("by-default", waiting.DefaultQueue), senderStrategy("by-sender", "+3851000"),
		} {
			_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *st)
			require.NoError(t, err)
		}
		applies := func(c *call.Call) string {
			t.Helper()
			st, err := fx.svc.WaitingStrategyFor(fx.ctx, c.ID)
			require.NoError(t, err)
			if st == nil {
				return ""
			}
			return st.ID
		}
		c := fx.inboundCall(t, "1")
		require.Equal(t, "q", c.QueueID)
		require.Equal(t, "by-sender", applies(c), "a sender beats the default queue")
		other, err := fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{CustomerID: "2", From: "+385912", To: "+3859999"})
		require.NoError(t, err)
		require.Equal(t, "by-default", applies(other), "the default queue's")
		_, err = fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("by-queue", "q"))
		require.NoError(t, err)
		require.Equal(t, "by-queue", applies(c), "the queue by id beats the sender")
		require.NoError(t, fx.svc.DeleteWaitingStrategy(fx.ctx, "by-sender"))
		require.NoError(t, fx.svc.DeleteWaitingStrategy(fx.ctx, "by-queue"))
		require.NoError(t, fx.svc.DeleteWaitingStrategy(fx.ctx, "by-default"))
		require.Equal(t, "", applies(c), "none")
	}},
	{"GreetingAndAnnouncements", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t)
		seq := fx.lastSeq(t)
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Queued, c.State)
		require.Equal(t, []waitEvent{prompt(waiting.Greeting), prompt(waiting.MusicOnHold)}, fx.waitEvents(t, c.ID, seq))
		require.Contains(t, fx.changeOf(t, storage.CallPrompt, "music"), `"fileDescriptor":"hold-music-1"`)

		seq = fx.lastSeq(t)
		fx.clock.Advance(29 * time.Second)
		require.Zero(t, fx.runDue(t).Waits.Announcements, "not before the repeat interval")
		fx.clock.Advance(time.Second)
		require.Equal(t, 1, fx.runDue(t).Waits.Announcements)
		require.Equal(t, 0, fx.runDue(t).Waits.Announcements, "once")
		require.Equal(t, []waitEvent{prompt(waiting.Announcement)}, fx.waitEvents(t, c.ID, seq))
		require.Contains(t, fx.changeOf(t, storage.CallPrompt, "message"), "QUEUE_POSITION_DEFAULT")

		// The runner was down past two announcements: one plays, not both.
		fx.clock.Advance(65 * time.Second)
		require.Equal(t, 1, fx.runDue(t).Waits.Announcements)
		fx.clock.Advance(24 * time.Second) // 119s: none is due before the maximum wait at 120s
		require.Equal(t, 0, fx.runDue(t).Waits.Announcements)
		require.Equal(t, call.Queued, fx.getCall(t, c.ID).State)
	}},
	{"MaximumWaitEnds", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) { st.Outcome = waiting.Outcome{Action: waiting.End} })
		c := fx.inboundCall(t, "1")
		seq := fx.lastSeq(t)
		fx.clock.Advance(2*time.Minute - time.Second)
		fx.runDue(t)
		require.Equal(t, call.Queued, fx.getCall(t, c.ID).State)
		fx.clock.Advance(time.Second)
		r := fx.runDue(t)
		require.Equal(t, 1, r.Waits.Ended)
		got := fx.getCall(t, c.ID)
		require.Equal(t, call.Ended, got.State)
		require.Equal(t, call.MaximumWaitTime, got.EndReason)
		events := fx.waitEvents(t, c.ID, seq)
		require.Equal(t, []waitEvent{prompt(waiting.MaximumWaitMessage), {Type: storage.CallEnded}}, events[len(events)-2:])
		require.Zero(t, fx.runDue(t).Waits.Ended, "once")
	}},
	{"MaximumWaitCallback", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) {
			st.Outcome = waiting.Outcome{Action: waiting.CallBack}
			st.MaximumWaitTimeMessage.Enabled = false
		})
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(2 * time.Minute)
		seq := fx.lastSeq(t)
		require.Equal(t, 1, fx.runDue(t).Waits.Ended)
		got := fx.getCall(t, c.ID)
		require.Equal(t, call.CallbackRequested, got.EndReason)
		require.Equal(t, []waitEvent{{Type: storage.CallEnded}, {Type: storage.CallCallbackRequested}}, fx.waitEvents(t, c.ID, seq),
			"no message when it is disabled")
		require.Equal(t, `"`+c.From+`"`, fx.changeOf(t, storage.CallCallbackRequested, "number"))
		require.Equal(t, `"q"`, fx.changeOf(t, storage.CallCallbackRequested, "queueId"))
	}},
	{"MaximumWaitOverflows", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) { st.Outcome = waiting.Outcome{Action: waiting.Overflow, QueueID: "q2"} })
		// q2's own strategy: a wait of ten seconds that ends.
		q2 := queueStrategy("ws2", "q2")
		q2.MaximumWaitTime = audio.Duration{Unit: audio.Seconds, Value: 10}
		q2.Outcome = waiting.Outcome{Action: waiting.End}
		_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *q2)
		require.NoError(t, err)
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(2 * time.Minute)
		seq := fx.lastSeq(t)
		require.Equal(t, 1, fx.runDue(t).Waits.Overflowed)
		got := fx.getCall(t, c.ID)
		require.Equal(t, call.Queued, got.State)
		require.Equal(t, "q2", got.QueueID)
		require.Equal(t, []waitEvent{prompt(waiting.MaximumWaitMessage), {Type: storage.CallRequeued},
			prompt(waiting.Greeting), prompt(waiting.MusicOnHold)}, fx.waitEvents(t, c.ID, seq), "the wait starts anew in q2")
		fx.clock.Advance(9 * time.Second)
		require.Zero(t, fx.runDue(t).Waits.Ended, "q2's wait counts from the overflow")
		fx.clock.Advance(time.Second)
		require.Equal(t, 1, fx.runDue(t).Waits.Ended)
		require.Equal(t, call.MaximumWaitTime, fx.getCall(t, c.ID).EndReason)
	}},
	{"MaximumWaitFollowsTheQueue", func(t *testing.T, s *serviceSuite) {
		// No outcome: the queue's overflow queue, when it has one.
		fx := s.setup(t)
		fx.autoQueue(t, "q2")
		fx.autoQueue(t, "q", func(q *routing.Queue) { q.Default, q.OverflowQueueID = true, "q2" })
		_, err := fx.svc.CreateWaitingStrategy(fx.ctx, *queueStrategy("ws", "q"))
		require.NoError(t, err)
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(2 * time.Minute)
		require.Equal(t, 1, fx.runDue(t).Waits.Overflowed)
		require.Equal(t, "q2", fx.getCall(t, c.ID).QueueID)
		fx.clock.Advance(time.Hour)
		fx.runDue(t)
		require.Equal(t, call.Queued, fx.getCall(t, c.ID).State, "no strategy applies in q2")
	}},
	{"RacingRunnersTakeEachStepOnce", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) { st.Outcome = waiting.Outcome{Action: waiting.CallBack} })
		var ids []string
		for _, k := range []string{"1", "2", "3"} {
			ids = append(ids, fx.inboundCall(t, k).ID)
		}
		seq := fx.lastSeq(t)
		fx.clock.Advance(30 * time.Second)
		const runners = 3
		race := func() int {
			var wg sync.WaitGroup
			reports := make([]parley.WaitReport, runners)
			errs := make([]error, runners)
			for i := range runners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					reports[i], errs[i] = fx.svc.RunWaits(fx.ctx)
				}()
			}
			wg.Wait()
			n := 0
			for i, r := range reports {
				require.NoError(t, errs[i])
				n += r.Announcements + 10*r.Ended
			}
			return n
		}
		require.Equal(t, 3, race(), "one announcement per call")
		fx.clock.Advance(90 * time.Second)
		require.Equal(t, 30, race(), "one callback per call")
		for _, id := range ids {
			require.Equal(t, []waitEvent{prompt(waiting.Announcement), prompt(waiting.MaximumWaitMessage),
				{Type: storage.CallEnded}, {Type: storage.CallCallbackRequested}}, fx.waitEvents(t, id, seq))
		}
	}},
	{"MaximumWaitOverflowToNoQueueEnds", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) { st.Outcome = waiting.Outcome{Action: waiting.Overflow, QueueID: "nope"} })
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(2 * time.Minute)
		require.Equal(t, 1, fx.runDue(t).Waits.Ended)
		got := fx.getCall(t, c.ID)
		require.Equal(t, call.Ended, got.State)
		require.Equal(t, call.MaximumWaitTime, got.EndReason)
	}},
	{"DeletedStrategyStops", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t)
		c := fx.inboundCall(t, "1")
		require.NoError(t, fx.svc.DeleteWaitingStrategy(fx.ctx, "ws"))
		seq := fx.lastSeq(t)
		fx.clock.Advance(time.Hour)
		r := fx.runDue(t)
		require.Equal(t, parley.WaitReport{}, r.Waits)
		require.Empty(t, fx.waitEvents(t, c.ID, seq))
		require.Equal(t, call.Queued, fx.getCall(t, c.ID).State)
	}},
	{"UpdatedStrategyApplies", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t, func(st *waiting.Strategy) { st.Outcome = waiting.Outcome{Action: waiting.End} })
		c := fx.inboundCall(t, "1")
		// A shorter wait applies to the call already waiting, counted from
		// when it entered its queue.
		longer := queueStrategy("ws", "q")
		longer.MaximumWaitTime = audio.Duration{Unit: audio.Seconds, Value: 40}
		longer.Outcome = waiting.Outcome{Action: waiting.End}
		_, err := fx.svc.UpdateWaitingStrategy(fx.ctx, "ws", *longer)
		require.NoError(t, err)
		fx.clock.Advance(30 * time.Second) // the announcement, whose step sees the new deadline
		require.Equal(t, 1, fx.runDue(t).Waits.Announcements)
		fx.clock.Advance(10 * time.Second)
		require.Equal(t, 1, fx.runDue(t).Waits.Ended)
		require.Equal(t, call.MaximumWaitTime, fx.getCall(t, c.ID).EndReason)
	}},
	{"CollectKeys", func(t *testing.T, s *serviceSuite) {
		fx := s.waitFixture(t)
		c := fx.inboundCall(t, "1")
		before := fx.snapshot(t)
		_, err := fx.svc.CollectWaitingInput(fx.ctx, c.ID, "5")
		requireInvalid(t, err, "code")
		fx.requireUnchanged(t, before)

		seq := fx.lastSeq(t)
		got, err := fx.svc.CollectWaitingInput(fx.ctx, c.ID, "1")
		require.NoError(t, err)
		require.Equal(t, call.Ended, got.State)
		require.Equal(t, call.CallbackRequested, got.EndReason)
		require.Equal(t, []waitEvent{prompt(waiting.CallbackConfirmation), {Type: storage.CallEnded}, {Type: storage.CallCallbackRequested}},
			fx.waitEvents(t, c.ID, seq))
		require.Equal(t, `"cb"`, fx.changeOf(t, storage.CallCallbackRequested, "value"))
		_, err = fx.svc.CollectWaitingInput(fx.ctx, c.ID, "1")
		require.ErrorIs(t, err, parley.ErrConflict, "it no longer waits")

		c2 := fx.inboundCall(t, "2")
		seq = fx.lastSeq(t)
		got, err = fx.svc.CollectWaitingInput(fx.ctx, c2.ID, "9")
		require.NoError(t, err)
		require.Equal(t, call.ReturnedToIVR, got.EndReason)
		require.Equal(t, []waitEvent{{Type: storage.CallEnded}, {Type: storage.CallReturnedToIVR}}, fx.waitEvents(t, c2.ID, seq))
		require.Equal(t, `"menu"`, fx.changeOf(t, storage.CallReturnedToIVR, "value"))
		// The ended calls have no step left.
		fx.clock.Advance(time.Hour)
		r := fx.runDue(t)
		require.Zero(t, r.Waits.Ended+r.Waits.Overflowed+r.Waits.Announcements)
	}},
}
