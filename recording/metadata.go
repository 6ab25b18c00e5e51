package recording

import (
	"cmp"
	"strings"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Limits of the metadata and its list.
const (
	MaxFilenameLen  = 1000 // Infobip gives none; a path with its directories fits
	MaxNameLen      = 255  // participantName, participantIdentity, deletedBy
	MaxPageSize     = 999  // Infobip's size maximum
	DefaultPageSize = 20   // Infobip's size default
)

// ParticipantType is whose side of the call a recording holds.
type ParticipantType string

// The participant types: Infobip's "customer or agent".
const (
	CustomerParticipant ParticipantType = "CUSTOMER"
	AgentParticipant    ParticipantType = "AGENT"
)

// Valid reports whether p is a known participant type.
func (p ParticipantType) Valid() bool { return p == CustomerParticipant || p == AgentParticipant }

// Metadata describes one recorded file, as the host reports it and
// Infobip's recording/metadata lists it.
type Metadata struct {
	RecordingID     string
	ConversationID  string
	ConferenceID    string // optional: the media layer's conference
	CallID          string
	Direction       call.Direction
	RecordingStatus Status
	Composed        bool // merged from the call's recordings (autoCompose)
	Filename        string
	Duration        int64 // seconds
	ParticipantID   string
	// ParticipantIdentity and ParticipantName are the participant's
	// identity (an agent id, a phone number) and display name.
	ParticipantIdentity  string
	ParticipantName      string
	ParticipantType      ParticipantType // "" for a composed file
	MediaType            MediaType
	StartedAt            time.Time
	DeletedAt            time.Time // zero unless deleted
	DeletedBy            string
	SftpPath             string
	TransferredFrom      string // the agent who transferred the call
	TransferredTo        string // the agent it was transferred to
	TransferredFromQueue string
	TransferredToQueue   string
}

// Validate checks every field, naming it as Infobip does.
func (m *Metadata) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"recordingId", m.RecordingID}, {"conversationId", m.ConversationID}, {"callId", m.CallID},
	} {
		if err := fault.Identifier(f.name, f.v, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"conferenceId", m.ConferenceID}, {"participantId", m.ParticipantID},
		{"transferredFrom", m.TransferredFrom}, {"transferredTo", m.TransferredTo},
		{"transferredFromQueue", m.TransferredFromQueue}, {"transferredToQueue", m.TransferredToQueue},
	} {
		if f.v != "" {
			if err := fault.Identifier(f.name, f.v, conversation.MaxIDLen); err != nil {
				return err
			}
		}
	}
	if !m.Direction.Valid() {
		return fault.Invalid("direction", "unknown value %q", m.Direction)
	}
	if !m.RecordingStatus.Valid() {
		return fault.Invalid("recordingStatus", "unknown value %q", m.RecordingStatus)
	}
	if m.Filename == "" {
		return fault.Invalid("filename", "is required")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"filename", m.Filename, MaxFilenameLen}, {"sftpPath", m.SftpPath, MaxFilenameLen},
		{"participantIdentity", m.ParticipantIdentity, MaxNameLen}, {"participantName", m.ParticipantName, MaxNameLen},
		{"deletedBy", m.DeletedBy, MaxNameLen},
	} {
		if err := fault.Text(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if m.Duration < 0 {
		return fault.Invalid("duration", "must not be negative")
	}
	if m.ParticipantType != "" && !m.ParticipantType.Valid() {
		return fault.Invalid("participantType", "unknown value %q", m.ParticipantType)
	}
	if err := validateMediaType(m.MediaType); err != nil {
		return err
	}
	if m.StartedAt.IsZero() {
		return fault.Invalid("startedAt", "is required")
	}
	if m.DeletedAt.IsZero() && m.DeletedBy != "" {
		return fault.Invalid("deletedBy", "only a deleted recording has one")
	}
	return nil
}

// SortField is what the list sorts by.
type SortField string

// The sort fields.
const (
	ByStartedAt SortField = "startedAt"
	ByDuration  SortField = "duration"
	ByDeletedAt SortField = "deletedAt"
	ByFilename  SortField = "filename"
)

// Direction is a sort direction.
type Direction string

// The sort directions.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// Filter is the query of the recording metadata list: Infobip's filters,
// each applied only when set, and its paging.
type Filter struct {
	RecordingID, ConversationID, ConferenceID, CallID string
	Direction                                         call.Direction
	Filename                                          string
	ParticipantID, ParticipantIdentity                string
	ParticipantName                                   string
	ParticipantType                                   ParticipantType
	MediaType                                         MediaType
	DeletedBy                                         string
	TransferredFrom, TransferredTo                    string
	TransferredFromQueue, TransferredToQueue          string
	// DurationFrom and DurationTo bound the duration in seconds,
	// inclusive; nil is no bound.
	DurationFrom, DurationTo *int64
	// The time ranges, inclusive; a zero time is no bound.
	StartedAtFrom, StartedAtTo time.Time
	DeletedAtFrom, DeletedAtTo time.Time

	Page          int // 0-based
	Size          int // 1..999; 0 means 20
	SortBy        SortField
	SortDirection Direction
}

// Normalize validates f and returns it with its defaults filled in: size
// 20, sort by startedAt, DESC. Each error names its query parameter.
func (f Filter) Normalize() (Filter, error) {
	if f.Page < 0 {
		return f, fault.Invalid("page", "must be greater than or equal to 0")
	}
	switch {
	case f.Size == 0:
		f.Size = DefaultPageSize
	case f.Size < 1:
		return f, fault.Invalid("size", "must be greater than or equal to 1")
	case f.Size > MaxPageSize:
		return f, fault.Invalid("size", "must be less than or equal to %d", MaxPageSize)
	}
	switch f.SortBy {
	case "":
		f.SortBy = ByStartedAt
	case ByStartedAt, ByDuration, ByDeletedAt, ByFilename:
	default:
		return f, fault.Invalid("sortBy", "unknown value %q", f.SortBy)
	}
	switch f.SortDirection {
	case "":
		f.SortDirection = Desc
	case Asc, Desc:
	default:
		return f, fault.Invalid("sortDirection", "must be ASC or DESC, not %q", f.SortDirection)
	}
	if f.Direction != "" && !f.Direction.Valid() {
		return f, fault.Invalid("direction", "unknown value %q", f.Direction)
	}
	if f.ParticipantType != "" && !f.ParticipantType.Valid() {
		return f, fault.Invalid("participantType", "unknown value %q", f.ParticipantType)
	}
	if f.MediaType != "" && !f.MediaType.Valid() {
		return f, fault.Invalid("mediaType", "unknown value %q", f.MediaType)
	}
	if f.DurationFrom != nil && *f.DurationFrom < 0 {
		return f, fault.Invalid("durationFrom", "must not be negative")
	}
	if f.DurationFrom != nil && f.DurationTo != nil && *f.DurationTo < *f.DurationFrom {
		return f, fault.Invalid("durationTo", "is less than durationFrom")
	}
	if !f.StartedAtFrom.IsZero() && !f.StartedAtTo.IsZero() && f.StartedAtTo.Before(f.StartedAtFrom) {
		return f, fault.Invalid("startedAtTo", "is before startedAtFrom")
	}
	if !f.DeletedAtFrom.IsZero() && !f.DeletedAtTo.IsZero() && f.DeletedAtTo.Before(f.DeletedAtFrom) {
		return f, fault.Invalid("deletedAtTo", "is before deletedAtFrom")
	}
	return f, nil
}

// Matches reports whether m passes every filter set in f (paging and
// sorting aside). A deletedAt range matches deleted recordings only.
func (f Filter) Matches(m *Metadata) bool {
	eq := func(want, got string) bool { return want == "" || want == got }
	switch {
	case !eq(f.RecordingID, m.RecordingID), !eq(f.ConversationID, m.ConversationID),
		!eq(f.ConferenceID, m.ConferenceID), !eq(f.CallID, m.CallID),
		!eq(string(f.Direction), string(m.Direction)), !eq(f.Filename, m.Filename),
		!eq(f.ParticipantID, m.ParticipantID), !eq(f.ParticipantIdentity, m.ParticipantIdentity),
		!eq(f.ParticipantName, m.ParticipantName), !eq(string(f.ParticipantType), string(m.ParticipantType)),
		!eq(string(f.MediaType), string(m.MediaType)), !eq(f.DeletedBy, m.DeletedBy),
		!eq(f.TransferredFrom, m.TransferredFrom), !eq(f.TransferredTo, m.TransferredTo),
		!eq(f.TransferredFromQueue, m.TransferredFromQueue), !eq(f.TransferredToQueue, m.TransferredToQueue):
		return false
	case f.DurationFrom != nil && m.Duration < *f.DurationFrom,
		f.DurationTo != nil && m.Duration > *f.DurationTo,
		!f.StartedAtFrom.IsZero() && m.StartedAt.Before(f.StartedAtFrom),
		!f.StartedAtTo.IsZero() && m.StartedAt.After(f.StartedAtTo):
		return false
	}
	if !f.DeletedAtFrom.IsZero() || !f.DeletedAtTo.IsZero() {
		if m.DeletedAt.IsZero() ||
			(!f.DeletedAtFrom.IsZero() && m.DeletedAt.Before(f.DeletedAtFrom)) ||
			(!f.DeletedAtTo.IsZero() && m.DeletedAt.After(f.DeletedAtTo)) {
			return false
		}
	}
	return true
}

// Compare orders a and b as the normalized filter f sorts the list: by
// SortBy in SortDirection, then by recordingId ascending, so the order is
// total.
func (f Filter) Compare(a, b *Metadata) int {
	var c int
	switch f.SortBy {
	case ByDuration:
		c = cmp.Compare(a.Duration, b.Duration)
	case ByDeletedAt:
		c = a.DeletedAt.Compare(b.DeletedAt)
	case ByFilename:
		c = strings.Compare(a.Filename, b.Filename)
	default:
		c = a.StartedAt.Compare(b.StartedAt)
	}
	if f.SortDirection != Asc {
		c = -c
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.RecordingID, b.RecordingID)
}
