package httpapi

import (
	"net/http"
	"strings"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

// holdConfigJSON is a hold configuration on the wire, in Infobip's shape
// (HoldConfigWithQueuesApiModel).
type holdConfigJSON struct {
	ID                  string           `json:"id"`
	Name                string           `json:"name"`
	OnHoldMusic         musicJSON        `json:"onHoldMusic"`
	AnnouncementMessage announcementJSON `json:"announcementMessage"`
	QueueIDs            []string         `json:"queueIds"`
	Enabled             bool             `json:"enabled"`
	Default             bool             `json:"default"`
	CreatedAt           wireTime         `json:"createdAt"`
	UpdatedAt           wireTime         `json:"updatedAt"`
}

// musicJSON is Infobip's FileAudioSourceWithDefaultOptionApiModel.
type musicJSON struct {
	Enabled         bool      `json:"enabled"`
	UseDefault      bool      `json:"useDefault"`
	FileAudioSource *fileJSON `json:"fileAudioSource,omitempty"`
}

// announcementJSON is Infobip's
// FileOrTtsAudioSourceWithRepeatIntervalApiModel.
type announcementJSON struct {
	Enabled         bool          `json:"enabled"`
	AudioSourceType string        `json:"audioSourceType,omitempty"`
	TTSAudioSource  *ttsJSON      `json:"ttsAudioSource,omitempty"`
	FileAudioSource *fileJSON     `json:"fileAudioSource,omitempty"`
	RepeatInterval  *durationJSON `json:"repeatInterval,omitempty"`
}

func toHoldConfig(h *call.HoldConfig) holdConfigJSON {
	a := h.AnnouncementMessage
	out := holdConfigJSON{
		ID: h.ID, Name: h.Name,
		OnHoldMusic: musicJSON{Enabled: h.OnHoldMusic.Enabled, UseDefault: h.OnHoldMusic.UseDefault, FileAudioSource: toFile(h.OnHoldMusic.File)},
		AnnouncementMessage: announcementJSON{
			Enabled: a.Enabled, AudioSourceType: string(a.AudioSourceType), FileAudioSource: toFile(a.File),
		},
		QueueIDs: append([]string{}, h.QueueIDs...),
		Enabled:  h.Enabled, Default: h.Default,
		CreatedAt: wireTime(h.CreatedAt), UpdatedAt: wireTime(h.UpdatedAt),
	}
	out.AnnouncementMessage.TTSAudioSource = toTTS(a.TTS)
	out.AnnouncementMessage.RepeatInterval = toDuration(a.RepeatInterval)
	return out
}

// holdConfigInJSON is the body of POST and PUT hold-configs-per-queue:
// name and queueIds are required, as Infobip requires them; enabled
// defaults to true, default to false, onHoldMusic.useDefault to true (as
// Infobip documents it), and a missing onHoldMusic or announcementMessage
// is off.
type holdConfigInJSON struct {
	// ID is parley's: a caller-chosen id on create, as for queues.
	ID                  opt[string]             `json:"id"`
	Name                opt[string]             `json:"name"`
	OnHoldMusic         opt[musicInJSON]        `json:"onHoldMusic"`
	AnnouncementMessage opt[announcementInJSON] `json:"announcementMessage"`
	QueueIDs            opt[[]string]           `json:"queueIds"`
	Enabled             opt[bool]               `json:"enabled"`
	Default             opt[bool]               `json:"default"`
}

type musicInJSON struct {
	Enabled         opt[bool]       `json:"enabled"`
	UseDefault      opt[bool]       `json:"useDefault"`
	FileAudioSource opt[fileInJSON] `json:"fileAudioSource"`
}

type fileInJSON struct {
	FileDescriptor opt[string] `json:"fileDescriptor"`
}

type announcementInJSON struct {
	Enabled         opt[bool]           `json:"enabled"`
	AudioSourceType opt[string]         `json:"audioSourceType"`
	TTSAudioSource  opt[ttsInJSON]      `json:"ttsAudioSource"`
	FileAudioSource opt[fileInJSON]     `json:"fileAudioSource"`
	RepeatInterval  opt[durationInJSON] `json:"repeatInterval"`
	// Duration is the name Infobip's own examples give repeatInterval.
	Duration opt[durationInJSON] `json:"duration"`
}

type ttsInJSON struct {
	Text                       opt[string]      `json:"text"`
	Language                   opt[string]      `json:"language"`
	IsLanguageSelectedManually opt[bool]        `json:"isLanguageSelectedManually"`
	Voice                      opt[voiceInJSON] `json:"voice"`
	SpeechRate                 opt[float64]     `json:"speechRate"`
}

type voiceInJSON struct {
	Name   opt[string] `json:"name"`
	Gender opt[string] `json:"gender"`
}

type durationInJSON struct {
	Unit  opt[string] `json:"unit"`
	Value opt[int]    `json:"value"`
}

func fileIn(f opt[fileInJSON]) *audio.File {
	if !f.Given() {
		return nil
	}
	return &audio.File{FileDescriptor: f.Value.FileDescriptor.Value}
}

// holdConfigIn checks the required fields and builds the domain value; the
// service checks the rest (call.HoldConfig.Validate).
func holdConfigIn(in holdConfigInJSON) (call.HoldConfig, error) {
	h := call.HoldConfig{ID: in.ID.Value, Name: in.Name.Value, QueueIDs: in.QueueIDs.Value, Enabled: true, Default: in.Default.Value,
		OnHoldMusic: audio.Music{UseDefault: true}}
	if !in.Name.Given() {
		return h, invalid("name", "is required")
	}
	if !in.QueueIDs.Given() {
		return h, invalid("queueIds", "is required")
	}
	if in.Enabled.Given() {
		h.Enabled = in.Enabled.Value
	}
	if m := in.OnHoldMusic; m.Given() {
		h.OnHoldMusic = audio.Music{Enabled: m.Value.Enabled.Value, UseDefault: true, File: fileIn(m.Value.FileAudioSource)}
		if m.Value.UseDefault.Given() {
			h.OnHoldMusic.UseDefault = m.Value.UseDefault.Value
		}
	}
	if a := in.AnnouncementMessage; a.Given() {
		v := a.Value
		h.AnnouncementMessage.Message = audio.Message{Enabled: v.Enabled.Value,
			AudioSourceType: audio.SourceType(strings.ToUpper(v.AudioSourceType.Value)), File: fileIn(v.FileAudioSource)}
		if t := v.TTSAudioSource; t.Given() {
			tts := &audio.TTS{Text: t.Value.Text.Value, Language: t.Value.Language.Value,
				IsLanguageSelectedManually: t.Value.IsLanguageSelectedManually.Value, SpeechRate: 1}
			if t.Value.Voice.Given() {
				tts.Voice = audio.Voice{Name: t.Value.Voice.Value.Name.Value, Gender: t.Value.Voice.Value.Gender.Value}
			}
			if t.Value.SpeechRate.Given() {
				tts.SpeechRate = t.Value.SpeechRate.Value
			}
			h.AnnouncementMessage.TTS = tts
		}
		every := v.RepeatInterval
		if !every.Given() {
			every = v.Duration
		}
		if every.Given() {
			h.AnnouncementMessage.RepeatInterval = &audio.Duration{Unit: audio.Unit(strings.ToUpper(every.Value.Unit.Value)), Value: every.Value.Value.Value}
		}
	}
	return h, nil
}

func (a *api) createHoldConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in holdConfigInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	h, err := holdConfigIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.CreateHoldConfig(r.Context(), h)
	if err != nil {
		return nil, err
	}
	return toHoldConfig(out), nil
}

// holdConfigPageJSON is Infobip's answer of GET hold-configs-per-queue.
type holdConfigPageJSON struct {
	Elements   []holdConfigJSON `json:"elements"`
	Total      int              `json:"total"`
	TotalPages int              `json:"totalPages"`
}

// The paging of the hold-configuration list: Infobip's pageNumber (from
// 0) and pageSize.
const defaultHoldPageSize = 20

// listHoldConfigs answers Infobip's list, in id order: sortBy may only be
// id and sortDirection only ASC (any case), a 400 otherwise rather than a
// list in another order than asked.
func (a *api) listHoldConfigs(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	page, err := q.int("pageNumber", 0)
	if err != nil {
		return nil, err
	}
	size, err := q.int("pageSize", defaultHoldPageSize)
	if err != nil {
		return nil, err
	}
	sortBy, err := q.one("sortBy")
	if err != nil {
		return nil, err
	}
	dir, err := q.one("sortDirection")
	if err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	if sortBy != "" && sortBy != "id" {
		return nil, invalid("sortBy", "this list is sorted by id only")
	}
	if dir != "" && !strings.EqualFold(dir, "ASC") {
		return nil, invalid("sortDirection", "this list is sorted ascending only")
	}
	if size < 1 || size > storage.MaxLimit {
		return nil, invalid("pageSize", "must be between 1 and %d", storage.MaxLimit)
	}
	if page < 0 {
		return nil, invalid("pageNumber", "must not be negative")
	}
	lq := storage.HoldConfigQuery{Paging: storage.Paging{Limit: size, Page: page}}
	res, err := a.svc.ListHoldConfigs(r.Context(), lq)
	if err != nil {
		return nil, err
	}
	out := holdConfigPageJSON{Elements: make([]holdConfigJSON, 0, len(res.Items)), Total: res.Total, TotalPages: (res.Total + size - 1) / size}
	for _, h := range res.Items {
		out.Elements = append(out.Elements, toHoldConfig(h))
	}
	return out, nil
}

func (a *api) getHoldConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	out, err := a.svc.GetHoldConfig(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toHoldConfig(out), nil
}

func (a *api) replaceHoldConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in holdConfigInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Given() && in.ID.Value != r.PathValue("id") {
		return nil, invalid("id", "cannot be changed")
	}
	h, err := holdConfigIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.ReplaceHoldConfig(r.Context(), r.PathValue("id"), h)
	if err != nil {
		return nil, err
	}
	return toHoldConfig(out), nil
}

func (a *api) deleteHoldConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteHoldConfig(r.Context(), r.PathValue("id")); err != nil {
		return nil, err
	}
	return statusJSON{Status: "SUCCESS", Message: "Hold Configuration deleted."}, nil
}
