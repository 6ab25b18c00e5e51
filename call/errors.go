package call

import (
	"errors"

	"github.com/parleyhq/parley/fault"
)

// ErrState is the sentinel of a transition or an action that the current
// state does not allow: holding a call that is not connected, accepting
// one that is not ringing, anything on an ENDED call, extending a wrap-up
// that is not running. Every *StateError matches it, and fault.ErrConflict
// too: the request conflicts with the state of the call or the agent.
var ErrState = errors.New("not allowed in this state")

// StateError is a refused transition: what was asked, in which state, and
// why not.
type StateError struct {
	Op     string // the transition asked for, e.g. "hold"
	State  State  // the call's state; "" for an agent's wrap-up
	Reason string // why it is refused
}

// Error implements error.
func (e *StateError) Error() string {
	if e.State == "" {
		return "cannot " + e.Op + ": " + e.Reason
	}
	return "cannot " + e.Op + " (the call is " + string(e.State) + "): " + e.Reason
}

// Is makes errors.Is hold for ErrState and fault.ErrConflict.
func (e *StateError) Is(target error) bool {
	return target == ErrState || target == fault.ErrConflict
}
