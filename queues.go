package parley

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// CreateQueue creates a queue. name is required and unique
// (ErrAlreadyExists); strategy defaults to LEAST_BUSY; an overflow queue
// must exist (ErrNotFound). A queue created as the default takes that role
// from the previous default.
func (s *Service) CreateQueue(ctx context.Context, in routing.Queue) (*routing.Queue, error) {
	if err := s.authorize(ctx, "CreateQueue"); err != nil {
		return nil, err
	}
	q, err := routing.NewQueue(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, err
	}
	var out *routing.Queue
	err = s.run(ctx, "CreateQueue", func(tx storage.Tx, rec *recorder) error {
		rec.now = q.CreatedAt
		if err := s.checkQueueReferences(ctx, tx, rec, q); err != nil {
			return err
		}
		if err := tx.CreateQueue(ctx, q); err != nil {
			return err
		}
		rec.add(storage.QueueCreated, "", q.ID, routingChanges(routing.DiffQueues(&routing.Queue{}, q)))
		out = q
		return nil
	})
	return out, err
}

// UpdateQueue applies a patch to a queue. Setting Default takes the role
// from the previous default queue. ErrNotFound when there is no such queue
// or overflow queue; ErrAlreadyExists when the new name is taken.
func (s *Service) UpdateQueue(ctx context.Context, id string, p routing.QueuePatch) (*routing.Queue, error) {
	if err := s.authorize(ctx, "UpdateQueue"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var out *routing.Queue
	err := s.run(ctx, "UpdateQueue", func(tx storage.Tx, rec *recorder) error {
		// The patch applies to the queue as it is once no other update of
		// it runs: two patches of different fields both stay.
		if err := tx.LockKey(ctx, queueKey(id)); err != nil {
			return err
		}
		q, err := tx.GetQueue(ctx, id)
		if err != nil {
			return err
		}
		before := q.Clone()
		changed, err := p.Apply(q, rec.now)
		if err != nil {
			return err
		}
		out = q
		if !changed {
			return nil
		}
		if err := s.checkQueueReferences(ctx, tx, rec, q); err != nil {
			return err
		}
		if err := tx.UpdateQueue(ctx, q); err != nil {
			return err
		}
		rec.add(storage.QueueUpdated, "", q.ID, routingChanges(routing.DiffQueues(before, q)))
		if q.AutoAssignment {
			rec.wakeQueues = append(rec.wakeQueues, q.ID)
		}
		return nil
	})
	return out, err
}

// checkQueueReferences checks the overflow queue and, for a queue becoming
// the default, demotes the previous default.
func (s *Service) checkQueueReferences(ctx context.Context, tx storage.Tx, rec *recorder, q *routing.Queue) error {
	if q.OverflowQueueID != "" {
		if _, err := tx.GetQueue(ctx, q.OverflowQueueID); err != nil {
			return fmt.Errorf("overflowQueueId: %w", err)
		}
	}
	if q.WorkingHoursID != "" {
		if _, err := tx.GetWorkingHours(ctx, q.WorkingHoursID); err != nil {
			return fmt.Errorf("workingHoursId: %w", err)
		}
	}
	if !q.Default {
		return nil
	}
	// One change of the default at a time, or two queues made the default
	// at once would both demote the old one and meet at the unique index.
	if err := tx.LockKey(ctx, defaultQueueKey); err != nil {
		return err
	}
	prev, err := tx.DefaultQueue(ctx)
	if errors.Is(err, fault.ErrNotFound) || err == nil && prev.ID == q.ID {
		return nil
	}
	if err != nil {
		return err
	}
	before := prev.Clone()
	no := false
	if _, err := (routing.QueuePatch{Default: &no}).Apply(prev, rec.now); err != nil {
		return err
	}
	if err := tx.UpdateQueue(ctx, prev); err != nil {
		return err
	}
	rec.add(storage.QueueUpdated, "", prev.ID, routingChanges(routing.DiffQueues(before, prev)))
	return nil
}

// GetQueue returns the queue with its members. ErrNotFound when there is
// none.
func (s *Service) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	return read(s, ctx, "GetQueue", func() (*routing.Queue, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetQueue(ctx, id)
	})
}

// ListQueues returns a page of the queues q selects, in q's order (by id
// when it names none); see storage.QueueQuery. ErrInvalid for a bad query.
func (s *Service) ListQueues(ctx context.Context, q storage.QueueQuery) (storage.Page[*routing.Queue], error) {
	return read(s, ctx, "ListQueues", func() (storage.Page[*routing.Queue], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*routing.Queue]{}, err
		}
		return s.store.ListQueues(ctx, q)
	})
}

// AddQueueMember makes an agent a member of a queue and returns the queue
// with its members; adding a member again changes nothing. ErrNotFound when
// the queue or agent does not exist.
func (s *Service) AddQueueMember(ctx context.Context, queueID, agentID string) (*routing.Queue, error) {
	return s.membership(ctx, "AddQueueMember", queueID, agentID, true)
}

// RemoveQueueMember ends an agent's membership of a queue and returns the
// queue with its members. ErrNotFound when the agent is not a member.
func (s *Service) RemoveQueueMember(ctx context.Context, queueID, agentID string) (*routing.Queue, error) {
	return s.membership(ctx, "RemoveQueueMember", queueID, agentID, false)
}

func (s *Service) membership(ctx context.Context, op, queueID, agentID string, add bool) (*routing.Queue, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("queueId", queueID); err != nil {
		return nil, err
	}
	if err := checkID("agentId", agentID); err != nil {
		return nil, err
	}
	var out *routing.Queue
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		// Automatic assignment reads the membership under this lock: it
		// either sees the change or commits before it.
		if _, err := tx.LockAgent(ctx, agentID); err != nil {
			return err
		}
		if add {
			added, err := tx.AddQueueMember(ctx, queueID, agentID)
			if err != nil {
				return err
			}
			if added {
				rec.add(storage.QueueMemberAdded, "", queueID, []storage.Change{change("agentId", nil, agentID)})
				rec.wakeQueues = append(rec.wakeQueues, queueID)
			}
		} else {
			if err := tx.RemoveQueueMember(ctx, queueID, agentID); err != nil {
				return err
			}
			rec.add(storage.QueueMemberRemoved, "", queueID, []storage.Change{change("agentId", agentID, nil)})
		}
		var err error
		out, err = tx.GetQueue(ctx, queueID)
		return err
	})
	return out, err
}

// The LockKey keys of queue updates: one queue's, and the default's (always
// taken after a queue's, never before).
func queueKey(id string) string { return "queue\x00" + id }

const defaultQueueKey = "queue-default"
