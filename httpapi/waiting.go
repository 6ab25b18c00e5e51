package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/httpwire"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/waiting"
)

// Waiting strategies on the wire: Infobip's WaitingStrategyApiRequest and
// WaitingStrategyApiResponse (/ccaas/voice/2/waiting-strategies). The same
// shapes serve the request and the answer; parley adds musicOnHold's
// useDefault (Infobip's FileAudioSourceWithDefaultOptionApiModel) and
// outcome, what happens at the maximum wait (package waiting).

// wsAudioMessageJSON is Infobip's OptionWithFileOrTtsAudioSourceApiModel.
type wsAudioMessageJSON struct {
	Enabled         bool      `json:"enabled"`
	AudioSourceType *string   `json:"audioSourceType"`
	TTSAudioSource  *ttsJSON  `json:"ttsAudioSource"`
	FileAudioSource *fileJSON `json:"fileAudioSource"`
}

// wsMusicJSON is Infobip's OptionWithFileAudioSourceApiModel, with the
// useDefault of FileAudioSourceWithDefaultOptionApiModel.
type wsMusicJSON struct {
	Enabled         bool      `json:"enabled"`
	UseDefault      bool      `json:"useDefault"`
	FileAudioSource *fileJSON `json:"fileAudioSource"`
}

// wsCollectableJSON is Infobip's CollectableApiModel.
type wsCollectableJSON struct {
	Code   string `json:"code"`
	Action string `json:"action"`
	Value  string `json:"value"`
}

// wsAnnouncementJSON is Infobip's OptionWithPeriodicCollectApiModel.
type wsAnnouncementJSON struct {
	Enabled         bool                `json:"enabled"`
	AudioSourceType *string             `json:"audioSourceType"`
	TTSAudioSource  *ttsJSON            `json:"ttsAudioSource"`
	FileAudioSource *fileJSON           `json:"fileAudioSource"`
	RepeatInterval  *durationJSON       `json:"repeatInterval"`
	Collectables    []wsCollectableJSON `json:"collectables"`
	CollectDuration *durationJSON       `json:"collectDuration"`
}

// wsSenderJSON is one sender of a SENDER condition.
type wsSenderJSON struct {
	ClientType string `json:"clientType"`
	Identifier string `json:"identifier"`
}

// wsConditionJSON is Infobip's Condition: senders for SENDER, queue ids
// ("default" for the default queue) for QUEUE.
type wsConditionJSON struct {
	Senders []wsSenderJSON `json:"senders,omitempty"`
	Queues  []string       `json:"queues,omitempty"`
}

// wsOutcomeJSON is parley's outcome at the maximum wait.
type wsOutcomeJSON struct {
	Action  string `json:"action"`
	QueueID string `json:"queueId,omitempty"`
}

// waitingStrategyJSON is WaitingStrategyApiResponse. Senders repeats the
// condition's senders, as Infobip's examples do (empty for QUEUE).
type waitingStrategyJSON struct {
	ID                          string             `json:"id"`
	Name                        string             `json:"name"`
	MaximumWaitTime             durationJSON       `json:"maximumWaitTime"`
	GreetingMessage             wsAudioMessageJSON `json:"greetingMessage"`
	MusicOnHold                 wsMusicJSON        `json:"musicOnHold"`
	AnnouncementMessage         wsAnnouncementJSON `json:"announcementMessage"`
	CallbackConfirmationMessage wsAudioMessageJSON `json:"callbackConfirmationMessage"`
	MaximumWaitTimeMessage      wsAudioMessageJSON `json:"maximumWaitTimeMessage"`
	Senders                     []wsSenderJSON     `json:"senders"`
	ConditionType               string             `json:"conditionType"`
	Condition                   wsConditionJSON    `json:"condition"`
	Outcome                     *wsOutcomeJSON     `json:"outcome"`
	CreatedAt                   wireTime           `json:"createdAt"`
	UpdatedAt                   wireTime           `json:"updatedAt"`
}

// waitingStrategyPageJSON is the answer of the list: Infobip's elements, total
// and totalPages.
type waitingStrategyPageJSON struct {
	Elements   []waitingStrategyJSON `json:"elements"`
	Total      int                   `json:"total"`
	TotalPages int                   `json:"totalPages"`
}

func wsToAudioMessage(m audio.Message) wsAudioMessageJSON {
	out := wsAudioMessageJSON{Enabled: m.Enabled}
	if m.AudioSourceType != "" {
		t := string(m.AudioSourceType)
		out.AudioSourceType = &t
	}
	out.TTSAudioSource, out.FileAudioSource = toTTS(m.TTS), toFile(m.File)
	return out
}

func toWaitingStrategy(s *waiting.Strategy) waitingStrategyJSON {
	out := waitingStrategyJSON{
		ID: s.ID, Name: s.Name,
		MaximumWaitTime:             *toDuration(&s.MaximumWaitTime),
		GreetingMessage:             wsToAudioMessage(s.GreetingMessage),
		MusicOnHold:                 wsMusicJSON{Enabled: s.MusicOnHold.Enabled, UseDefault: s.MusicOnHold.UseDefault},
		CallbackConfirmationMessage: wsToAudioMessage(s.CallbackConfirmationMessage),
		MaximumWaitTimeMessage:      wsToAudioMessage(s.MaximumWaitTimeMessage),
		Senders:                     []wsSenderJSON{},
		ConditionType:               string(s.ConditionType),
		CreatedAt:                   wireTime(s.CreatedAt),
		UpdatedAt:                   wireTime(s.UpdatedAt),
	}
	if s.MusicOnHold.File != nil {
		out.MusicOnHold.FileAudioSource = &fileJSON{FileDescriptor: s.MusicOnHold.File.FileDescriptor}
	}
	a := s.AnnouncementMessage
	m := wsToAudioMessage(a.Message)
	out.AnnouncementMessage = wsAnnouncementJSON{Enabled: m.Enabled, AudioSourceType: m.AudioSourceType,
		TTSAudioSource: m.TTSAudioSource, FileAudioSource: m.FileAudioSource,
		RepeatInterval: toDuration(a.RepeatInterval), CollectDuration: toDuration(a.CollectDuration),
		Collectables: make([]wsCollectableJSON, 0, len(a.Collectables))}
	for _, c := range a.Collectables {
		out.AnnouncementMessage.Collectables = append(out.AnnouncementMessage.Collectables, wsCollectableJSON{Code: c.Code, Action: string(c.Action), Value: c.Value})
	}
	for _, sd := range s.Condition.Senders {
		out.Senders = append(out.Senders, wsSenderJSON{ClientType: string(sd.ClientType), Identifier: sd.Identifier})
	}
	if s.ConditionType == waiting.BySender {
		out.Condition.Senders = out.Senders
	} else {
		out.Condition.Queues = s.Condition.Queues
	}
	if s.Outcome.Action != "" {
		out.Outcome = &wsOutcomeJSON{Action: string(s.Outcome.Action), QueueID: s.Outcome.QueueID}
	}
	return out
}

// waitingStrategyInJSON is the body of POST and PUT (WaitingStrategyApiRequest):
// maximumWaitTime, conditionType and condition are required, as Infobip
// requires them; the messages default to disabled.
type waitingStrategyInJSON struct {
	// ID is parley's: a caller-chosen id on create, as for queues.
	ID                          opt[string]          `json:"id"`
	Name                        opt[string]          `json:"name"`
	MaximumWaitTime             opt[durationJSON]    `json:"maximumWaitTime"`
	GreetingMessage             *wsAudioMessageJSON  `json:"greetingMessage"`
	MusicOnHold                 *wsMusicJSON         `json:"musicOnHold"`
	AnnouncementMessage         *wsAnnouncementJSON  `json:"announcementMessage"`
	CallbackConfirmationMessage *wsAudioMessageJSON  `json:"callbackConfirmationMessage"`
	MaximumWaitTimeMessage      *wsAudioMessageJSON  `json:"maximumWaitTimeMessage"`
	ConditionType               opt[string]          `json:"conditionType"`
	Condition                   opt[wsConditionJSON] `json:"condition"`
	Outcome                     *wsOutcomeJSON       `json:"outcome"`
}

func wsFromDuration(d *durationJSON) *audio.Duration {
	if d == nil {
		return nil
	}
	return &audio.Duration{Unit: audio.Unit(d.Unit), Value: d.Value}
}

func wsFromAudioMessage(m *wsAudioMessageJSON) audio.Message {
	if m == nil {
		return audio.Message{}
	}
	out := audio.Message{Enabled: m.Enabled}
	if m.AudioSourceType != nil {
		out.AudioSourceType = audio.SourceType(*m.AudioSourceType)
	}
	if t := m.TTSAudioSource; t != nil {
		out.TTS = &audio.TTS{Text: t.Text, Language: t.Language, IsLanguageSelectedManually: t.IsLanguageSelectedManually,
			Voice: audio.Voice{Name: t.Voice.Name, Gender: t.Voice.Gender}, SpeechRate: t.SpeechRate}
	}
	if m.FileAudioSource != nil {
		out.File = &audio.File{FileDescriptor: m.FileAudioSource.FileDescriptor}
	}
	return out
}

// waitingStrategyIn checks the required fields and builds the domain value; the
// service checks the rest (waiting.Strategy.Validate).
func waitingStrategyIn(in waitingStrategyInJSON) (waiting.Strategy, error) {
	s := waiting.Strategy{ID: in.ID.Value, Name: in.Name.Value}
	if !in.MaximumWaitTime.Given() {
		return s, invalid("maximumWaitTime", "is required")
	}
	if !in.ConditionType.Given() {
		return s, invalid("conditionType", "is required")
	}
	if !in.Condition.Given() {
		return s, invalid("condition", "is required")
	}
	s.MaximumWaitTime = *wsFromDuration(&in.MaximumWaitTime.Value)
	s.GreetingMessage = wsFromAudioMessage(in.GreetingMessage)
	if m := in.MusicOnHold; m != nil {
		s.MusicOnHold = audio.Music{Enabled: m.Enabled, UseDefault: m.UseDefault}
		if m.FileAudioSource != nil {
			s.MusicOnHold.File = &audio.File{FileDescriptor: m.FileAudioSource.FileDescriptor}
		}
	}
	if a := in.AnnouncementMessage; a != nil {
		m := wsAudioMessageJSON{Enabled: a.Enabled, AudioSourceType: a.AudioSourceType, TTSAudioSource: a.TTSAudioSource, FileAudioSource: a.FileAudioSource}
		s.AnnouncementMessage = audio.Announcement{Message: wsFromAudioMessage(&m),
			RepeatInterval: wsFromDuration(a.RepeatInterval), CollectDuration: wsFromDuration(a.CollectDuration)}
		for _, c := range a.Collectables {
			s.AnnouncementMessage.Collectables = append(s.AnnouncementMessage.Collectables,
				audio.Collectable{Code: c.Code, Action: audio.Action(c.Action), Value: c.Value})
		}
	}
	s.CallbackConfirmationMessage = wsFromAudioMessage(in.CallbackConfirmationMessage)
	s.MaximumWaitTimeMessage = wsFromAudioMessage(in.MaximumWaitTimeMessage)
	s.ConditionType = waiting.ConditionType(in.ConditionType.Value)
	for _, sd := range in.Condition.Value.Senders {
		s.Condition.Senders = append(s.Condition.Senders, waiting.Sender{ClientType: call.ClientType(sd.ClientType), Identifier: sd.Identifier})
	}
	s.Condition.Queues = in.Condition.Value.Queues
	if o := in.Outcome; o != nil {
		s.Outcome = waiting.Outcome{Action: waiting.OutcomeAction(o.Action), QueueID: o.QueueID}
	}
	return s, nil
}

func (a *api) createWaitingStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in waitingStrategyInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	st, err := waitingStrategyIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.CreateWaitingStrategy(r.Context(), st)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", voiceAPI+"/waiting-strategies/"+url.PathEscape(out.ID))
	return toWaitingStrategy(out), nil
}

func (a *api) listWaitingStrategies(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var p waiting.ListParams
	if p.QueueID, err = q.one("queueId"); err != nil {
		return nil, err
	}
	if p.PageNumber, err = q.int("pageNumber", 0); err != nil {
		return nil, err
	}
	if p.PageSize, err = q.int("pageSize", waiting.DefaultPageSize); err != nil {
		return nil, err
	}
	if p.PageSize == 0 {
		return nil, invalid("pageSize", "must be 1..%d", waiting.MaxPageSize)
	}
	sortBy, err := q.one("sortBy")
	if err != nil {
		return nil, err
	}
	dir, err := q.one("sortDirection")
	if err != nil {
		return nil, err
	}
	p.SortBy, p.SortDirection = waiting.SortField(sortBy), waiting.Direction(dir)
	if err := q.done(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListWaitingStrategies(r.Context(), p)
	if err != nil {
		return nil, err
	}
	out := waitingStrategyPageJSON{Elements: make([]waitingStrategyJSON, 0, len(page.Items)), Total: page.Total}
	for _, s := range page.Items {
		out.Elements = append(out.Elements, toWaitingStrategy(s))
	}
	out.TotalPages = (page.Total + p.PageSize - 1) / p.PageSize
	return out, nil
}

func (a *api) getWaitingStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	out, err := a.svc.GetWaitingStrategy(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, strategyNotFound(err, r.PathValue("id"))
	}
	return toWaitingStrategy(out), nil
}

func (a *api) updateWaitingStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in waitingStrategyInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Given() && in.ID.Value != r.PathValue("id") {
		return nil, invalid("id", "cannot be changed")
	}
	st, err := waitingStrategyIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.UpdateWaitingStrategy(r.Context(), r.PathValue("id"), st)
	if err != nil {
		return nil, strategyNotFound(err, r.PathValue("id"))
	}
	return toWaitingStrategy(out), nil
}

// strategyNotFound words a missing strategy as Infobip does ("No record
// found with WS Id: ..."), the id quoted as the other messages quote ids.
func strategyNotFound(err error, id string) error {
	if errors.Is(err, parley.ErrNotFound) {
		return httpwire.Tell(err, "No record found with WS Id: "+strconv.Quote(id))
	}
	return err
}

// waitingStrategyDeletedJSON is Infobip's StatusResponse of the delete.
type waitingStrategyDeletedJSON struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (a *api) deleteWaitingStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteWaitingStrategy(r.Context(), r.PathValue("id")); err != nil {
		return nil, strategyNotFound(err, r.PathValue("id"))
	}
	return waitingStrategyDeletedJSON{Status: "SUCCESS", Message: "Waiting Strategy deleted."}, nil
}

// collectInputJSON is the body of POST /calls/{id}/collect: the keys the caller
// pressed during the announcement.
type collectInputJSON struct {
	Code opt[string] `json:"code"`
}

// collectWaitingInput is the host reporting the keys a waiting caller
// pressed (parley's route; Infobip's platform does this itself).
func (a *api) collectWaitingInput(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in collectInputJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.Code.Given() {
		return nil, invalid("code", "is required")
	}
	c, err := a.svc.CollectWaitingInput(r.Context(), r.PathValue("id"), in.Code.Value)
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}
