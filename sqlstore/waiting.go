package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/waiting"
)

// storedStrategy is the JSON body of a waiting-strategy row: what is not a
// column. The names are fixed here, not taken from the Go fields, so that
// renaming a field never changes stored data.
type storedStrategy struct {
	MaximumWaitTime             storedDuration     `json:"maximumWaitTime"`
	GreetingMessage             storedMessage      `json:"greetingMessage"`
	MusicOnHold                 storedMusic        `json:"musicOnHold"`
	AnnouncementMessage         storedAnnouncement `json:"announcementMessage"`
	CallbackConfirmationMessage storedMessage      `json:"callbackConfirmationMessage"`
	MaximumWaitTimeMessage      storedMessage      `json:"maximumWaitTimeMessage"`
	Senders                     []storedSender     `json:"senders,omitempty"`
	Queues                      []string           `json:"queues,omitempty"`
	OutcomeAction               string             `json:"outcomeAction,omitempty"`
	OutcomeQueueID              string             `json:"outcomeQueueId,omitempty"`
}

type storedSender struct {
	ClientType string `json:"clientType"`
	Identifier string `json:"identifier"`
}

func toStoredStrategy(s *waiting.Strategy) storedStrategy {
	out := storedStrategy{
		MaximumWaitTime:             *toStoredDuration(&s.MaximumWaitTime),
		GreetingMessage:             toStoredMessage(s.GreetingMessage),
		MusicOnHold:                 toStoredMusic(s.MusicOnHold),
		AnnouncementMessage:         toStoredAnnouncement(s.AnnouncementMessage),
		CallbackConfirmationMessage: toStoredMessage(s.CallbackConfirmationMessage),
		MaximumWaitTimeMessage:      toStoredMessage(s.MaximumWaitTimeMessage),
		Queues:                      s.Condition.Queues,
		OutcomeAction:               string(s.Outcome.Action),
		OutcomeQueueID:              s.Outcome.QueueID,
	}
	for _, sd := range s.Condition.Senders {
		out.Senders = append(out.Senders, storedSender{ClientType: string(sd.ClientType), Identifier: sd.Identifier})
	}
	return out
}

const waitingStrategyCols = `id, name, condition_type, body, created_at, updated_at`

func scanWaitingStrategy(r row) (*waiting.Strategy, error) {
	var (
		s    waiting.Strategy
		ct   string
		body string
		st   storedStrategy
	)
	if err := r.Scan(&s.ID, &s.Name, &ct, &body, timeCol{&s.CreatedAt}, timeCol{&s.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		return nil, err
	}
	s.ConditionType = waiting.ConditionType(ct)
	s.MaximumWaitTime = *fromStoredDuration(&st.MaximumWaitTime)
	s.GreetingMessage = fromStoredMessage(st.GreetingMessage)
	s.MusicOnHold = fromStoredMusic(st.MusicOnHold)
	s.AnnouncementMessage = fromStoredAnnouncement(st.AnnouncementMessage)
	s.CallbackConfirmationMessage = fromStoredMessage(st.CallbackConfirmationMessage)
	s.MaximumWaitTimeMessage = fromStoredMessage(st.MaximumWaitTimeMessage)
	for _, sd := range st.Senders {
		s.Condition.Senders = append(s.Condition.Senders, waiting.Sender{ClientType: call.ClientType(sd.ClientType), Identifier: sd.Identifier})
	}
	s.Condition.Queues = st.Queues
	s.Outcome = waiting.Outcome{Action: waiting.OutcomeAction(st.OutcomeAction), QueueID: st.OutcomeQueueID}
	return &s, nil
}

// strategyArgs are the written columns of s: id, name, condition_type,
// body, updated_at, created_at ($1 to $6).
func (t *tx) strategyArgs(s *waiting.Strategy) ([]any, error) {
	body, err := json.Marshal(toStoredStrategy(s))
	if err != nil {
		return nil, invalidJSON("waitingStrategy", err)
	}
	d := t.s.d
	return []any{s.ID, s.Name, string(s.ConditionType), string(body), d.time(s.UpdatedAt), d.time(s.CreatedAt)}, nil
}

// claimStmts insert a claim row for each sender and queue of s; each
// reports, once run, whether another strategy holds it.
func (t *tx) claimStmts(s *waiting.Strategy) []*stmt {
	const ins = `INSERT INTO {waiting_strategy_claims} (kind, client_type, identifier, strategy_id)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	var out []*stmt
	for _, sd := range s.Condition.Senders {
		out = append(out, t.s.d.stmt(ins, string(waiting.BySender), string(sd.ClientType), sd.Identifier, s.ID))
	}
	for _, q := range s.Condition.Queues {
		out = append(out, t.s.d.stmt(ins, string(waiting.ByQueue), "", q, s.ID))
	}
	return out
}

// claimed returns ErrConflict when a claim statement inserted nothing.
func claimed(op, id string, claims []*stmt) error {
	for _, c := range claims {
		if c.affected == 0 {
			return failure(op, id, storage.ErrConflict)
		}
	}
	return nil
}

// CreateWaitingStrategy implements storage.Tx.
func (t *tx) CreateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error {
	const op = "creating waiting strategy"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	args, err := t.strategyArgs(s)
	if err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {waiting_strategies} (id, name, condition_type, body, updated_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, args...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, s.ID, err)
	}
	if ins.affected == 0 {
		return failure(op, s.ID, storage.ErrAlreadyExists)
	}
	claims := t.claimStmts(s)
	if err := t.run(ctx, claims...); err != nil {
		return t.s.wrap(ctx, op, s.ID, err)
	}
	return claimed(op, s.ID, claims)
}

// GetWaitingStrategy implements storage.Tx.
func (t *tx) GetWaitingStrategy(ctx context.Context, id string) (*waiting.Strategy, error) {
	return getRow(t, ctx, "getting waiting strategy", `SELECT `+waitingStrategyCols+` FROM {waiting_strategies} WHERE id = $1`, id, scanWaitingStrategy)
}

// ListWaitingStrategies implements storage.Tx.
func (t *tx) ListWaitingStrategies(ctx context.Context, p waiting.ListParams) (storage.WaitingStrategyPage, error) {
	const op = "listing waiting strategies"
	var page storage.WaitingStrategyPage
	if err := checkCtx(ctx, op); err != nil {
		return page, err
	}
	p, err := p.Normalize()
	if err != nil {
		return page, err
	}
	page.Items = []*waiting.Strategy{}
	if p.QueueID != "" && !cleanText(p.QueueID) {
		return page, nil
	}
	d := t.s.d
	filter := func(b *builder) {
		if p.QueueID != "" {
			b.where([]string{`EXISTS (SELECT 1 FROM {waiting_strategy_claims} c WHERE c.strategy_id = w.id AND c.kind = 'QUEUE' AND c.client_type = '' AND c.identifier = ` + b.arg(p.QueueID) + `)`})
		}
	}
	cb := newBuilder(d)
	cb.WriteString("SELECT count(*) FROM {waiting_strategies} w")
	filter(cb)
	count := cb.stmt().each(func(r row) error { return r.Scan(&page.Total) })

	b := newBuilder(d)
	b.WriteString("SELECT " + waitingStrategyCols + " FROM {waiting_strategies} w")
	filter(b)
	col, dir := "w.created_at", "DESC"
	if p.SortBy == waiting.ByName {
		col = "w.name"
	}
	if p.SortDirection == waiting.Asc {
		dir = "ASC"
	}
	b.WriteString(" ORDER BY " + col + " " + dir + ", w.id LIMIT " + b.arg(p.PageSize) + " OFFSET " + b.arg(int64(p.PageNumber)*int64(p.PageSize)))
	list := b.stmt().each(func(r row) error {
		s, err := scanWaitingStrategy(r)
		page.Items = append(page.Items, s)
		return err
	})
	if err := t.run(ctx, count, list); err != nil {
		return storage.WaitingStrategyPage{}, t.s.wrap(ctx, op, "", err)
	}
	return page, nil
}

// ClaimingWaitingStrategies implements storage.Tx.
func (t *tx) ClaimingWaitingStrategies(ctx context.Context, senders []waiting.Sender, queues []string) ([]*waiting.Strategy, error) {
	const op = "reading waiting strategies"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	out := []*waiting.Strategy{}
	b := newBuilder(t.s.d)
	var conds []string
	for _, sd := range senders {
		if cleanText(sd.Identifier) && cleanText(string(sd.ClientType)) {
			conds = append(conds, "(c.kind = 'SENDER' AND c.client_type = "+b.arg(string(sd.ClientType))+" AND c.identifier = "+b.arg(sd.Identifier)+")")
		}
	}
	for _, q := range queues {
		if cleanText(q) {
			conds = append(conds, "(c.kind = 'QUEUE' AND c.client_type = '' AND c.identifier = "+b.arg(q)+")")
		}
	}
	if len(conds) == 0 {
		return out, nil
	}
	b.WriteString("SELECT " + waitingStrategyCols + " FROM {waiting_strategies} w WHERE w.id IN (SELECT c.strategy_id FROM {waiting_strategy_claims} c WHERE ")
	for i, c := range conds {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(c)
	}
	b.WriteString(") ORDER BY w.created_at, w.id")
	st := b.stmt().each(func(r row) error {
		s, err := scanWaitingStrategy(r)
		out = append(out, s)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

// UpdateWaitingStrategy implements storage.Tx: the row, then its claims
// anew.
func (t *tx) UpdateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error {
	const op = "updating waiting strategy"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(s.ID) {
		return t.s.notFound(op, s.ID)
	}
	args, err := t.strategyArgs(s)
	if err != nil {
		return err
	}
	up := t.s.d.stmt(`UPDATE {waiting_strategies} SET name = $2, condition_type = $3, body = $4, updated_at = $5 WHERE id = $1`, args[:5]...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, s.ID, err)
	}
	if up.affected == 0 {
		return t.s.notFound(op, s.ID)
	}
	claims := t.claimStmts(s)
	stmts := append([]*stmt{t.s.d.stmt(`DELETE FROM {waiting_strategy_claims} WHERE strategy_id = $1`, s.ID)}, claims...)
	if err := t.run(ctx, stmts...); err != nil {
		return t.s.wrap(ctx, op, s.ID, err)
	}
	return claimed(op, s.ID, claims)
}

// DeleteWaitingStrategy implements storage.Tx; its claims go with it (ON
// DELETE CASCADE), and are deleted first for a database that does not
// enforce foreign keys.
func (t *tx) DeleteWaitingStrategy(ctx context.Context, id string) error {
	const op = "deleting waiting strategy"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(id) {
		return t.s.notFound(op, id)
	}
	claims := t.s.d.stmt(`DELETE FROM {waiting_strategy_claims} WHERE strategy_id = $1`, id)
	del := t.s.d.stmt(`DELETE FROM {waiting_strategies} WHERE id = $1`, id)
	if err := t.run(ctx, claims, del); err != nil {
		return t.s.wrap(ctx, op, id, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, id)
	}
	return nil
}

const callWaitCols = `call_id, queue_id, strategy_id, since, next_announcement, maximum_wait_at, due`

func scanCallWait(r row) (*storage.CallWait, error) {
	var w storage.CallWait
	err := r.Scan(&w.CallID, &w.QueueID, &w.StrategyID, timeCol{&w.Since}, timeCol{&w.NextAnnouncement}, timeCol{&w.MaximumWaitAt}, timeCol{&w.Due})
	return &w, err
}

// GetCallWait implements storage.Tx.
func (t *tx) GetCallWait(ctx context.Context, callID string) (*storage.CallWait, error) {
	const op = "getting call wait"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(callID) {
		return nil, t.s.notFound(op, callID)
	}
	var w *storage.CallWait
	st := t.s.d.stmt(`SELECT `+callWaitCols+` FROM {call_waits} WHERE call_id = $1`, callID).each(func(r row) (err error) {
		w, err = scanCallWait(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, callID, err)
	}
	if w == nil {
		return nil, t.s.notFound(op, callID)
	}
	return w, nil
}

// DueCallWaits implements storage.Tx, on the index call_waits_due.
func (t *tx) DueCallWaits(ctx context.Context, at time.Time, limit int) ([]*storage.CallWait, error) {
	const op = "listing due call waits"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	out := []*storage.CallWait{}
	if limit <= 0 {
		return out, nil
	}
	st := t.s.d.stmt(`SELECT `+callWaitCols+` FROM {call_waits} WHERE due <= $1 ORDER BY due, call_id LIMIT $2`, t.s.d.time(at), limit).each(func(r row) error {
		w, err := scanCallWait(r)
		out = append(out, w)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

// PutCallWait implements storage.Tx: one upsert. A call that does not
// exist fails its foreign key: ErrNotFound.
func (t *tx) PutCallWait(ctx context.Context, w *storage.CallWait) error {
	const op = "writing call wait"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	up := d.stmt(`INSERT INTO {call_waits} (call_id, queue_id, strategy_id, since, next_announcement, maximum_wait_at, due)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (call_id) DO UPDATE SET queue_id = excluded.queue_id, strategy_id = excluded.strategy_id,
			since = excluded.since, next_announcement = excluded.next_announcement,
			maximum_wait_at = excluded.maximum_wait_at, due = excluded.due`,
		w.CallID, w.QueueID, w.StrategyID, d.time(w.Since), d.nullTime(w.NextAnnouncement), d.time(w.MaximumWaitAt), d.time(w.Due))
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, w.CallID, err)
	}
	return nil
}

// DeleteCallWait implements storage.Tx.
func (t *tx) DeleteCallWait(ctx context.Context, callID string) (bool, error) {
	const op = "deleting call wait"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(callID) {
		return false, nil
	}
	del := t.s.d.stmt(`DELETE FROM {call_waits} WHERE call_id = $1`, callID)
	if err := t.run(ctx, del); err != nil {
		return false, t.s.wrap(ctx, op, callID, err)
	}
	return del.affected > 0, nil
}
