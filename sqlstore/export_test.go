package sqlstore

import (
	"time"

	"github.com/parleyhq/parley/storage"
)

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

// CallQueriesForTest returns the SQL and arguments of the statements of
// the calls and presence reads that must walk an index, by name: the page
// of q, the due calls, the presences of ids and the lapsed agents.
func CallQueriesForTest(s *Store, q storage.CallQuery, at time.Time, ids []string) (map[string][2]any, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return nil, err
	}
	out := map[string][2]any{}
	for name, st := range map[string]*stmt{
		"call page":       s.d.pageStmt(&q.Paging, callRows(&q), callOrder(ks)),
		"due calls":       s.d.dueCalls(at, 50),
		"agent presences": s.d.agentPresences(ids),
		"lapsed agents":   s.d.lapsedAgents(at, 50),
	} {
		out[name] = [2]any{st.sql, st.args}
	}
	return out, nil
}
