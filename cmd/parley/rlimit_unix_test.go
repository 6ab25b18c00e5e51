//go:build unix

package main

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The file limit is raised to the hard limit.
func TestRaiseFileLimit(t *testing.T) {
	t.Parallel()
	got, err := raiseFileLimit()
	require.NoError(t, err)
	var lim syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
	require.Equal(t, uint64(lim.Max), got)
	require.Equal(t, lim.Max, lim.Cur)
}
