package parley

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

// holdConfigsKey is the key every change of hold configurations locks
// before it reads the others: two changes, on this instance or another one
// on the same database, run one after the other, so that two cannot both
// claim one queue or both make a default (call.HoldConflicts).
const holdConfigsKey = "hold-configs"

// CreateHoldConfig creates a hold configuration (Infobip's
// hold-configs-per-queue): what a customer put on hold hears in the
// configuration's queues, or, for the default one, in every other queue.
// Every field is checked (call.HoldConfig.Validate); every queue named
// must exist (ErrNotFound); a queue another configuration names, or a
// second default, is ErrConflict. A caller-supplied id that exists is
// ErrAlreadyExists.
func (s *Service) CreateHoldConfig(ctx context.Context, in call.HoldConfig) (*call.HoldConfig, error) {
	if err := s.authorize(ctx, "CreateHoldConfig"); err != nil {
		return nil, err
	}
	h := in.Clone()
	if h.ID == "" {
		h.ID = s.newID()
	}
	if err := checkID("id", h.ID); err != nil {
		return nil, err
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, "CreateHoldConfig", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, holdConfigsKey); err != nil {
			return err
		}
		if err := checkHoldConfig(ctx, tx, h); err != nil {
			return err
		}
		h.CreatedAt, h.UpdatedAt = rec.now, rec.now
		if err := tx.CreateHoldConfig(ctx, h); err != nil {
			return err
		}
		rec.add(storage.HoldConfigCreated, "", h.ID, holdConfigChanges(nil, h))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// GetHoldConfig returns the hold configuration. ErrNotFound when there is
// none with that id.
func (s *Service) GetHoldConfig(ctx context.Context, id string) (*call.HoldConfig, error) {
	return read(s, ctx, "GetHoldConfig", func() (*call.HoldConfig, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetHoldConfig(ctx, id)
	})
}

// ListHoldConfigs returns a page of hold configurations in id order.
func (s *Service) ListHoldConfigs(ctx context.Context, q storage.HoldConfigQuery) (storage.Page[*call.HoldConfig], error) {
	return read(s, ctx, "ListHoldConfigs", func() (storage.Page[*call.HoldConfig], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*call.HoldConfig]{}, err
		}
		return s.store.ListHoldConfigs(ctx, q)
	})
}

// ReplaceHoldConfig replaces every field of the hold configuration but its
// id and creation time (Infobip's PUT), checked as CreateHoldConfig
// checks them. Calls already on hold hear the new configuration from
// their next hold.
func (s *Service) ReplaceHoldConfig(ctx context.Context, id string, in call.HoldConfig) (*call.HoldConfig, error) {
	if err := s.authorize(ctx, "ReplaceHoldConfig"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	h := in.Clone()
	h.ID = id
	if err := h.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, "ReplaceHoldConfig", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, holdConfigsKey); err != nil {
			return err
		}
		old, err := tx.GetHoldConfig(ctx, id)
		if err != nil {
			return err
		}
		if err := checkHoldConfig(ctx, tx, h); err != nil {
			return err
		}
		h.CreatedAt, h.UpdatedAt = old.CreatedAt, rec.now
		if err := tx.UpdateHoldConfig(ctx, h); err != nil {
			return err
		}
		rec.add(storage.HoldConfigUpdated, "", h.ID, holdConfigChanges(old, h))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// DeleteHoldConfig deletes the hold configuration; its queues' calls hear
// the default one, if any, from their next hold.
func (s *Service) DeleteHoldConfig(ctx context.Context, id string) error {
	if err := s.authorize(ctx, "DeleteHoldConfig"); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return err
	}
	return s.run(ctx, "DeleteHoldConfig", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, holdConfigsKey); err != nil {
			return err
		}
		if err := tx.DeleteHoldConfig(ctx, id); err != nil {
			return err
		}
		rec.add(storage.HoldConfigDeleted, "", id, nil)
		return nil
	})
}

// HoldConfigFor returns the hold configuration that applies to a call held
// in queueID now (call.HoldConfigFor): the enabled one naming the queue,
// else the enabled default; nil when none applies.
func (s *Service) HoldConfigFor(ctx context.Context, queueID string) (*call.HoldConfig, error) {
	return read(s, ctx, "HoldConfigFor", func() (*call.HoldConfig, error) {
		if queueID != "" {
			if err := checkID("queueId", queueID); err != nil {
				return nil, err
			}
		}
		all, err := allHoldConfigs(ctx, s.store)
		if err != nil {
			return nil, err
		}
		return call.HoldConfigFor(all, queueID).Clone(), nil
	})
}

// checkHoldConfig checks h against the other hold configurations and the
// queues, under the lock of holdConfigsKey: every queue it names exists, and it conflicts
// with none (call.HoldConflicts).
func checkHoldConfig(ctx context.Context, tx storage.Tx, h *call.HoldConfig) error {
	for _, q := range h.QueueIDs {
		if _, err := tx.GetQueue(ctx, q); err != nil {
			return err
		}
	}
	all, err := allHoldConfigs(ctx, tx)
	if err != nil {
		return err
	}
	return call.HoldConflicts(all, h)
}

// allHoldConfigs reads every hold configuration: a contact centre has at
// most one per queue and a default, tens, not millions.
func allHoldConfigs(ctx context.Context, r storage.Reader) ([]*call.HoldConfig, error) {
	var out []*call.HoldConfig
	q := storage.HoldConfigQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
	for {
		page, err := r.ListHoldConfigs(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// holdConfigChanges lists what an event of a hold configuration carries:
// its name, queues and flags, before (nil for a new one) and after.
func holdConfigChanges(before, after *call.HoldConfig) []storage.Change {
	var out []storage.Change
	var b call.HoldConfig
	if before != nil {
		b = *before
	}
	if before == nil || b.Name != after.Name {
		out = append(out, change("name", nilIf(before == nil, b.Name), after.Name))
	}
	if before == nil || !slices.Equal(b.QueueIDs, after.QueueIDs) {
		out = append(out, change("queueIds", nilIf(before == nil, b.QueueIDs), after.QueueIDs))
	}
	if before == nil || b.Enabled != after.Enabled {
		out = append(out, change("enabled", nilIf(before == nil, b.Enabled), after.Enabled))
	}
	if before == nil || b.Default != after.Default {
		out = append(out, change("default", nilIf(before == nil, b.Default), after.Default))
	}
	return out
}

// nilIf is nil when none is set, else v.
func nilIf(none bool, v any) any {
	if none {
		return nil
	}
	return v
}

// holdCall puts the customer of connected call id on hold, and says in the
// call.held event which hold configuration applies (a "holdConfigId"
// change), so that the host knows what to play: the one of the call's
// queue, else the default (call.HoldConfigFor). The event has no such
// change when none applies (silence, or the host's own default).
func (s *Service) holdCall(ctx context.Context, id string) (*call.Call, error) {
	if err := s.authorize(ctx, "HoldCall"); err != nil {
		return nil, err
	}
	if err := checkID("callId", id); err != nil {
		return nil, err
	}
	var out *call.Call
	err := s.run(ctx, "HoldCall", func(tx storage.Tx, rec *recorder) error {
		cl, err := tx.LockCall(ctx, id)
		if err != nil {
			return err
		}
		n, ch, err := cl.Hold(rec.now)
		if err != nil {
			return err
		}
		if out, err = s.applyCallChange(ctx, tx, rec, cl, n, ch, nil); err != nil {
			return err
		}
		all, err := allHoldConfigs(ctx, tx)
		if err != nil {
			return err
		}
		h := call.HoldConfigFor(all, out.QueueID)
		if h == nil {
			return nil
		}
		for _, e := range slices.Backward(rec.events) {
			if e.Type == storage.CallHeld && e.EntityID == id {
				e.Changes = append(e.Changes, change("holdConfigId", nil, h.ID))
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
