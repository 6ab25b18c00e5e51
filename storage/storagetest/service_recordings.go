package storagetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// FakeRecordingFiles is a parley.RecordingFiles in memory that records
// what it was asked to delete. Deleting an id in Fail fails.
type FakeRecordingFiles struct {
	mu      sync.Mutex
	Files   map[string][]byte
	Fail    map[string]bool
	deleted []string
}

// NewFakeRecordingFiles returns files holding files.
func NewFakeRecordingFiles(files map[string][]byte) *FakeRecordingFiles {
	if files == nil {
		files = map[string][]byte{}
	}
	return &FakeRecordingFiles{Files: files, Fail: map[string]bool{}}
}

type readSeekNopCloser struct{ *bytes.Reader }

func (readSeekNopCloser) Close() error { return nil }

// Open implements parley.RecordingFiles.
func (f *FakeRecordingFiles) Open(_ context.Context, id string) (io.ReadSeekCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.Files[id]
	if !ok {
		return nil, storage.Fail("opening recording file", id, storage.ErrNotFound)
	}
	return readSeekNopCloser{bytes.NewReader(b)}, nil
}

// Delete implements parley.RecordingFiles.
func (f *FakeRecordingFiles) Delete(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, id)
	if f.Fail[id] {
		return errors.New("disk on fire")
	}
	delete(f.Files, id)
	return nil
}

// Deleted returns the ids Delete was called with, in order.
func (f *FakeRecordingFiles) Deleted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.deleted)
}

// recordingSnapshot is what the recording operations can write.
type recordingSnapshot struct {
	Account    *recording.AccountConfig
	Agents     []*recording.AgentConfig
	Recordings []*recording.Metadata
	Events     []*storage.Event
}

func (fx *serviceFixture) recordingSnapshot(t *testing.T) recordingSnapshot {
	t.Helper()
	var s recordingSnapshot
	var err error
	s.Account, err = fx.svc.AccountRecordingConfig(fx.ctx)
	if !errors.Is(err, parley.ErrNotFound) {
		require.NoError(t, err)
	}
	s.Agents, err = fx.svc.AgentRecordingConfigs(fx.ctx, nil)
	require.NoError(t, err)
	page, err := fx.svc.ListRecordings(fx.ctx, recording.Filter{Size: recording.MaxPageSize})
	require.NoError(t, err)
	s.Recordings = page.Items
	s.Events = fx.events(t)
	return s
}

func (fx *serviceFixture) requireRecordingsUnchanged(t *testing.T, before recordingSnapshot) {
	t.Helper()
	require.Equal(t, before, fx.recordingSnapshot(t), "a refused operation must write nothing and record no event")
}

// recordingCall is a fixture with agent a1 and an inbound VOICE call
// ringing at it, in conversation c.ConversationID.
func (s *serviceSuite) recordingCall(t *testing.T, opts ...parley.Option) (*serviceFixture, *call.Call) {
	t.Helper()
	fx := s.callFixture(t, []string{"a1"}, opts...)
	c := fx.inboundCall(t, "cust-1")
	require.Equal(t, "a1", c.AgentID)
	return fx, c
}

// reported is valid metadata of a recording of call c, as a host reports it.
func reported(id string, c *call.Call, mods ...func(*recording.Metadata)) recording.Metadata {
	m := recording.Metadata{
		RecordingID: id, CallID: c.ID, RecordingStatus: recording.Successful, Filename: id + ".wav",
		Duration: 28, ParticipantType: recording.CustomerParticipant, MediaType: recording.Audio, StartedAt: t0,
	}
	for _, mod := range mods {
		mod(&m)
	}
	return m
}

func (fx *serviceFixture) report(t *testing.T, m recording.Metadata) *recording.Metadata {
	t.Helper()
	got, err := fx.svc.ReportRecording(fx.ctx, m)
	require.NoError(t, err)
	return got
}

var serviceRecordingCases = []serviceCase{
	{"AccountConfig", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.AccountRecordingConfig(fx.ctx)
		require.ErrorIs(t, err, parley.ErrNotFound)

		before := fx.recordingSnapshot(t)
		for field, bad := range map[string]recording.AccountConfig{
			"mediaType": {Inbound: true},
			"inbound":   {MediaType: recording.Audio, AutoCompose: true, Enabled: true},
		} {
			_, err := fx.svc.CreateAccountRecordingConfig(fx.ctx, bad)
			requireInvalid(t, err, field)
			_, err = fx.svc.PutAccountRecordingConfig(fx.ctx, bad)
			requireInvalid(t, err, field)
		}
		_, err = fx.svc.PutAccountRecordingConfig(fx.ctx, recording.AccountConfig{Inbound: true, MediaType: "VIDEO"})
		requireInvalid(t, err, "mediaType")
		fx.requireRecordingsUnchanged(t, before)

		in := recording.AccountConfig{Inbound: true, MediaType: recording.AudioAndVideo, Enabled: true, EnabledChangedAt: at(time.Hour)}
		c, err := fx.svc.CreateAccountRecordingConfig(fx.ctx, in)
		require.NoError(t, err)
		require.True(t, t0.Equal(c.EnabledChangedAt), "set by the service, not the caller")
		got, err := fx.svc.AccountRecordingConfig(fx.ctx)
		require.NoError(t, err)
		require.True(t, t0.Equal(got.EnabledChangedAt))
		require.True(t, got.Inbound && !got.Outbound && got.Enabled && !got.AutoCompose)
		require.Equal(t, recording.AudioAndVideo, got.MediaType)
		events := fx.events(t)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.AccountRecordingConfigCreated, "", "", t0,
			change{"inbound", "", "true"}, change{"outbound", "", "false"}, change{"autoCompose", "", "false"},
			change{"mediaType", "", `"AUDIO_AND_VIDEO"`}, change{"enabled", "", "true"})

		before = fx.recordingSnapshot(t)
		_, err = fx.svc.CreateAccountRecordingConfig(fx.ctx, in)
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireRecordingsUnchanged(t, before)

		// PUT keeps enabledChangedAt while enabled stays.
		now := fx.tick()
		in.Outbound, in.AutoCompose = true, true
		c, err = fx.svc.PutAccountRecordingConfig(fx.ctx, in)
		require.NoError(t, err)
		require.True(t, t0.Equal(c.EnabledChangedAt))
		last := fx.events(t)
		requireEvent(t, last[len(last)-1], storage.AccountRecordingConfigUpdated, "", "", now,
			change{"outbound", "false", "true"}, change{"autoCompose", "false", "true"})

		now = fx.tick()
		in.Enabled = false
		c, err = fx.svc.PutAccountRecordingConfig(fx.ctx, in)
		require.NoError(t, err)
		require.True(t, now.Equal(c.EnabledChangedAt))
		got, err = fx.svc.AccountRecordingConfig(fx.ctx)
		require.NoError(t, err)
		require.True(t, now.Equal(got.EnabledChangedAt))
		require.False(t, got.Enabled)

		// The same again changes nothing and records nothing.
		n := len(fx.events(t))
		fx.tick()
		_, err = fx.svc.PutAccountRecordingConfig(fx.ctx, in)
		require.NoError(t, err)
		require.Len(t, fx.events(t), n)

		// PUT creates when there is none.
		fx2 := s.setup(t)
		_, err = fx2.svc.PutAccountRecordingConfig(fx2.ctx, recording.AccountConfig{Outbound: true, MediaType: recording.Audio})
		require.NoError(t, err)
		require.Equal(t, []storage.EventType{storage.AccountRecordingConfigCreated}, types(fx2.events(t)))
	}},
	{"AgentConfig", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		fx.agent(t, "a2", routing.RoleAgent)
		valid := recording.AgentConfig{Inbound: true, MediaType: recording.Audio, UseDefault: true}

		before := fx.recordingSnapshot(t)
		_, err := fx.svc.AgentRecordingConfig(fx.ctx, "a1")
		require.ErrorIs(t, err, parley.ErrNotFound, "an agent without one")
		_, err = fx.svc.AgentRecordingConfig(fx.ctx, "nobody")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.CreateAgentRecordingConfig(fx.ctx, "nobody", valid)
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "nobody", valid)
		require.ErrorIs(t, err, parley.ErrNotFound)
		for field, bad := range map[string]recording.AgentConfig{
			"mediaType": {Inbound: true, UseDefault: true},
			"inbound":   {MediaType: recording.Audio, UseDefault: true, Enabled: true},
		} {
			_, err := fx.svc.CreateAgentRecordingConfig(fx.ctx, "a1", bad)
			requireInvalid(t, err, field)
			_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a1", bad)
			requireInvalid(t, err, field)
		}
		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "", valid)
		requireInvalid(t, err, "agentId")
		_, err = fx.svc.AgentRecordingConfig(fx.ctx, strings.Repeat("a", 256))
		requireInvalid(t, err, "agentId")
		_, err = fx.svc.AgentRecordingConfigs(fx.ctx, []string{"a1", "bad\nid"})
		requireInvalid(t, err, "agentIds")
		_, err = fx.svc.AgentRecordingConfigs(fx.ctx, make([]string, parley.MaxRecordingAgentIDs+1))
		requireInvalid(t, err, "agentIds")
		fx.requireRecordingsUnchanged(t, before)

		c, err := fx.svc.CreateAgentRecordingConfig(fx.ctx, "a1", valid)
		require.NoError(t, err)
		require.Equal(t, "a1", c.AgentID)
		require.True(t, t0.Equal(c.EnabledChangedAt))
		events := fx.events(t)
		requireEvent(t, events[len(events)-1], storage.AgentRecordingConfigCreated, "", "", t0)
		require.Equal(t, "a1", events[len(events)-1].EntityID)

		before = fx.recordingSnapshot(t)
		_, err = fx.svc.CreateAgentRecordingConfig(fx.ctx, "a1", valid)
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireRecordingsUnchanged(t, before)

		now := fx.tick()
		own := recording.AgentConfig{AgentID: "ignored", Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true}
		c, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a1", own)
		require.NoError(t, err)
		require.Equal(t, "a1", c.AgentID, "the path's agent")
		require.True(t, now.Equal(c.EnabledChangedAt), "enabled changed")
		events = fx.events(t)
		requireEvent(t, events[len(events)-1], storage.AgentRecordingConfigUpdated, "", "", now,
			change{"inbound", "true", "false"}, change{"outbound", "false", "true"}, change{"mediaType", `"AUDIO"`, `"AUDIO_AND_VIDEO"`},
			change{"useDefault", "true", "false"}, change{"enabled", "false", "true"})
		got, err := fx.svc.AgentRecordingConfig(fx.ctx, "a1")
		require.NoError(t, err)
		require.True(t, got.Outbound && !got.Inbound && got.Enabled && !got.UseDefault)

		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a2", valid)
		require.NoError(t, err)
		all, err := fx.svc.AgentRecordingConfigs(fx.ctx, nil)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, "a1", all[0].AgentID)
		require.Equal(t, "a2", all[1].AgentID)
		some, err := fx.svc.AgentRecordingConfigs(fx.ctx, []string{"a2", "nobody"})
		require.NoError(t, err)
		require.Len(t, some, 1)
		require.Equal(t, "a2", some[0].AgentID)
	}},
	{"Decision", func(t *testing.T, s *serviceSuite) {
		fx, in := s.recordingCall(t)
		fx.activeAgent(t, "a2", 5)
		d, err := fx.svc.RecordingDecision(fx.ctx, in.ID)
		require.NoError(t, err)
		require.Equal(t, recording.Decision{Source: recording.FromNone}, d, "no configuration: no recording")
		_, err = fx.svc.RecordingDecision(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.RecordingDecision(fx.ctx, "")
		requireInvalid(t, err, "callId")

		_, err = fx.svc.CreateAccountRecordingConfig(fx.ctx, recording.AccountConfig{Inbound: true, AutoCompose: true, MediaType: recording.AudioAndVideo, Enabled: true})
		require.NoError(t, err)
		d, err = fx.svc.RecordingDecision(fx.ctx, in.ID)
		require.NoError(t, err)
		require.Equal(t, recording.Decision{Record: true, MediaType: recording.Audio, AutoCompose: true, Source: recording.FromAccount}, d, "a voice call has no video")

		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a1", recording.AgentConfig{Outbound: true, MediaType: recording.Audio, UseDefault: true})
		require.NoError(t, err)
		d, err = fx.svc.RecordingDecision(fx.ctx, in.ID)
		require.NoError(t, err)
		require.Equal(t, recording.FromAccount, d.Source, "useDefault defers to the account")
		require.True(t, d.Record)

		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a1", recording.AgentConfig{Outbound: true, MediaType: recording.Audio, Enabled: true})
		require.NoError(t, err)
		d, err = fx.svc.RecordingDecision(fx.ctx, in.ID)
		require.NoError(t, err)
		require.Equal(t, recording.Decision{Source: recording.FromAgent}, d, "the agent's own does not record inbound")

		// An outbound video call of a2: the account records no outbound;
		// a2's own does.
		out, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: "a2", Channel: conversation.Video})
		require.NoError(t, err)
		d, err = fx.svc.RecordingDecision(fx.ctx, out.ID)
		require.NoError(t, err)
		require.Equal(t, recording.Decision{Source: recording.FromAccount}, d)
		_, err = fx.svc.PutAgentRecordingConfig(fx.ctx, "a2", recording.AgentConfig{Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true})
		require.NoError(t, err)
		d, err = fx.svc.RecordingDecision(fx.ctx, out.ID)
		require.NoError(t, err)
		require.Equal(t, recording.Decision{Record: true, MediaType: recording.AudioAndVideo, AutoCompose: true, Source: recording.FromAgent}, d)
	}},
	{"Report", func(t *testing.T, s *serviceSuite) {
		fx, c := s.recordingCall(t)
		before := fx.recordingSnapshot(t)
		for field, edit := range map[string]func(m *recording.Metadata){
			"recordingId":     func(m *recording.Metadata) { m.RecordingID = "" },
			"callId":          func(m *recording.Metadata) { m.CallID = "" },
			"filename":        func(m *recording.Metadata) { m.Filename = "" },
			"mediaType":       func(m *recording.Metadata) { m.MediaType = "VIDEO" },
			"recordingStatus": func(m *recording.Metadata) { m.RecordingStatus = "DONE" },
			"duration":        func(m *recording.Metadata) { m.Duration = -1 },
			"startedAt":       func(m *recording.Metadata) { m.StartedAt = time.Time{} },
			"participantType": func(m *recording.Metadata) { m.ParticipantType = "BOT" },
			"participantName": func(m *recording.Metadata) { m.ParticipantName = strings.Repeat("n", recording.MaxNameLen+1) },
			"deletedAt":       func(m *recording.Metadata) { m.DeletedAt = t0 },
			"deletedBy":       func(m *recording.Metadata) { m.DeletedBy = "someone" },
			"conversationId":  func(m *recording.Metadata) { m.ConversationID = "another" },
			"direction":       func(m *recording.Metadata) { m.Direction = call.Outbound },
		} {
			_, err := fx.svc.ReportRecording(fx.ctx, reported("r1", c, edit))
			requireInvalid(t, err, field)
		}
		_, err := fx.svc.ReportRecording(fx.ctx, reported("r1", c, func(m *recording.Metadata) { m.CallID = "nope" }))
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireRecordingsUnchanged(t, before)

		now := fx.tick()
		m := fx.report(t, reported("r1", c, func(m *recording.Metadata) { m.RecordingStatus = recording.InProgress }))
		require.Equal(t, c.ConversationID, m.ConversationID, "the call's")
		require.Equal(t, call.Inbound, m.Direction, "the call's")
		got, err := fx.svc.GetRecording(fx.ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, inUTC(m), inUTC(got))
		events := fx.events(t)
		requireEvent(t, events[len(events)-1], storage.RecordingReported, c.ConversationID, "", now,
			change{"recordingStatus", "", `"IN_PROGRESS"`}, change{"callId", "", jsonString(c.ID)})

		// The same report again is no change.
		n := len(events)
		fx.report(t, reported("r1", c, func(m *recording.Metadata) { m.RecordingStatus = recording.InProgress }))
		require.Len(t, fx.events(t), n)

		now = fx.tick()
		m = fx.report(t, reported("r1", c, func(m *recording.Metadata) { m.Duration = 40 }))
		require.Equal(t, recording.Successful, m.RecordingStatus)
		events = fx.events(t)
		requireEvent(t, events[len(events)-1], storage.RecordingUpdated, c.ConversationID, "", now,
			change{"recordingStatus", `"IN_PROGRESS"`, `"SUCCESSFUL"`}, change{"duration", "28", "40"})
		got, err = fx.svc.GetRecording(fx.ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, int64(40), got.Duration)

		// Another call's recording with the same id is refused.
		out, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: fx.activeAgent(t, "a2", 5).ID})
		require.NoError(t, err)
		before = fx.recordingSnapshot(t)
		_, err = fx.svc.ReportRecording(fx.ctx, reported("r1", out))
		require.ErrorIs(t, err, parley.ErrConflict)
		fx.requireRecordingsUnchanged(t, before)
		m = fx.report(t, reported("r2", out))
		require.Equal(t, call.Outbound, m.Direction)
		require.Equal(t, out.ConversationID, m.ConversationID)
	}},
	{"List", func(t *testing.T, s *serviceSuite) {
		fx, c := s.recordingCall(t)
		fx.report(t, reported("r1", c))
		fx.report(t, reported("r2", c, func(m *recording.Metadata) { m.StartedAt, m.Duration = at(time.Minute), 5 }))
		page, err := fx.svc.ListRecordings(fx.ctx, recording.Filter{ConversationID: c.ConversationID})
		require.NoError(t, err)
		require.Equal(t, []string{"r2", "r1"}, recordingIDs(page.Items), "newest first")
		require.Equal(t, 2, page.Total)
		page, err = fx.svc.ListRecordings(fx.ctx, recording.Filter{DurationTo: i64(10), SortDirection: recording.Asc})
		require.NoError(t, err)
		require.Equal(t, []string{"r2"}, recordingIDs(page.Items))
		page, err = fx.svc.ListRecordings(fx.ctx, recording.Filter{Size: recording.MaxPageSize, Page: 1})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Equal(t, 2, page.Total)
		for field, f := range map[string]recording.Filter{
			"size":            {Size: recording.MaxPageSize + 1},
			"page":            {Page: -1},
			"sortBy":          {SortBy: "recordingStatus"},
			"sortDirection":   {SortDirection: "UP"},
			"durationTo":      {DurationFrom: i64(10), DurationTo: i64(5)},
			"startedAtTo":     {StartedAtFrom: t0, StartedAtTo: at(-time.Second)},
			"conversationId":  {ConversationID: "bad\x00"},
			"participantName": {ParticipantName: strings.Repeat("n", recording.MaxFilenameLen+1)},
		} {
			_, err := fx.svc.ListRecordings(fx.ctx, f)
			requireInvalid(t, err, field)
		}
	}},
	{"DeleteAndOpen", func(t *testing.T, s *serviceSuite) {
		files := NewFakeRecordingFiles(map[string][]byte{"r1": []byte("RIFF....WAVE"), "r2": []byte("r2")})
		fx, c := s.recordingCall(t, parley.WithRecordingFiles(files))
		fx.report(t, reported("r1", c))
		fx.report(t, reported("r2", c))

		f, m, err := fx.svc.OpenRecording(fx.ctx, "r1")
		require.NoError(t, err)
		body, err := io.ReadAll(f)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		require.Equal(t, "RIFF....WAVE", string(body))
		require.Equal(t, "r1", m.RecordingID)
		_, _, err = fx.svc.OpenRecording(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, _, err = fx.svc.OpenRecording(fx.ctx, "")
		requireInvalid(t, err, "recordingId")

		_, err = fx.svc.DeleteRecording(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		now := fx.tick()
		ctx := fx.as("a1")
		m, err = fx.svc.DeleteRecording(ctx, "r1")
		require.NoError(t, err)
		require.True(t, now.Equal(m.DeletedAt))
		require.Equal(t, "a1", m.DeletedBy)
		require.Equal(t, []string{"r1"}, files.Deleted())
		events := fx.events(t)
		requireEvent(t, events[len(events)-1], storage.RecordingDeleted, c.ConversationID, "a1", now, change{"deletedBy", "", `"a1"`})
		got, err := fx.svc.GetRecording(fx.ctx, "r1")
		require.NoError(t, err, "the metadata stays, marked deleted")
		require.True(t, now.Equal(got.DeletedAt))
		page, err := fx.svc.ListRecordings(fx.ctx, recording.Filter{DeletedBy: "a1"})
		require.NoError(t, err)
		require.Equal(t, []string{"r1"}, recordingIDs(page.Items))
		_, _, err = fx.svc.OpenRecording(fx.ctx, "r1")
		require.ErrorIs(t, err, parley.ErrNotFound, "a deleted recording is not downloaded")

		// Deleting again changes nothing but tries the file again.
		n := len(fx.events(t))
		fx.tick()
		again, err := fx.svc.DeleteRecording(fx.ctx, "r1")
		require.NoError(t, err)
		require.True(t, now.Equal(again.DeletedAt))
		require.Len(t, fx.events(t), n)
		require.Equal(t, []string{"r1", "r1"}, files.Deleted())
		before := fx.recordingSnapshot(t)
		_, err = fx.svc.ReportRecording(fx.ctx, reported("r1", c))
		require.ErrorIs(t, err, parley.ErrConflict, "a deleted recording is not reported again")
		fx.requireRecordingsUnchanged(t, before)

		// A file that fails to delete leaves the deletion standing.
		files.Fail["r2"] = true
		_, err = fx.svc.DeleteRecording(fx.ctx, "r2")
		require.NoError(t, err)
		got, err = fx.svc.GetRecording(fx.ctx, "r2")
		require.NoError(t, err)
		require.False(t, got.DeletedAt.IsZero())
		events = fx.events(t)
		require.Equal(t, []storage.EventType{storage.RecordingDeleted, storage.RecordingFileNotDeleted}, types(events[len(events)-2:]))
		require.Equal(t, "r2", events[len(events)-1].EntityID)

		// Without files, nothing is downloaded.
		fx2, c2 := s.recordingCall(t)
		fx2.report(t, reported("r1", c2))
		_, _, err = fx2.svc.OpenRecording(fx2.ctx, "r1")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx2.svc.DeleteRecording(fx2.ctx, "r1")
		require.NoError(t, err)
	}},
	// ConcurrentWrites: racing first reports of one recording all succeed
	// (one creates it, the others change it), and of racing POSTs of the
	// account's configuration exactly one creates it, on every store.
	{"ConcurrentWrites", func(t *testing.T, s *serviceSuite) {
		const workers, recordings = 8, 12
		fx, c := s.recordingCall(t)
		errs := make(chan error, workers*(recordings+1))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				<-start
				_, err := fx.svc.CreateAccountRecordingConfig(fx.ctx, recording.AccountConfig{Inbound: true, MediaType: recording.Audio})
				errs <- err
				for r := range recordings {
					id := "r" + strconv.Itoa(r)
					_, err := fx.svc.ReportRecording(fx.ctx, reported(id, c, func(m *recording.Metadata) { m.Duration = int64(w) }))
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		exists := 0
		for err := range errs {
			if errors.Is(err, parley.ErrAlreadyExists) {
				exists++
				continue
			}
			require.NoError(t, err)
		}
		require.Equal(t, workers-1, exists, "one POST creates the configuration")
		var reportedN, created int
		for _, e := range fx.events(t) {
			switch e.Type {
			case storage.RecordingReported:
				reportedN++
			case storage.AccountRecordingConfigCreated:
				created++
			}
		}
		require.Equal(t, recordings, reportedN, "one report of each creates it")
		require.Equal(t, 1, created)
		page, err := fx.svc.ListRecordings(fx.ctx, recording.Filter{})
		require.NoError(t, err)
		require.Len(t, page.Items, recordings)
	}},
	{"DeletingAConversationDeletesItsRecordings", func(t *testing.T, s *serviceSuite) {
		files := NewFakeRecordingFiles(nil)
		fx, c := s.recordingCall(t, parley.WithRecordingFiles(files))
		out, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: fx.activeAgent(t, "a2", 5).ID})
		require.NoError(t, err)
		fx.report(t, reported("r1", c))
		fx.report(t, reported("r2", c))
		fx.report(t, reported("r3", out))
		files.Fail["r2"] = true

		seq := fx.lastSeq(t)
		now := fx.tick()
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, c.ConversationID, "GDPR request"))
		for _, id := range []string{"r1", "r2"} {
			_, err := fx.svc.GetRecording(fx.ctx, id)
			require.ErrorIs(t, err, parley.ErrNotFound, id)
		}
		_, err = fx.svc.GetRecording(fx.ctx, "r3")
		require.NoError(t, err, "another conversation's stays")
		require.Equal(t, []string{"r1", "r2"}, files.Deleted(), "the files, after the commit")
		_, err = fx.svc.GetConversation(fx.ctx, c.ConversationID)
		require.ErrorIs(t, err, parley.ErrNotFound, "a file failing does not undo the deletion")

		var deleted, failed []string
		for _, e := range fx.eventsSince(t, seq) {
			switch e.Type {
			case storage.RecordingDeleted:
				requireEvent(t, e, storage.RecordingDeleted, "", "", now, change{"conversationId", jsonString(c.ConversationID), ""})
				deleted = append(deleted, e.EntityID)
			case storage.RecordingFileNotDeleted:
				failed = append(failed, e.EntityID)
			}
		}
		require.Equal(t, []string{"r1", "r2"}, deleted)
		require.Equal(t, []string{"r2"}, failed)
	}},
}

func init() {
	recordingSetUp := func(t *testing.T, fx *serviceFixture) {
		t.Helper()
		callFixtures(t, fx)
		_, err := fx.svc.CreateAccountRecordingConfig(fx.ctx, recording.AccountConfig{Inbound: true, MediaType: recording.Audio, Enabled: true})
		require.NoError(t, err)
		_, err = fx.svc.CreateAgentRecordingConfig(fx.ctx, "a1", recording.AgentConfig{Inbound: true, MediaType: recording.Audio, UseDefault: true})
		require.NoError(t, err)
		_, err = fx.svc.ReportRecording(fx.ctx, recording.Metadata{RecordingID: "rec-1", CallID: "call-in", RecordingStatus: recording.Successful,
			Filename: "rec-1.wav", MediaType: recording.Audio, StartedAt: t0})
		require.NoError(t, err)
	}
	config := recording.AccountConfig{Outbound: true, MediaType: recording.Audio}
	agentConfig := recording.AgentConfig{Outbound: true, MediaType: recording.Audio}
	ops := map[string]operation{
		"AccountRecordingConfig": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.AccountRecordingConfig(ctx))
		}},
		"CreateAccountRecordingConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.CreateAccountRecordingConfig(ctx, config))
		}},
		"PutAccountRecordingConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.PutAccountRecordingConfig(ctx, config))
		}},
		"AgentRecordingConfig": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.AgentRecordingConfig(ctx, "a1"))
		}},
		"AgentRecordingConfigs": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.AgentRecordingConfigs(ctx, nil))
		}},
		"CreateAgentRecordingConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.CreateAgentRecordingConfig(ctx, "s1", agentConfig))
		}},
		"PutAgentRecordingConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.PutAgentRecordingConfig(ctx, "a1", agentConfig))
		}},
		"RecordingDecision": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.RecordingDecision(ctx, "call-in"))
		}},
		"ReportRecording": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ReportRecording(ctx, recording.Metadata{RecordingID: "rec-2", CallID: "call-in", RecordingStatus: recording.Successful,
				Filename: "rec-2.wav", MediaType: recording.Audio, StartedAt: t0}))
		}},
		"GetRecording": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.GetRecording(ctx, "rec-1"))
		}},
		"ListRecordings": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.ListRecordings(ctx, recording.Filter{}))
		}},
		"DeleteRecording": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
			return ignore(svc.DeleteRecording(ctx, "rec-1"))
		}},
		"OpenRecording": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
			_, _, err := svc.OpenRecording(ctx, "rec-1")
			if errors.Is(err, parley.ErrNotFound) {
				return nil // authorised: the fixture has no files to open
			}
			return err
		}},
	}
	for name, op := range ops {
		operations[name] = op
		if name != "CreateAccountRecordingConfig" {
			operationSetUp[name] = recordingSetUp
		} else {
			operationSetUp[name] = callFixtures
		}
	}
}
