package memstore

import (
	"context"
	"sort"

	"github.com/parleyhq/parley/storage"
)

func (t *txn) AppendEvents(ctx context.Context, events ...*storage.Event) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	st := t.st
	n, seq := len(st.events), st.seq
	touched := map[string]int{}
	for _, e := range events {
		st.seq++
		e.Seq = st.seq
		stored := e.Clone()
		st.events = append(st.events, stored)
		if id := e.ConversationID; id != "" {
			if _, ok := touched[id]; !ok {
				touched[id] = len(st.convEvents[id])
			}
			st.convEvents[id] = append(st.convEvents[id], stored)
		}
	}
	t.onUndo(func() {
		st.events = st.events[:n]
		st.seq = seq
		for id, l := range touched {
			if l == 0 {
				delete(st.convEvents, id)
			} else {
				st.convEvents[id] = st.convEvents[id][:l]
			}
		}
	})
	return nil
}

func (t *txn) ListEvents(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	events := t.st.events
	if q.ConversationID != "" {
		events = t.st.convEvents[q.ConversationID]
	}
	i := sort.Search(len(events), func(i int) bool { return events[i].Seq > q.After })
	events = events[i:min(len(events), i+q.Limit)]
	out := make([]*storage.Event, len(events))
	for i, e := range events {
		out[i] = e.Clone()
	}
	return out, nil
}
