package httpapi

import (
	"net/http"

	"github.com/parleyhq/parley"
)

// queueStatsJSON is one queue's live statistics: parley's own shape, as
// Infobip has no such route (see openapi.json).
type queueStatsJSON struct {
	QueueID              string    `json:"queueId"`
	WaitingConversations int       `json:"waitingConversations"`
	WaitingCalls         int       `json:"waitingCalls"`
	OldestWaitSeconds    int64     `json:"oldestWaitSeconds"`
	OldestWaitingSince   *wireTime `json:"oldestWaitingSince"`
	AgentsAvailable      int       `json:"agentsAvailable"`
	AgentsOnCall         int       `json:"agentsOnCall"`
	AgentsInWrapUp       int       `json:"agentsInWrapUp"`
}

// queueStatsPageJSON is every queue's statistics, in id order.
type queueStatsPageJSON struct {
	Elements []queueStatsJSON `json:"elements"`
	Total    int              `json:"total"`
}

func toQueueStats(s parley.QueueStats) queueStatsJSON {
	out := queueStatsJSON{
		QueueID: s.QueueID, WaitingConversations: s.WaitingConversations, WaitingCalls: s.WaitingCalls,
		OldestWaitSeconds: int64(s.OldestWait.Seconds()),
		AgentsAvailable:   s.AgentsAvailable, AgentsOnCall: s.AgentsOnCall, AgentsInWrapUp: s.AgentsInWrapUp,
	}
	if !s.OldestSince.IsZero() {
		t := wireTime(s.OldestSince)
		out.OldestWaitingSince = &t
	}
	return out
}

func (a *api) queueStatistics(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	st, err := a.svc.QueueStatistics(r.Context(), r.PathValue("queueId"))
	if err != nil {
		return nil, err
	}
	return toQueueStats(st), nil
}

func (a *api) allQueueStatistics(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	all, err := a.svc.AllQueueStatistics(r.Context())
	if err != nil {
		return nil, err
	}
	out := queueStatsPageJSON{Elements: make([]queueStatsJSON, 0, len(all)), Total: len(all)}
	for _, s := range all {
		out.Elements = append(out.Elements, toQueueStats(s))
	}
	return out, nil
}
