package storage

import (
	"context"

	"github.com/parleyhq/parley/recording"
)

// RecordingReader is the reads of call recording: the account's and the
// agents' recording configurations and the recordings' metadata. It is
// part of Reader.
type RecordingReader interface {
	// GetAccountRecordingConfig returns the account's recording
	// configuration. ErrNotFound when none was created.
	GetAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error)
	// GetAgentRecordingConfig returns the agent's recording configuration.
	// ErrNotFound when the agent has none.
	GetAgentRecordingConfig(ctx context.Context, agentID string) (*recording.AgentConfig, error)
	// ListAgentRecordingConfigs returns the configurations of the agents
	// agentIDs names (of every agent that has one when agentIDs is empty),
	// in agent id order. An id without a configuration is left out.
	ListAgentRecordingConfigs(ctx context.Context, agentIDs []string) ([]*recording.AgentConfig, error)
	// GetRecording returns a recording's metadata. ErrNotFound when there
	// is none.
	GetRecording(ctx context.Context, recordingID string) (*recording.Metadata, error)
	// ListRecordings returns the page of recordings f selects, in f's
	// order (recording.Filter.Compare), with the number of recordings
	// every page of f holds. ErrInvalid for a bad filter.
	ListRecordings(ctx context.Context, f recording.Filter) (RecordingPage, error)
}

// RecordingWriter is the writes of call recording. It is part of Tx.
type RecordingWriter interface {
	// CreateAccountRecordingConfig stores the account's configuration.
	// ErrAlreadyExists when there is one, whatever the interleaving.
	CreateAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error
	// LockAccountRecordingConfig is GetAccountRecordingConfig that also
	// keeps other transactions from changing the configuration until this
	// one ends.
	LockAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error)
	// PutAccountRecordingConfig stores the account's configuration,
	// replacing any.
	PutAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error
	// CreateAgentRecordingConfig stores an agent's configuration.
	// ErrAlreadyExists when the agent has one; ErrNotFound when there is
	// no such agent.
	CreateAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error
	// PutAgentRecordingConfig stores an agent's configuration, replacing
	// any. ErrNotFound when there is no such agent.
	PutAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error
	// CreateRecording stores a recording's metadata. ErrAlreadyExists
	// when the recording id is taken; ErrNotFound when its conversation
	// or its call does not exist.
	CreateRecording(ctx context.Context, m *recording.Metadata) error
	// LockRecording is GetRecording that also keeps other transactions
	// from changing the recording until this one ends.
	LockRecording(ctx context.Context, recordingID string) (*recording.Metadata, error)
	// UpdateRecording writes every field of m but RecordingID,
	// ConversationID and CallID. ErrNotFound when there is no such
	// recording.
	UpdateRecording(ctx context.Context, m *recording.Metadata) error
}

// RecordingPage is one page of recording metadata, as Infobip's
// recording/metadata list answers it.
type RecordingPage struct {
	Items []*recording.Metadata
	Total int // the recordings that every page of the filter holds
}

// MaxRecordingOffset bounds how far a recording list may page: a page
// that starts beyond it is empty (a store need not read that far).
const MaxRecordingOffset = 1 << 40

// RecordingOffset is where f's page starts, and false when it starts
// beyond MaxRecordingOffset. f must be normalized.
func RecordingOffset(f recording.Filter) (int64, bool) {
	if f.Page > MaxRecordingOffset/recording.MaxPageSize {
		return 0, false
	}
	off := int64(f.Page) * int64(f.Size)
	return off, off <= MaxRecordingOffset
}

// The event types of call recording.
const (
	AccountRecordingConfigCreated EventType = "recording.account_config_created"
	AccountRecordingConfigUpdated EventType = "recording.account_config_updated"
	AgentRecordingConfigCreated   EventType = "recording.agent_config_created"
	AgentRecordingConfigUpdated   EventType = "recording.agent_config_updated"
	RecordingReported             EventType = "recording.reported" // the host reported a new recording
	RecordingUpdated              EventType = "recording.updated"  // the host reported a change of one (its status, its duration)
	RecordingDeleted              EventType = "recording.deleted"  // deleted, on its own or with its conversation
	// RecordingFileNotDeleted: the host's files failed to delete the
	// file of a deleted recording, after the deletion committed.
	RecordingFileNotDeleted EventType = "recording.file_not_deleted"
)
