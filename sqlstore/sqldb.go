package sqlstore

import (
	"context"
	"database/sql"

	"github.com/parleyhq/parley/storage"
)

// sqlQuerier is what database/sql offers on a pool, a connection and a
// transaction alike.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// sqlRun runs stmts on q one after the other: an embedded database costs no
// round trip, so there is nothing to gain from batching.
func sqlRun(ctx context.Context, q sqlQuerier, stmts []*stmt) error {
	if err := checkArgs(stmts); err != nil {
		return err
	}
	for _, st := range stmts {
		if err := sqlRunOne(ctx, q, st); err != nil {
			return err
		}
	}
	return nil
}

func sqlRunOne(ctx context.Context, q sqlQuerier, st *stmt) error {
	if st.scan == nil {
		res, err := q.ExecContext(ctx, st.sql, st.args...)
		if err != nil {
			return st.failed(err)
		}
		if st.affected, err = res.RowsAffected(); err != nil {
			return err
		}
		// Only SQLite's events read it; pgx's database/sql driver (a
		// host's transaction on PostgreSQL) has none to give.
		if id, err := res.LastInsertId(); err == nil {
			st.lastID = id
		}
	} else {
		rows, err := q.QueryContext(ctx, st.sql, st.args...)
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
		if err := rows.Close(); err != nil {
			return err
		}
	}
	if st.done != nil {
		return st.done()
	}
	return nil
}

// sqlDB is the backend of a store over database/sql pools of its own: one
// that writes (a single connection whose transactions begin IMMEDIATE) and
// one that reads (several connections, reading beside the writer under WAL).
type sqlDB struct{ write, read *sql.DB }

// sqlAuto runs each batch on db, in a transaction when there is more than
// one statement.
type sqlAuto struct{ db *sql.DB }

func (r sqlAuto) run(ctx context.Context, stmts ...*stmt) error {
	if len(stmts) == 1 {
		return sqlRun(ctx, r.db, stmts)
	}
	tx, err := beginSQL(ctx, r.db)
	if err != nil {
		return err
	}
	return tx.commit(ctx, stmts...)
}

// beginSQL begins a transaction on a connection of db. The wait for the
// connection follows ctx; the transaction itself does not: database/sql
// closes a transaction's connection when the context given to BeginTx ends,
// which would drop an in-memory database (and a file's statement cache).
// The store ends its transactions itself, and each statement still follows
// ctx.
func beginSQL(ctx context.Context, db *sql.DB) (*sqlTx, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return &sqlTx{tx: tx, conn: conn}, nil
}

func (b sqlDB) reader() runner { return sqlAuto{b.read} }

func (b sqlDB) begin(ctx context.Context) (txRunner, error) {
	return beginSQL(ctx, b.write)
}

// sqlTx is a transaction of the store's own, on a connection it holds.
type sqlTx struct {
	tx    *sql.Tx
	conn  *sql.Conn
	ended bool
}

func (t *sqlTx) run(ctx context.Context, stmts ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	return sqlRun(ctx, t.tx, stmts)
}

func (t *sqlTx) commit(ctx context.Context, final ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	if err := sqlRun(ctx, t.tx, final); err != nil {
		t.rollback(ctx)
		return err
	}
	if err := ctx.Err(); err != nil {
		t.rollback(ctx)
		return err
	}
	t.ended = true
	err := t.tx.Commit()
	_ = t.conn.Close()
	return err
}

func (t *sqlTx) rollback(context.Context) {
	if !t.ended {
		t.ended = true
		_ = t.tx.Rollback()
		_ = t.conn.Close()
	}
}

// sqlHost is the backend of a store inside the host's *sql.Tx: every
// operation, and every InTx, is a savepoint of it.
type sqlHost struct{ tx *sql.Tx }

func (b sqlHost) reader() runner { return sqlSavepointRunner(b) }

func (b sqlHost) begin(ctx context.Context) (txRunner, error) {
	if _, err := b.tx.ExecContext(ctx, "SAVEPOINT "+savepointName); err != nil {
		return nil, err
	}
	return &sqlSavepoint{tx: b.tx}, nil
}

type sqlSavepointRunner sqlHost

func (r sqlSavepointRunner) run(ctx context.Context, stmts ...*stmt) error {
	sp, err := sqlHost(r).begin(ctx)
	if err != nil {
		return err
	}
	return sp.commit(ctx, stmts...)
}

// sqlSavepoint is a savepoint in the host's transaction.
type sqlSavepoint struct {
	tx    *sql.Tx
	ended bool
}

func (t *sqlSavepoint) run(ctx context.Context, stmts ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	return sqlRun(ctx, t.tx, stmts)
}

func (t *sqlSavepoint) commit(ctx context.Context, final ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	err := sqlRun(ctx, t.tx, final)
	if err == nil {
		_, err = t.tx.ExecContext(ctx, "RELEASE "+savepointName)
	}
	if err != nil {
		t.rollback(ctx)
		return err
	}
	t.ended = true
	return nil
}

func (t *sqlSavepoint) rollback(ctx context.Context) {
	if t.ended {
		return
	}
	t.ended = true
	ctx = context.WithoutCancel(ctx)
	if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO "+savepointName); err == nil {
		_, _ = t.tx.ExecContext(ctx, "RELEASE "+savepointName)
	}
}

// errTxDone is the cause when a Tx is used after its InTx returned.
var errTxDone = storage.ErrTxDone
