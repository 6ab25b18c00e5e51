package sqlstore

import (
	"context"
	"errors"

	"github.com/parleyhq/parley/storage"
)

var _ storage.EventHead = (*Store)(nil)

// LastEventSeq implements storage.EventHead: one read of the events'
// primary key.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	const op = "reading the event log's end"
	if err := checkCtx(ctx, op); err != nil {
		return 0, err
	}
	t, ok := s.reader.(*tx)
	if !ok {
		return 0, failure(op, "", errors.New("no reader"))
	}
	var seq int64
	st := s.d.stmt(`SELECT COALESCE(max(seq), 0) FROM {events}`).each(func(r row) error { return r.Scan(&seq) })
	if err := t.run(ctx, st); err != nil {
		return 0, s.wrap(ctx, op, "", err)
	}
	return seq, nil
}
