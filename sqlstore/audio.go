package sqlstore

import "github.com/parleyhq/parley/audio"

// What a caller hears (package audio) as the JSON bodies of the waiting
// strategies and the hold configurations store it: one encoding for both.

type storedDuration struct {
	Unit  string `json:"unit"`
	Value int    `json:"value"`
}

type storedTTS struct {
	Text           string  `json:"text"`
	Language       string  `json:"language"`
	LanguageManual bool    `json:"isLanguageSelectedManually"`
	VoiceName      string  `json:"voiceName"`
	VoiceGender    string  `json:"voiceGender"`
	SpeechRate     float64 `json:"speechRate"`
}

type storedMessage struct {
	Enabled         bool       `json:"enabled"`
	AudioSourceType string     `json:"audioSourceType,omitempty"`
	TTS             *storedTTS `json:"tts,omitempty"`
	File            *string    `json:"file,omitempty"`
}

type storedMusic struct {
	Enabled    bool    `json:"enabled"`
	UseDefault bool    `json:"useDefault"`
	File       *string `json:"file,omitempty"`
}

type storedCollectable struct {
	Code   string `json:"code"`
	Action string `json:"action"`
	Value  string `json:"value"`
}

type storedAnnouncement struct {
	storedMessage
	RepeatInterval  *storedDuration     `json:"repeatInterval,omitempty"`
	Collectables    []storedCollectable `json:"collectables,omitempty"`
	CollectDuration *storedDuration     `json:"collectDuration,omitempty"`
}

func toStoredDuration(d *audio.Duration) *storedDuration {
	if d == nil {
		return nil
	}
	return &storedDuration{Unit: string(d.Unit), Value: d.Value}
}

func fromStoredDuration(d *storedDuration) *audio.Duration {
	if d == nil {
		return nil
	}
	return &audio.Duration{Unit: audio.Unit(d.Unit), Value: d.Value}
}

func toStoredMessage(m audio.Message) storedMessage {
	out := storedMessage{Enabled: m.Enabled, AudioSourceType: string(m.AudioSourceType)}
	if m.TTS != nil {
		out.TTS = &storedTTS{Text: m.TTS.Text, Language: m.TTS.Language, LanguageManual: m.TTS.IsLanguageSelectedManually,
			VoiceName: m.TTS.Voice.Name, VoiceGender: m.TTS.Voice.Gender, SpeechRate: m.TTS.SpeechRate}
	}
	if m.File != nil {
		f := m.File.FileDescriptor
		out.File = &f
	}
	return out
}

func fromStoredMessage(m storedMessage) audio.Message {
	out := audio.Message{Enabled: m.Enabled, AudioSourceType: audio.SourceType(m.AudioSourceType)}
	if m.TTS != nil {
		out.TTS = &audio.TTS{Text: m.TTS.Text, Language: m.TTS.Language, IsLanguageSelectedManually: m.TTS.LanguageManual,
			Voice: audio.Voice{Name: m.TTS.VoiceName, Gender: m.TTS.VoiceGender}, SpeechRate: m.TTS.SpeechRate}
	}
	if m.File != nil {
		out.File = &audio.File{FileDescriptor: *m.File}
	}
	return out
}

func toStoredMusic(m audio.Music) storedMusic {
	out := storedMusic{Enabled: m.Enabled, UseDefault: m.UseDefault}
	if m.File != nil {
		f := m.File.FileDescriptor
		out.File = &f
	}
	return out
}

func fromStoredMusic(m storedMusic) audio.Music {
	out := audio.Music{Enabled: m.Enabled, UseDefault: m.UseDefault}
	if m.File != nil {
		out.File = &audio.File{FileDescriptor: *m.File}
	}
	return out
}

func toStoredAnnouncement(a audio.Announcement) storedAnnouncement {
	out := storedAnnouncement{storedMessage: toStoredMessage(a.Message),
		RepeatInterval: toStoredDuration(a.RepeatInterval), CollectDuration: toStoredDuration(a.CollectDuration)}
	for _, c := range a.Collectables {
		out.Collectables = append(out.Collectables, storedCollectable{Code: c.Code, Action: string(c.Action), Value: c.Value})
	}
	return out
}

func fromStoredAnnouncement(a storedAnnouncement) audio.Announcement {
	out := audio.Announcement{Message: fromStoredMessage(a.storedMessage),
		RepeatInterval: fromStoredDuration(a.RepeatInterval), CollectDuration: fromStoredDuration(a.CollectDuration)}
	for _, c := range a.Collectables {
		out.Collectables = append(out.Collectables, audio.Collectable{Code: c.Code, Action: audio.Action(c.Action), Value: c.Value})
	}
	return out
}
