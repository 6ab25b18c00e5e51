package audio_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/fault"
)

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "want a field error naming %s, got %v", field, err)
	require.Equal(t, field, fe.Field, "%v", err)
}

func tts() *audio.TTS {
	return &audio.TTS{Text: "Please hold", Language: "en-gb", Voice: audio.Voice{Name: "Emma", Gender: "FEMALE"}, SpeechRate: 1}
}

func TestMessage(t *testing.T) {
	t.Parallel()
	ok := []audio.Message{
		{},
		{Enabled: true, AudioSourceType: audio.TTSSource, TTS: tts()},
		{Enabled: true, AudioSourceType: audio.FileSource, File: &audio.File{FileDescriptor: strings.Repeat("f", 128)}},
		{Enabled: false, AudioSourceType: audio.FileSource}, // a disabled message may be incomplete
	}
	for _, m := range ok {
		require.NoError(t, m.Validate("greetingMessage"), "%+v", m)
	}
	long := tts()
	long.Text = strings.Repeat("t", 1401)
	cases := map[string]audio.Message{
		"greetingMessage.audioSourceType":                {Enabled: true},
		"greetingMessage.ttsAudioSource":                 {Enabled: true, AudioSourceType: audio.TTSSource},
		"greetingMessage.fileAudioSource":                {Enabled: true, AudioSourceType: audio.FileSource},
		"greetingMessage.fileAudioSource.fileDescriptor": {Enabled: true, AudioSourceType: audio.FileSource, File: &audio.File{}},
		"greetingMessage.ttsAudioSource.text":            {AudioSourceType: audio.TTSSource, TTS: long},
	}
	cases["greetingMessage.audioSourceType "] = audio.Message{AudioSourceType: "MIDI"}
	for field, m := range cases {
		requireField(t, m.Validate("greetingMessage"), strings.TrimSpace(field))
	}
	long.Text = strings.Repeat("t", 1400)
	require.NoError(t, long.Validate("x"))
}

func TestTTSLimits(t *testing.T) {
	t.Parallel()
	cases := map[string]func(v *audio.TTS){
		"x.language":     func(v *audio.TTS) { v.Language = "" },
		"x.language ":    func(v *audio.TTS) { v.Language = strings.Repeat("l", 37) },
		"x.voice.name":   func(v *audio.TTS) { v.Voice.Name = "" },
		"x.voice.gender": func(v *audio.TTS) { v.Voice.Gender = "OTHER" },
		"x.speechRate":   func(v *audio.TTS) { v.SpeechRate = 0.49 },
		"x.speechRate ":  func(v *audio.TTS) { v.SpeechRate = 2.01 },
		"x.speechRate  ": func(v *audio.TTS) { v.SpeechRate = math.NaN() },
	}
	for field, edit := range cases {
		v := tts()
		edit(v)
		requireField(t, v.Validate("x"), strings.TrimSpace(field))
	}
	for _, edit := range []func(v *audio.TTS){
		func(v *audio.TTS) { v.SpeechRate = 0.5 },
		func(v *audio.TTS) { v.SpeechRate = 2 },
		func(v *audio.TTS) { v.Voice.Gender = "female" },
		func(v *audio.TTS) { v.Language = strings.Repeat("l", 36) },
		func(v *audio.TTS) { v.Text = "" },
	} {
		v := tts()
		edit(v)
		require.NoError(t, v.Validate("x"))
	}
}

func TestMusic(t *testing.T) {
	t.Parallel()
	require.NoError(t, (&audio.Music{Enabled: true, UseDefault: true}).Validate("m"))
	require.NoError(t, (&audio.Music{Enabled: true, File: &audio.File{FileDescriptor: "f"}}).Validate("m"))
	require.NoError(t, (&audio.Music{}).Validate("m"))
	requireField(t, (&audio.Music{Enabled: true}).Validate("m"), "m.fileAudioSource")
	requireField(t, (&audio.Music{Enabled: true, File: &audio.File{}}).Validate("m"), "m.fileAudioSource.fileDescriptor")
	requireField(t, (&audio.Music{File: &audio.File{FileDescriptor: strings.Repeat("f", 129)}}).Validate("m"), "m.fileAudioSource.fileDescriptor")
}

func TestDuration(t *testing.T) {
	t.Parallel()
	require.Equal(t, 5*time.Second, audio.Duration{Unit: audio.Seconds, Value: 5}.D())
	require.Equal(t, 2*time.Minute, audio.Duration{Unit: audio.Minutes, Value: 2}.D())
	require.Equal(t, 24*time.Hour, audio.Duration{Unit: audio.Hours, Value: 24}.D())
	require.NoError(t, audio.Duration{Unit: audio.Seconds, Value: 86400}.Validate("maximumWaitTime"))
	cases := map[string]audio.Duration{
		"maximumWaitTime.unit":   {Value: 5},
		"maximumWaitTime.unit ":  {Unit: "DAYS", Value: 5},
		"maximumWaitTime.value":  {Unit: audio.Seconds},
		"maximumWaitTime.value ": {Unit: audio.Hours, Value: 25},
	}
	for field, d := range cases {
		requireField(t, d.Validate("maximumWaitTime"), strings.TrimSpace(field))
		require.Zero(t, d.D())
	}
	requireField(t, audio.Duration{Unit: audio.Seconds, Value: -1}.Validate("v"), "v.value")
	require.Zero(t, audio.Duration{Unit: audio.Hours, Value: math.MaxInt32}.D(), "no overflow")
}

func TestAnnouncement(t *testing.T) {
	t.Parallel()
	every := &audio.Duration{Unit: audio.Seconds, Value: 30}
	a := audio.Announcement{
		Message:        audio.Message{Enabled: true, AudioSourceType: audio.TTSSource, TTS: tts()},
		RepeatInterval: every,
		Collectables: []audio.Collectable{
			{Code: "1", Action: audio.Callback, Value: "callback-queue"},
			{Code: "2", Action: audio.ReturnToIVR, Value: "main-menu"},
		},
		CollectDuration: &audio.Duration{Unit: audio.Seconds, Value: 5},
	}
	require.NoError(t, a.Validate("announcementMessage"))
	c, ok := a.Collect("2")
	require.True(t, ok)
	require.Equal(t, audio.ReturnToIVR, c.Action)
	_, ok = a.Collect("9")
	require.False(t, ok)

	cases := map[string]func(a *audio.Announcement){
		"announcementMessage.repeatInterval":         func(a *audio.Announcement) { a.RepeatInterval = nil },
		"announcementMessage.repeatInterval.value":   func(a *audio.Announcement) { a.RepeatInterval = &audio.Duration{Unit: audio.Seconds} },
		"announcementMessage.collectDuration.unit":   func(a *audio.Announcement) { a.CollectDuration = &audio.Duration{Value: 1} },
		"announcementMessage.collectables[1].code":   func(a *audio.Announcement) { a.Collectables[1].Code = "1" },
		"announcementMessage.collectables[0].code":   func(a *audio.Announcement) { a.Collectables[0].Code = strings.Repeat("1", 37) },
		"announcementMessage.collectables[0].action": func(a *audio.Announcement) { a.Collectables[0].Action = "TRANSFER" },
		"announcementMessage.collectables[1].value":  func(a *audio.Announcement) { a.Collectables[1].Value = strings.Repeat("v", 65) },
		"announcementMessage.collectables[1].value ": func(a *audio.Announcement) { a.Collectables[1].Value = "" },
		"announcementMessage.collectables":           func(a *audio.Announcement) { a.Collectables = make([]audio.Collectable, 13) },
		"announcementMessage.ttsAudioSource.speechRate": func(a *audio.Announcement) {
			a.TTS = &audio.TTS{Language: "en", Voice: audio.Voice{Name: "n", Gender: "MALE"}}
		},
	}
	for field, edit := range cases {
		b := a
		b.Collectables = append([]audio.Collectable(nil), a.Collectables...)
		edit(&b)
		requireField(t, b.Validate("announcementMessage"), strings.TrimSpace(field))
	}
	disabled := audio.Announcement{}
	require.NoError(t, disabled.Validate("announcementMessage"), "a disabled announcement needs no interval")
}
