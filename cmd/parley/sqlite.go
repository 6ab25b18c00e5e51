//go:build cgo

package main

import (
	"context"

	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// openSQLite opens the SQLite file the configuration names.
// SQLite needs cgo: sqlite_nocgo.go stands in for this file in a cgo-free
// build, which serves PostgreSQL only.
func openSQLite(ctx context.Context, c config) (*database, error) {
	s, err := sqlite.Open(ctx, c.sqlite, sqlstore.WithSchema(c.schema))
	if err != nil {
		return nil, err
	}
	return &database{store: s, name: "sqlite " + c.sqlite, close: func() { _ = s.Close() }}, nil
}
