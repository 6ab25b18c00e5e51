//go:build !cgo

package sqlite

import (
	"context"

	"github.com/parleyhq/parley/sqlstore"
)

// Open returns ErrNoCgo: this build has no SQLite driver.
func Open(context.Context, string, ...sqlstore.Option) (*sqlstore.Store, error) {
	return nil, ErrNoCgo
}

// Classify recognises no error: without cgo there is no SQLite driver
// whose errors it could map.
func Classify(error) error { return nil }
