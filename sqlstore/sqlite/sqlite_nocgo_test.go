//go:build !cgo

package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// Without cgo, Open says why it cannot open anything, for a file and for
// memory alike, and Classify maps nothing.
func TestOpenWithoutCgo(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"parley.db", sqlite.Memory} {
		s, err := sqlite.Open(context.Background(), path)
		require.ErrorIs(t, err, sqlite.ErrNoCgo)
		require.Nil(t, s)
		require.Contains(t, err.Error(), "CGO_ENABLED=0")
	}
	require.NoError(t, sqlite.Classify(errors.New("any")))
}
