package message

import (
	"fmt"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// CheckReply applies the reply matrix to an OUTBOUND message. assignee is
// the conversation's assignee (nil when unassigned) and actor the agent
// sending the message (nil when the host names no actor):
//
//	conversation is          | no actor  | actor is an AGENT       | actor is a SUPERVISOR
//	Unassigned               | OK        | ErrForbidden            | ErrForbidden
//	assigned to an AGENT     | Forbidden | OK only if the assignee | OK
//	assigned to a SUPERVISOR | Forbidden | ErrForbidden            | OK
//
// A disabled actor is ErrForbidden whatever the conversation. Resolving the
// actor id (ErrNotFound for an unknown one) is the caller's job.
func CheckReply(assignee, actor *routing.Agent) error {
	if actor != nil && actor.Disabled {
		return fmt.Errorf("agent %q is disabled: %w", actor.ID, fault.ErrForbidden)
	}
	switch {
	case assignee == nil && actor == nil:
		return nil
	case assignee == nil:
		return fmt.Errorf("agent %q may not reply to an unassigned conversation: %w", actor.ID, fault.ErrForbidden)
	case actor == nil:
		return fmt.Errorf("conversation is assigned: a reply needs the sending agent: %w", fault.ErrForbidden)
	case actor.Role == routing.RoleSupervisor:
		return nil
	case assignee.Role == routing.RoleAgent && actor.ID == assignee.ID:
		return nil
	default:
		return fmt.Errorf("agent %q may reply only to conversations assigned to them: %w", actor.ID, fault.ErrForbidden)
	}
}
