package call_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
)

func TestLeave(t *testing.T) {
	t.Parallel()
	f := fixtures(t)
	for _, reason := range []call.EndReason{call.MaximumWaitTime, call.CallbackRequested, call.ReturnedToIVR} {
		for _, name := range []string{"queued", "ringing"} {
			c, ch, err := f[name].Leave(reason, soon)
			require.NoError(t, err)
			require.NoError(t, c.Validate())
			require.Equal(t, call.Ended, c.State)
			require.Equal(t, reason, c.EndReason)
			require.Empty(t, c.AgentID)
			require.Empty(t, ch.WrapUp, "nobody talked on it")
			if name == "ringing" {
				require.Equal(t, "a1", ch.Released, "the offer is withdrawn")
			}
		}
		for _, name := range []string{"dialing", "connected", "ended"} {
			_, _, err := f[name].Leave(reason, soon)
			require.ErrorIs(t, err, call.ErrState, name)
		}
	}
	for _, reason := range []call.EndReason{call.CustomerHangUp, call.Transferred, "", "BORED"} {
		_, _, err := f["queued"].Leave(reason, soon)
		requireField(t, err, "endReason")
	}
}
