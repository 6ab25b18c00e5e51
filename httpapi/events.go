package httpapi

import (
	"net/http"
	"strconv"

	"github.com/parleyhq/parley/storage"
)

// eventPage reads after (or its synonym cursor, the nextCursor of the
// previous page) and limit.
func eventPage(q *query) (after int64, limit int, err error) {
	s, err := q.one("after", "cursor")
	if err != nil {
		return 0, 0, err
	}
	if s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil {
			return 0, 0, invalid("after", "must be an event seq (an integer), not %q", s)
		}
	}
	if limit, err = q.int("limit", 0); err != nil {
		return 0, 0, err
	}
	if limit == 0 && q.v.Get("limit") != "" {
		return 0, 0, invalid("limit", "must be between 1 and %d", storage.MaxLimit)
	}
	return after, limit, nil
}

// eventList is a page of the event log. There is no count and no page
// number; nextCursor, present when the page is full, is the seq to ask
// for events after.
func eventList(events []*storage.Event, limit int) list {
	if limit == 0 {
		limit = storage.DefaultLimit
	}
	items := make([]eventJSON, 0, len(events))
	for _, e := range events {
		items = append(items, toEvent(e))
	}
	p := paginationJSON{Limit: limit, OrderBy: "seq:asc"}
	if len(events) > 0 && len(events) >= limit {
		p.NextCursor = strconv.FormatInt(events[len(events)-1].Seq, 10)
	}
	return list{key: "events", items: items, pagination: p}
}

func (a *api) events(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	after, limit, err := eventPage(q)
	if err != nil {
		return nil, err
	}
	eq := storage.EventQuery{After: after, Limit: limit}
	if eq.ConversationID, err = q.one("conversationId"); err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	events, err := a.svc.Events(r.Context(), eq)
	if err != nil {
		return nil, err
	}
	return eventList(events, limit), nil
}

func (a *api) history(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	after, limit, err := eventPage(q)
	if err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	events, err := a.svc.History(r.Context(), r.PathValue("id"), after, limit)
	if err != nil {
		return nil, err
	}
	return eventList(events, limit), nil
}
