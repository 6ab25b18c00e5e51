package parley

import (
	"context"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// CreateAgent creates an agent. displayName is required; role defaults to
// AGENT, status to INVISIBLE, capacity to 5, and the agent is enabled unless
// Disabled is set. A caller-supplied id that exists is ErrAlreadyExists.
func (s *Service) CreateAgent(ctx context.Context, in routing.Agent) (*routing.Agent, error) {
	if err := s.authorize(ctx, "CreateAgent"); err != nil {
		return nil, err
	}
	a, err := routing.NewAgent(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, err
	}
	var out *routing.Agent
	err = s.run(ctx, "CreateAgent", func(tx storage.Tx, rec *recorder) error {
		rec.now = a.CreatedAt
		if err := tx.CreateAgent(ctx, a); err != nil {
			return err
		}
		rec.add(storage.AgentCreated, "", a.ID, routingChanges(routing.DiffAgents(&routing.Agent{}, a)))
		out = a
		return nil
	})
	return out, err
}

// GetAgent returns the agent with its queue memberships. ErrNotFound when
// there is none.
func (s *Service) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return read(s, ctx, "GetAgent", func() (*routing.Agent, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetAgent(ctx, id)
	})
}

// ListAgents returns a page of the agents q selects, in q's order (by id
// when it names none); see storage.AgentQuery. ErrInvalid for a bad query.
func (s *Service) ListAgents(ctx context.Context, q storage.AgentQuery) (storage.Page[*routing.Agent], error) {
	return read(s, ctx, "ListAgents", func() (storage.Page[*routing.Agent], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*routing.Agent]{}, err
		}
		return s.store.ListAgents(ctx, q)
	})
}

// UpdateAgent applies a patch to an agent: status changes included. A patch
// that changes nothing writes nothing. ErrNotFound when there is no such
// agent.
func (s *Service) UpdateAgent(ctx context.Context, id string, p routing.AgentPatch) (*routing.Agent, error) {
	if err := s.authorize(ctx, "UpdateAgent"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *routing.Agent
	err := s.run(ctx, "UpdateAgent", func(tx storage.Tx, rec *recorder) error {
		a, err := tx.LockAgent(ctx, id)
		if err != nil {
			return err
		}
		before := a.Clone()
		changed, err := p.Apply(a, rec.now)
		if err != nil {
			return err
		}
		out = a
		if !changed {
			return nil
		}
		if err := tx.UpdateAgent(ctx, a); err != nil {
			return err
		}
		rec.add(storage.AgentUpdated, "", a.ID, routingChanges(routing.DiffAgents(before, a)))
		if routing.GainedRoom(before, a) {
			rec.wakeAgents = append(rec.wakeAgents, a.ID)
		}
		return nil
	})
	return out, err
}
