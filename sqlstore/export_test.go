package sqlstore

import "github.com/parleyhq/parley/storage"

// PageQueryForTest returns the SQL and arguments of the page query of q, so
// that tests can ask the database for its plan.
func PageQueryForTest(s *Store, q storage.ConversationQuery) (string, []any, error) {
	if err := q.Normalize(); err != nil {
		return "", nil, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return "", nil, err
	}
	st := s.d.conversationPage(&q, ks)
	return st.sql, st.args, nil
}

// TableForTest is the qualified name of one of the store's tables.
func TableForTest(s *Store, name string) string { return s.d.table(name) }
