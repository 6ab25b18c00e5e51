//go:build !cgo

package main

import (
	"context"
	"errors"
)

// openSQLite refuses: a binary built without cgo has no SQLite driver and
// serves PostgreSQL only.
func openSQLite(context.Context, config) (*database, error) {
	return nil, errors.New("sqlite: this binary was built without cgo (CGO_ENABLED=0) and serves PostgreSQL only: give -postgres DSN")
}
