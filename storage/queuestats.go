package storage

import "context"

// EventHead is an optional capability of a Store: where the event log
// ends. parley.Service uses it to build its live queue statistics from
// the current state and then follow the log from there, without reading
// the log from its start; a store without it has its log read through
// once instead.
type EventHead interface {
	// LastEventSeq returns the greatest seq of the events committed so
	// far, 0 for an empty log. An event committed later has a greater seq.
	LastEventSeq(ctx context.Context) (int64, error)
}
