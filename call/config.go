package call

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// Ring timeouts, in seconds, as Infobip's call-timeouts documents them.
const (
	MinTimeout             = 3
	MaxTimeout             = 60
	DefaultInboundTimeout  = 30
	DefaultOutboundTimeout = 45
)

// Timeouts is how long a call rings unanswered (Infobip's call-timeouts):
// Inbound, an offer at an agent; Outbound, a call at the customer. Each is
// in seconds, 3..60; 0 means its default (30 inbound, 45 outbound), as a
// null does on the wire, so the zero Timeouts is the defaults.
type Timeouts struct {
	Inbound  int
	Outbound int
}

// Validate checks each timeout, naming inbound or outbound.
func (t Timeouts) Validate() error {
	if err := validateTimeout("inbound", t.Inbound); err != nil {
		return err
	}
	return validateTimeout("outbound", t.Outbound)
}

func validateTimeout(field string, n int) error {
	if n != 0 && (n < MinTimeout || n > MaxTimeout) {
		return fault.Invalid(field, "must be between %d and %d", MinTimeout, MaxTimeout)
	}
	return nil
}

// Resolved returns t with each 0 replaced by its default: what GET answers.
func (t Timeouts) Resolved() Timeouts {
	if t.Inbound == 0 {
		t.Inbound = DefaultInboundTimeout
	}
	if t.Outbound == 0 {
		t.Outbound = DefaultOutboundTimeout
	}
	return t
}

// InboundTimeout is how long an offer rings at an agent.
func (t Timeouts) InboundTimeout() time.Duration {
	return time.Duration(t.Resolved().Inbound) * time.Second
}

// OutboundTimeout is how long an outbound call rings at the customer.
func (t Timeouts) OutboundTimeout() time.Duration {
	return time.Duration(t.Resolved().Outbound) * time.Second
}

// MaxWrapUpSeconds bounds every wrap-up length and extension: one day, the
// limit of the agent's own wrapUpSeconds. Infobip documents no maximum.
const MaxWrapUpSeconds = routing.MaxWrapUpSeconds

// DefaultWrapUpSeconds is the account's wrap-up length until it is set.
const DefaultWrapUpSeconds = 30

// WrapUpConfig is the account's wrap-up after calls (Infobip's
// account-wrap-up-config). It mirrors the wire, where all three fields are
// required, so its zero value is wrap-up turned off: an account that never
// set one has DefaultWrapUpConfig.
type WrapUpConfig struct {
	WrapUpSeconds   int  // length of a wrap-up, 0..MaxWrapUpSeconds
	CanExtendWrapUp bool // agents may extend their wrap-up
	Enabled         bool // calls are followed by wrap-up at all
}

// DefaultWrapUpConfig is the configuration of an account that never set
// one: 30 seconds, extensible, enabled.
func DefaultWrapUpConfig() WrapUpConfig {
	return WrapUpConfig{WrapUpSeconds: DefaultWrapUpSeconds, CanExtendWrapUp: true, Enabled: true}
}

// Validate checks WrapUpSeconds.
func (w WrapUpConfig) Validate() error {
	return validateWrapUpSeconds("wrapUpSeconds", w.WrapUpSeconds)
}

// ValidateAgentWrapUp checks an agent's own wrap-up length (Infobip's agent
// wrap-up configuration): nil, which defers to the account, or
// 0..MaxWrapUpSeconds.
func ValidateAgentWrapUp(seconds *int) error {
	if seconds == nil {
		return nil
	}
	return validateWrapUpSeconds("wrapUpSeconds", *seconds)
}

func validateWrapUpSeconds(field string, n int) error {
	if n < 0 || n > MaxWrapUpSeconds {
		return fault.Invalid(field, "must be between 0 and %d", MaxWrapUpSeconds)
	}
	return nil
}

// SecondsFor is the wrap-up length of an agent whose own setting is
// agentSeconds (nil: none): 0 when wrap-up is not Enabled, whatever the
// agent's setting; else the agent's setting when it has one; else
// WrapUpSeconds.
func (w WrapUpConfig) SecondsFor(agentSeconds *int) int {
	switch {
	case !w.Enabled:
		return 0
	case agentSeconds != nil:
		return *agentSeconds
	}
	return w.WrapUpSeconds
}

// WrapUp is an agent's wrap-up after a call: from Start until End, during
// which the agent is BUSY and gets no offers and no automatic assignments
// (routing.Agent.WrapUpUntil holds its End). The zero value is no wrap-up.
type WrapUp struct {
	Start time.Time
	End   time.Time
}

// Active reports whether the agent is wrapping up at time now: End is
// after now. A wrap-up is over at End exactly.
func (w WrapUp) Active(now time.Time) bool { return w.End.After(now) }

// StartWrapUp is the wrap-up an agent gets when its call ends at endedAt,
// given the account's configuration, the agent's own length (nil: none)
// and the wrap-up it may already be in. It lasts SecondsFor from endedAt;
// a running wrap-up that ends later is kept, so ending a call never
// shortens one; with a length of 0 the running wrap-up, if any, is all
// there is. A length over MaxWrapUpSeconds, which validation refuses,
// counts as MaxWrapUpSeconds.
func StartWrapUp(cfg WrapUpConfig, agentSeconds *int, endedAt time.Time, running WrapUp) WrapUp {
	if !running.Active(endedAt) {
		running = WrapUp{}
	}
	// Lengths come validated; the bound keeps an unchecked one from
	// overflowing the duration.
	n := min(cfg.SecondsFor(agentSeconds), MaxWrapUpSeconds)
	if n <= 0 {
		return running
	}
	w := WrapUp{Start: endedAt, End: endedAt.Add(time.Duration(n) * time.Second)}
	if running.End.After(w.End) {
		return running
	}
	return w
}

// Extend adds seconds to a running wrap-up (Infobip's wrap-up-time/add).
// It refuses, in this order: seconds not in 1..MaxWrapUpSeconds
// (ErrInvalid naming seconds); an account that does not allow extending
// (ErrForbidden); an agent not wrapping up at now (ErrState).
func (w WrapUp) Extend(cfg WrapUpConfig, seconds int, now time.Time) (WrapUp, error) {
	if seconds <= 0 || seconds > MaxWrapUpSeconds {
		return w, fault.Invalid("seconds", "must be between 1 and %d", MaxWrapUpSeconds)
	}
	if !cfg.Enabled || !cfg.CanExtendWrapUp {
		return w, fmt.Errorf("%w: extending wrap-up is not allowed on this account", fault.ErrForbidden)
	}
	if !w.Active(now) {
		return w, &StateError{Op: "extend wrap-up", Reason: "the agent is not wrapping up"}
	}
	w.End = w.End.Add(time.Duration(seconds) * time.Second)
	return w, nil
}

// Clear ends a running wrap-up at now (Infobip's wrap-up-time/clear) and
// reports whether there was one. Clearing when not wrapping up changes
// nothing and is no error: the agent is already out of wrap-up.
func (w WrapUp) Clear(now time.Time) (WrapUp, bool) {
	if !w.Active(now) {
		return w, false
	}
	w.End = now
	return w, true
}
