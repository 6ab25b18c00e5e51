package memstore

import (
	"context"

	"github.com/parleyhq/parley/storage"
)

var _ storage.EventHead = (*Store)(nil)

// LastEventSeq implements storage.EventHead.
func (s *Store) LastEventSeq(ctx context.Context) (int64, error) {
	if err := storage.CheckContext(ctx, "reading the event log's end"); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.seq, nil
}
