package memstore

import (
	"context"
	"slices"
	"sort"

	"github.com/parleyhq/parley/storage"
)

func (t *txn) AppendEvents(ctx context.Context, events ...*storage.Event) error {
	if err := t.check(ctx, "appending events"); err != nil {
		return err
	}
	st := t.st
	t.appended = t.appended || len(events) > 0
	n, seq := len(st.events), st.seq
	// The conversations whose event lists grow, with their lengths before:
	// nearly always one, so a list beats a map.
	type grown struct {
		id  string
		len int
	}
	var touched []grown
	for _, e := range events {
		st.seq++
		e.Seq = st.seq
		stored := e.Clone()
		st.events = append(st.events, stored)
		if id := e.ConversationID; id != "" {
			if !slices.ContainsFunc(touched, func(g grown) bool { return g.id == id }) {
				touched = append(touched, grown{id, len(st.convEvents[id])})
			}
			st.convEvents[id] = append(st.convEvents[id], stored)
		}
	}
	t.onUndo(func() {
		st.events = st.events[:n]
		st.seq = seq
		for _, g := range touched {
			if g.len == 0 {
				delete(st.convEvents, g.id)
			} else {
				st.convEvents[g.id] = st.convEvents[g.id][:g.len]
			}
		}
	})
	return nil
}

func (t *txn) ListEvents(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing events"); err != nil {
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
