package call_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
)

func holdConfig() *call.HoldConfig {
	return &call.HoldConfig{
		ID: "h1", Name: "Hold Config Name",
		OnHoldMusic: audio.Music{Enabled: true, File: &audio.File{FileDescriptor: "eea6b505"}},
		AnnouncementMessage: audio.Announcement{
			Message: audio.Message{Enabled: true, AudioSourceType: audio.TTSSource,
				TTS: &audio.TTS{Text: "Still there", Language: "en", Voice: audio.Voice{Name: "Test", Gender: "FEMALE"}, SpeechRate: 1}},
			RepeatInterval: &audio.Duration{Unit: audio.Seconds, Value: 30},
		},
		QueueIDs:  []string{"q1", "q2"},
		Enabled:   true,
		CreatedAt: t0,
	}
}

func TestHoldConfigValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, holdConfig().Validate())
	def := holdConfig()
	def.QueueIDs, def.Default = nil, true
	require.NoError(t, def.Validate(), "the default may name no queue")
	cases := map[string]func(h *call.HoldConfig){
		"name":                               func(h *call.HoldConfig) { h.Name = "" },
		"name ":                              func(h *call.HoldConfig) { h.Name = strings.Repeat("n", 129) },
		"queueIds":                           func(h *call.HoldConfig) { h.QueueIDs = nil },
		"queueIds[1]":                        func(h *call.HoldConfig) { h.QueueIDs[1] = "q1" },
		"queueIds[0]":                        func(h *call.HoldConfig) { h.QueueIDs[0] = "" },
		"onHoldMusic.fileAudioSource":        func(h *call.HoldConfig) { h.OnHoldMusic.File = nil },
		"announcementMessage.repeatInterval": func(h *call.HoldConfig) { h.AnnouncementMessage.RepeatInterval = nil },
		"announcementMessage.collectables": func(h *call.HoldConfig) {
			h.AnnouncementMessage.Collectables = []audio.Collectable{{Code: "1", Action: audio.Callback, Value: "x"}}
		},
		"announcementMessage.ttsAudioSource.text": func(h *call.HoldConfig) {
			h.AnnouncementMessage.TTS.Text = strings.Repeat("t", 1401)
		},
	}
	for field, edit := range cases {
		h := holdConfig()
		edit(h)
		requireField(t, h.Validate(), strings.TrimSpace(field))
	}
	h := holdConfig()
	h.OnHoldMusic = audio.Music{Enabled: true, UseDefault: true}
	require.NoError(t, h.Validate(), "the system's music needs no file")
}

func TestHoldConfigFor(t *testing.T) {
	t.Parallel()
	named := holdConfig()
	def := holdConfig()
	def.ID, def.QueueIDs, def.Default = "h0", nil, true
	off := holdConfig()
	off.ID, off.QueueIDs, off.Enabled = "h-off", []string{"q3"}, false
	older := holdConfig()
	older.ID, older.CreatedAt = "h-old", t0.Add(-time.Hour)
	list := []*call.HoldConfig{def, named, off, nil}
	require.Same(t, named, call.HoldConfigFor(list, "q1"))
	require.Same(t, def, call.HoldConfigFor(list, "q3"), "a disabled configuration does not apply")
	require.Same(t, def, call.HoldConfigFor(list, ""))
	require.Nil(t, call.HoldConfigFor([]*call.HoldConfig{named}, "q9"))
	require.Same(t, older, call.HoldConfigFor([]*call.HoldConfig{named, older}, "q2"))
}

func TestHoldConflicts(t *testing.T) {
	t.Parallel()
	a := holdConfig()
	b := holdConfig()
	b.ID, b.QueueIDs = "h2", []string{"q3"}
	require.NoError(t, call.HoldConflicts([]*call.HoldConfig{a, nil}, b))
	require.NoError(t, call.HoldConflicts([]*call.HoldConfig{a}, a), "not with itself")
	b.QueueIDs = []string{"q3", "q2"}
	require.ErrorIs(t, call.HoldConflicts([]*call.HoldConfig{a}, b), fault.ErrConflict)
	d1, d2 := holdConfig(), holdConfig()
	d1.ID, d1.QueueIDs, d1.Default = "d1", nil, true
	d2.ID, d2.QueueIDs, d2.Default = "d2", nil, true
	require.ErrorIs(t, call.HoldConflicts([]*call.HoldConfig{d1}, d2), fault.ErrConflict)
}

func TestHoldAnnouncement(t *testing.T) {
	t.Parallel()
	h := holdConfig()
	for after, want := range map[int]int{0: 30, 29: 30, 30: 60, 95: 120, -5: 30} {
		next, ok := h.NextAnnouncement(t0, at(after))
		require.True(t, ok)
		require.Equal(t, at(want), next, "after %d", after)
	}
	h.AnnouncementMessage.Enabled = false
	_, ok := h.NextAnnouncement(t0, t0)
	require.False(t, ok)
}

func TestHoldConfigClone(t *testing.T) {
	t.Parallel()
	h := holdConfig()
	cp := h.Clone()
	cp.QueueIDs[0] = "x"
	cp.AnnouncementMessage.TTS.Text = "x"
	cp.AnnouncementMessage.RepeatInterval.Value = 1
	cp.OnHoldMusic.File.FileDescriptor = "x"
	require.Equal(t, holdConfig(), h)
	require.Nil(t, (*call.HoldConfig)(nil).Clone())
}
