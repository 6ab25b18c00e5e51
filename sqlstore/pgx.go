package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgQuerier is what pgx offers on a pool, a connection and a transaction
// alike.
type pgQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pgRun runs stmts on q: one statement directly, several as one pipelined
// batch (one round trip; outside an explicit transaction PostgreSQL runs a
// batch as one implicit transaction).
func pgRun(ctx context.Context, q pgQuerier, stmts []*stmt) error {
	if err := checkArgs(stmts); err != nil {
		return err
	}
	if len(stmts) == 1 {
		return pgRunOne(ctx, q, stmts[0])
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(stmts))}
	for _, st := range stmts {
		qq := b.Queue(st.sql, st.args...)
		if st.scan != nil {
			qq.Fn = func(br pgx.BatchResults) error {
				rows, _ := br.Query() // an error comes back from rows.Err
				defer rows.Close()
				for rows.Next() {
					if err := st.scan(rows); err != nil {
						return err
					}
				}
				if err := rows.Err(); err != nil {
					return st.failed(err)
				}
				st.affected = rows.CommandTag().RowsAffected()
				if st.done != nil {
					return st.done()
				}
				return nil
			}
			continue
		}
		qq.Fn = func(br pgx.BatchResults) error {
			ct, err := br.Exec()
			if err != nil {
				return st.failed(err)
			}
			st.affected, st.tag = ct.RowsAffected(), ct.String()
			if st.done != nil {
				return st.done()
			}
			return nil
		}
	}
	return q.SendBatch(ctx, b).Close()
}

func pgRunOne(ctx context.Context, q pgQuerier, st *stmt) error {
	if st.scan == nil {
		ct, err := q.Exec(ctx, st.sql, st.args...)
		if err != nil {
			return st.failed(err)
		}
		st.affected, st.tag = ct.RowsAffected(), ct.String()
	} else {
		rows, err := q.Query(ctx, st.sql, st.args...)
		if err != nil {
			return st.failed(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := st.scan(rows); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return st.failed(err)
		}
		st.affected = rows.CommandTag().RowsAffected()
	}
	if st.done != nil {
		return st.done()
	}
	return nil
}

// pgPool is the backend of a store over its pool.
type pgPool struct{ pool *pgxpool.Pool }

type pgAuto struct{ q pgQuerier }

func (r pgAuto) run(ctx context.Context, stmts ...*stmt) error { return pgRun(ctx, r.q, stmts) }

func (b pgPool) reader() runner { return pgAuto{b.pool} }

func (b pgPool) begin(ctx context.Context) (txRunner, error) {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{
		q: conn, conn: conn,
		beginSQL:    "BEGIN ISOLATION LEVEL READ COMMITTED",
		commitSQL:   "COMMIT",
		rollbackSQL: "ROLLBACK",
	}, nil
}

// listen takes a connection out of the pool, LISTENs on channel (a name
// made of the validated schema, the one thing spliced into SQL) and
// signals the returned channel on each notification, until ctx ends or the
// connection fails; it then closes the connection and the channel.
func (b pgPool) listen(ctx context.Context, channel string) (<-chan struct{}, error) {
	pooled, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	conn := pooled.Hijack()
	closeConn := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}
	if _, err := conn.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
		closeConn()
		return nil, err
	}
	ch := make(chan struct{}, 1)
	go func() {
		defer close(ch)
		defer closeConn()
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				return
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, nil
}

// pgHost is the backend of a store inside the host's pgx transaction: every
// operation, and every InTx, is a savepoint of it.
type pgHost struct{ tx pgx.Tx }

func (b pgHost) reader() runner { return pgSavepointRunner(b) }

func (b pgHost) begin(context.Context) (txRunner, error) { return newPgSavepoint(b.tx), nil }

// savepointName is the savepoint parley opens in a host's transaction. One
// name is enough: parley never nests its own savepoints, and a savepoint of
// the same name the host opened stays intact under it.
const savepointName = "parley_tx"

func newPgSavepoint(tx pgx.Tx) *pgTx {
	return &pgTx{
		q:           tx,
		beginSQL:    "SAVEPOINT " + savepointName,
		commitSQL:   "RELEASE SAVEPOINT " + savepointName,
		rollbackSQL: "ROLLBACK TO SAVEPOINT " + savepointName + "; RELEASE SAVEPOINT " + savepointName,
	}
}

// pgSavepointRunner runs each batch in a savepoint of its own, so that a
// failing operation leaves the host's transaction usable.
type pgSavepointRunner pgHost

func (r pgSavepointRunner) run(ctx context.Context, stmts ...*stmt) error {
	return newPgSavepoint(r.tx).commit(ctx, stmts...)
}

// pgTx is a transaction on a pooled connection, or a savepoint in the
// host's transaction. BEGIN (or SAVEPOINT) is not sent on its own: it goes
// in the same round trip as the first statements, and COMMIT in the same
// round trip as the last (the buffered events), so that a transaction that
// creates a conversation and records its event costs two round trips.
type pgTx struct {
	q           pgQuerier
	conn        *pgxpool.Conn // nil for a savepoint
	beginSQL    string
	commitSQL   string
	rollbackSQL string
	started     bool // the server has run beginSQL
	ended       bool
}

// errCommitRolledBack is the cause when COMMIT found the transaction
// already failed: PostgreSQL then rolls back and reports success.
var errCommitRolledBack = errors.New("the database rolled the transaction back: an earlier statement failed")

func (t *pgTx) prefix(stmts []*stmt) []*stmt {
	if t.started {
		return stmts
	}
	begin := &stmt{sql: t.beginSQL, done: func() error {
		t.started = true
		return nil
	}}
	return append([]*stmt{begin}, stmts...)
}

func (t *pgTx) run(ctx context.Context, stmts ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	err := pgRun(ctx, t.q, t.prefix(stmts))
	if err != nil {
		t.cancelAbandoned(ctx)
	}
	return err
}

// cancelAbandoned asks the server to cancel what the transaction's backend
// is running, when ctx ended while statements were on their way: pgx then
// closes the connection, but the server, waiting for a lock, say, would
// run them once it got it, and a batch that commits would commit a change
// the caller was told had failed (and meanwhile hold its locks). Cancelled,
// the statement fails and the transaction rolls back. Only a closed
// connection's backend is cancelled: nobody else can be using it.
func (t *pgTx) cancelAbandoned(ctx context.Context) {
	if t.conn == nil || ctx.Err() == nil {
		return
	}
	pc := t.conn.Conn().PgConn()
	if !pc.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = pc.CancelRequest(ctx)
}

func (t *pgTx) commit(ctx context.Context, final ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	if !t.started && len(final) == 0 {
		t.end()
		return nil
	}
	end := &stmt{sql: t.commitSQL}
	stmts := make([]*stmt, 0, len(final)+1)
	stmts = append(append(stmts, final...), end)
	err := pgRun(ctx, t.q, t.prefix(stmts))
	if err == nil && t.conn != nil && end.tag != "COMMIT" {
		err = errCommitRolledBack
	}
	if err != nil {
		t.cancelAbandoned(ctx)
		t.rollback(ctx)
		return err
	}
	t.end()
	return nil
}

// commitThen is commit, with after sent in the same round trip behind the
// COMMIT: outside the committed transaction, they run as an implicit
// transaction of their own, which ends with the round trip. The commit
// succeeded when the COMMIT did, whatever became of them; afterErr says
// whether they, and their implicit commit, did too.
func (t *pgTx) commitThen(ctx context.Context, final, after []*stmt) (afterErr, err error) {
	if t.ended {
		return nil, errTxDone
	}
	if t.conn == nil {
		// A savepoint's release commits nothing: after has nothing to follow.
		return errTxDone, t.commit(ctx, final...)
	}
	end := &stmt{sql: t.commitSQL}
	stmts := make([]*stmt, 0, len(final)+1+len(after))
	stmts = append(append(append(stmts, final...), end), after...)
	err = pgRun(ctx, t.q, t.prefix(stmts))
	if end.tag == "COMMIT" {
		t.end()
		return err, nil
	}
	if err == nil {
		err = errCommitRolledBack
	}
	t.cancelAbandoned(ctx)
	t.rollback(ctx)
	return nil, err
}

func (t *pgTx) rollback(ctx context.Context) {
	if t.ended {
		return
	}
	defer t.end()
	// Roll back even when ctx is done: that is often why.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if t.conn != nil {
		pc := t.conn.Conn().PgConn()
		if !pc.IsClosed() && pc.TxStatus() != 'I' {
			_, _ = t.conn.Exec(ctx, t.rollbackSQL)
		}
		return
	}
	if t.started {
		// A failure here means the host's connection is gone; the host's
		// own COMMIT or ROLLBACK will say so.
		_, _ = t.q.Exec(ctx, t.rollbackSQL)
	}
}

func (t *pgTx) end() {
	t.ended = true
	if t.conn != nil {
		t.conn.Release() // destroys the connection if it is still in a transaction
		t.conn = nil
	}
}
