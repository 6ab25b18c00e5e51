package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage"
)

// recordingState is what the store holds of call recording.
type recordingState struct {
	account    *recording.AccountConfig
	agents     map[string]*recording.AgentConfig // agent id → its configuration
	recordings map[string]*recording.Metadata    // recording id → its metadata
}

func newRecordingState() *recordingState {
	return &recordingState{agents: map[string]*recording.AgentConfig{}, recordings: map[string]*recording.Metadata{}}
}

// rec returns the state's recording part.
func (t *txn) rec() *recordingState { return t.st.recordings }

func cloneOf[T any](v *T) *T {
	if v == nil {
		return nil
	}
	cp := *v
	return &cp
}

func (t *txn) GetAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error) {
	defer t.enter()()
	const op = "getting the account recording configuration"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	a := t.rec().account
	if a == nil {
		return nil, storage.Fail(op, "", storage.ErrNotFound)
	}
	return cloneOf(a), nil
}

func (t *txn) LockAccountRecordingConfig(ctx context.Context) (*recording.AccountConfig, error) {
	return t.GetAccountRecordingConfig(ctx)
}

func (t *txn) CreateAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error {
	const op = "creating the account recording configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if t.rec().account != nil {
		return storage.Fail(op, "", storage.ErrAlreadyExists)
	}
	return t.putAccount(c)
}

func (t *txn) PutAccountRecordingConfig(ctx context.Context, c *recording.AccountConfig) error {
	if err := t.check(ctx, "storing the account recording configuration"); err != nil {
		return err
	}
	return t.putAccount(c)
}

func (t *txn) putAccount(c *recording.AccountConfig) error {
	r := t.rec()
	old := r.account
	r.account = cloneOf(c)
	t.onUndo(func() { r.account = old })
	return nil
}

func (t *txn) GetAgentRecordingConfig(ctx context.Context, agentID string) (*recording.AgentConfig, error) {
	defer t.enter()()
	const op = "getting agent recording configuration"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	c, ok := t.rec().agents[agentID]
	if !ok {
		return nil, storage.Fail(op, agentID, storage.ErrNotFound)
	}
	return cloneOf(c), nil
}

func (t *txn) ListAgentRecordingConfigs(ctx context.Context, agentIDs []string) ([]*recording.AgentConfig, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing agent recording configurations"); err != nil {
		return nil, err
	}
	r := t.rec()
	ids := agentIDs
	if len(ids) == 0 {
		ids = slices.Collect(maps.Keys(r.agents))
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	out := []*recording.AgentConfig{}
	for _, id := range ids {
		if c, ok := r.agents[id]; ok {
			out = append(out, cloneOf(c))
		}
	}
	return out, nil
}

func (t *txn) CreateAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error {
	const op = "creating agent recording configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, err := t.agent(op, c.AgentID); err != nil {
		return err
	}
	if _, ok := t.rec().agents[c.AgentID]; ok {
		return storage.Fail(op, c.AgentID, storage.ErrAlreadyExists)
	}
	t.putAgentConfig(c)
	return nil
}

func (t *txn) PutAgentRecordingConfig(ctx context.Context, c *recording.AgentConfig) error {
	const op = "storing agent recording configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, err := t.agent(op, c.AgentID); err != nil {
		return err
	}
	t.putAgentConfig(c)
	return nil
}

func (t *txn) putAgentConfig(c *recording.AgentConfig) {
	r := t.rec()
	old, had := r.agents[c.AgentID]
	r.agents[c.AgentID] = cloneOf(c)
	t.onUndo(func() {
		if had {
			r.agents[c.AgentID] = old
		} else {
			delete(r.agents, c.AgentID)
		}
	})
}

func (t *txn) GetRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	defer t.enter()()
	const op = "getting recording"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	m, ok := t.rec().recordings[recordingID]
	if !ok {
		return nil, storage.Fail(op, recordingID, storage.ErrNotFound)
	}
	return cloneOf(m), nil
}

func (t *txn) LockRecording(ctx context.Context, recordingID string) (*recording.Metadata, error) {
	return t.GetRecording(ctx, recordingID)
}

func (t *txn) CreateRecording(ctx context.Context, m *recording.Metadata) error {
	const op = "creating recording"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	r := t.rec()
	if _, ok := r.recordings[m.RecordingID]; ok {
		return storage.Fail(op, m.RecordingID, storage.ErrAlreadyExists)
	}
	if _, err := t.conversation(op, m.ConversationID); err != nil {
		return err
	}
	if _, err := t.call(op, m.CallID); err != nil {
		return err
	}
	r.recordings[m.RecordingID] = cloneOf(m)
	t.onUndo(func() { delete(r.recordings, m.RecordingID) })
	return nil
}

func (t *txn) UpdateRecording(ctx context.Context, m *recording.Metadata) error {
	const op = "updating recording"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	r := t.rec()
	old, ok := r.recordings[m.RecordingID]
	if !ok {
		return storage.Fail(op, m.RecordingID, storage.ErrNotFound)
	}
	stored := cloneOf(m)
	stored.ConversationID, stored.CallID = old.ConversationID, old.CallID
	r.recordings[m.RecordingID] = stored
	t.onUndo(func() { r.recordings[m.RecordingID] = old })
	return nil
}

// deleteRecordingsOf removes the metadata of a deleted conversation's
// recordings, as the SQL store's foreign key does.
func (t *txn) deleteRecordingsOf(conversationID string) {
	r := t.st.recordings
	for id, m := range r.recordings {
		if m.ConversationID == conversationID {
			delete(r.recordings, id)
			t.onUndo(func() { r.recordings[id] = m })
		}
	}
}

func (t *txn) ListRecordings(ctx context.Context, f recording.Filter) (storage.RecordingPage, error) {
	defer t.enter()()
	var page storage.RecordingPage
	if err := t.check(ctx, "listing recordings"); err != nil {
		return page, err
	}
	f, err := f.Normalize()
	if err != nil {
		return page, err
	}
	var all []*recording.Metadata
	for _, m := range t.rec().recordings {
		if f.Matches(m) {
			all = append(all, m)
		}
	}
	slices.SortFunc(all, f.Compare)
	page.Total = len(all)
	page.Items = []*recording.Metadata{}
	off, ok := storage.RecordingOffset(f)
	if !ok || off >= int64(len(all)) {
		return page, nil
	}
	for _, m := range all[off:min(int(off)+f.Size, len(all))] {
		page.Items = append(page.Items, cloneOf(m))
	}
	return page, nil
}
