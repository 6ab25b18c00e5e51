package parley

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage"
)

// Call recording: see the package doc, "Call recording", for the rules
// and for what parley decides where Infobip is silent.

// RecordingFiles is where the host keeps recorded files, named by
// recording id. The service opens a file to download it and deletes
// files of deleted recordings. Implementations must be safe for
// concurrent use.
type RecordingFiles interface {
	// Open returns the recording's file, to be closed by the caller.
	// An error wrapping ErrNotFound when there is no such file.
	Open(ctx context.Context, recordingID string) (io.ReadSeekCloser, error)
	// Delete removes the recording's file. Deleting a file that does not
	// exist is no error.
	Delete(ctx context.Context, recordingID string) error
}

// WithRecordingFiles sets where the host keeps recorded files. Without
// it, a download is ErrNotFound and deletions delete only metadata.
func WithRecordingFiles(f RecordingFiles) Option {
	return func(s *Service) { s.recordingFiles = f }
}

// MaxRecordingAgentIDs bounds the agent ids AgentRecordingConfigs takes.
const MaxRecordingAgentIDs = 1000

func init() {
	for op, scope := range map[string]Scope{
		"AccountRecordingConfig":       ScopeRead,
		"CreateAccountRecordingConfig": ScopeWrite,
		"PutAccountRecordingConfig":    ScopeWrite,
		"AgentRecordingConfig":         ScopeRead,
		"AgentRecordingConfigs":        ScopeRead,
		"CreateAgentRecordingConfig":   ScopeWrite,
		"PutAgentRecordingConfig":      ScopeWrite,
		"RecordingDecision":            ScopeRead,
		"ReportRecording":              ScopeWrite,
		"GetRecording":                 ScopeRead,
		"ListRecordings":               ScopeRead,
		"DeleteRecording":              ScopeWrite,
		"OpenRecording":                ScopeRead,
	} {
		operationScopes[op] = scope
	}
}

// AccountRecordingConfig returns the account's recording configuration.
// ErrNotFound when none was created.
func (s *Service) AccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error) {
	return read(s, ctx, "AccountRecordingConfig", func() (*recording.AccountConfig, error) {
		c, err := s.store.GetAccountRecordingConfig(ctx)
		if errors.Is(err, fault.ErrNotFound) {
			return nil, errNoAccountRecordingConfig
		}
		return c, err
	})
}

var errNoAccountRecordingConfig = fmt.Errorf("the account has no recording configuration: %w", fault.ErrNotFound)

// CreateAccountRecordingConfig creates the account's recording
// configuration (Infobip's POST): ErrAlreadyExists when there is one.
func (s *Service) CreateAccountRecordingConfig(ctx context.Context, in recording.AccountConfig) (*recording.AccountConfig, error) {
	return s.writeAccountRecordingConfig(ctx, "CreateAccountRecordingConfig", in, true)
}

// PutAccountRecordingConfig creates or replaces the account's recording
// configuration (Infobip's PUT).
func (s *Service) PutAccountRecordingConfig(ctx context.Context, in recording.AccountConfig) (*recording.AccountConfig, error) {
	return s.writeAccountRecordingConfig(ctx, "PutAccountRecordingConfig", in, false)
}

func (s *Service) writeAccountRecordingConfig(ctx context.Context, op string, in recording.AccountConfig, create bool) (*recording.AccountConfig, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	c := in
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		old, err := tx.LockAccountRecordingConfig(ctx)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			old = nil
		case err != nil:
			return err
		case create:
			return errAccountRecordingConfigExists
		}
		c.EnabledChangedAt = rec.now
		if old != nil && old.Enabled == c.Enabled {
			c.EnabledChangedAt = old.EnabledChangedAt
		}
		if create {
			err = tx.CreateAccountRecordingConfig(ctx, &c)
			if errors.Is(err, fault.ErrAlreadyExists) {
				return errAccountRecordingConfigExists
			}
		} else {
			err = tx.PutAccountRecordingConfig(ctx, &c)
		}
		if err != nil {
			return err
		}
		var was accountConfigFields
		typ := storage.AccountRecordingConfigCreated
		if old != nil {
			was, typ = accountFields(old), storage.AccountRecordingConfigUpdated
		}
		if changes := configChanges(was.list(), accountFields(&c).list(), old == nil); len(changes) > 0 {
			rec.add(typ, "", "account", changes)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

var errAccountRecordingConfigExists = fmt.Errorf("the account has a recording configuration already: %w", fault.ErrAlreadyExists)

// accountConfigFields are the fields of an account configuration the
// events report, by wire name.
type accountConfigFields struct{ inbound, outbound, autoCompose, enabled, mediaType any }

func accountFields(c *recording.AccountConfig) accountConfigFields {
	return accountConfigFields{c.Inbound, c.Outbound, c.AutoCompose, c.Enabled, string(c.MediaType)}
}

func (f accountConfigFields) list() []namedValue {
	return []namedValue{{"inbound", f.inbound}, {"outbound", f.outbound}, {"autoCompose", f.autoCompose}, {"mediaType", f.mediaType}, {"enabled", f.enabled}}
}

type namedValue struct {
	name string
	v    any
}

// configChanges are the changes from before to after, field by field;
// every field when created.
func configChanges(before, after []namedValue, created bool) []storage.Change {
	var out []storage.Change
	for i, a := range after {
		if created {
			out = append(out, change(a.name, nil, a.v))
			continue
		}
		if before[i].v != a.v {
			out = append(out, change(a.name, before[i].v, a.v))
		}
	}
	return out
}

func agentConfigFields(c *recording.AgentConfig) []namedValue {
	if c == nil {
		return make([]namedValue, 5)
	}
	return []namedValue{{"inbound", c.Inbound}, {"outbound", c.Outbound}, {"mediaType", string(c.MediaType)}, {"useDefault", c.UseDefault}, {"enabled", c.Enabled}}
}

// AgentRecordingConfig returns the agent's recording configuration.
// ErrNotFound when there is no such agent, or when it has none.
func (s *Service) AgentRecordingConfig(ctx context.Context, agentID string) (*recording.AgentConfig, error) {
	return read(s, ctx, "AgentRecordingConfig", func() (*recording.AgentConfig, error) {
		if err := checkID("agentId", agentID); err != nil {
			return nil, err
		}
		c, err := s.store.GetAgentRecordingConfig(ctx, agentID)
		if !errors.Is(err, fault.ErrNotFound) {
			return c, err
		}
		if _, err := s.store.GetAgent(ctx, agentID); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("agent %q has no recording configuration: %w", agentID, fault.ErrNotFound)
	})
}

// AgentRecordingConfigs returns the recording configurations of the
// agents agentIDs names (at most MaxRecordingAgentIDs), or of every agent
// that has one when agentIDs is empty, in agent id order. An agent
// without a configuration, or an unknown one, is left out.
func (s *Service) AgentRecordingConfigs(ctx context.Context, agentIDs []string) ([]*recording.AgentConfig, error) {
	return read(s, ctx, "AgentRecordingConfigs", func() ([]*recording.AgentConfig, error) {
		if len(agentIDs) > MaxRecordingAgentIDs {
			return nil, fault.Invalid("agentIds", "at most %d values", MaxRecordingAgentIDs)
		}
		for _, id := range agentIDs {
			if err := checkID("agentIds", id); err != nil {
				return nil, err
			}
		}
		return s.store.ListAgentRecordingConfigs(ctx, agentIDs)
	})
}

// CreateAgentRecordingConfig creates the agent's recording configuration
// (Infobip's POST). ErrNotFound when there is no such agent,
// ErrAlreadyExists when it has one.
func (s *Service) CreateAgentRecordingConfig(ctx context.Context, agentID string, in recording.AgentConfig) (*recording.AgentConfig, error) {
	return s.writeAgentRecordingConfig(ctx, "CreateAgentRecordingConfig", agentID, in, true)
}

// PutAgentRecordingConfig creates or replaces the agent's recording
// configuration (Infobip's PUT). ErrNotFound when there is no such agent.
func (s *Service) PutAgentRecordingConfig(ctx context.Context, agentID string, in recording.AgentConfig) (*recording.AgentConfig, error) {
	return s.writeAgentRecordingConfig(ctx, "PutAgentRecordingConfig", agentID, in, false)
}

func (s *Service) writeAgentRecordingConfig(ctx context.Context, op, agentID string, in recording.AgentConfig, create bool) (*recording.AgentConfig, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	c := in
	c.AgentID = agentID
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		// The agent's lock orders the writers of its configuration.
		if _, err := tx.LockAgent(ctx, agentID); err != nil {
			return err
		}
		old, err := tx.GetAgentRecordingConfig(ctx, agentID)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			old = nil
		case err != nil:
			return err
		case create:
			return fmt.Errorf("agent %q has a recording configuration already: %w", agentID, fault.ErrAlreadyExists)
		}
		c.EnabledChangedAt = rec.now
		if old != nil && old.Enabled == c.Enabled {
			c.EnabledChangedAt = old.EnabledChangedAt
		}
		if create {
			err = tx.CreateAgentRecordingConfig(ctx, &c)
		} else {
			err = tx.PutAgentRecordingConfig(ctx, &c)
		}
		if err != nil {
			return err
		}
		typ := storage.AgentRecordingConfigCreated
		if old != nil {
			typ = storage.AgentRecordingConfigUpdated
		}
		if changes := configChanges(agentConfigFields(old), agentConfigFields(&c), old == nil); len(changes) > 0 {
			rec.add(typ, "", agentID, changes)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// RecordingDecision says whether and how the call is recorded
// (recording.Decide) under the account's configuration and that of the
// agent on the call now. The host asks when the call connects, and again
// after a transfer to another agent. ErrNotFound when there is no such
// call.
func (s *Service) RecordingDecision(ctx context.Context, callID string) (recording.Decision, error) {
	return read(s, ctx, "RecordingDecision", func() (recording.Decision, error) {
		if err := checkID("callId", callID); err != nil {
			return recording.Decision{}, err
		}
		c, err := s.store.GetCall(ctx, callID)
		if err != nil {
			return recording.Decision{}, err
		}
		account, err := s.store.GetAccountRecordingConfig(ctx)
		if errors.Is(err, fault.ErrNotFound) {
			account, err = nil, nil
		}
		if err != nil {
			return recording.Decision{}, err
		}
		var agent *recording.AgentConfig
		if c.AgentID != "" {
			agent, err = s.store.GetAgentRecordingConfig(ctx, c.AgentID)
			if errors.Is(err, fault.ErrNotFound) {
				agent, err = nil, nil
			}
			if err != nil {
				return recording.Decision{}, err
			}
		}
		return recording.Decide(c, account, agent), nil
	})
}

// ReportRecording is the host reporting a recorded file's metadata: a new
// recording, or a change of one it reported before (its status, its
// duration). The call must exist (ErrNotFound); the conversation id and
// the direction default to the call's, and must match it when given.
// Every field is checked (recording.Metadata.Validate); deletedAt and
// deletedBy are DeleteRecording's. It returns the recording as stored.
func (s *Service) ReportRecording(ctx context.Context, in recording.Metadata) (*recording.Metadata, error) {
	if err := s.authorize(ctx, "ReportRecording"); err != nil {
		return nil, err
	}
	m := in
	m.StartedAt = m.StartedAt.UTC().Truncate(time.Microsecond) // as stored
	if err := checkID("callId", m.CallID); err != nil {
		return nil, err
	}
	if !m.DeletedAt.IsZero() {
		return nil, fault.Invalid("deletedAt", "is set by deleting the recording, not reported")
	}
	if m.DeletedBy != "" {
		return nil, fault.Invalid("deletedBy", "is set by deleting the recording, not reported")
	}
	err := s.run(ctx, "ReportRecording", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.GetCall(ctx, m.CallID)
		if err != nil {
			return err
		}
		if m.ConversationID == "" {
			m.ConversationID = c.ConversationID
		} else if m.ConversationID != c.ConversationID {
			return fault.Invalid("conversationId", "%q is not the conversation of call %q", m.ConversationID, m.CallID)
		}
		if m.Direction == "" {
			m.Direction = c.Direction
		} else if m.Direction != c.Direction {
			return fault.Invalid("direction", "%q is not the direction of call %q", m.Direction, m.CallID)
		}
		if err := m.Validate(); err != nil {
			return err
		}
		old, err := tx.LockRecording(ctx, m.RecordingID)
		if errors.Is(err, fault.ErrNotFound) {
			err = tx.CreateRecording(ctx, &m)
			if err == nil {
				rec.add(storage.RecordingReported, m.ConversationID, m.RecordingID,
					[]storage.Change{change("recordingStatus", nil, string(m.RecordingStatus)), change("callId", nil, m.CallID)})
				return nil
			}
			if !errors.Is(err, fault.ErrAlreadyExists) {
				return err
			}
			// A report of the same recording got in first: this one
			// changes it.
			old, err = tx.LockRecording(ctx, m.RecordingID)
		}
		switch {
		case err != nil:
			return err
		case !old.DeletedAt.IsZero():
			return fmt.Errorf("recording %q is deleted: %w", m.RecordingID, fault.ErrConflict)
		case old.CallID != m.CallID:
			return fmt.Errorf("recording %q is of another call: %w", m.RecordingID, fault.ErrConflict)
		case sameRecording(old, &m):
			return nil
		}
		if err := tx.UpdateRecording(ctx, &m); err != nil {
			return err
		}
		var changes []storage.Change
		if old.RecordingStatus != m.RecordingStatus {
			changes = append(changes, change("recordingStatus", string(old.RecordingStatus), string(m.RecordingStatus)))
		}
		if old.Duration != m.Duration {
			changes = append(changes, change("duration", old.Duration, m.Duration))
		}
		if old.Filename != m.Filename {
			changes = append(changes, change("filename", old.Filename, m.Filename))
		}
		rec.add(storage.RecordingUpdated, m.ConversationID, m.RecordingID, changes)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// sameRecording reports whether a and b are equal, times by Equal.
func sameRecording(a, b *recording.Metadata) bool {
	x, y := *a, *b
	x.StartedAt, y.StartedAt, x.DeletedAt, y.DeletedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return x == y && a.StartedAt.Equal(b.StartedAt) && a.DeletedAt.Equal(b.DeletedAt)
}

// GetRecording returns a recording's metadata, deleted or not.
// ErrNotFound when there is none.
func (s *Service) GetRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	return read(s, ctx, "GetRecording", func() (*recording.Metadata, error) {
		if err := checkID("recordingId", recordingID); err != nil {
			return nil, err
		}
		return s.store.GetRecording(ctx, recordingID)
	})
}

// ListRecordings returns a page of recording metadata (Infobip's
// recording/metadata): every filter of f, its paging and its sort; see
// recording.Filter. Each text filter is at most recording.MaxFilenameLen
// characters of printable text.
func (s *Service) ListRecordings(ctx context.Context, f recording.Filter) (storage.RecordingPage, error) {
	return read(s, ctx, "ListRecordings", func() (storage.RecordingPage, error) {
		nf, err := f.Normalize()
		if err != nil {
			return storage.RecordingPage{}, err
		}
		for _, t := range []struct{ name, v string }{
			{"recordingId", f.RecordingID}, {"conversationId", f.ConversationID}, {"conferenceId", f.ConferenceID},
			{"callId", f.CallID}, {"filename", f.Filename}, {"participantId", f.ParticipantID},
			{"participantIdentity", f.ParticipantIdentity}, {"participantName", f.ParticipantName},
			{"deletedBy", f.DeletedBy}, {"transferredFrom", f.TransferredFrom}, {"transferredTo", f.TransferredTo},
			{"transferredFromQueue", f.TransferredFromQueue}, {"transferredToQueue", f.TransferredToQueue},
		} {
			if err := fault.Text(t.name, t.v, recording.MaxFilenameLen); err != nil {
				return storage.RecordingPage{}, err
			}
		}
		return s.store.ListRecordings(ctx, nf)
	})
}

// DeleteRecording deletes a recording: its metadata is kept, marked with
// deletedAt (the service's clock) and deletedBy (the actor's agent id),
// and its file is deleted through RecordingFiles after the commit. A
// recording deleted already is returned as it is, and its file deleted
// again (a retry after a failure). ErrNotFound when there is none.
func (s *Service) DeleteRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	if err := s.authorize(ctx, "DeleteRecording"); err != nil {
		return nil, err
	}
	if err := checkID("recordingId", recordingID); err != nil {
		return nil, err
	}
	var m *recording.Metadata
	err := s.run(ctx, "DeleteRecording", func(tx storage.Tx, rec *recorder) error {
		var err error
		if m, err = tx.LockRecording(ctx, recordingID); err != nil {
			return err
		}
		if !m.DeletedAt.IsZero() {
			return nil
		}
		m.DeletedAt, m.DeletedBy = rec.now, rec.actor
		if err := tx.UpdateRecording(ctx, m); err != nil {
			return err
		}
		rec.add(storage.RecordingDeleted, m.ConversationID, m.RecordingID, []storage.Change{change("deletedBy", nil, m.DeletedBy)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.deleteRecordingFiles(ctx, []string{recordingID})
	return m, nil
}

// OpenRecording opens a recording's file for download, with its metadata.
// ErrNotFound when there is no such recording, when it is deleted, when
// the service has no RecordingFiles or when they have no such file.
func (s *Service) OpenRecording(ctx context.Context, recordingID string) (io.ReadSeekCloser, *recording.Metadata, error) {
	type opened struct {
		f io.ReadSeekCloser
		m *recording.Metadata
	}
	o, err := read(s, ctx, "OpenRecording", func() (opened, error) {
		if err := checkID("recordingId", recordingID); err != nil {
			return opened{}, err
		}
		m, err := s.store.GetRecording(ctx, recordingID)
		if err != nil {
			return opened{}, err
		}
		noFile := fmt.Errorf("recording file %q: %w", recordingID, fault.ErrNotFound)
		if !m.DeletedAt.IsZero() || s.recordingFiles == nil {
			return opened{}, noFile
		}
		f, err := s.recordingFiles.Open(ctx, recordingID)
		if errors.Is(err, fault.ErrNotFound) {
			return opened{}, noFile
		}
		if err != nil {
			return opened{}, err
		}
		return opened{f, m}, nil
	})
	return o.f, o.m, err
}

// recordingsOf returns the ids of the conversation's recordings, for
// deleting them with it.
func recordingsOf(ctx context.Context, tx storage.Tx, conversationID string) ([]string, error) {
	var ids []string
	f := recording.Filter{ConversationID: conversationID, Size: recording.MaxPageSize, SortDirection: recording.Asc}
	for {
		page, err := tx.ListRecordings(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Items {
			ids = append(ids, m.RecordingID)
		}
		if len(page.Items) < f.Size {
			return ids, nil
		}
		f.Page++
	}
}

// recordingsDeleted records the deletion of a deleted conversation's
// recordings, whose metadata goes with it: one event each, with no
// conversation id (the conversation's own events go with it).
func recordingsDeleted(rec *recorder, conversationID string, ids []string) {
	for _, id := range ids {
		rec.add(storage.RecordingDeleted, "", id, []storage.Change{change("conversationId", conversationID, nil)})
	}
}

// deleteRecordingFiles deletes the files of deleted recordings through
// RecordingFiles, once the deletion has committed (the host's commit, on
// a HostTransaction store). A failure is logged and recorded as an event;
// the deletion stands.
func (s *Service) deleteRecordingFiles(ctx context.Context, ids []string) {
	if s.recordingFiles == nil || len(ids) == 0 {
		return
	}
	del := func(ctx context.Context, svc *Service) {
		for _, id := range ids {
			err := svc.recordingFiles.Delete(ctx, id)
			if err == nil {
				continue
			}
			svc.logger.WarnContext(ctx, "parley: deleting a recording file", "recording", id, "error", err)
			if err := svc.run(ctx, "RecordingFileNotDeleted", func(tx storage.Tx, rec *recorder) error {
				rec.add(storage.RecordingFileNotDeleted, "", id, nil)
				return nil
			}); err != nil {
				svc.logger.WarnContext(ctx, "parley: recording a file not deleted", "recording", id, "error", err)
			}
		}
	}
	if host, ok := s.store.(storage.HostTransaction); ok {
		host.AfterCommit(func(ctx context.Context, outside storage.Store) { del(ctx, s.over(outside)) })
		return
	}
	del(ctx, s)
}
