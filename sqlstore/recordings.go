package sqlstore

import (
	"context"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage"
)

const accountRecordingCols = `inbound, outbound, auto_compose, media_type, enabled, enabled_changed_at`

func scanAccountRecording(r row) (*recording.AccountConfig, error) {
	var c recording.AccountConfig
	var media string
	if err := r.Scan(&c.Inbound, &c.Outbound, &c.AutoCompose, &media, &c.Enabled, timeCol{&c.EnabledChangedAt}); err != nil {
		return nil, err
	}
	c.MediaType = recording.MediaType(media)
	return &c, nil
}

func (t *tx) getAccountRecording(ctx context.Context, op string, lock bool) (*recording.AccountConfig, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	q := "SELECT " + accountRecordingCols + " FROM {recording_account_config} WHERE id = 1"
	if lock {
		q += t.s.d.forUpdate()
	}
	var c *recording.AccountConfig
	st := t.s.d.stmt(q).each(func(r row) (err error) {
		c, err = scanAccountRecording(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	if c == nil {
		return nil, t.s.notFound(op, "")
	}
	return c, nil
}

// GetAccountRecordingConfig implements storage.Tx.
func (t *tx) GetAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error) {
	return t.getAccountRecording(ctx, "getting the account recording configuration", false)
}

// LockAccountRecordingConfig implements storage.Tx.
func (t *tx) LockAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error) {
	return t.getAccountRecording(ctx, "locking the account recording configuration", true)
}

func (t *tx) accountRecordingArgs(c *recording.AccountConfig) []any {
	return []any{c.Inbound, c.Outbound, c.AutoCompose, string(c.MediaType), c.Enabled, t.s.d.nullTime(c.EnabledChangedAt)}
}

// CreateAccountRecordingConfig implements storage.Tx: one INSERT that
// reports an existing row without raising an error.
func (t *tx) CreateAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error {
	const op = "creating the account recording configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {recording_account_config} (id, `+accountRecordingCols+`)
		VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, t.accountRecordingArgs(c)...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, "", err)
	}
	if ins.affected == 0 {
		return failure(op, "", storage.ErrAlreadyExists)
	}
	return nil
}

// PutAccountRecordingConfig implements storage.Tx: one upsert.
func (t *tx) PutAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error {
	const op = "storing the account recording configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	up := t.s.d.stmt(`INSERT INTO {recording_account_config} (id, `+accountRecordingCols+`)
		VALUES (1, $1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET inbound = excluded.inbound,
		outbound = excluded.outbound, auto_compose = excluded.auto_compose, media_type = excluded.media_type,
		enabled = excluded.enabled, enabled_changed_at = excluded.enabled_changed_at`, t.accountRecordingArgs(c)...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, "", err)
	}
	return nil
}

const agentRecordingCols = `agent_id, inbound, outbound, media_type, use_default, enabled, enabled_changed_at`

func scanAgentRecording(r row) (*recording.AgentConfig, error) {
	var c recording.AgentConfig
	var media string
	if err := r.Scan(&c.AgentID, &c.Inbound, &c.Outbound, &media, &c.UseDefault, &c.Enabled, timeCol{&c.EnabledChangedAt}); err != nil {
		return nil, err
	}
	c.MediaType = recording.MediaType(media)
	return &c, nil
}

// GetAgentRecordingConfig implements storage.Tx.
func (t *tx) GetAgentRecordingConfig(ctx context.Context, agentID string) (*recording.AgentConfig, error) {
	const op = "getting agent recording configuration"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(agentID) {
		return nil, t.s.notFound(op, agentID)
	}
	var c *recording.AgentConfig
	st := t.s.d.stmt(`SELECT `+agentRecordingCols+` FROM {recording_agent_configs} WHERE agent_id = $1`, agentID).each(func(r row) (err error) {
		c, err = scanAgentRecording(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, agentID, err)
	}
	if c == nil {
		return nil, t.s.notFound(op, agentID)
	}
	return c, nil
}

// ListAgentRecordingConfigs implements storage.Tx.
func (t *tx) ListAgentRecordingConfigs(ctx context.Context, agentIDs []string) ([]*recording.AgentConfig, error) {
	const op = "listing agent recording configurations"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range agentIDs {
		if cleanText(id) {
			ids = append(ids, id)
		}
	}
	out := []*recording.AgentConfig{}
	if len(agentIDs) > 0 && len(ids) == 0 {
		return out, nil
	}
	b := newBuilder(t.s.d)
	b.WriteString("SELECT " + agentRecordingCols + " FROM {recording_agent_configs}")
	if len(ids) > 0 {
		b.where([]string{b.oneOf("agent_id", ids)})
	}
	b.WriteString(" ORDER BY agent_id")
	st := b.stmt().each(func(r row) error {
		c, err := scanAgentRecording(r)
		out = append(out, c)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

func (t *tx) agentRecordingArgs(c *recording.AgentConfig) []any {
	return []any{c.AgentID, c.Inbound, c.Outbound, string(c.MediaType), c.UseDefault, c.Enabled, t.s.d.nullTime(c.EnabledChangedAt)}
}

// CreateAgentRecordingConfig implements storage.Tx. The foreign key
// refuses an unknown agent (ErrNotFound).
func (t *tx) CreateAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error {
	const op = "creating agent recording configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(c.AgentID) {
		return t.s.notFound(op, c.AgentID)
	}
	ins := t.s.d.stmt(`INSERT INTO {recording_agent_configs} (`+agentRecordingCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id) DO NOTHING`, t.agentRecordingArgs(c)...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, c.AgentID, err)
	}
	if ins.affected == 0 {
		return failure(op, c.AgentID, storage.ErrAlreadyExists)
	}
	return nil
}

// PutAgentRecordingConfig implements storage.Tx: one upsert.
func (t *tx) PutAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error {
	const op = "storing agent recording configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(c.AgentID) {
		return t.s.notFound(op, c.AgentID)
	}
	up := t.s.d.stmt(`INSERT INTO {recording_agent_configs} (`+agentRecordingCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id) DO UPDATE SET inbound = excluded.inbound,
		outbound = excluded.outbound, media_type = excluded.media_type, use_default = excluded.use_default,
		enabled = excluded.enabled, enabled_changed_at = excluded.enabled_changed_at`, t.agentRecordingArgs(c)...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, c.AgentID, err)
	}
	return nil
}

const recordingCols = `recording_id, conversation_id, call_id, conference_id, direction, recording_status,
	composed, filename, duration, participant_id, participant_identity, participant_name, participant_type,
	media_type, started_at, deleted_at, deleted_by, sftp_path, transferred_from, transferred_to,
	transferred_from_queue, transferred_to_queue`

func scanRecording(r row) (*recording.Metadata, error) {
	var (
		m                         recording.Metadata
		dir, status, ptype, media string
	)
	if err := r.Scan(&m.RecordingID, &m.ConversationID, &m.CallID, &m.ConferenceID, &dir, &status,
		&m.Composed, &m.Filename, &m.Duration, &m.ParticipantID, &m.ParticipantIdentity, &m.ParticipantName, &ptype,
		&media, timeCol{&m.StartedAt}, timeCol{&m.DeletedAt}, &m.DeletedBy, &m.SftpPath, &m.TransferredFrom, &m.TransferredTo,
		&m.TransferredFromQueue, &m.TransferredToQueue); err != nil {
		return nil, err
	}
	m.Direction, m.RecordingStatus = call.Direction(dir), recording.Status(status)
	m.ParticipantType, m.MediaType = recording.ParticipantType(ptype), recording.MediaType(media)
	return &m, nil
}

// recordingArgs are the columns of m in recordingCols' order ($1 to $22).
func (t *tx) recordingArgs(m *recording.Metadata) []any {
	d := t.s.d
	return []any{m.RecordingID, m.ConversationID, m.CallID, m.ConferenceID, string(m.Direction), string(m.RecordingStatus),
		m.Composed, m.Filename, m.Duration, m.ParticipantID, m.ParticipantIdentity, m.ParticipantName, string(m.ParticipantType),
		string(m.MediaType), d.time(m.StartedAt), d.nullTime(m.DeletedAt), m.DeletedBy, m.SftpPath, m.TransferredFrom, m.TransferredTo,
		m.TransferredFromQueue, m.TransferredToQueue}
}

func (t *tx) getRecording(ctx context.Context, op, id string, lock bool) (*recording.Metadata, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	q := "SELECT " + recordingCols + " FROM {recordings} WHERE recording_id = $1"
	if lock {
		q += t.s.d.forUpdate()
	}
	var m *recording.Metadata
	st := t.s.d.stmt(q, id).each(func(r row) (err error) {
		m, err = scanRecording(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if m == nil {
		return nil, t.s.notFound(op, id)
	}
	return m, nil
}

// GetRecording implements storage.Tx.
func (t *tx) GetRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	return t.getRecording(ctx, "getting recording", recordingID, false)
}

// LockRecording implements storage.Tx.
func (t *tx) LockRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	return t.getRecording(ctx, "locking recording", recordingID, true)
}

// CreateRecording implements storage.Tx. The foreign keys refuse a
// missing conversation or call (ErrNotFound).
func (t *tx) CreateRecording(ctx context.Context, m *recording.Metadata) error {
	const op = "creating recording"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {recordings} (`+recordingCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT (recording_id) DO NOTHING`, t.recordingArgs(m)...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, m.RecordingID, err)
	}
	if ins.affected == 0 {
		return failure(op, m.RecordingID, storage.ErrAlreadyExists)
	}
	return nil
}

// UpdateRecording implements storage.Tx.
func (t *tx) UpdateRecording(ctx context.Context, m *recording.Metadata) error {
	const op = "updating recording"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(m.RecordingID) {
		return t.s.notFound(op, m.RecordingID)
	}
	args := t.recordingArgs(m)
	// Every column but the ids ($2 and $3 of recordingArgs).
	up := t.s.d.stmt(`UPDATE {recordings} SET conference_id = $2, direction = $3, recording_status = $4,
		composed = $5, filename = $6, duration = $7, participant_id = $8, participant_identity = $9,
		participant_name = $10, participant_type = $11, media_type = $12, started_at = $13, deleted_at = $14,
		deleted_by = $15, sftp_path = $16, transferred_from = $17, transferred_to = $18,
		transferred_from_queue = $19, transferred_to_queue = $20
		WHERE recording_id = $1`, append([]any{args[0]}, args[3:]...)...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, m.RecordingID, err)
	}
	if up.affected == 0 {
		return t.s.notFound(op, m.RecordingID)
	}
	return nil
}

// ListRecordings implements storage.Tx: a count and a page, each one
// statement whose every value is a parameter.
func (t *tx) ListRecordings(ctx context.Context, f recording.Filter) (storage.RecordingPage, error) {
	const op = "listing recordings"
	page := storage.RecordingPage{Items: []*recording.Metadata{}}
	if err := checkCtx(ctx, op); err != nil {
		return page, err
	}
	f, err := f.Normalize()
	if err != nil {
		return page, err
	}
	d := t.s.d
	conds := func(b *builder) ([]string, bool) {
		var cs []string
		for _, e := range []struct{ col, v string }{
			{"recording_id", f.RecordingID}, {"conversation_id", f.ConversationID}, {"conference_id", f.ConferenceID},
			{"call_id", f.CallID}, {"direction", string(f.Direction)}, {"filename", f.Filename},
			{"participant_id", f.ParticipantID}, {"participant_identity", f.ParticipantIdentity},
			{"participant_name", f.ParticipantName}, {"participant_type", string(f.ParticipantType)},
			{"media_type", string(f.MediaType)}, {"deleted_by", f.DeletedBy},
			{"transferred_from", f.TransferredFrom}, {"transferred_to", f.TransferredTo},
			{"transferred_from_queue", f.TransferredFromQueue}, {"transferred_to_queue", f.TransferredToQueue},
		} {
			if e.v == "" {
				continue
			}
			if !cleanText(e.v) {
				return nil, false // no stored value has it
			}
			cs = append(cs, e.col+" = "+b.arg(e.v))
		}
		if f.DurationFrom != nil {
			cs = append(cs, "duration >= "+b.arg(*f.DurationFrom))
		}
		if f.DurationTo != nil {
			cs = append(cs, "duration <= "+b.arg(*f.DurationTo))
		}
		if !f.StartedAtFrom.IsZero() {
			cs = append(cs, "started_at >= "+b.arg(d.time(f.StartedAtFrom)))
		}
		if !f.StartedAtTo.IsZero() {
			cs = append(cs, "started_at <= "+b.arg(d.time(f.StartedAtTo)))
		}
		if !f.DeletedAtFrom.IsZero() || !f.DeletedAtTo.IsZero() {
			cs = append(cs, "deleted_at IS NOT NULL")
		}
		if !f.DeletedAtFrom.IsZero() {
			cs = append(cs, "deleted_at >= "+b.arg(d.time(f.DeletedAtFrom)))
		}
		if !f.DeletedAtTo.IsZero() {
			cs = append(cs, "deleted_at <= "+b.arg(d.time(f.DeletedAtTo)))
		}
		return cs, true
	}
	count := newBuilder(d)
	count.WriteString("SELECT count(*) FROM {recordings}")
	cs, ok := conds(count)
	if !ok {
		return page, nil
	}
	count.where(cs)
	stmts := []*stmt{count.stmt().each(func(r row) error { return r.Scan(&page.Total) })}
	if off, ok := storage.RecordingOffset(f); ok {
		b := newBuilder(d)
		b.WriteString("SELECT " + recordingCols + " FROM {recordings}")
		cs, _ := conds(b)
		b.where(cs)
		dir := " DESC"
		if f.SortDirection == recording.Asc {
			dir = " ASC"
		}
		switch f.SortBy {
		case recording.ByDuration:
			b.WriteString(" ORDER BY duration" + dir)
		case recording.ByFilename:
			b.WriteString(" ORDER BY filename" + dir)
		case recording.ByDeletedAt:
			// A recording not deleted sorts as the earliest time.
			b.WriteString(" ORDER BY (CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END)" + dir + ", deleted_at" + dir)
		default:
			b.WriteString(" ORDER BY started_at" + dir)
		}
		b.WriteString(", recording_id ASC LIMIT " + b.arg(f.Size) + " OFFSET " + b.arg(off))
		stmts = append(stmts, b.stmt().each(func(r row) error {
			m, err := scanRecording(r)
			page.Items = append(page.Items, m)
			return err
		}))
	}
	if err := t.run(ctx, stmts...); err != nil {
		return storage.RecordingPage{}, t.s.wrap(ctx, op, "", err)
	}
	return page, nil
}
