package httpwire_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/internal/httpwire"
)

// TestClassifyCallErrors: the errors of calls take their sentinel's status
// and code, in both adapters.
func TestClassifyCallErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{call.ErrNoLiveCall, http.StatusPreconditionFailed, "PRECONDITION_FAILED"},
		{fmt.Errorf("transfer: %w", parley.ErrPrecondition), http.StatusPreconditionFailed, "PRECONDITION_FAILED"},
		{&call.StateError{Op: "hold", State: call.Ringing, Reason: "not connected"}, http.StatusConflict, "CONFLICT"},
	} {
		status, code, _, ok := httpwire.Classify(tc.err)
		require.True(t, ok, "%v", tc.err)
		require.Equal(t, tc.status, status, "%v", tc.err)
		require.Equal(t, tc.code, code, "%v", tc.err)
	}
}
