package storagetest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// holdConfig is an enabled hold configuration of the given queues with
// default music and a TTS announcement every 30 seconds.
func holdConfig(id string, queues ...string) call.HoldConfig {
	return call.HoldConfig{
		ID: id, Name: "Hold " + id, QueueIDs: queues, Enabled: true,
		OnHoldMusic: audio.Music{Enabled: true, UseDefault: true},
		AnnouncementMessage: audio.Announcement{
			Message: audio.Message{Enabled: true, AudioSourceType: audio.TTSSource, TTS: &audio.TTS{
				Text: "Thank you for holding", Language: "en", Voice: audio.Voice{Name: "Joanna", Gender: "FEMALE"}, SpeechRate: 1}},
			RepeatInterval: &audio.Duration{Unit: audio.Seconds, Value: 30},
		},
	}
}

// holdQueues creates the queues the hold cases name.
func (fx *serviceFixture) holdQueues(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: id, Name: "Queue " + id})
		require.NoError(t, err)
	}
}

// holdSnapshot is the service snapshot with every hold configuration.
type holdSnapshot struct {
	serviceSnapshot
	Holds []*call.HoldConfig
}

func (fx *serviceFixture) holdSnapshot(t *testing.T) holdSnapshot {
	t.Helper()
	page, err := fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	return holdSnapshot{fx.snapshot(t), page.Items}
}

func (fx *serviceFixture) createHold(t *testing.T, h call.HoldConfig) *call.HoldConfig {
	t.Helper()
	out, err := fx.svc.CreateHoldConfig(fx.ctx, h)
	require.NoError(t, err)
	return out
}

var serviceHoldConfigCases = []serviceCase{
	{"CRUD", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.holdQueues(t, "q1", "q2")
		h := fx.createHold(t, holdConfig("h1", "q1"))
		require.Equal(t, t0, h.CreatedAt)
		require.Equal(t, t0, h.UpdatedAt)
		got, err := fx.svc.GetHoldConfig(fx.ctx, "h1")
		require.NoError(t, err)
		require.Equal(t, h, got)
		_, err = fx.svc.CreateHoldConfig(fx.ctx, holdConfig("h1", "q2"))
		require.ErrorIs(t, err, parley.ErrAlreadyExists)

		in := holdConfig("ignored", "q1", "q2")
		in.Name = "Renamed"
		in.OnHoldMusic = audio.Music{Enabled: true, File: &audio.File{FileDescriptor: "music.wav"}}
		in.AnnouncementMessage = audio.Announcement{Message: audio.Message{Enabled: true, AudioSourceType: audio.FileSource,
			File: &audio.File{FileDescriptor: "hold.wav"}}, RepeatInterval: &audio.Duration{Unit: audio.Minutes, Value: 2}}
		fx.tick()
		replaced, err := fx.svc.ReplaceHoldConfig(fx.ctx, "h1", in)
		require.NoError(t, err)
		require.Equal(t, "h1", replaced.ID)
		require.Equal(t, t0, replaced.CreatedAt)
		require.Equal(t, fx.clock.Now(), replaced.UpdatedAt)
		got, err = fx.svc.GetHoldConfig(fx.ctx, "h1")
		require.NoError(t, err)
		require.Equal(t, replaced, got)

		def := holdConfig("h0")
		def.Default = true
		created := fx.createHold(t, def)
		require.Empty(t, created.QueueIDs, "the default may name no queue")
		page, err := fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		require.Equal(t, 2, page.Total)
		require.Equal(t, []string{"h0"}, holdIDs(page.Items))
		page, err = fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{Paging: storage.Paging{Limit: 1, Cursor: page.NextCursor}})
		require.NoError(t, err)
		require.Equal(t, []string{"h1"}, holdIDs(page.Items))
		require.Empty(t, page.NextCursor)
		page, err = fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{Paging: storage.Paging{Limit: 1, Page: 1}})
		require.NoError(t, err)
		require.Equal(t, []string{"h1"}, holdIDs(page.Items))

		require.NoError(t, fx.svc.DeleteHoldConfig(fx.ctx, "h0"))
		_, err = fx.svc.GetHoldConfig(fx.ctx, "h0")
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteHoldConfig(fx.ctx, "h0"), parley.ErrNotFound)
		_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "h0", def)
		require.ErrorIs(t, err, parley.ErrNotFound)

		var holdEvents []*storage.Event
		for _, e := range fx.events(t) {
			if strings.HasPrefix(string(e.Type), "hold_config.") {
				holdEvents = append(holdEvents, e)
			}
		}
		require.Equal(t, []storage.EventType{storage.HoldConfigCreated, storage.HoldConfigUpdated,
			storage.HoldConfigCreated, storage.HoldConfigDeleted}, eventTypes(holdEvents))
		require.Equal(t, []string{"h1", "h1", "h0", "h0"}, []string{holdEvents[0].EntityID, holdEvents[1].EntityID, holdEvents[2].EntityID, holdEvents[3].EntityID})
		require.Contains(t, changeFields(holdEvents[1]), "queueIds")
		require.Contains(t, changeFields(holdEvents[1]), "name")
	}},
	{"LimitsWriteNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.holdQueues(t, "q1", "q2")
		fx.createHold(t, holdConfig("h1", "q1"))
		long := holdConfig("long", "q2")
		long.Name = strings.Repeat("n", call.MaxHoldConfigNameLen)
		before := fx.holdSnapshot(t)
		for _, c := range []struct {
			field string
			edit  func(h *call.HoldConfig)
		}{
			{"name", func(h *call.HoldConfig) { h.Name = "" }},
			{"name", func(h *call.HoldConfig) { h.Name = strings.Repeat("n", call.MaxHoldConfigNameLen+1) }},
			{"queueIds", func(h *call.HoldConfig) { h.QueueIDs = nil }},
			{"queueIds[1]", func(h *call.HoldConfig) { h.QueueIDs = []string{"q2", "q2"} }},
			{"queueIds[0]", func(h *call.HoldConfig) { h.QueueIDs = []string{strings.Repeat("q", 300)} }},
			{"onHoldMusic.fileAudioSource", func(h *call.HoldConfig) { h.OnHoldMusic = audio.Music{Enabled: true} }},
			{"onHoldMusic.fileAudioSource.fileDescriptor", func(h *call.HoldConfig) {
				h.OnHoldMusic = audio.Music{Enabled: true, File: &audio.File{FileDescriptor: strings.Repeat("f", audio.MaxFileDescriptor+1)}}
			}},
			{"announcementMessage.repeatInterval", func(h *call.HoldConfig) { h.AnnouncementMessage.RepeatInterval = nil }},
			{"announcementMessage.repeatInterval.value", func(h *call.HoldConfig) {
				h.AnnouncementMessage.RepeatInterval = &audio.Duration{Unit: audio.Seconds, Value: 0}
			}},
			{"announcementMessage.ttsAudioSource.speechRate", func(h *call.HoldConfig) { h.AnnouncementMessage.TTS.SpeechRate = 2.5 }},
			{"announcementMessage.ttsAudioSource.text", func(h *call.HoldConfig) {
				h.AnnouncementMessage.TTS.Text = strings.Repeat("t", audio.MaxTTSText+1)
			}},
			{"announcementMessage.collectables", func(h *call.HoldConfig) {
				h.AnnouncementMessage.Collectables = []audio.Collectable{{Code: "1", Action: audio.Callback, Value: "q1"}}
			}},
		} {
			h := holdConfig("x", "q2")
			c.edit(&h)
			_, err := fx.svc.CreateHoldConfig(fx.ctx, h)
			requireInvalid(t, err, c.field)
			h.ID = ""
			_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "h1", h)
			requireInvalid(t, err, c.field)
		}
		_, err := fx.svc.CreateHoldConfig(fx.ctx, holdConfig(strings.Repeat("i", 300), "q2"))
		requireInvalid(t, err, "id")
		_, err = fx.svc.GetHoldConfig(fx.ctx, "")
		requireInvalid(t, err, "id")
		_, err = fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{Paging: storage.Paging{Limit: storage.MaxLimit + 1}})
		requireInvalid(t, err, "limit")
		fx.requireHoldUnchanged(t, before)

		// The limits themselves are allowed.
		fx.createHold(t, long)
	}},
	{"ConflictsWriteNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.holdQueues(t, "q1", "q2", "q3")
		fx.createHold(t, holdConfig("h1", "q1", "q2"))
		def := holdConfig("d1")
		def.Default = true
		fx.createHold(t, def)
		before := fx.holdSnapshot(t)

		_, err := fx.svc.CreateHoldConfig(fx.ctx, holdConfig("h2", "q3", "q2"))
		require.ErrorIs(t, err, parley.ErrConflict, "q2 has h1 already")
		def2 := holdConfig("d2", "q3")
		def2.Default = true
		_, err = fx.svc.CreateHoldConfig(fx.ctx, def2)
		require.ErrorIs(t, err, parley.ErrConflict, "a second default")
		_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "d1", holdConfig("d1", "q1"))
		require.ErrorIs(t, err, parley.ErrConflict, "replacing may not claim another's queue")
		_, err = fx.svc.CreateHoldConfig(fx.ctx, holdConfig("h3", "nope"))
		require.ErrorIs(t, err, parley.ErrNotFound, "an unknown queue")
		_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "h1", holdConfig("h1", "q1", "nope"))
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireHoldUnchanged(t, before)

		// A configuration keeps its own queues on replace; a disabled one
		// still holds them.
		in := holdConfig("h1", "q1")
		in.Enabled = false
		_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "h1", in)
		require.NoError(t, err)
		_, err = fx.svc.CreateHoldConfig(fx.ctx, holdConfig("h2", "q1"))
		require.ErrorIs(t, err, parley.ErrConflict)
		fx.createHold(t, holdConfig("h2", "q2", "q3"))
	}},
	{"ConcurrentClaimsOneWins", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.holdQueues(t, "q1")
		const n = 4
		errs := make([]error, 2*n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				h := holdConfig("d" + string(rune('a'+i)))
				h.Default = true
				_, errs[i] = fx.svc.CreateHoldConfig(fx.ctx, h)
			}()
			go func() {
				defer wg.Done()
				_, errs[n+i] = fx.svc.CreateHoldConfig(fx.ctx, holdConfig("q"+string(rune('a'+i)), "q1"))
			}()
		}
		wg.Wait()
		var defaults, claims int
		for i, err := range errs {
			if err == nil {
				if i < n {
					defaults++
				} else {
					claims++
				}
				continue
			}
			require.ErrorIs(t, err, parley.ErrConflict)
		}
		require.Equal(t, 1, defaults, "one default")
		require.Equal(t, 1, claims, "one configuration of q1")
		page, err := fx.svc.ListHoldConfigs(fx.ctx, storage.HoldConfigQuery{})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
	}},
	{"WhichApplies", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		fx.holdQueues(t, "q2")
		got, err := fx.svc.HoldConfigFor(fx.ctx, "q")
		require.NoError(t, err)
		require.Nil(t, got, "none configured")

		def := holdConfig("d1")
		def.Default = true
		fx.createHold(t, def)
		fx.createHold(t, holdConfig("h1", "q"))
		got, err = fx.svc.HoldConfigFor(fx.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, "h1", got.ID, "the queue's own")
		got, err = fx.svc.HoldConfigFor(fx.ctx, "q2")
		require.NoError(t, err)
		require.Equal(t, "d1", got.ID, "the default for another queue")
		got, err = fx.svc.HoldConfigFor(fx.ctx, "")
		require.NoError(t, err)
		require.Equal(t, "d1", got.ID, "the default for a call in no queue")
		_, err = fx.svc.HoldConfigFor(fx.ctx, strings.Repeat("q", 300))
		requireInvalid(t, err, "queueId")

		// A call held in q names h1 in its call.held event.
		c := fx.inboundCall(t, "1")
		_, err = fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		seq := fx.lastSeq(t)
		_, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, `"h1"`, heldConfig(t, fx.eventsSince(t, seq)))
		_, err = fx.svc.UnholdCall(fx.ctx, c.ID)
		require.NoError(t, err)

		// Disabled, h1 no longer applies: the default does.
		off := holdConfig("h1", "q")
		off.Enabled = false
		_, err = fx.svc.ReplaceHoldConfig(fx.ctx, "h1", off)
		require.NoError(t, err)
		got, err = fx.svc.HoldConfigFor(fx.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, "d1", got.ID)
		seq = fx.lastSeq(t)
		_, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, `"d1"`, heldConfig(t, fx.eventsSince(t, seq)))
		_, err = fx.svc.UnholdCall(fx.ctx, c.ID)
		require.NoError(t, err)

		// With none left, the event names none.
		require.NoError(t, fx.svc.DeleteHoldConfig(fx.ctx, "d1"))
		seq = fx.lastSeq(t)
		_, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "", heldConfig(t, fx.eventsSince(t, seq)))
	}},
}

// heldConfig is the holdConfigId the one call.held event of events names,
// "" when it names none.
func heldConfig(t *testing.T, events []*storage.Event) string {
	t.Helper()
	var held []*storage.Event
	for _, e := range events {
		if e.Type == storage.CallHeld {
			held = append(held, e)
		}
	}
	require.Len(t, held, 1)
	for _, c := range held[0].Changes {
		if c.Field == "holdConfigId" {
			require.Nil(t, c.Before)
			return string(c.After)
		}
	}
	return ""
}

func (fx *serviceFixture) requireHoldUnchanged(t *testing.T, before holdSnapshot) {
	t.Helper()
	require.Equal(t, before, fx.holdSnapshot(t), "a refused change must write nothing and record no event")
}

func holdIDs(hs []*call.HoldConfig) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func changeFields(e *storage.Event) []string {
	var out []string
	for _, c := range e.Changes {
		out = append(out, c.Field)
	}
	return out
}

func init() {
	holdOps := map[string]operation{
		"CreateHoldConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			h := holdConfig("hold-new")
			h.Default = true
			return ignore(svc.CreateHoldConfig(ctx, h))
		}},
		"GetHoldConfig": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.GetHoldConfig(ctx, "hold1"))
		}},
		"ListHoldConfigs": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ListHoldConfigs(ctx, storage.HoldConfigQuery{}))
		}},
		"ReplaceHoldConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ReplaceHoldConfig(ctx, "hold1", holdConfig("hold1", "q1")))
		}},
		"DeleteHoldConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return svc.DeleteHoldConfig(ctx, "hold1")
		}},
		"HoldConfigFor": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.HoldConfigFor(ctx, "q1"))
		}},
	}
	for name, op := range holdOps {
		operations[name] = op
	}
	for _, name := range []string{"GetHoldConfig", "ReplaceHoldConfig", "DeleteHoldConfig"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			fx.createHold(t, holdConfig("hold1", "q1"))
		}
	}
}
