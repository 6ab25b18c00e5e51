package parley

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// RoutingRules returns the routing rules in evaluation order.
func (s *Service) RoutingRules(ctx context.Context) ([]routing.Rule, error) {
	return read(s, ctx, "RoutingRules", func() ([]routing.Rule, error) {
		return s.store.ListRules(ctx)
	})
}

// SetRoutingRules replaces the whole ordered rule list. Rules without an id
// get one; every rule's queue must exist (ErrNotFound). Concurrent
// replacements never fail for each other: they run one after the other,
// and the list is always one of them, whole.
func (s *Service) SetRoutingRules(ctx context.Context, rules []routing.Rule) ([]routing.Rule, error) {
	if err := s.authorize(ctx, "SetRoutingRules"); err != nil {
		return nil, err
	}
	next := make([]routing.Rule, len(rules))
	for i, r := range rules {
		next[i] = r.Clone()
		if next[i].ID == "" {
			next[i].ID = s.newID()
		}
	}
	if err := routing.ValidateRules(next); err != nil {
		return nil, err
	}
	err := s.run(ctx, "SetRoutingRules", func(tx storage.Tx, rec *recorder) error {
		// One replacement at a time, so that the event's list before is
		// the list this one replaces: concurrent replacements each win in
		// turn, whole, and the last to commit stays.
		if err := tx.LockKey(ctx, routingRulesKey); err != nil {
			return err
		}
		for i, r := range next {
			if _, err := tx.GetQueue(ctx, r.QueueID); err != nil {
				return fmt.Errorf("rules[%d].queueId: %w", i, err)
			}
			if r.WorkingHoursID == "" {
				continue
			}
			if _, err := tx.GetWorkingHours(ctx, r.WorkingHoursID); err != nil {
				return fmt.Errorf("rules[%d].workingHoursId: %w", i, err)
			}
		}
		prev, err := tx.ListRules(ctx)
		if err != nil {
			return err
		}
		if err := tx.ReplaceRules(ctx, next); err != nil {
			return err
		}
		rec.add(storage.RoutingRulesReplaced, "", "", []storage.Change{change("rules", ruleIDs(prev), ruleIDs(next))})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// routingRulesKey is the LockKey key of the routing rules.
const routingRulesKey = "routing-rules"

func ruleIDs(rules []routing.Rule) []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}
