package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// The baselines do through the raw driver the least work each operation
// needs, with parley's own statement (recorded from a parley call) so that
// the database does the same work:
//
//   - create: the conversation's INSERT in a transaction of its own
//     (BEGIN, INSERT, COMMIT);
//   - append message: the message's INSERT, on its own;
//   - get and list: the same SELECT, every row read.
//
// parley does more: the event in the same transaction, the reads its rules
// need (the conversation locked, the replying agent), its validation and
// its decoding. The ratio is what that costs.

// withNewID is st with a fresh UUIDv7 as its first argument, the row's id.
func withNewID(st statement) statement {
	args := slices.Clone(st.args)
	args[0] = uuid.Must(uuid.NewV7()).String()
	return statement{sql: st.sql, args: args}
}

// recorded runs fn through s.record and returns the statement that
// contains every one of parts; wantID, when set, must be its first
// argument.
func recorded(s *sqlStore, fn func(svc *parley.Service) (id string, err error), parts ...string) (statement, error) {
	var id string
	stmts, err := s.record(func(svc *parley.Service) error {
		var err error
		id, err = fn(svc)
		return err
	})
	if err != nil {
		return statement{}, err
	}
	st, ok := find(stmts, parts...)
	if !ok {
		return statement{}, fmt.Errorf("%s: no statement with %q among the %d parley sent", s.name, parts, len(stmts))
	}
	if id != "" && (len(st.args) == 0 || st.args[0] != id) {
		return statement{}, fmt.Errorf("%s: the recorded statement's first argument is not the row's id", s.name)
	}
	return st, nil
}

// baselines returns the baseline steps of the workload on s, by operation.
func baselines(ctx context.Context, s *sqlStore, w *workload) (map[string]*step, error) {
	out := map[string]*step{}

	ins, err := recorded(s, func(svc *parley.Service) (string, error) {
		c, err := svc.CreateConversation(ctx, sampleConversation(0))
		if err != nil {
			return "", err
		}
		return c.ID, nil
	}, "INSERT INTO "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	out[opCreate] = &step{run: func(ctx context.Context) error { return s.raw.execInTx(ctx, withNewID(ins)) }}

	msg, err := recorded(s, func(svc *parley.Service) (string, error) {
		actx := parley.WithActor(ctx, parley.Actor{AgentID: replyAgent})
		m, err := svc.CreateMessage(actx, w.assigned, sampleReply)
		if err != nil {
			return "", err
		}
		return m.ID, nil
	}, "INSERT INTO "+s.table("messages"))
	if err != nil {
		return nil, err
	}
	out[opAppend] = &step{run: func(ctx context.Context) error { return s.raw.exec(ctx, withNewID(msg)) }}

	get, err := recorded(s, func(svc *parley.Service) (string, error) {
		_, err := svc.GetConversation(ctx, w.tagged)
		return "", err
	}, "FROM "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	out[opGet] = &step{run: func(ctx context.Context) error { return s.raw.query(ctx, get) }}

	list, err := recordedList(ctx, s, listQuery())
	if err != nil {
		return nil, err
	}
	out[opList] = &step{run: func(ctx context.Context) error { return s.raw.query(ctx, list) }}
	return out, nil
}

// recordedList is the page SELECT parley sends for q.
func recordedList(ctx context.Context, s *sqlStore, q storage.ConversationQuery) (statement, error) {
	return recorded(s, func(svc *parley.Service) (string, error) {
		_, err := svc.ListConversations(ctx, q)
		return "", err
	}, "FROM "+s.table("conversations"), "LIMIT")
}
