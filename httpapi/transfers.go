package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
)

// The routes of call transfers. Infobip's voice API starts a transfer of
// a conversation's connected call (PATCH
// /ccaas/voice/2/conversation/{conversationId}/transfer/agent, /queue,
// /external-number) and keeps the account's transfer settings
// (/ccaas/voice/2/transfer-configs/external-number, /transfer-strategy).
// What only the host's media layer knows (the agent a transfer rings at
// accepts or rejects it, the external number answers, the transfer is
// called off) comes through parley's own routes under
// /ccaas/voice/2/calls/{id}/transfer.
//
// A transfer answers Infobip's {"status": "SUCCESS", "message": "Call
// transferred successfully."}. Its refusals carry Infobip's words in the
// contract's error shape, with Infobip's "status": "ERROR" added, so that
// a client of either reads them: an unknown agent or queue is 404
// NOT_FOUND "Destination for given transfer is not found.", a destination
// that cannot take the call 409 NOT_AVAILABLE "Given destination for
// transfer is currently not available.", a conversation with no connected
// call 412 PRECONDITION_FAILED "Conference is missing for given
// conversationId.".

// The wording of Infobip's transfer answers.
const (
	transferDone        = "Call transferred successfully."
	transferNotFound    = "Destination for given transfer is not found."
	transferUnavailable = "Given destination for transfer is currently not available."
	transferNoCall      = "Conference is missing for given conversationId."
)

// transferToAgentJSON is the body of PATCH .../transfer/agent.
type transferToAgentJSON struct {
	AgentID opt[string] `json:"agentId"`
}

// transferToQueueJSON is the body of PATCH .../transfer/queue.
type transferToQueueJSON struct {
	QueueID opt[string] `json:"queueId"`
}

// transferToExternalJSON is the body of PATCH .../transfer/external-number.
type transferToExternalJSON struct {
	ExternalNumber opt[string] `json:"externalNumber"`
	From           opt[string] `json:"from"`
}

// required is the value of a required body field; absent or null is a
// 400 naming it.
func requiredField(field string, v opt[string]) (string, error) {
	if !v.Given() {
		return "", invalid(field, "is required")
	}
	return v.Value, nil
}

// transferToAgent transfers the conversation's connected call to an agent.
func (a *api) transferToAgent(w http.ResponseWriter, r *http.Request) (any, error) {
	var in transferToAgentJSON
	return a.callTransfer(w, r, &in, func(ctx context.Context, convID string) (bool, error) {
		agentID, err := requiredField("agentId", in.AgentID)
		if err != nil {
			return false, err
		}
		_, err = a.svc.TransferCallToAgent(ctx, convID, agentID)
		return true, err
	})
}

// transferToQueue transfers the conversation's connected call to a queue.
func (a *api) transferToQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	var in transferToQueueJSON
	return a.callTransfer(w, r, &in, func(ctx context.Context, convID string) (bool, error) {
		queueID, err := requiredField("queueId", in.QueueID)
		if err != nil {
			return false, err
		}
		_, err = a.svc.TransferCallToQueue(ctx, convID, queueID)
		return true, err
	})
}

// transferToExternal transfers the conversation's connected call to a
// phone number.
func (a *api) transferToExternal(w http.ResponseWriter, r *http.Request) (any, error) {
	var in transferToExternalJSON
	return a.callTransfer(w, r, &in, func(ctx context.Context, convID string) (bool, error) {
		number, err := requiredField("externalNumber", in.ExternalNumber)
		if err != nil {
			return false, err
		}
		from, err := requiredField("from", in.From)
		if err != nil {
			return false, err
		}
		_, err = a.svc.TransferCallToExternalNumber(ctx, convID, number, from)
		return false, err
	})
}

// callTransfer reads the body into in and runs start on the path's
// conversation, answering Infobip's status and words. start reports
// whether a 404 may be the destination's (an agent or a queue) rather
// than the conversation's.
func (a *api) callTransfer(w http.ResponseWriter, r *http.Request, in any, start func(ctx context.Context, convID string) (bool, error)) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.decodeBody(w, r, in); err != nil {
		return nil, err
	}
	ctx := r.Context()
	convID := r.PathValue("conversationId")
	destination, err := start(ctx, convID)
	if err == nil {
		return statusJSON{Status: "SUCCESS", Message: transferDone}, nil
	}
	return nil, a.transferError(ctx, convID, destination, err)
}

// transferError words a refused transfer as Infobip does.
func (a *api) transferError(ctx context.Context, convID string, destination bool, err error) error {
	answer := func(status int, code, message string) error {
		return &answerError{status: status, code: code, message: message, err: err, voice: true}
	}
	switch {
	case errors.Is(err, call.ErrNoLiveCall):
		return answer(http.StatusPreconditionFailed, "PRECONDITION_FAILED", transferNoCall)
	case errors.Is(err, call.ErrNotAvailable):
		return answer(http.StatusConflict, "NOT_AVAILABLE", transferUnavailable)
	case errors.Is(err, parley.ErrNotFound) && destination:
		// The conversation's own 404 keeps the usual words.
		if _, cerr := a.svc.GetConversation(forWrite(ctx), convID); cerr == nil {
			return answer(http.StatusNotFound, "NOT_FOUND", transferNotFound)
		}
	}
	return err
}

// acceptTransfer is the agent a transfer rings at answering it.
func (a *api) acceptTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.transferAgentChange(w, r, a.svc.AcceptCallTransfer)
}

// rejectTransfer is the agent a transfer rings at declining it.
func (a *api) rejectTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.transferAgentChange(w, r, a.svc.RejectCallTransfer)
}

// transferAgentChange runs a step of the agent a transfer rings at. The
// host's media layer reports it for that agent: the body's agentId names
// it, and only when the body names none is it the request's actor
// (x-agent-id, or the host's authentication). The transferring agent's
// client is usually the actor of the request, not the target.
func (a *api) transferAgentChange(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, id, agentID string) (*call.Call, error)) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in callAgentJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	agentID := in.AgentID.Value
	if !in.AgentID.Given() {
		if agentID = parley.ActorFrom(r.Context()).AgentID; agentID == "" {
			return nil, invalid("agentId", "is required: agentId in the body, or the %s header", HeaderAgentID)
		}
	}
	c, err := change(r.Context(), r.PathValue("id"), agentID)
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}

// answerTransfer is the external number of a transfer answering.
func (a *api) answerTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.callChange(w, r, a.svc.AnswerCallTransfer)
}

// returnTransfer calls the transfer off: back to the transferring agent.
func (a *api) returnTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.callChange(w, r, a.svc.ReturnCallTransfer)
}

// externalTransferJSON is Infobip's TransferToExternalConfigApiModel,
// with parley's allow-list (Infobip's is the People contacts tagged
// tagName).
type externalTransferJSON struct {
	TagName                    string    `json:"tagName"`
	TransferToAnyNumberEnabled bool      `json:"transferToAnyNumberEnabled"`
	AllowedNumbers             []string  `json:"allowedNumbers"`
	CreatedAt                  *wireTime `json:"createdAt"`
	UpdatedAt                  *wireTime `json:"updatedAt"`
}

// externalTransferTag is the tag Infobip's allowed contacts carry.
const externalTransferTag = "external_number"

func toExternalTransfer(x parley.ExternalTransferSettings) externalTransferJSON {
	allowed := slices.Clone(x.AllowedNumbers)
	if allowed == nil {
		allowed = []string{}
	}
	return externalTransferJSON{TagName: externalTransferTag, TransferToAnyNumberEnabled: x.TransferToAnyNumberEnabled,
		AllowedNumbers: allowed, CreatedAt: nullTime(x.CreatedAt), UpdatedAt: nullTime(x.UpdatedAt)}
}

// externalTransferInJSON is the body of PUT
// transfer-configs/external-number; tagName, createdAt and updatedAt are
// read-only and ignored.
type externalTransferInJSON struct {
	TransferToAnyNumberEnabled opt[bool]     `json:"transferToAnyNumberEnabled"`
	AllowedNumbers             opt[[]string] `json:"allowedNumbers"`
	TagName                    opt[string]   `json:"tagName"`
	CreatedAt                  opt[string]   `json:"createdAt"`
	UpdatedAt                  opt[string]   `json:"updatedAt"`
}

// externalTransfer answers the external-number transfer configuration.
func (a *api) externalTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	x, err := a.svc.ExternalTransferSettings(r.Context())
	if err != nil {
		return nil, err
	}
	return toExternalTransfer(x), nil
}

// setExternalTransfer saves it: transferToAnyNumberEnabled defaults to
// true, as Infobip's does; allowedNumbers absent keeps the saved list
// (an Infobip client never sends it), null or [] clears it.
func (a *api) setExternalTransfer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in externalTransferInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	ctx := r.Context()
	x := parley.ExternalTransferSettings{ExternalTransferConfig: call.DefaultExternalTransferConfig()}
	if in.TransferToAnyNumberEnabled.Given() {
		x.TransferToAnyNumberEnabled = in.TransferToAnyNumberEnabled.Value
	}
	if in.AllowedNumbers.Set {
		x.AllowedNumbers = in.AllowedNumbers.Value
	} else {
		cur, err := a.svc.ExternalTransferSettings(forWrite(ctx))
		if err != nil {
			return nil, lookupError(ctx, "SetExternalTransferSettings", err)
		}
		x.AllowedNumbers = cur.AllowedNumbers
	}
	saved, err := a.svc.SetExternalTransferSettings(ctx, x)
	if err != nil {
		return nil, err
	}
	return toExternalTransfer(saved), nil
}

// Infobip's TransferStrategyApiModel (its audio in audio.go).
type (
	transferMusicJSON struct {
		Enabled         bool      `json:"enabled"`
		UseDefault      bool      `json:"useDefault"`
		FileAudioSource *fileJSON `json:"fileAudioSource"`
	}
	transferAnnouncementJSON struct {
		Enabled         bool          `json:"enabled"`
		AudioSourceType *string       `json:"audioSourceType"`
		TTSAudioSource  *ttsJSON      `json:"ttsAudioSource"`
		FileAudioSource *fileJSON     `json:"fileAudioSource"`
		RepeatInterval  *durationJSON `json:"repeatInterval"`
	}
	transferStrategyJSON struct {
		ID                  *string                  `json:"id"`
		MusicOnHold         transferMusicJSON        `json:"musicOnHold"`
		AnnouncementMessage transferAnnouncementJSON `json:"announcementMessage"`
		CreatedAt           *wireTime                `json:"createdAt"`
		UpdatedAt           *wireTime                `json:"updatedAt"`
	}
)

func toTransferStrategy(ts *call.TransferStrategy) transferStrategyJSON {
	m, an := ts.MusicOnHold, ts.AnnouncementMessage
	out := transferStrategyJSON{
		ID:          nullString(ts.ID),
		MusicOnHold: transferMusicJSON{Enabled: m.Enabled, UseDefault: m.UseDefault, FileAudioSource: toFile(m.File)},
		AnnouncementMessage: transferAnnouncementJSON{Enabled: an.Enabled, AudioSourceType: nullString(string(an.AudioSourceType)),
			FileAudioSource: toFile(an.File)},
		CreatedAt: nullTime(ts.CreatedAt), UpdatedAt: nullTime(ts.UpdatedAt),
	}
	out.AnnouncementMessage.TTSAudioSource = toTTS(an.TTS)
	out.AnnouncementMessage.RepeatInterval = toDuration(an.RepeatInterval)
	return out
}

// The body of PUT transfer-configs/transfer-strategy; id, createdAt and
// updatedAt are read-only and ignored.
type (
	transferStrategyInJSON struct {
		ID                  opt[string]                   `json:"id"`
		MusicOnHold         opt[transferMusicInJSON]      `json:"musicOnHold"`
		AnnouncementMessage opt[transferAnnouncementInJS] `json:"announcementMessage"`
		CreatedAt           opt[string]                   `json:"createdAt"`
		UpdatedAt           opt[string]                   `json:"updatedAt"`
	}
	transferMusicInJSON struct {
		Enabled         bool      `json:"enabled"`
		UseDefault      *bool     `json:"useDefault"`
		FileAudioSource *fileJSON `json:"fileAudioSource"`
	}
	transferAnnouncementInJS struct {
		Enabled         bool          `json:"enabled"`
		AudioSourceType string        `json:"audioSourceType"`
		TTSAudioSource  *ttsJSON      `json:"ttsAudioSource"`
		FileAudioSource *fileJSON     `json:"fileAudioSource"`
		RepeatInterval  *durationJSON `json:"repeatInterval"`
	}
)

func (in *transferStrategyInJSON) parse() call.TransferStrategy {
	var ts call.TransferStrategy
	m := in.MusicOnHold.Value
	ts.MusicOnHold = audio.Music{Enabled: m.Enabled, UseDefault: m.UseDefault == nil || *m.UseDefault}
	if f := m.FileAudioSource; f != nil {
		ts.MusicOnHold.File = &audio.File{FileDescriptor: f.FileDescriptor}
	}
	an := in.AnnouncementMessage.Value
	msg := &ts.AnnouncementMessage
	msg.Enabled, msg.AudioSourceType = an.Enabled, audio.SourceType(an.AudioSourceType)
	if t := an.TTSAudioSource; t != nil {
		msg.TTS = &audio.TTS{Text: t.Text, Language: t.Language, IsLanguageSelectedManually: t.IsLanguageSelectedManually,
			Voice: audio.Voice{Name: t.Voice.Name, Gender: t.Voice.Gender}, SpeechRate: t.SpeechRate}
	}
	if f := an.FileAudioSource; f != nil {
		msg.File = &audio.File{FileDescriptor: f.FileDescriptor}
	}
	if d := an.RepeatInterval; d != nil {
		msg.RepeatInterval = &audio.Duration{Unit: audio.Unit(d.Unit), Value: d.Value}
	}
	return ts
}

// transferStrategy answers what the customer hears during a transfer.
func (a *api) transferStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	ts, err := a.svc.TransferStrategy(r.Context())
	if err != nil {
		return nil, err
	}
	return toTransferStrategy(ts), nil
}

// setTransferStrategy saves it. useDefault defaults to true, as Infobip's.
func (a *api) setTransferStrategy(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in transferStrategyInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	ts, err := a.svc.SetTransferStrategy(r.Context(), in.parse())
	if err != nil {
		return nil, err
	}
	return toTransferStrategy(ts), nil
}
