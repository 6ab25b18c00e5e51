package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/recording"
)

// The routes of call recording: see the package doc for their shapes and
// for where they differ from Infobip's.

// epochMillis writes a time as milliseconds since the epoch.
func epochMillis(t time.Time) int64 { return t.UnixMilli() }

func nullMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// accountRecordingJSON is Infobip's AccountRecordingConfigApiModel.
type accountRecordingJSON struct {
	Inbound          bool   `json:"inbound"`
	Outbound         bool   `json:"outbound"`
	AutoCompose      bool   `json:"autoCompose"`
	MediaType        string `json:"mediaType"`
	Enabled          bool   `json:"enabled"`
	EnabledChangedAt *int64 `json:"enabledChangedAt"`
}

func toAccountRecording(c *recording.AccountConfig) accountRecordingJSON {
	return accountRecordingJSON{Inbound: c.Inbound, Outbound: c.Outbound, AutoCompose: c.AutoCompose,
		MediaType: string(c.MediaType), Enabled: c.Enabled, EnabledChangedAt: nullMillis(c.EnabledChangedAt)}
}

// accountRecordingInJSON is the body of PUT and POST: mediaType is
// required, the flags default to false, enabledChangedAt is read-only
// (ignored).
type accountRecordingInJSON struct {
	Inbound     opt[bool]   `json:"inbound"`
	Outbound    opt[bool]   `json:"outbound"`
	AutoCompose opt[bool]   `json:"autoCompose"`
	MediaType   opt[string] `json:"mediaType"`
	Enabled     opt[bool]   `json:"enabled"`
}

// agentRecordingJSON is Infobip's AgentRecordingConfigApiModel.
type agentRecordingJSON struct {
	AgentID          string `json:"agentId"`
	Inbound          bool   `json:"inbound"`
	Outbound         bool   `json:"outbound"`
	MediaType        string `json:"mediaType"`
	UseDefault       bool   `json:"useDefault"`
	Enabled          bool   `json:"enabled"`
	EnabledChangedAt *int64 `json:"enabledChangedAt"`
}

func toAgentRecording(c *recording.AgentConfig) agentRecordingJSON {
	return agentRecordingJSON{AgentID: c.AgentID, Inbound: c.Inbound, Outbound: c.Outbound, MediaType: string(c.MediaType),
		UseDefault: c.UseDefault, Enabled: c.Enabled, EnabledChangedAt: nullMillis(c.EnabledChangedAt)}
}

// agentRecordingInJSON is the body of an agent's PUT and POST; agentId is
// the path's (a body's is read-only, ignored).
type agentRecordingInJSON struct {
	Inbound    opt[bool]   `json:"inbound"`
	Outbound   opt[bool]   `json:"outbound"`
	MediaType  opt[string] `json:"mediaType"`
	UseDefault opt[bool]   `json:"useDefault"`
	Enabled    opt[bool]   `json:"enabled"`
}

func (a *api) accountRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	c, err := a.svc.AccountRecordingConfig(r.Context())
	if errors.Is(err, parley.ErrNotFound) {
		c, err = &defaultAccountRecording, nil
	}
	if err != nil {
		return nil, err
	}
	return toAccountRecording(c), nil
}

func (a *api) putAccountRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.writeAccountRecordingConfig(w, r, false)
}

func (a *api) createAccountRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.writeAccountRecordingConfig(w, r, true)
}

func (a *api) writeAccountRecordingConfig(w http.ResponseWriter, r *http.Request, create bool) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in accountRecordingInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.MediaType.Given() {
		return nil, invalid("mediaType", "Missing Media Type")
	}
	cfg := recording.AccountConfig{Inbound: in.Inbound.Value, Outbound: in.Outbound.Value, AutoCompose: in.AutoCompose.Value,
		MediaType: recording.MediaType(in.MediaType.Value), Enabled: in.Enabled.Value}
	var (
		c   *recording.AccountConfig
		err error
	)
	if create {
		c, err = a.svc.CreateAccountRecordingConfig(r.Context(), cfg)
	} else {
		c, err = a.svc.PutAccountRecordingConfig(r.Context(), cfg)
	}
	if errors.Is(err, parley.ErrAlreadyExists) {
		return nil, &answerError{status: http.StatusBadRequest, code: "ALREADY_EXISTS", message: "Account recording config already exists!", err: err}
	}
	if err != nil {
		return nil, err
	}
	return toAccountRecording(c), nil
}

// The configurations answered before any was created: they record
// nothing (the account's is disabled; an agent's follows the account's),
// and PUT back as they are.
var (
	defaultAccountRecording = recording.AccountConfig{Inbound: true, Outbound: true, MediaType: recording.Audio}
	defaultAgentRecording   = recording.AgentConfig{Inbound: true, Outbound: true, MediaType: recording.Audio, UseDefault: true}
)

// noAgent is Infobip's answer for an unknown agent.
func noAgent(err error, agentID string) error {
	return httpwire.Tell(err, fmt.Sprintf("No agent found with id=%s", strconv.Quote(agentID)))
}

// agentRecordingConfig answers the agent's configuration, or the default
// for an agent without one.
func (a *api) agentRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	id := r.PathValue("agentId")
	c, err := a.svc.AgentRecordingConfig(r.Context(), id)
	if errors.Is(err, parley.ErrNotFound) {
		if _, gerr := a.svc.GetAgent(r.Context(), id); gerr != nil {
			if errors.Is(gerr, parley.ErrNotFound) {
				return nil, noAgent(gerr, id)
			}
			return nil, gerr
		}
		def := defaultAgentRecording
		def.AgentID = id
		c, err = &def, nil
	}
	if err != nil {
		return nil, err
	}
	return toAgentRecording(c), nil
}

func (a *api) agentRecordingConfigs(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, v := range q.all("agentIds") {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	cs, err := a.svc.AgentRecordingConfigs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]agentRecordingJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, toAgentRecording(c))
	}
	return out, nil
}

func (a *api) putAgentRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.writeAgentRecordingConfig(w, r, false)
}

func (a *api) createAgentRecordingConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.writeAgentRecordingConfig(w, r, true)
}

func (a *api) writeAgentRecordingConfig(w http.ResponseWriter, r *http.Request, create bool) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in agentRecordingInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.MediaType.Given() {
		return nil, invalid("mediaType", "Missing Media Type")
	}
	id := r.PathValue("agentId")
	cfg := recording.AgentConfig{AgentID: id, Inbound: in.Inbound.Value, Outbound: in.Outbound.Value,
		MediaType: recording.MediaType(in.MediaType.Value), UseDefault: in.UseDefault.Value, Enabled: in.Enabled.Value}
	var (
		c   *recording.AgentConfig
		err error
	)
	if create {
		c, err = a.svc.CreateAgentRecordingConfig(r.Context(), id, cfg)
	} else {
		c, err = a.svc.PutAgentRecordingConfig(r.Context(), id, cfg)
	}
	switch {
	case errors.Is(err, parley.ErrAlreadyExists):
		return nil, &answerError{status: http.StatusBadRequest, code: "ALREADY_EXISTS", message: "Agent recording config already exists!", err: err}
	case errors.Is(err, parley.ErrNotFound):
		return nil, noAgent(err, id)
	case err != nil:
		return nil, err
	}
	return toAgentRecording(c), nil
}

// recordingJSON is one element of Infobip's RecordingMetadataApiModel:
// optional values not set are null.
type recordingJSON struct {
	RecordingID          string  `json:"recordingId"`
	ConversationID       string  `json:"conversationId"`
	ConferenceID         *string `json:"conferenceId"`
	CallID               string  `json:"callId"`
	Direction            string  `json:"direction"`
	RecordingStatus      string  `json:"recordingStatus"`
	Composed             bool    `json:"composed"`
	Filename             string  `json:"filename"`
	Duration             int64   `json:"duration"`
	ParticipantID        *string `json:"participantId"`
	ParticipantIdentity  *string `json:"participantIdentity"`
	ParticipantName      *string `json:"participantName"`
	ParticipantType      *string `json:"participantType"`
	MediaType            string  `json:"mediaType"`
	StartedAt            int64   `json:"startedAt"`
	DeletedAt            *int64  `json:"deletedAt"`
	DeletedBy            *string `json:"deletedBy"`
	SftpPath             *string `json:"sftpPath"`
	TransferredFrom      *string `json:"transferredFrom"`
	TransferredTo        *string `json:"transferredTo"`
	TransferredFromQueue *string `json:"transferredFromQueue"`
	TransferredToQueue   *string `json:"transferredToQueue"`
}

func toRecording(m *recording.Metadata) recordingJSON {
	out := recordingJSON{
		RecordingID: m.RecordingID, ConversationID: m.ConversationID, ConferenceID: nullString(m.ConferenceID),
		CallID: m.CallID, Direction: string(m.Direction), RecordingStatus: string(m.RecordingStatus), Composed: m.Composed,
		Filename: m.Filename, Duration: m.Duration, ParticipantID: nullString(m.ParticipantID),
		ParticipantIdentity: nullString(m.ParticipantIdentity), ParticipantName: nullString(m.ParticipantName),
		ParticipantType: nullString(string(m.ParticipantType)), MediaType: string(m.MediaType),
		StartedAt: epochMillis(m.StartedAt), DeletedAt: nullMillis(m.DeletedAt), DeletedBy: nullString(m.DeletedBy),
		SftpPath: nullString(m.SftpPath), TransferredFrom: nullString(m.TransferredFrom), TransferredTo: nullString(m.TransferredTo),
		TransferredFromQueue: nullString(m.TransferredFromQueue), TransferredToQueue: nullString(m.TransferredToQueue),
	}
	return out
}

// recordingPageJSON is Infobip's paging envelope of recording metadata.
type recordingPageJSON struct {
	Elements   []recordingJSON `json:"elements"`
	Total      int             `json:"total"`
	TotalPages int             `json:"totalPages"`
}

// listRecordings is Infobip's GET /recording/metadata.
func (a *api) listRecordings(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var f recording.Filter
	var direction, participantType, mediaType, sortBy, sortDirection string
	for _, p := range []struct {
		name string
		dst  *string
	}{
		{"recordingId", &f.RecordingID}, {"conversationId", &f.ConversationID}, {"conferenceId", &f.ConferenceID},
		{"callId", &f.CallID}, {"direction", &direction}, {"filename", &f.Filename},
		{"participantId", &f.ParticipantID}, {"participantIdentity", &f.ParticipantIdentity},
		{"participantName", &f.ParticipantName}, {"participantType", &participantType}, {"mediaType", &mediaType},
		{"deletedBy", &f.DeletedBy}, {"transferredFrom", &f.TransferredFrom}, {"transferredTo", &f.TransferredTo},
		{"transferredFromQueue", &f.TransferredFromQueue}, {"transferredToQueue", &f.TransferredToQueue},
		{"sortBy", &sortBy}, {"sortDirection", &sortDirection},
	} {
		if *p.dst, err = q.one(p.name); err != nil {
			return nil, err
		}
	}
	f.Direction, f.ParticipantType, f.MediaType = call.Direction(direction), recording.ParticipantType(participantType), recording.MediaType(mediaType)
	f.SortBy, f.SortDirection = recording.SortField(sortBy), recording.Direction(strings.ToUpper(sortDirection))
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"durationFrom", &f.DurationFrom}, {"durationTo", &f.DurationTo}} {
		if *p.dst, err = queryInt64(q, p.name); err != nil {
			return nil, err
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"startedAtFrom", &f.StartedAtFrom}, {"startedAtTo", &f.StartedAtTo}, {"deletedAtFrom", &f.DeletedAtFrom}, {"deletedAtTo", &f.DeletedAtTo}} {
		ms, err := queryInt64(q, p.name)
		if err != nil {
			return nil, err
		}
		if ms != nil {
			if *ms < 0 {
				return nil, invalid(p.name, "must be milliseconds since the epoch, not negative")
			}
			*p.dst = time.UnixMilli(*ms).UTC()
		}
	}
	if f.Page, err = q.int("page", 0); err != nil {
		return nil, err
	}
	if f.Size, err = q.int("size", recording.DefaultPageSize); err != nil {
		return nil, err
	}
	if f.Size == 0 {
		return nil, invalid("size", "must be greater than or equal to 1")
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListRecordings(r.Context(), f)
	if err != nil {
		return nil, err
	}
	out := recordingPageJSON{Elements: make([]recordingJSON, 0, len(page.Items)), Total: page.Total}
	out.TotalPages = (page.Total + f.Size - 1) / f.Size
	for _, m := range page.Items {
		out.Elements = append(out.Elements, toRecording(m))
	}
	return out, nil
}

// queryInt64 reads an optional 64-bit integer parameter.
func queryInt64(q *query, name string) (*int64, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return nil, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, invalid(name, "must be an integer, not %q", s)
	}
	return &n, nil
}

// answered is what a handler returns that wrote its answer itself.
type answered struct{}

// rawRoutes answer bytes, not JSON (the OpenAPI check reads it).
var rawRoutes = map[string]bool{http.MethodGet + " " + voiceAPI + "/recording/download/{recordingId}": true}

// downloadRecording is Infobip's GET /recording/download/{recordingId}:
// the file, whole (200) or the ranges asked (206), by http.ServeContent.
func (a *api) downloadRecording(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	id := r.PathValue("recordingId")
	ranges := r.Header.Values("Range")
	if len(ranges) > 1 {
		return nil, invalid("Range", "given more than once")
	}
	f, m, err := a.svc.OpenRecording(r.Context(), id)
	if errors.Is(err, parley.ErrNotFound) {
		return nil, httpwire.Tell(err, fmt.Sprintf("Recording file %s not found!", strconv.Quote(id)))
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if len(ranges) == 1 {
		ok, err := satisfiable(ranges[0], size)
		if err != nil {
			return nil, err
		}
		if !ok {
			w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			return nil, &answerError{status: http.StatusRequestedRangeNotSatisfiable, code: "INVALID", field: "Range",
				message: fmt.Sprintf("Range: no range of %q is within the file's %d bytes", ranges[0], size)}
		}
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if name := path.Base(m.Filename); name != "." && name != "/" {
		if cd := mime.FormatMediaType("attachment", map[string]string{"filename": name}); cd != "" {
			w.Header().Set("Content-Disposition", cd)
		}
	}
	http.ServeContent(w, r, "", time.Time{}, f)
	return answered{}, nil
}

// satisfiable checks a Range header's syntax (bytes=first-last,
// first-, -suffix, comma-separated: a 400 naming Range otherwise) and
// reports whether any of its ranges overlaps a file of size bytes.
func satisfiable(h string, size int64) (bool, error) {
	bad := invalid("Range", "Invalid range header format")
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return false, bad
	}
	hit := false
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		first, last, ok := strings.Cut(part, "-")
		if !ok {
			return false, bad
		}
		num := func(s string) (int64, bool) {
			n, err := strconv.ParseInt(s, 10, 64)
			return n, err == nil && n >= 0 && s[0] != '+'
		}
		switch {
		case first == "" && last == "":
			return false, bad
		case first == "":
			n, ok := num(last)
			if !ok {
				return false, bad
			}
			hit = hit || (n > 0 && size > 0)
		default:
			start, ok := num(first)
			if !ok {
				return false, bad
			}
			if last != "" {
				end, ok := num(last)
				if !ok || end < start {
					return false, bad
				}
			}
			hit = hit || start < size
		}
	}
	return hit, nil
}

// recordingInJSON is the body of POST /calls/{id}/recordings: the host
// reporting a recording's metadata. Times are milliseconds since the
// epoch. conversationId and direction default to the call's.
type recordingInJSON struct {
	RecordingID          opt[string] `json:"recordingId"`
	ConversationID       opt[string] `json:"conversationId"`
	ConferenceID         opt[string] `json:"conferenceId"`
	Direction            opt[string] `json:"direction"`
	RecordingStatus      opt[string] `json:"recordingStatus"`
	Composed             opt[bool]   `json:"composed"`
	Filename             opt[string] `json:"filename"`
	Duration             opt[int64]  `json:"duration"`
	ParticipantID        opt[string] `json:"participantId"`
	ParticipantIdentity  opt[string] `json:"participantIdentity"`
	ParticipantName      opt[string] `json:"participantName"`
	ParticipantType      opt[string] `json:"participantType"`
	MediaType            opt[string] `json:"mediaType"`
	StartedAt            opt[int64]  `json:"startedAt"`
	SftpPath             opt[string] `json:"sftpPath"`
	TransferredFrom      opt[string] `json:"transferredFrom"`
	TransferredTo        opt[string] `json:"transferredTo"`
	TransferredFromQueue opt[string] `json:"transferredFromQueue"`
	TransferredToQueue   opt[string] `json:"transferredToQueue"`
}

// reportRecording is the host reporting a recording of a call
// (parley.Service.ReportRecording).
func (a *api) reportRecording(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in recordingInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		given bool
	}{
		{"recordingId", in.RecordingID.Given()}, {"recordingStatus", in.RecordingStatus.Given()},
		{"filename", in.Filename.Given()}, {"mediaType", in.MediaType.Given()}, {"startedAt", in.StartedAt.Given()},
	} {
		if !f.given {
			return nil, invalid(f.name, "is required")
		}
	}
	if in.StartedAt.Value <= 0 {
		return nil, invalid("startedAt", "must be milliseconds since the epoch, not %d", in.StartedAt.Value)
	}
	m := recording.Metadata{
		RecordingID: in.RecordingID.Value, ConversationID: in.ConversationID.Value, ConferenceID: in.ConferenceID.Value,
		CallID: r.PathValue("id"), Direction: call.Direction(in.Direction.Value), RecordingStatus: recording.Status(in.RecordingStatus.Value),
		Composed: in.Composed.Value, Filename: in.Filename.Value, Duration: in.Duration.Value,
		ParticipantID: in.ParticipantID.Value, ParticipantIdentity: in.ParticipantIdentity.Value, ParticipantName: in.ParticipantName.Value,
		ParticipantType: recording.ParticipantType(in.ParticipantType.Value), MediaType: recording.MediaType(in.MediaType.Value),
		StartedAt: time.UnixMilli(in.StartedAt.Value).UTC(), SftpPath: in.SftpPath.Value,
		TransferredFrom: in.TransferredFrom.Value, TransferredTo: in.TransferredTo.Value,
		TransferredFromQueue: in.TransferredFromQueue.Value, TransferredToQueue: in.TransferredToQueue.Value,
	}
	got, err := a.svc.ReportRecording(r.Context(), m)
	if err != nil {
		return nil, err
	}
	return toRecording(got), nil
}

// recordingDecisionJSON is whether and how a call is recorded.
type recordingDecisionJSON struct {
	Record      bool    `json:"record"`
	MediaType   *string `json:"mediaType"`
	AutoCompose bool    `json:"autoCompose"`
	Source      string  `json:"source"`
}

// recordingDecision is the host asking whether and how to record a call
// (parley.Service.RecordingDecision).
func (a *api) recordingDecision(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	d, err := a.svc.RecordingDecision(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return recordingDecisionJSON{Record: d.Record, MediaType: nullString(string(d.MediaType)), AutoCompose: d.AutoCompose, Source: string(d.Source)}, nil
}

// deleteRecording deletes a recording (parley.Service.DeleteRecording)
// and answers its metadata, marked deleted.
func (a *api) deleteRecording(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	m, err := a.svc.DeleteRecording(r.Context(), r.PathValue("recordingId"))
	if err != nil {
		return nil, err
	}
	return toRecording(m), nil
}
