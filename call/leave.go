package call

import (
	"time"

	"github.com/parleyhq/parley/fault"
)

// Leave ends a QUEUED or RINGING inbound call for a reason its waiting
// strategy decided (package waiting): MAXIMUM_WAIT_TIME when the caller
// waited the maximum and no overflow took the call, CALLBACK_REQUESTED
// when the caller asked to be called back, RETURNED_TO_IVR when the caller
// chose to go back to the host's IVR. An offer ringing is withdrawn: the
// agent is released (Change.Released). Any other reason is ErrInvalid
// naming endReason.
func (c *Call) Leave(reason EndReason, now time.Time) (*Call, Change, error) {
	switch reason {
	case MaximumWaitTime, CallbackRequested, ReturnedToIVR:
	default:
		return nil, Change{}, fault.Invalid("endReason", "a waiting call does not leave with %q", reason)
	}
	if err := c.need("leave the queue with", Queued, Ringing); err != nil {
		return nil, Change{}, err
	}
	return c.end(reason, now)
}
