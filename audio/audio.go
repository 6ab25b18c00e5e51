// Package audio holds what a caller hears while parley keeps it waiting:
// messages spoken by text-to-speech or played from a file, music, periodic
// announcements with the keys a caller may press, and Infobip's
// {unit, value} durations that time them. Waiting strategies, hold
// configurations and the transfer strategy are built from these.
//
// The package is pure; the host's media layer plays what it says. Limits
// are Infobip's: TTS text ≤ 1400 characters, language 1..36, voice name
// and gender 1..36 (gender MALE or FEMALE, any case, as Infobip's own
// examples write "female"), speech rate 0.5..2, file descriptor ≤ 128,
// collectable code 1..36 and value 1..64, a duration's value ≥ 1. Where
// Infobip is silent, parley decides: a duration is at most MaxDuration (a
// day); an enabled message needs its audio source type and that source
// (a file needs a descriptor); a disabled one may be incomplete, but what
// it holds must still be within the limits; an announcement's
// collectables use each code once, at most MaxCollectables of them.
package audio

import (
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Limits, as Infobip documents them unless said otherwise.
const (
	MaxTTSText        = 1400
	MaxLanguageLen    = 36
	MaxVoiceFieldLen  = 36
	MinSpeechRate     = 0.5
	MaxSpeechRate     = 2.0
	MaxFileDescriptor = 128
	MaxCodeLen        = 36
	MaxValueLen       = 64
	MaxCollectables   = 12 // parley's: the keys of a telephone keypad
	MaxDuration       = 24 * time.Hour
)

// SourceType says where a message's audio comes from.
type SourceType string

// The source types.
const (
	TTSSource  SourceType = "TTS"
	FileSource SourceType = "FILE"
)

// Voice is a text-to-speech voice.
type Voice struct {
	Name   string
	Gender string // MALE or FEMALE
}

// TTS is text to be spoken.
type TTS struct {
	Text                       string // may hold placeholders such as {{QUEUE_POSITION_DEFAULT}}
	Language                   string
	IsLanguageSelectedManually bool
	Voice                      Voice
	SpeechRate                 float64
}

// Validate checks every field, naming it under prefix.
func (t *TTS) Validate(prefix string) error {
	if err := fault.Text(prefix+".text", t.Text, MaxTTSText); err != nil {
		return err
	}
	if err := fault.Identifier(prefix+".language", t.Language, MaxLanguageLen); err != nil {
		return err
	}
	if err := fault.Identifier(prefix+".voice.name", t.Voice.Name, MaxVoiceFieldLen); err != nil {
		return err
	}
	if err := fault.Identifier(prefix+".voice.gender", t.Voice.Gender, MaxVoiceFieldLen); err != nil {
		return err
	}
	if g := strings.ToUpper(t.Voice.Gender); g != "MALE" && g != "FEMALE" {
		return fault.Invalid(prefix+".voice.gender", "must be MALE or FEMALE, not %q", t.Voice.Gender)
	}
	if !(t.SpeechRate >= MinSpeechRate && t.SpeechRate <= MaxSpeechRate) { // NaN fails too
		return fault.Invalid(prefix+".speechRate", "must be %.1f..%.1f", MinSpeechRate, MaxSpeechRate)
	}
	return nil
}

// File is an uploaded audio file, by its descriptor.
type File struct {
	FileDescriptor string
}

func (f *File) validate(prefix string, required bool) error {
	if required && f.FileDescriptor == "" {
		return fault.Invalid(prefix+".fileDescriptor", "is required")
	}
	if f.FileDescriptor == "" {
		return nil
	}
	return fault.Identifier(prefix+".fileDescriptor", f.FileDescriptor, MaxFileDescriptor)
}

// Message is a message played once, from text or a file: Infobip's
// OptionWithFileOrTtsAudioSourceApiModel.
type Message struct {
	Enabled         bool
	AudioSourceType SourceType
	TTS             *TTS  // ttsAudioSource
	File            *File // fileAudioSource
}

// Playable reports whether the message is enabled, so something is to be
// played.
func (m *Message) Playable() bool { return m != nil && m.Enabled }

// Validate checks the message, naming fields under prefix (e.g.
// "greetingMessage.ttsAudioSource.text").
func (m *Message) Validate(prefix string) error {
	switch m.AudioSourceType {
	case "":
		if m.Enabled {
			return fault.Invalid(prefix+".audioSourceType", "is required when enabled")
		}
	case TTSSource:
		if m.Enabled && m.TTS == nil {
			return fault.Invalid(prefix+".ttsAudioSource", "is required for a TTS message")
		}
	case FileSource:
		if m.Enabled && m.File == nil {
			return fault.Invalid(prefix+".fileAudioSource", "is required for a FILE message")
		}
	default:
		return fault.Invalid(prefix+".audioSourceType", "must be TTS or FILE, not %q", m.AudioSourceType)
	}
	if m.TTS != nil {
		if err := m.TTS.Validate(prefix + ".ttsAudioSource"); err != nil {
			return err
		}
	}
	if m.File != nil {
		if err := m.File.validate(prefix+".fileAudioSource", m.Enabled && m.AudioSourceType == FileSource); err != nil {
			return err
		}
	}
	return nil
}

// Music is music played while the caller waits or is on hold: Infobip's
// FileAudioSourceWithDefaultOptionApiModel. UseDefault plays the system's
// music; otherwise an enabled Music needs a file.
type Music struct {
	Enabled    bool
	UseDefault bool
	File       *File
}

// Validate checks the music, naming fields under prefix.
func (m *Music) Validate(prefix string) error {
	if m.File != nil {
		return m.File.validate(prefix+".fileAudioSource", m.Enabled && !m.UseDefault)
	}
	if m.Enabled && !m.UseDefault {
		return fault.Invalid(prefix+".fileAudioSource", "is required unless useDefault")
	}
	return nil
}

// Unit is the unit of a Duration.
type Unit string

// The units.
const (
	Seconds Unit = "SECONDS"
	Minutes Unit = "MINUTES"
	Hours   Unit = "HOURS"
)

// Duration is Infobip's DurationApiModel: a value of 1 or more in a unit.
type Duration struct {
	Unit  Unit
	Value int
}

// D returns d as a time.Duration; 0 for an invalid d.
func (d Duration) D() time.Duration {
	var u time.Duration
	switch d.Unit {
	case Seconds:
		u = time.Second
	case Minutes:
		u = time.Minute
	case Hours:
		u = time.Hour
	default:
		return 0
	}
	if d.Value < 1 || int64(d.Value) > int64(MaxDuration/u) {
		return 0
	}
	return time.Duration(d.Value) * u
}

// Validate checks the unit and the value (1 or more, in all at most
// MaxDuration), naming field.unit or field.value.
func (d Duration) Validate(field string) error {
	switch d.Unit {
	case Seconds, Minutes, Hours:
	case "":
		return fault.Invalid(field+".unit", "is required")
	default:
		return fault.Invalid(field+".unit", "must be SECONDS, MINUTES or HOURS, not %q", d.Unit)
	}
	if d.Value < 1 {
		return fault.Invalid(field+".value", "must be greater than or equal to 1")
	}
	if d.D() == 0 {
		return fault.Invalid(field+".value", "makes more than %s", MaxDuration)
	}
	return nil
}

// Action is what a collectable does when the caller presses its code.
type Action string

// The actions.
const (
	Callback    Action = "CALLBACK"      // the caller asks to be called back
	ReturnToIVR Action = "RETURN_TO_IVR" // the caller goes back to the host's IVR
)

// Collectable is a key the caller may press during an announcement.
type Collectable struct {
	Code   string // the keys pressed
	Action Action
	Value  string // passed to the host with the action (an IVR scenario, a callback queue)
}

// Announcement is a message repeated every RepeatInterval while the caller
// waits, during which the caller may press Collectables: Infobip's
// OptionWithPeriodicCollectApiModel (and, without collectables, its
// FileOrTtsAudioSourceWithRepeatIntervalApiModel).
type Announcement struct {
	Message
	RepeatInterval  *Duration // required when enabled
	Collectables    []Collectable
	CollectDuration *Duration // how long a key press is awaited after the message
}

// Validate checks the announcement, naming fields under prefix.
func (a *Announcement) Validate(prefix string) error {
	if err := a.Message.Validate(prefix); err != nil {
		return err
	}
	if a.RepeatInterval == nil && a.Enabled {
		return fault.Invalid(prefix+".repeatInterval", "is required when enabled")
	}
	if a.RepeatInterval != nil {
		if err := a.RepeatInterval.Validate(prefix + ".repeatInterval"); err != nil {
			return err
		}
	}
	if a.CollectDuration != nil {
		if err := a.CollectDuration.Validate(prefix + ".collectDuration"); err != nil {
			return err
		}
	}
	if len(a.Collectables) > MaxCollectables {
		return fault.Invalid(prefix+".collectables", "more than %d", MaxCollectables)
	}
	seen := map[string]bool{}
	for i, c := range a.Collectables {
		f := prefix + ".collectables[" + strconv.Itoa(i) + "]"
		if err := fault.Identifier(f+".code", c.Code, MaxCodeLen); err != nil {
			return err
		}
		if seen[c.Code] {
			return fault.Invalid(f+".code", "%q is used twice", c.Code)
		}
		seen[c.Code] = true
		if c.Action != Callback && c.Action != ReturnToIVR {
			return fault.Invalid(f+".action", "must be CALLBACK or RETURN_TO_IVR, not %q", c.Action)
		}
		if err := fault.Identifier(f+".value", c.Value, MaxValueLen); err != nil {
			return err
		}
	}
	return nil
}

// Collect returns the collectable of code; ok is false when the
// announcement has none.
func (a *Announcement) Collect(code string) (c Collectable, ok bool) {
	for _, c := range a.Collectables {
		if c.Code == code {
			return c, true
		}
	}
	return Collectable{}, false
}
