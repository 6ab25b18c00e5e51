package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/waiting"
)

// claims reports whether s names any of senders or queues.
func claims(s *waiting.Strategy, senders []waiting.Sender, queues []string) bool {
	for _, sd := range s.Condition.Senders {
		if slices.Contains(senders, sd) {
			return true
		}
	}
	for _, q := range s.Condition.Queues {
		if slices.Contains(queues, q) {
			return true
		}
	}
	return false
}

// checkClaims returns ErrConflict when another strategy names one of s's
// senders or queues.
func (t *txn) checkClaims(op string, s *waiting.Strategy) error {
	for _, o := range t.st.waitingStrategies {
		if o.ID != s.ID && claims(o, s.Condition.Senders, s.Condition.Queues) {
			return storage.Fail(op, s.ID, storage.ErrConflict)
		}
	}
	return nil
}

func (t *txn) CreateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error {
	const op = "creating waiting strategy"
	return insertRow(t, ctx, op, t.st.waitingStrategies, s.ID, s, (*waiting.Strategy).Clone,
		func() error { return t.checkClaims(op, s) })
}

func (t *txn) GetWaitingStrategy(ctx context.Context, id string) (*waiting.Strategy, error) {
	return readRow(t, ctx, "getting waiting strategy", t.st.waitingStrategies, id, (*waiting.Strategy).Clone)
}

func (t *txn) ListWaitingStrategies(ctx context.Context, p waiting.ListParams) (storage.WaitingStrategyPage, error) {
	defer t.enter()()
	const op = "listing waiting strategies"
	var page storage.WaitingStrategyPage
	if err := t.check(ctx, op); err != nil {
		return page, err
	}
	p, err := p.Normalize()
	if err != nil {
		return page, err
	}
	var all []*waiting.Strategy
	for _, s := range t.st.waitingStrategies {
		if p.Matches(s) {
			all = append(all, s)
		}
	}
	slices.SortFunc(all, p.Compare)
	page.Total = len(all)
	first := int64(p.PageNumber) * int64(p.PageSize)
	page.Items = []*waiting.Strategy{}
	if first < int64(len(all)) {
		for _, s := range all[first:min(int64(len(all)), first+int64(p.PageSize))] {
			page.Items = append(page.Items, s.Clone())
		}
	}
	return page, nil
}

func (t *txn) ClaimingWaitingStrategies(ctx context.Context, senders []waiting.Sender, queues []string) ([]*waiting.Strategy, error) {
	defer t.enter()()
	const op = "reading waiting strategies"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	var out []*waiting.Strategy
	for _, s := range t.st.waitingStrategies {
		if claims(s, senders, queues) {
			out = append(out, s.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *waiting.Strategy) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

func (t *txn) UpdateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error {
	const op = "updating waiting strategy"
	return replaceRow(t, ctx, op, t.st.waitingStrategies, s.ID, s, (*waiting.Strategy).Clone,
		func(stored, old *waiting.Strategy) { stored.CreatedAt = old.CreatedAt },
		func() error { return t.checkClaims(op, s) })
}

func (t *txn) DeleteWaitingStrategy(ctx context.Context, id string) error {
	return deleteRow(t, ctx, "deleting waiting strategy", t.st.waitingStrategies, id, nil)
}

func (t *txn) GetCallWait(ctx context.Context, callID string) (*storage.CallWait, error) {
	defer t.enter()()
	const op = "getting call wait"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	w, ok := t.st.callWaits[callID]
	if !ok {
		return nil, storage.Fail(op, callID, storage.ErrNotFound)
	}
	return w.Clone(), nil
}

func (t *txn) DueCallWaits(ctx context.Context, at time.Time, limit int) ([]*storage.CallWait, error) {
	defer t.enter()()
	const op = "listing due call waits"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	var out []*storage.CallWait
	for _, w := range t.st.callWaits {
		if !w.Due.After(at) {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b *storage.CallWait) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.CallID, b.CallID)
	})
	out = out[:min(len(out), max(limit, 0))]
	for i, w := range out {
		out[i] = w.Clone()
	}
	return out, nil
}

func (t *txn) PutCallWait(ctx context.Context, w *storage.CallWait) error {
	const op = "writing call wait"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, ok := t.st.calls[w.CallID]; !ok {
		return storage.Fail(op, w.CallID, storage.ErrNotFound)
	}
	old, had := t.st.callWaits[w.CallID]
	t.st.callWaits[w.CallID] = w.Clone()
	t.onUndo(func() {
		if had {
			t.st.callWaits[w.CallID] = old
		} else {
			delete(t.st.callWaits, w.CallID)
		}
	})
	return nil
}

func (t *txn) DeleteCallWait(ctx context.Context, callID string) (bool, error) {
	const op = "deleting call wait"
	if err := t.check(ctx, op); err != nil {
		return false, err
	}
	old, ok := t.st.callWaits[callID]
	if !ok {
		return false, nil
	}
	delete(t.st.callWaits, callID)
	t.onUndo(func() { t.st.callWaits[callID] = old })
	return true, nil
}
