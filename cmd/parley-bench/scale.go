package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

// sizeLabel spells a row count short: 10k, 100k, 1M.
func sizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// pageQueries are the lists the scale section measures: newest first, and
// the status + queue filter (OPEN in q1), each without the total.
type pageQuery struct {
	label string
	q     storage.ConversationQuery
	rows  int // rows it selects in the seeded set
}

func pageQueries(set *seedSet) []pageQuery {
	return []pageQuery{
		{"newest first", storage.ConversationQuery{Paging: storage.Paging{SkipTotal: true}}, set.n},
		{"OPEN in " + seedFilterQueue, storage.ConversationQuery{
			Filter: storage.ConversationFilter{
				Statuses: []conversation.Status{conversation.Open},
				QueueIDs: []string{seedFilterQueue},
			},
			Paging: storage.Paging{SkipTotal: true},
		}, set.matching},
	}
}

// deepPages returns q at its first page, and a cursor page and an offset
// page both at depth (the same rows, which it checks): past the middle of
// the rows q selects.
func deepPages(ctx context.Context, s *sqlStore, pq pageQuery) (first, cursor, offset storage.ConversationQuery, depth int, err error) {
	limit := storage.DefaultLimit
	depth = (pq.rows/2/limit + 1) * limit
	first = pq.q
	offset = pq.q
	offset.Page = depth / limit
	before := pq.q
	before.Page = depth/limit - 1
	prev, err := s.svc.ListConversations(ctx, before)
	if err != nil {
		return first, cursor, offset, depth, err
	}
	if prev.NextCursor == "" {
		return first, cursor, offset, depth, fmt.Errorf("%s: no page after row %d", pq.label, depth)
	}
	cursor = pq.q
	cursor.Cursor = prev.NextCursor
	a, err := s.svc.ListConversations(ctx, cursor)
	if err != nil {
		return first, cursor, offset, depth, err
	}
	b, err := s.svc.ListConversations(ctx, offset)
	if err != nil {
		return first, cursor, offset, depth, err
	}
	if len(a.Items) != limit || len(b.Items) != limit || a.Items[0].ID != b.Items[0].ID {
		return first, cursor, offset, depth, fmt.Errorf("%s: the cursor page and the offset page at row %d differ", pq.label, depth)
	}
	return first, cursor, offset, depth, nil
}

// listStep lists q through parley; its baseline runs the recorded SELECT.
func listStep(ctx context.Context, s *sqlStore, q storage.ConversationQuery) (step, *step, error) {
	st := step{run: func(ctx context.Context) error {
		page, err := s.svc.ListConversations(ctx, q)
		if err == nil && len(page.Items) != storage.DefaultLimit {
			err = fmt.Errorf("a page of %d", len(page.Items))
		}
		return err
	}}
	sel, err := recordedList(ctx, s, q)
	if err != nil {
		return st, nil, err
	}
	return st, &step{run: func(ctx context.Context) error { return s.raw.query(ctx, sel) }}, nil
}

// scaleRows measures s, seeded with set: for each page query its first
// page, a cursor page past the middle and an offset page at the same
// depth; then creating conversations into it against creating them into
// empty, a store of the same kind with no conversations.
func scaleRows(ctx context.Context, s, empty *sqlStore, set *seedSet, b budget, trips func() int64) ([]row, error) {
	size := sizeLabel(set.n)
	var rows []row
	for _, pq := range pageQueries(set) {
		first, cursor, offset, depth, err := deepPages(ctx, s, pq)
		if err != nil {
			return nil, err
		}
		for _, page := range []struct {
			label string
			q     storage.ConversationQuery
		}{
			{"first page", first},
			{fmt.Sprintf("cursor at row %d", depth), cursor},
			{fmt.Sprintf("offset %d", depth), offset},
		} {
			st, base, err := listStep(ctx, s, page.q)
			if err != nil {
				return nil, err
			}
			m, err := measure(ctx, b, st, base, trips, s.raw.trips())
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", pq.label, page.label, err)
			}
			rows = append(rows, rowOf(s.name, fmt.Sprintf("%s: %s, %s", size, pq.label, page.label), m))
		}
	}
	i := 0
	into := func(svc *sqlStore) step {
		return step{run: func(ctx context.Context) error {
			i++
			_, err := svc.svc.CreateConversation(ctx, sampleConversation(i))
			return err
		}}
	}
	intoEmpty := into(empty)
	m, err := measure(ctx, b, into(s), &intoEmpty, trips, nil)
	if err != nil {
		return nil, fmt.Errorf("create at %s: %w", size, err)
	}
	r := rowOf(s.name, fmt.Sprintf("%s: create", size), m)
	r.baseTrips = 0
	r.note = "its baseline is parley's own create into an empty table"
	rows = append(rows, r)
	return rows, nil
}

// explain returns the plans of the first page of each page query, as
// EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL and EXPLAIN QUERY PLAN on
// SQLite, with the statement parley sends.
func explain(ctx context.Context, s *sqlStore, set *seedSet) (string, error) {
	var out strings.Builder
	for _, pq := range pageQueries(set) {
		first, cursor, _, depth, err := deepPages(ctx, s, pq)
		if err != nil {
			return "", err
		}
		for _, page := range []struct {
			label string
			q     storage.ConversationQuery
		}{{"first page", first}, {fmt.Sprintf("cursor at row %d", depth), cursor}} {
			sel, err := recordedList(ctx, s, page.q)
			if err != nil {
				return "", err
			}
			plan, err := s.plan(ctx, sel)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&out, "\n%s, %s conversations, %s, %s:\n%s\n", s.name, sizeLabel(set.n), pq.label, page.label, plan)
		}
	}
	return out.String(), nil
}
