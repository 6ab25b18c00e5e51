package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage"
)

// newRecording returns the metadata of a recording of call k1 in
// conversation c1 with every field set, started at t0.
func newRecording(id string, mods ...func(*recording.Metadata)) *recording.Metadata {
	m := &recording.Metadata{
		RecordingID: id, ConversationID: "c1", ConferenceID: "conf-" + id, CallID: "k1", Direction: call.Inbound,
		RecordingStatus: recording.Successful, Composed: false, Filename: id + ".wav", Duration: 28,
		ParticipantID: "p-" + id, ParticipantIdentity: "customer1", ParticipantName: "Customer 1",
		ParticipantType: recording.CustomerParticipant, MediaType: recording.Audio, StartedAt: t0,
		SftpPath: "/sftp/" + id, TransferredFrom: "a1", TransferredTo: "a2", TransferredFromQueue: "q1", TransferredToQueue: "q2",
	}
	for _, mod := range mods {
		mod(m)
	}
	return m
}

func (f *fixture) createRecording(m *recording.Metadata) *recording.Metadata {
	f.t.Helper()
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateRecording(f.ctx, m) }))
	return m
}

// inUTC returns a copy of m with its times in UTC, for require.Equal.
func inUTC(m *recording.Metadata) *recording.Metadata {
	cp := *m
	cp.StartedAt = cp.StartedAt.UTC()
	if !cp.DeletedAt.IsZero() {
		cp.DeletedAt = cp.DeletedAt.UTC()
	}
	return &cp
}

func recordingIDs(ms []*recording.Metadata) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.RecordingID
	}
	return out
}

func (f *fixture) listRecordings(filter recording.Filter) storage.RecordingPage {
	f.t.Helper()
	p, err := f.store.ListRecordings(f.ctx, filter)
	require.NoError(f.t, err)
	return p
}

func i64(n int64) *int64 { return &n }

var errRecordingRollback = errors.New("rolled back")

// recordingSet is the recordings the list cases filter and sort: two
// conversations and calls, each field varied, ties on every sort key.
func (f *fixture) recordingSet() []*recording.Metadata {
	f.t.Helper()
	f.createConversation(newConversation("c1"))
	f.createConversation(newConversation("c2"))
	f.createCall(newCall("k1", "c1"))
	f.createCall(newCall("k2", "c2"))
	set := []*recording.Metadata{
		newRecording("r1"),
		newRecording("r2", func(m *recording.Metadata) {
			m.Duration, m.StartedAt, m.Filename = 5, at(time.Minute), "b.wav"
			m.ParticipantType, m.ParticipantIdentity, m.ParticipantName = recording.AgentParticipant, "a1", "Agent 1"
		}),
		newRecording("r3", func(m *recording.Metadata) {
			m.ConversationID, m.CallID, m.Direction = "c2", "k2", call.Outbound
			m.MediaType, m.Duration, m.StartedAt, m.Filename = recording.AudioAndVideo, 60, at(2*time.Minute), "a.wav"
			m.DeletedAt, m.DeletedBy = at(time.Hour), "admin"
		}),
		newRecording("r4", func(m *recording.Metadata) {
			m.ConversationID, m.CallID, m.Direction = "c2", "k2", call.Outbound
			m.Composed, m.ParticipantType, m.ParticipantID, m.Duration = true, "", "", 60
			m.StartedAt, m.Filename = at(-time.Minute), "b.wav"
			m.DeletedAt, m.DeletedBy = at(2*time.Hour), "a9"
			m.TransferredFrom, m.TransferredTo, m.TransferredFromQueue, m.TransferredToQueue, m.ConferenceID = "", "", "", "", ""
		}),
		newRecording("r5", func(m *recording.Metadata) {
			m.RecordingStatus, m.Duration, m.StartedAt, m.Filename = recording.InProgress, 0, at(time.Minute), "c.wav"
		}),
	}
	for _, m := range set {
		f.createRecording(m)
	}
	return set
}

var recordingCases = []testCase{
	{"AccountConfig", func(t *testing.T, f *fixture) {
		_, err := f.store.GetAccountRecordingConfig(f.ctx)
		require.ErrorIs(t, err, storage.ErrNotFound)
		c := &recording.AccountConfig{Inbound: true, AutoCompose: true, MediaType: recording.AudioAndVideo, Enabled: true, EnabledChangedAt: t0}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateAccountRecordingConfig(f.ctx, c) }))
		got, err := f.store.GetAccountRecordingConfig(f.ctx)
		require.NoError(t, err)
		got.EnabledChangedAt = got.EnabledChangedAt.UTC()
		require.Equal(t, c, got)
		again := &recording.AccountConfig{Outbound: true, MediaType: recording.Audio}
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateAccountRecordingConfig(f.ctx, again) })
		require.ErrorIs(t, err, storage.ErrAlreadyExists)

		// Put replaces every field, a zero time included.
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.PutAccountRecordingConfig(f.ctx, again) }))
		locked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (*recording.AccountConfig, error) { return tx.LockAccountRecordingConfig(f.ctx) })
		require.NoError(t, err)
		require.Equal(t, again, locked)
	}},
	{"AccountConfigRollsBack", func(t *testing.T, f *fixture) {
		c := &recording.AccountConfig{Inbound: true, MediaType: recording.Audio}
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.PutAccountRecordingConfig(f.ctx, c); err != nil {
				return err
			}
			return errRecordingRollback
		})
		require.ErrorIs(t, err, errRecordingRollback)
		_, err = f.store.GetAccountRecordingConfig(f.ctx)
		require.ErrorIs(t, err, storage.ErrNotFound)
	}},
	{"AgentConfig", func(t *testing.T, f *fixture) {
		f.createAgent("a1")
		f.createAgent("a2")
		f.createAgent("a3")
		_, err := f.store.GetAgentRecordingConfig(f.ctx, "a1")
		require.ErrorIs(t, err, storage.ErrNotFound)
		put := func(c *recording.AgentConfig, create bool) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error {
				if create {
					return tx.CreateAgentRecordingConfig(f.ctx, c)
				}
				return tx.PutAgentRecordingConfig(f.ctx, c)
			})
		}
		c1 := &recording.AgentConfig{AgentID: "a1", Inbound: true, MediaType: recording.Audio, UseDefault: true, EnabledChangedAt: t0}
		c3 := &recording.AgentConfig{AgentID: "a3", Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true}
		require.NoError(t, put(c1, true))
		require.NoError(t, put(c3, false))
		require.ErrorIs(t, put(c1, true), storage.ErrAlreadyExists)
		require.ErrorIs(t, put(&recording.AgentConfig{AgentID: "nobody", Inbound: true, MediaType: recording.Audio}, true), storage.ErrNotFound)
		require.ErrorIs(t, put(&recording.AgentConfig{AgentID: "nobody", Inbound: true, MediaType: recording.Audio}, false), storage.ErrNotFound)
		got, err := f.store.GetAgentRecordingConfig(f.ctx, "a1")
		require.NoError(t, err)
		got.EnabledChangedAt = got.EnabledChangedAt.UTC()
		require.Equal(t, c1, got)

		c1b := &recording.AgentConfig{AgentID: "a1", Outbound: true, MediaType: recording.AudioAndVideo, Enabled: true, EnabledChangedAt: at(time.Second)}
		require.NoError(t, put(c1b, false))
		all, err := f.store.ListAgentRecordingConfigs(f.ctx, nil)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, "a1", all[0].AgentID)
		require.True(t, c1b.EnabledChangedAt.Equal(all[0].EnabledChangedAt))
		require.True(t, all[0].Outbound && !all[0].Inbound && !all[0].UseDefault)
		require.Equal(t, c3, all[1])

		some, err := f.store.ListAgentRecordingConfigs(f.ctx, []string{"a3", "a2", "nobody", "a3"})
		require.NoError(t, err)
		require.Equal(t, []*recording.AgentConfig{c3}, some)
		none, err := f.store.ListAgentRecordingConfigs(f.ctx, []string{"bad\x00id"})
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = f.store.GetAgentRecordingConfig(f.ctx, "\xff")
		require.ErrorIs(t, err, storage.ErrNotFound)
	}},
	{"RecordingRoundTrip", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		f.createCall(newCall("k1", "c1"))
		m := f.createRecording(newRecording("r1", func(m *recording.Metadata) { m.Composed = true }))
		got, err := f.store.GetRecording(f.ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, m, inUTC(got))

		create := func(m *recording.Metadata) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateRecording(f.ctx, m) })
		}
		require.ErrorIs(t, create(newRecording("r1")), storage.ErrAlreadyExists)
		require.ErrorIs(t, create(newRecording("r2", func(m *recording.Metadata) { m.ConversationID = "nope" })), storage.ErrNotFound)
		require.ErrorIs(t, create(newRecording("r2", func(m *recording.Metadata) { m.CallID = "nope" })), storage.ErrNotFound)
		_, err = f.store.GetRecording(f.ctx, "r2")
		require.ErrorIs(t, err, storage.ErrNotFound)

		// Update writes every field but the ids.
		up := newRecording("r1", func(m *recording.Metadata) {
			m.ConversationID, m.CallID = "c2", "k9"
			m.ConferenceID, m.Direction, m.RecordingStatus, m.Filename = "", call.Outbound, recording.FailedRecording, "new.mp4"
			m.Duration, m.ParticipantID, m.ParticipantIdentity, m.ParticipantName, m.ParticipantType = 99, "", "", "", ""
			m.MediaType, m.StartedAt, m.DeletedAt, m.DeletedBy, m.SftpPath = recording.AudioAndVideo, at(time.Second), at(time.Hour), "admin", ""
			m.TransferredFrom, m.TransferredTo, m.TransferredFromQueue, m.TransferredToQueue = "", "x", "", "y"
		})
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateRecording(f.ctx, up) }))
		locked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (*recording.Metadata, error) { return tx.LockRecording(f.ctx, "r1") })
		require.NoError(t, err)
		want := *up
		want.ConversationID, want.CallID = "c1", "k1"
		require.Equal(t, &want, inUTC(locked))
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateRecording(f.ctx, newRecording("r9")) })
		require.ErrorIs(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*recording.Metadata, error) { return tx.LockRecording(f.ctx, "bad\x00") })
		require.ErrorIs(t, err, storage.ErrNotFound)
	}},
	{"DeletingAConversationRemovesItsRecordings", func(t *testing.T, f *fixture) {
		f.recordingSet()
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c2") }))
		for _, id := range []string{"r3", "r4"} {
			_, err := f.store.GetRecording(f.ctx, id)
			require.ErrorIs(t, err, storage.ErrNotFound, id)
		}
		p := f.listRecordings(recording.Filter{SortDirection: recording.Asc})
		require.Equal(t, []string{"r1", "r2", "r5"}, recordingIDs(p.Items))
		require.Equal(t, 3, p.Total)
	}},
	{"ListFilters", func(t *testing.T, f *fixture) {
		set := f.recordingSet()
		cases := []struct {
			f    recording.Filter
			want []string // in the default order: startedAt DESC, then id
		}{
			{recording.Filter{}, []string{"r3", "r2", "r5", "r1", "r4"}},
			{recording.Filter{RecordingID: "r2"}, []string{"r2"}},
			{recording.Filter{ConversationID: "c2"}, []string{"r3", "r4"}},
			{recording.Filter{ConferenceID: "conf-r1"}, []string{"r1"}},
			{recording.Filter{CallID: "k1"}, []string{"r2", "r5", "r1"}},
			{recording.Filter{Direction: call.Outbound}, []string{"r3", "r4"}},
			{recording.Filter{Filename: "b.wav"}, []string{"r2", "r4"}},
			{recording.Filter{ParticipantID: "p-r5"}, []string{"r5"}},
			{recording.Filter{ParticipantIdentity: "a1"}, []string{"r2"}},
			{recording.Filter{ParticipantName: "Customer 1"}, []string{"r3", "r5", "r1", "r4"}},
			{recording.Filter{ParticipantType: recording.AgentParticipant}, []string{"r2"}},
			{recording.Filter{MediaType: recording.AudioAndVideo}, []string{"r3"}},
			{recording.Filter{DeletedBy: "admin"}, []string{"r3"}},
			{recording.Filter{TransferredFrom: "a1"}, []string{"r3", "r2", "r5", "r1"}},
			{recording.Filter{TransferredTo: "a2", ConversationID: "c2"}, []string{"r3"}},
			{recording.Filter{TransferredFromQueue: "q1", Direction: call.Inbound}, []string{"r2", "r5", "r1"}},
			{recording.Filter{TransferredToQueue: "q2", DeletedBy: "a9"}, nil},
			{recording.Filter{DurationFrom: i64(28)}, []string{"r3", "r1", "r4"}},
			{recording.Filter{DurationTo: i64(5)}, []string{"r2", "r5"}},
			{recording.Filter{DurationFrom: i64(5), DurationTo: i64(28)}, []string{"r2", "r1"}},
			{recording.Filter{StartedAtFrom: at(time.Minute)}, []string{"r3", "r2", "r5"}},
			{recording.Filter{StartedAtTo: t0}, []string{"r1", "r4"}},
			{recording.Filter{StartedAtFrom: t0, StartedAtTo: at(time.Minute)}, []string{"r2", "r5", "r1"}},
			{recording.Filter{DeletedAtFrom: t0}, []string{"r3", "r4"}},
			{recording.Filter{DeletedAtTo: at(time.Hour)}, []string{"r3"}},
			{recording.Filter{DeletedAtFrom: at(time.Hour + time.Microsecond)}, []string{"r4"}},
			{recording.Filter{ConversationID: "nope"}, nil},
			{recording.Filter{ConversationID: "bad\x00id"}, nil},
			{recording.Filter{ParticipantName: "\xff"}, nil},
		}
		for i, tc := range cases {
			p := f.listRecordings(tc.f)
			require.Equal(t, tc.want, nilIfEmpty(recordingIDs(p.Items)), "case %d: %+v", i, tc.f)
			require.Equal(t, len(tc.want), p.Total, "case %d", i)
			// The package's own rule agrees.
			var ref []string
			sorted := slices.Clone(set)
			norm, err := tc.f.Normalize()
			require.NoError(t, err)
			slices.SortFunc(sorted, norm.Compare)
			for _, m := range sorted {
				if norm.Matches(m) {
					ref = append(ref, m.RecordingID)
				}
			}
			require.Equal(t, tc.want, ref, "case %d: the rule", i)
		}
		for _, m := range f.listRecordings(recording.Filter{RecordingID: "r4"}).Items {
			require.Equal(t, inUTC(set[3]), inUTC(m))
		}
		_, err := f.store.ListRecordings(f.ctx, recording.Filter{Size: recording.MaxPageSize + 1})
		require.ErrorIs(t, err, storage.ErrInvalid)
	}},
	{"ListSortsAndPages", func(t *testing.T, f *fixture) {
		f.recordingSet()
		cases := []struct {
			by   recording.SortField
			dir  recording.Direction
			want []string
		}{
			{recording.ByStartedAt, recording.Asc, []string{"r4", "r1", "r2", "r5", "r3"}},
			{recording.ByStartedAt, recording.Desc, []string{"r3", "r2", "r5", "r1", "r4"}},
			{recording.ByDuration, recording.Asc, []string{"r5", "r2", "r1", "r3", "r4"}},
			{recording.ByDuration, recording.Desc, []string{"r3", "r4", "r1", "r2", "r5"}},
			{recording.ByFilename, recording.Asc, []string{"r3", "r2", "r4", "r5", "r1"}},
			{recording.ByFilename, recording.Desc, []string{"r1", "r5", "r2", "r4", "r3"}},
			{recording.ByDeletedAt, recording.Asc, []string{"r1", "r2", "r5", "r3", "r4"}},
			{recording.ByDeletedAt, recording.Desc, []string{"r4", "r3", "r1", "r2", "r5"}},
		}
		for _, tc := range cases {
			name := fmt.Sprintf("%s %s", tc.by, tc.dir)
			p := f.listRecordings(recording.Filter{SortBy: tc.by, SortDirection: tc.dir})
			require.Equal(t, tc.want, recordingIDs(p.Items), name)
			p = f.listRecordings(recording.Filter{SortBy: tc.by, SortDirection: tc.dir, Page: 1, Size: 2})
			require.Equal(t, tc.want[2:4], recordingIDs(p.Items), name+" page 1")
			require.Equal(t, 5, p.Total, name)
		}
		p := f.listRecordings(recording.Filter{Page: 2, Size: 2})
		require.Equal(t, []string{"r4"}, recordingIDs(p.Items))
		p = f.listRecordings(recording.Filter{Page: 3, Size: 2})
		require.Empty(t, p.Items)
		require.Equal(t, 5, p.Total)
		p = f.listRecordings(recording.Filter{Page: 1 << 62, Size: recording.MaxPageSize})
		require.Empty(t, p.Items)
		require.Equal(t, 5, p.Total)
	}},
}

// recordingReads calls each read of call recording once, for the context
// cases.
func recordingReads(ctx context.Context, r storage.Reader) map[string]func() error {
	ignore := func(_ any, err error) error { return err }
	return map[string]func() error{
		"GetAccountRecordingConfig": func() error { return ignore(r.GetAccountRecordingConfig(ctx)) },
		"GetAgentRecordingConfig":   func() error { return ignore(r.GetAgentRecordingConfig(ctx, "a1")) },
		"ListAgentRecordingConfigs": func() error { return ignore(r.ListAgentRecordingConfigs(ctx, nil)) },
		"GetRecording":              func() error { return ignore(r.GetRecording(ctx, "r1")) },
		"ListRecordings":            func() error { return ignore(r.ListRecordings(ctx, recording.Filter{})) },
	}
}

// recordingWrites calls each write of call recording once, with arguments
// that would succeed on the fixture of the context cases.
func recordingWrites(ctx context.Context, tx storage.Tx) map[string]func() error {
	ignore := func(_ any, err error) error { return err }
	account := &recording.AccountConfig{Inbound: true, MediaType: recording.Audio}
	agent := &recording.AgentConfig{AgentID: "a1", Inbound: true, MediaType: recording.Audio}
	m := newRecording("r1", func(m *recording.Metadata) { m.CallID = "call1" })
	return map[string]func() error{
		"CreateAccountRecordingConfig": func() error { return tx.CreateAccountRecordingConfig(ctx, account) },
		"LockAccountRecordingConfig":   func() error { return ignore(tx.LockAccountRecordingConfig(ctx)) },
		"PutAccountRecordingConfig":    func() error { return tx.PutAccountRecordingConfig(ctx, account) },
		"CreateAgentRecordingConfig":   func() error { return tx.CreateAgentRecordingConfig(ctx, agent) },
		"PutAgentRecordingConfig":      func() error { return tx.PutAgentRecordingConfig(ctx, agent) },
		"CreateRecording":              func() error { return tx.CreateRecording(ctx, m) },
		"LockRecording":                func() error { return ignore(tx.LockRecording(ctx, "r1")) },
		"UpdateRecording":              func() error { return tx.UpdateRecording(ctx, m) },
	}
}
