package recording_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/recording"
)

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "want a field error naming %s, got %v", field, err)
	require.Equal(t, field, fe.Field, "%v", err)
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	ok := recording.AccountConfig{Inbound: true, MediaType: recording.Audio}
	require.NoError(t, ok.Validate())
	require.NoError(t, recording.AccountConfig{Outbound: true, MediaType: recording.AudioAndVideo}.Validate())
	requireField(t, recording.AccountConfig{Inbound: true}.Validate(), "mediaType")
	requireField(t, recording.AccountConfig{Inbound: true, MediaType: "VIDEO"}.Validate(), "mediaType")
	requireField(t, recording.AccountConfig{MediaType: recording.Audio}.Validate(), "inbound")

	agent := recording.AgentConfig{AgentID: "a1", Outbound: true, MediaType: recording.Audio, UseDefault: true}
	require.NoError(t, agent.Validate())
	bad := agent
	bad.AgentID = ""
	requireField(t, bad.Validate(), "agentId")
	bad = agent
	bad.MediaType = ""
	requireField(t, bad.Validate(), "mediaType")
	bad = agent
	bad.Outbound = false
	requireField(t, bad.Validate(), "inbound")
}

func TestDecide(t *testing.T) {
	t.Parallel()
	voiceIn := &call.Call{Direction: call.Inbound, Channel: conversation.Voice, AgentID: "a1"}
	videoIn := &call.Call{Direction: call.Inbound, Channel: conversation.Video, AgentID: "a1"}
	videoOut := &call.Call{Direction: call.Outbound, Channel: conversation.Video, AgentID: "a1"}
	account := &recording.AccountConfig{Inbound: true, AutoCompose: true, MediaType: recording.AudioAndVideo, Enabled: true}
	accountOff := &recording.AccountConfig{Inbound: true, Outbound: true, MediaType: recording.Audio}
	own := &recording.AgentConfig{AgentID: "a1", Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true}
	ownOff := &recording.AgentConfig{AgentID: "a1", Inbound: true, MediaType: recording.Audio}
	deferring := &recording.AgentConfig{AgentID: "a1", Outbound: true, MediaType: recording.Audio, UseDefault: true}
	someoneElse := &recording.AgentConfig{AgentID: "a2", Outbound: true, Inbound: true, MediaType: recording.Audio, Enabled: true}

	no := func(s recording.Source) recording.Decision { return recording.Decision{Source: s} }
	yes := func(m recording.MediaType, compose bool, s recording.Source) recording.Decision {
		return recording.Decision{Record: true, MediaType: m, AutoCompose: compose, Source: s}
	}
	cases := []struct {
		name    string
		c       *call.Call
		account *recording.AccountConfig
		agent   *recording.AgentConfig
		want    recording.Decision
	}{
		{"no call", nil, account, own, no(recording.FromNone)},
		{"no configuration", videoIn, nil, nil, no(recording.FromNone)},
		{"account records inbound video", videoIn, account, nil, yes(recording.AudioAndVideo, true, recording.FromAccount)},
		{"a voice call has no video", voiceIn, account, nil, yes(recording.Audio, true, recording.FromAccount)},
		{"account does not record outbound", videoOut, account, nil, no(recording.FromAccount)},
		{"account disabled", videoIn, accountOff, nil, no(recording.FromAccount)},
		{"agent defers to the account", videoIn, account, deferring, yes(recording.AudioAndVideo, true, recording.FromAccount)},
		{"agent defers, no account", videoIn, nil, deferring, no(recording.FromNone)},
		{"agent's own exempts it from inbound", videoIn, account, own, no(recording.FromAgent)},
		{"agent's own records outbound the account does not", videoOut, account, own, yes(recording.AudioAndVideo, true, recording.FromAgent)},
		{"agent's own with the account off", videoOut, accountOff, own, yes(recording.AudioAndVideo, false, recording.FromAgent)},
		{"agent's own with no account: no composing", videoOut, nil, own, yes(recording.AudioAndVideo, false, recording.FromAgent)},
		{"agent's own, disabled", videoIn, account, ownOff, no(recording.FromAgent)},
		{"another agent's configuration is ignored", videoIn, account, someoneElse, yes(recording.AudioAndVideo, true, recording.FromAccount)},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, recording.Decide(tc.c, tc.account, tc.agent), tc.name)
	}
}

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func meta(id string, mod func(m *recording.Metadata)) *recording.Metadata {
	m := &recording.Metadata{
		RecordingID: id, ConversationID: "conv-1", CallID: "call-1", Direction: call.Inbound,
		RecordingStatus: recording.Successful, Filename: id + ".wav", Duration: 28, ParticipantID: "p1",
		ParticipantIdentity: "customer1", ParticipantName: "Customer 1", ParticipantType: recording.CustomerParticipant,
		MediaType: recording.Audio, StartedAt: t0,
	}
	if mod != nil {
		mod(m)
	}
	return m
}

func TestMetadataValidation(t *testing.T) {
	t.Parallel()
	require.NoError(t, meta("r1", nil).Validate())
	cases := map[string]func(m *recording.Metadata){
		"recordingId":         func(m *recording.Metadata) { m.RecordingID = "" },
		"conversationId":      func(m *recording.Metadata) { m.ConversationID = "" },
		"callId":              func(m *recording.Metadata) { m.CallID = strings.Repeat("c", 256) },
		"conferenceId":        func(m *recording.Metadata) { m.ConferenceID = "a\nb" },
		"direction":           func(m *recording.Metadata) { m.Direction = "SIDEWAYS" },
		"recordingStatus":     func(m *recording.Metadata) { m.RecordingStatus = "" },
		"filename":            func(m *recording.Metadata) { m.Filename = "" },
		"duration":            func(m *recording.Metadata) { m.Duration = -1 },
		"participantType":     func(m *recording.Metadata) { m.ParticipantType = "BOT" },
		"participantName":     func(m *recording.Metadata) { m.ParticipantName = strings.Repeat("n", 256) },
		"mediaType":           func(m *recording.Metadata) { m.MediaType = "" },
		"startedAt":           func(m *recording.Metadata) { m.StartedAt = time.Time{} },
		"deletedBy":           func(m *recording.Metadata) { m.DeletedBy = "admin" },
		"transferredToQueue":  func(m *recording.Metadata) { m.TransferredToQueue = "\x00" },
		"participantIdentity": func(m *recording.Metadata) { m.ParticipantIdentity = "\xff" },
	}
	for field, edit := range cases {
		requireField(t, meta("r1", edit).Validate(), field)
	}
}

func i64(n int64) *int64 { return &n }

func TestFilterNormalize(t *testing.T) {
	t.Parallel()
	f, err := recording.Filter{}.Normalize()
	require.NoError(t, err)
	require.Equal(t, recording.Filter{Size: 20, SortBy: recording.ByStartedAt, SortDirection: recording.Desc}, f)
	f, err = recording.Filter{Size: 999, Page: 3, SortBy: recording.ByDuration, SortDirection: recording.Asc}.Normalize()
	require.NoError(t, err)
	require.Equal(t, 999, f.Size)

	cases := map[string]recording.Filter{
		"size":            {Size: 1000},
		"page":            {Page: -1},
		"sortBy":          {SortBy: "recordingStatus"},
		"sortDirection":   {SortDirection: "UP"},
		"direction":       {Direction: "UP"},
		"participantType": {ParticipantType: "x"},
		"mediaType":       {MediaType: "x"},
		"durationFrom":    {DurationFrom: i64(-1)},
		"durationTo":      {DurationFrom: i64(10), DurationTo: i64(9)},
		"startedAtTo":     {StartedAtFrom: t0, StartedAtTo: t0.Add(-time.Second)},
		"deletedAtTo":     {DeletedAtFrom: t0, DeletedAtTo: t0.Add(-time.Second)},
	}
	for field, f := range cases {
		_, err := f.Normalize()
		requireField(t, err, field)
	}
	_, err = recording.Filter{Size: -1}.Normalize()
	requireField(t, err, "size")
}

func TestFilterMatches(t *testing.T) {
	t.Parallel()
	base := meta("r1", func(m *recording.Metadata) {
		m.ConferenceID, m.TransferredFrom, m.TransferredTo = "conf", "a1", "a2"
		m.TransferredFromQueue, m.TransferredToQueue = "q1", "q2"
	})
	deleted := meta("r2", func(m *recording.Metadata) { m.DeletedAt, m.DeletedBy = t0.Add(time.Hour), "admin" })
	require.True(t, recording.Filter{}.Matches(base))
	// Each filter: one value that matches base, one that does not.
	cases := map[string][2]recording.Filter{
		"recordingId":          {{RecordingID: "r1"}, {RecordingID: "r9"}},
		"conversationId":       {{ConversationID: "conv-1"}, {ConversationID: "conv-9"}},
		"conferenceId":         {{ConferenceID: "conf"}, {ConferenceID: "other"}},
		"callId":               {{CallID: "call-1"}, {CallID: "call-9"}},
		"direction":            {{Direction: call.Inbound}, {Direction: call.Outbound}},
		"filename":             {{Filename: "r1.wav"}, {Filename: "r1.mp4"}},
		"participantId":        {{ParticipantID: "p1"}, {ParticipantID: "p2"}},
		"participantIdentity":  {{ParticipantIdentity: "customer1"}, {ParticipantIdentity: "agent1"}},
		"participantName":      {{ParticipantName: "Customer 1"}, {ParticipantName: "Agent 1"}},
		"participantType":      {{ParticipantType: recording.CustomerParticipant}, {ParticipantType: recording.AgentParticipant}},
		"mediaType":            {{MediaType: recording.Audio}, {MediaType: recording.AudioAndVideo}},
		"transferredFrom":      {{TransferredFrom: "a1"}, {TransferredFrom: "a2"}},
		"transferredTo":        {{TransferredTo: "a2"}, {TransferredTo: "a1"}},
		"transferredFromQueue": {{TransferredFromQueue: "q1"}, {TransferredFromQueue: "q2"}},
		"transferredToQueue":   {{TransferredToQueue: "q2"}, {TransferredToQueue: "q1"}},
		"durationFrom":         {{DurationFrom: i64(28)}, {DurationFrom: i64(29)}},
		"durationTo":           {{DurationTo: i64(28)}, {DurationTo: i64(27)}},
		"startedAtFrom":        {{StartedAtFrom: t0}, {StartedAtFrom: t0.Add(time.Nanosecond)}},
		"startedAtTo":          {{StartedAtTo: t0}, {StartedAtTo: t0.Add(-time.Nanosecond)}},
	}
	for name, c := range cases {
		require.True(t, c[0].Matches(base), "%s should match", name)
		require.False(t, c[1].Matches(base), "%s should not match", name)
	}
	require.True(t, recording.Filter{DeletedBy: "admin"}.Matches(deleted))
	require.False(t, recording.Filter{DeletedBy: "admin"}.Matches(base))
	require.True(t, recording.Filter{DeletedAtFrom: t0}.Matches(deleted))
	require.False(t, recording.Filter{DeletedAtFrom: t0}.Matches(base), "a deletedAt range matches deleted recordings only")
	require.False(t, recording.Filter{DeletedAtTo: t0}.Matches(deleted))
}

func TestFilterCompare(t *testing.T) {
	t.Parallel()
	a := meta("a", func(m *recording.Metadata) { m.Duration, m.StartedAt = 10, t0 })
	b := meta("b", func(m *recording.Metadata) { m.Duration, m.StartedAt = 30, t0.Add(time.Minute) })
	c := meta("c", func(m *recording.Metadata) { m.Duration, m.StartedAt = 10, t0.Add(2*time.Minute) })
	sorted := func(f recording.Filter) []string {
		f, err := f.Normalize()
		require.NoError(t, err)
		list := []*recording.Metadata{b, c, a}
		slices.SortFunc(list, f.Compare)
		var ids []string
		for _, m := range list {
			ids = append(ids, m.RecordingID)
		}
		return ids
	}
	require.Equal(t, []string{"c", "b", "a"}, sorted(recording.Filter{}), "newest first by default")
	require.Equal(t, []string{"a", "c", "b"}, sorted(recording.Filter{SortBy: recording.ByDuration, SortDirection: recording.Asc}), "ties by recordingId")
	require.Equal(t, []string{"b", "a", "c"}, sorted(recording.Filter{SortBy: recording.ByDuration}), "ties by recordingId, ascending, in DESC too")
	require.Equal(t, []string{"a", "b", "c"}, sorted(recording.Filter{SortBy: recording.ByFilename, SortDirection: recording.Asc}))
}
