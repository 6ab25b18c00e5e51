package parley

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// WithHeartbeatPolicy sets how long an agent's heartbeat keeps it present
// and what happens to its conversations when the heartbeat lapses (see
// routing.HeartbeatPolicy; the default is two minutes, keep them). An
// invalid policy is refused by New's caller at the first heartbeat rule it
// reaches: it panics here, as a misconfiguration of the host's code.
func WithHeartbeatPolicy(p routing.HeartbeatPolicy) Option {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return func(s *Service) { s.heartbeat = p }
}

// Heartbeat records that the agent's client is alive, at the service's
// clock: one small write and no event. The agent's first heartbeat, and
// the first after a lapse the runner reported, is recorded as
// agent.heartbeat_resumed, and lets the agent be offered queued calls.
// ErrNotFound when there is no such agent.
func (s *Service) Heartbeat(ctx context.Context, agentID string) (err error) {
	const op = "Heartbeat"
	if err := s.authorize(ctx, op); err != nil {
		return err
	}
	if err := checkID("agentId", agentID); err != nil {
		return err
	}
	start := time.Now()
	now := s.clock()
	wasPresent, err := func() (bool, error) {
		defer func() { s.observe(ctx, op, start, err) }()
		return storage.RecordHeartbeat(ctx, s.store, agentID, now)
	}()
	if err != nil || wasPresent {
		return err
	}
	return s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		rec.add(storage.AgentReturned, "", agentID, []storage.Change{change("lastHeartbeat", nil, now)})
		rec.wakeAgents = append(rec.wakeAgents, agentID)
		return nil
	})
}

// AgentAvailability returns the agent's availability now: its derived
// status and whether it may get conversations and calls (see
// routing.AvailabilityOf). ErrNotFound when there is no such agent.
func (s *Service) AgentAvailability(ctx context.Context, agentID string) (routing.Availability, error) {
	return read(s, ctx, "AgentAvailability", func() (routing.Availability, error) {
		if err := checkID("agentId", agentID); err != nil {
			return routing.Availability{}, err
		}
		p, err := s.presence(ctx, s.store, agentID)
		if err != nil {
			return routing.Availability{}, err
		}
		return routing.AvailabilityOf(p, s.heartbeat, s.clock()), nil
	})
}

// AgentAvailabilities returns the availability of each agent of ids that
// exists, by id, read in one go: for showing a page of agents.
func (s *Service) AgentAvailabilities(ctx context.Context, ids ...string) (map[string]routing.Availability, error) {
	return read(s, ctx, "AgentAvailabilities", func() (map[string]routing.Availability, error) {
		if len(ids) > storage.MaxLimit {
			return nil, fault.Invalid("agentIds", "at most %d values", storage.MaxLimit)
		}
		for _, id := range ids {
			if err := checkID("agentIds", id); err != nil {
				return nil, err
			}
		}
		ps, err := s.store.AgentPresences(ctx, ids...)
		if err != nil {
			return nil, err
		}
		now := s.clock()
		out := make(map[string]routing.Availability, len(ps))
		for _, p := range ps {
			out[p.Agent.ID] = routing.AvailabilityOf(p, s.heartbeat, now)
		}
		return out, nil
	})
}

// CallTimeouts returns the account's ring timeouts, with the defaults
// filled in (Infobip's call-timeouts).
func (s *Service) CallTimeouts(ctx context.Context) (call.Timeouts, error) {
	return read(s, ctx, "CallTimeouts", func() (call.Timeouts, error) {
		t, err := s.callTimeouts(ctx, s.store)
		return t.Resolved(), err
	})
}

// SetCallTimeouts replaces the account's ring timeouts (0 stands for the
// default) and returns them resolved. Bad values are ErrInvalid naming
// the field.
func (s *Service) SetCallTimeouts(ctx context.Context, t call.Timeouts) (call.Timeouts, error) {
	if err := s.authorize(ctx, "SetCallTimeouts"); err != nil {
		return call.Timeouts{}, err
	}
	if err := t.Validate(); err != nil {
		return call.Timeouts{}, err
	}
	err := s.putSetting(ctx, "SetCallTimeouts", storage.SettingCallTimeouts, t)
	return t.Resolved(), err
}

// ResetCallTimeouts restores the default ring timeouts and returns them.
func (s *Service) ResetCallTimeouts(ctx context.Context) (call.Timeouts, error) {
	if err := s.authorize(ctx, "ResetCallTimeouts"); err != nil {
		return call.Timeouts{}, err
	}
	err := s.putSetting(ctx, "ResetCallTimeouts", storage.SettingCallTimeouts, nil)
	return call.Timeouts{}.Resolved(), err
}

// WrapUpConfig returns the account's wrap-up configuration (Infobip's
// account-wrap-up-config); call.DefaultWrapUpConfig until one is set.
func (s *Service) WrapUpConfig(ctx context.Context) (call.WrapUpConfig, error) {
	return read(s, ctx, "WrapUpConfig", func() (call.WrapUpConfig, error) {
		return s.wrapUpConfig(ctx, s.store)
	})
}

// SetWrapUpConfig replaces the account's wrap-up configuration. It applies
// to calls that end from now on; wrap-ups running keep their end.
func (s *Service) SetWrapUpConfig(ctx context.Context, cfg call.WrapUpConfig) (call.WrapUpConfig, error) {
	if err := s.authorize(ctx, "SetWrapUpConfig"); err != nil {
		return call.WrapUpConfig{}, err
	}
	if err := cfg.Validate(); err != nil {
		return call.WrapUpConfig{}, err
	}
	return cfg, s.putSetting(ctx, "SetWrapUpConfig", storage.SettingWrapUp, cfg)
}

// SetAgentCallWrapUp sets the agent's own wrap-up length after a call
// (Infobip's agent wrap-up config); nil defers to the account's.
func (s *Service) SetAgentCallWrapUp(ctx context.Context, agentID string, seconds *int) (*routing.Agent, error) {
	if err := s.authorize(ctx, "SetAgentCallWrapUp"); err != nil {
		return nil, err
	}
	if err := checkID("agentId", agentID); err != nil {
		return nil, err
	}
	if err := call.ValidateAgentWrapUp(seconds); err != nil {
		return nil, err
	}
	var out *routing.Agent
	err := s.run(ctx, "SetAgentCallWrapUp", func(tx storage.Tx, rec *recorder) error {
		a, err := tx.LockAgent(ctx, agentID)
		if err != nil {
			return err
		}
		before := a.Clone()
		a.CallWrapUpSeconds = seconds
		out = a
		diff := routing.DiffAgents(before, a)
		if len(diff) == 0 {
			return nil
		}
		a.UpdatedAt = rec.now
		if err := tx.UpdateAgent(ctx, a); err != nil {
			return err
		}
		rec.add(storage.AgentUpdated, "", a.ID, routingChanges(diff))
		return nil
	})
	return out, err
}

// ExtendWrapUp adds seconds to the agent's running wrap-up (Infobip's
// wrap-up-time/add): 1..86400 seconds (ErrInvalid), on an account that
// allows it (ErrForbidden), while the agent is wrapping up (call.ErrState).
func (s *Service) ExtendWrapUp(ctx context.Context, agentID string, seconds int) (*routing.Agent, error) {
	return s.changeWrapUp(ctx, "ExtendWrapUp", agentID, func(cfg call.WrapUpConfig, w call.WrapUp, now time.Time) (call.WrapUp, error) {
		return w.Extend(cfg, seconds, now)
	})
}

// ClearWrapUp ends the agent's wrap-up now (Infobip's wrap-up-time/clear):
// the agent may be offered calls and conversations at once. Clearing when
// the agent is not wrapping up changes nothing.
func (s *Service) ClearWrapUp(ctx context.Context, agentID string) (*routing.Agent, error) {
	return s.changeWrapUp(ctx, "ClearWrapUp", agentID, func(_ call.WrapUpConfig, w call.WrapUp, now time.Time) (call.WrapUp, error) {
		w, _ = w.Clear(now)
		return w, nil
	})
}

func (s *Service) changeWrapUp(ctx context.Context, op, agentID string, step func(call.WrapUpConfig, call.WrapUp, time.Time) (call.WrapUp, error)) (*routing.Agent, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("agentId", agentID); err != nil {
		return nil, err
	}
	var out *routing.Agent
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		cfg, err := s.wrapUpConfig(ctx, tx)
		if err != nil {
			return err
		}
		a, err := tx.LockAgent(ctx, agentID)
		if err != nil {
			return err
		}
		out = a
		w, err := step(cfg, call.WrapUp{End: a.WrapUpUntil}, rec.now)
		if err != nil || w.End.Equal(a.WrapUpUntil) {
			return err
		}
		before := a.WrapUpUntil
		a.WrapUpUntil = w.End
		if err := tx.UpdateAgent(ctx, a); err != nil {
			return err
		}
		rec.add(storage.AgentWrapUpChanged, "", a.ID, []storage.Change{change("wrapUpUntil", before, a.WrapUpUntil)})
		if !w.Active(rec.now) {
			rec.wakeAgents = append(rec.wakeAgents, a.ID)
		}
		return nil
	})
	return out, err
}

// callTimeouts reads the account's ring timeouts (zero values for the
// defaults).
func (s *Service) callTimeouts(ctx context.Context, r storage.Reader) (call.Timeouts, error) {
	var t call.Timeouts
	return t, s.getSetting(ctx, r, storage.SettingCallTimeouts, &t)
}

// wrapUpConfig reads the account's wrap-up configuration.
func (s *Service) wrapUpConfig(ctx context.Context, r storage.Reader) (call.WrapUpConfig, error) {
	cfg := call.DefaultWrapUpConfig()
	return cfg, s.getSetting(ctx, r, storage.SettingWrapUp, &cfg)
}

// settingJSON is how settings are stored: JSON of the config type, whose
// field names are the wire's.
type settingJSON struct {
	Inbound         *int  `json:"inbound,omitempty"`
	Outbound        *int  `json:"outbound,omitempty"`
	WrapUpSeconds   *int  `json:"wrapUpSeconds,omitempty"`
	CanExtendWrapUp *bool `json:"canExtendWrapUp,omitempty"`
	Enabled         *bool `json:"enabled,omitempty"`
}

// getSetting decodes the setting under key into v (a *call.Timeouts or a
// *call.WrapUpConfig), leaving v as it is when none is stored.
func (s *Service) getSetting(ctx context.Context, r storage.Reader, key string, v any) error {
	b, err := r.GetSetting(ctx, key)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var j settingJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("setting %s is not readable: %w", key, err)
	}
	switch v := v.(type) {
	case *call.Timeouts:
		setIf(&v.Inbound, j.Inbound)
		setIf(&v.Outbound, j.Outbound)
	case *call.WrapUpConfig:
		setIf(&v.WrapUpSeconds, j.WrapUpSeconds)
		setIf(&v.CanExtendWrapUp, j.CanExtendWrapUp)
		setIf(&v.Enabled, j.Enabled)
	}
	return nil
}

// putSetting stores v (a call.Timeouts, a call.WrapUpConfig, or nil to
// delete) under key, with a settings.updated event.
func (s *Service) putSetting(ctx context.Context, op, key string, v any) error {
	var j settingJSON
	switch v := v.(type) {
	case call.Timeouts:
		j.Inbound, j.Outbound = &v.Inbound, &v.Outbound
	case call.WrapUpConfig:
		j.WrapUpSeconds, j.CanExtendWrapUp, j.Enabled = &v.WrapUpSeconds, &v.CanExtendWrapUp, &v.Enabled
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		before, err := tx.GetSetting(ctx, key)
		if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return err
		}
		if v == nil {
			if _, err := tx.DeleteSetting(ctx, key); err != nil {
				return err
			}
			b = nil
		} else if err := tx.PutSetting(ctx, key, b); err != nil {
			return err
		}
		if string(before) != string(b) {
			rec.add(storage.SettingsUpdated, "", key, []storage.Change{{Field: key, Before: before, After: b}})
		}
		return nil
	})
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
