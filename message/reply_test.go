package message_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

func agent(id string, role routing.Role) *routing.Agent {
	return &routing.Agent{ID: id, DisplayName: id, Role: role}
}

func disabled(a *routing.Agent) *routing.Agent {
	a.Disabled = true
	return a
}

// TestCheckReply walks every cell of the reply matrix: the conversation
// unassigned, assigned to an AGENT or to a SUPERVISOR, against no actor, the
// assignee, another AGENT, a SUPERVISOR, and disabled actors.
func TestCheckReply(t *testing.T) {
	t.Parallel()
	var (
		agentA      = agent("agent-a", routing.RoleAgent)
		agentB      = agent("agent-b", routing.RoleAgent)
		supervisorS = agent("sup-s", routing.RoleSupervisor)
		supervisorT = agent("sup-t", routing.RoleSupervisor)
	)
	tests := []struct {
		name     string
		assignee *routing.Agent // nil: unassigned
		actor    *routing.Agent // nil: no actor
		ok       bool
	}{
		{"unassigned, no actor", nil, nil, true},
		{"unassigned, an AGENT", nil, agentA, false},
		{"unassigned, a SUPERVISOR", nil, supervisorS, false},
		{"unassigned, a disabled AGENT", nil, disabled(agent("agent-x", routing.RoleAgent)), false},
		{"unassigned, a disabled SUPERVISOR", nil, disabled(agent("sup-x", routing.RoleSupervisor)), false},

		{"assigned to an AGENT, no actor", agentA, nil, false},
		{"assigned to an AGENT, the assignee", agentA, agentA, true},
		{"assigned to an AGENT, the assignee by another value", agentA, agent("agent-a", routing.RoleAgent), true},
		{"assigned to an AGENT, another AGENT", agentA, agentB, false},
		{"assigned to an AGENT, a SUPERVISOR", agentA, supervisorS, true},
		{"assigned to an AGENT, the assignee disabled", agentA, disabled(agent("agent-a", routing.RoleAgent)), false},
		{"assigned to an AGENT, a disabled SUPERVISOR", agentA, disabled(agent("sup-x", routing.RoleSupervisor)), false},
		{"assigned to a disabled AGENT, a SUPERVISOR", disabled(agent("agent-y", routing.RoleAgent)), supervisorS, true},

		{"assigned to a SUPERVISOR, no actor", supervisorS, nil, false},
		{"assigned to a SUPERVISOR, an AGENT", supervisorS, agentA, false},
		{"assigned to a SUPERVISOR, the assignee", supervisorS, supervisorS, true},
		{"assigned to a SUPERVISOR, another SUPERVISOR", supervisorS, supervisorT, true},
		{"assigned to a SUPERVISOR, the assignee disabled", supervisorS, disabled(agent("sup-s", routing.RoleSupervisor)), false},
		{"assigned to a SUPERVISOR, an AGENT with the assignee's id", supervisorS, agent("sup-s", routing.RoleAgent), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := message.CheckReply(tt.assignee, tt.actor)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, storage.ErrForbidden)
		})
	}
}
