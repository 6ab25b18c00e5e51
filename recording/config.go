package recording

import (
	"slices"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// MediaType is what a recording holds.
type MediaType string

// The media types, as Infobip's MediaTypeApiModel names them.
const (
	Audio         MediaType = "AUDIO"
	AudioAndVideo MediaType = "AUDIO_AND_VIDEO"
)

// Valid reports whether m is a known media type.
func (m MediaType) Valid() bool { return m == Audio || m == AudioAndVideo }

func validateMediaType(m MediaType) error {
	if m == "" {
		return fault.Invalid("mediaType", "is required")
	}
	if !m.Valid() {
		return fault.Invalid("mediaType", "unknown value %q", m)
	}
	return nil
}

func validateDirections(inbound, outbound bool) error {
	if !inbound && !outbound {
		return fault.Invalid("inbound", "either inbound or outbound should be selected")
	}
	return nil
}

// AccountConfig is the account's recording configuration.
type AccountConfig struct {
	Inbound     bool // record inbound calls
	Outbound    bool // record outbound calls
	AutoCompose bool // merge a call's recordings into one file
	MediaType   MediaType
	Enabled     bool
	// EnabledChangedAt is when Enabled last changed (read-only on the
	// wire): the service sets it.
	EnabledChangedAt time.Time
}

// Validate checks that mediaType is given and known and that inbound or
// outbound is on.
func (a AccountConfig) Validate() error {
	if err := validateMediaType(a.MediaType); err != nil {
		return err
	}
	return validateDirections(a.Inbound, a.Outbound)
}

// AgentConfig is one agent's recording configuration.
type AgentConfig struct {
	AgentID  string
	Inbound  bool
	Outbound bool
	// MediaType is required, even with UseDefault.
	MediaType MediaType
	// UseDefault defers to the account's configuration.
	UseDefault       bool
	Enabled          bool
	EnabledChangedAt time.Time
}

// Validate checks the agent id, mediaType, and that inbound or outbound
// is on.
func (a AgentConfig) Validate() error {
	if err := fault.Identifier("agentId", a.AgentID, conversation.MaxIDLen); err != nil {
		return err
	}
	if err := validateMediaType(a.MediaType); err != nil {
		return err
	}
	return validateDirections(a.Inbound, a.Outbound)
}

// Source says which configuration decided a call's recording.
type Source string

// The sources.
const (
	FromNone    Source = "NONE"
	FromAccount Source = "ACCOUNT"
	FromAgent   Source = "AGENT"
)

// Decision is whether and how a call is recorded.
type Decision struct {
	Record      bool
	MediaType   MediaType // what to record; "" when not recording
	AutoCompose bool
	Source      Source // the configuration that decided
}

// Decide says whether and how call c is recorded under the account's
// configuration and the configuration of the agent on the call (either
// may be nil); see the package doc for the rule.
func Decide(c *call.Call, account *AccountConfig, agent *AgentConfig) Decision {
	if c == nil {
		return Decision{Source: FromNone}
	}
	if agent != nil && agent.AgentID != c.AgentID {
		agent = nil
	}
	var inbound, outbound, enabled bool
	var media MediaType
	d := Decision{Source: FromNone}
	switch {
	case agent != nil && !agent.UseDefault:
		d.Source = FromAgent
		inbound, outbound, enabled, media = agent.Inbound, agent.Outbound, agent.Enabled, agent.MediaType
	case account != nil:
		d.Source = FromAccount
		inbound, outbound, enabled, media = account.Inbound, account.Outbound, account.Enabled, account.MediaType
	default:
		return d
	}
	if account != nil {
		d.AutoCompose = account.AutoCompose
	}
	d.Record = enabled && media.Valid() && ((c.Direction == call.Inbound && inbound) || (c.Direction == call.Outbound && outbound))
	if !d.Record {
		d.AutoCompose = false
		return d
	}
	d.MediaType = media
	if c.Channel != conversation.Video {
		d.MediaType = Audio
	}
	return d
}

// Statuses lists the recording statuses; see Status.
var Statuses = []Status{InProgress, Successful, FailedRecording}

// Status is the state of a recorded file as the host reports it.
type Status string

// The statuses: Infobip shows SUCCESSFUL; parley adds the other two.
const (
	InProgress      Status = "IN_PROGRESS"
	Successful      Status = "SUCCESSFUL"
	FailedRecording Status = "FAILED"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }
