package httpapi

import "github.com/parleyhq/parley/audio"

// The audio sources of Infobip's voice models (package audio), as the
// hold configurations and the transfer strategy answer them.

type fileJSON struct {
	FileDescriptor string `json:"fileDescriptor"`
}

type ttsJSON struct {
	Text                       string    `json:"text"`
	Language                   string    `json:"language"`
	IsLanguageSelectedManually bool      `json:"isLanguageSelectedManually"`
	Voice                      voiceJSON `json:"voice"`
	SpeechRate                 float64   `json:"speechRate"`
}

type voiceJSON struct {
	Name   string `json:"name"`
	Gender string `json:"gender"`
}

type durationJSON struct {
	Unit  string `json:"unit"`
	Value int    `json:"value"`
}

func toFile(f *audio.File) *fileJSON {
	if f == nil {
		return nil
	}
	return &fileJSON{FileDescriptor: f.FileDescriptor}
}

func toDuration(d *audio.Duration) *durationJSON {
	if d == nil {
		return nil
	}
	return &durationJSON{Unit: string(d.Unit), Value: d.Value}
}

func toTTS(t *audio.TTS) *ttsJSON {
	if t == nil {
		return nil
	}
	return &ttsJSON{Text: t.Text, Language: t.Language, IsLanguageSelectedManually: t.IsLanguageSelectedManually,
		Voice: voiceJSON{Name: t.Voice.Name, Gender: t.Voice.Gender}, SpeechRate: t.SpeechRate}
}
