//go:build !cgo

package main

import (
	"context"
	"errors"
)

// openSQLite refuses: this build has no cgo, so no SQLite driver. Measure
// "-stores memory,postgres", or build with CGO_ENABLED=1.
func openSQLite(context.Context, string) (*sqlStore, error) {
	return nil, errors.New("sqlite: this binary was built without cgo (CGO_ENABLED=0) and has no SQLite driver; use -stores memory,postgres")
}
