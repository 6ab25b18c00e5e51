package call_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
)

func TestTimeouts(t *testing.T) {
	t.Parallel()
	var def call.Timeouts
	require.NoError(t, def.Validate())
	require.Equal(t, call.Timeouts{Inbound: 30, Outbound: 45}, def.Resolved(), "Infobip's defaults")
	require.Equal(t, 30*time.Second, def.InboundTimeout())
	require.Equal(t, 45*time.Second, def.OutboundTimeout())

	set := call.Timeouts{Inbound: 3, Outbound: 60}
	require.NoError(t, set.Validate())
	require.Equal(t, set, set.Resolved())
	require.Equal(t, 3*time.Second, set.InboundTimeout())
	require.Equal(t, time.Minute, set.OutboundTimeout())

	// Null (0) on one side resolves that side only.
	require.Equal(t, call.Timeouts{Inbound: 10, Outbound: 45}, call.Timeouts{Inbound: 10}.Resolved())

	for _, n := range []int{-1, 1, 2, 61, 1000} {
		requireField(t, call.Timeouts{Inbound: n}.Validate(), "inbound")
		requireField(t, call.Timeouts{Outbound: n}.Validate(), "outbound")
	}
	for _, n := range []int{0, 3, 4, 59, 60} {
		require.NoError(t, call.Timeouts{Inbound: n, Outbound: n}.Validate(), n)
	}
}

func TestWrapUpConfig(t *testing.T) {
	t.Parallel()
	require.Equal(t, call.WrapUpConfig{WrapUpSeconds: 30, CanExtendWrapUp: true, Enabled: true}, call.DefaultWrapUpConfig())
	require.NoError(t, call.DefaultWrapUpConfig().Validate())
	require.NoError(t, call.WrapUpConfig{}.Validate(), "the zero config is wrap-up off")
	require.NoError(t, call.WrapUpConfig{WrapUpSeconds: call.MaxWrapUpSeconds}.Validate())
	requireField(t, call.WrapUpConfig{WrapUpSeconds: -1}.Validate(), "wrapUpSeconds")
	requireField(t, call.WrapUpConfig{WrapUpSeconds: call.MaxWrapUpSeconds + 1}.Validate(), "wrapUpSeconds")

	n := func(v int) *int { return &v }
	require.NoError(t, call.ValidateAgentWrapUp(nil))
	require.NoError(t, call.ValidateAgentWrapUp(n(0)))
	require.NoError(t, call.ValidateAgentWrapUp(n(call.MaxWrapUpSeconds)))
	requireField(t, call.ValidateAgentWrapUp(n(-1)), "wrapUpSeconds")
	requireField(t, call.ValidateAgentWrapUp(n(call.MaxWrapUpSeconds+1)), "wrapUpSeconds")

	on := call.WrapUpConfig{WrapUpSeconds: 30, Enabled: true}
	off := call.WrapUpConfig{WrapUpSeconds: 30}
	tests := []struct {
		name  string
		cfg   call.WrapUpConfig
		agent *int
		want  int
	}{
		{"the account's length", on, nil, 30},
		{"the agent's own length", on, n(90), 90},
		{"the agent's own zero", on, n(0), 0},
		{"disabled account, no override", off, nil, 0},
		{"disabled account wins over the agent", off, n(90), 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.cfg.SecondsFor(tt.agent), tt.name)
	}
}

func TestStartWrapUp(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	cfg := call.DefaultWrapUpConfig()
	ended := at(100)
	tests := []struct {
		name    string
		cfg     call.WrapUpConfig
		agent   *int
		running call.WrapUp
		want    call.WrapUp
	}{
		{"starts at the call's end", cfg, nil, call.WrapUp{}, call.WrapUp{Start: ended, End: at(130)}},
		{"the agent's own length", cfg, n(5), call.WrapUp{}, call.WrapUp{Start: ended, End: at(105)}},
		{"disabled: none", call.WrapUpConfig{WrapUpSeconds: 30}, nil, call.WrapUp{}, call.WrapUp{}},
		{"zero length: none", cfg, n(0), call.WrapUp{}, call.WrapUp{}},
		{"a longer running wrap-up is kept", cfg, nil, call.WrapUp{Start: at(90), End: at(200)}, call.WrapUp{Start: at(90), End: at(200)}},
		{"a shorter running wrap-up is replaced", cfg, nil, call.WrapUp{Start: at(90), End: at(110)}, call.WrapUp{Start: ended, End: at(130)}},
		{"an expired wrap-up is ignored", cfg, n(0), call.WrapUp{Start: at(10), End: at(100)}, call.WrapUp{}},
		{"an unchecked length is bounded", call.WrapUpConfig{WrapUpSeconds: 1 << 62, Enabled: true}, nil, call.WrapUp{}, call.WrapUp{Start: ended, End: at(100 + call.MaxWrapUpSeconds)}},
		{"zero length keeps a running one", cfg, n(0), call.WrapUp{Start: at(90), End: at(120)}, call.WrapUp{Start: at(90), End: at(120)}},
	}
	for _, tt := range tests {
		got := call.StartWrapUp(tt.cfg, tt.agent, ended, tt.running)
		require.Equal(t, tt.want, got, tt.name)
	}
}

func TestWrapUpActive(t *testing.T) {
	t.Parallel()
	w := call.WrapUp{Start: at(0), End: at(30)}
	require.True(t, w.Active(at(0)))
	require.True(t, w.Active(at(30).Add(-time.Nanosecond)))
	require.False(t, w.Active(at(30)), "over at its end exactly")
	require.False(t, call.WrapUp{}.Active(t0))
}

func TestWrapUpExtend(t *testing.T) {
	t.Parallel()
	w := call.WrapUp{Start: at(0), End: at(30)}
	cfg := call.DefaultWrapUpConfig()

	got, err := w.Extend(cfg, 15, at(10))
	require.NoError(t, err)
	require.Equal(t, call.WrapUp{Start: at(0), End: at(45)}, got)
	got, err = got.Extend(cfg, 15, at(44))
	require.NoError(t, err)
	require.Equal(t, at(60), got.End, "extensions add up")
	got, err = w.Extend(cfg, call.MaxWrapUpSeconds, at(10))
	require.NoError(t, err)
	require.Equal(t, at(30+call.MaxWrapUpSeconds), got.End)

	noExtend := cfg
	noExtend.CanExtendWrapUp = false
	disabled := cfg
	disabled.Enabled = false
	tests := []struct {
		name  string
		w     call.WrapUp
		cfg   call.WrapUpConfig
		secs  int
		now   time.Time
		field string
		is    error
	}{
		{"zero seconds", w, cfg, 0, at(10), "seconds", fault.ErrInvalid},
		{"negative seconds", w, cfg, -5, at(10), "seconds", fault.ErrInvalid},
		{"more than a day", w, cfg, call.MaxWrapUpSeconds + 1, at(10), "seconds", fault.ErrInvalid},
		{"extension not allowed", w, noExtend, 10, at(10), "", fault.ErrForbidden},
		{"wrap-up disabled", w, disabled, 10, at(10), "", fault.ErrForbidden},
		{"not wrapping up", call.WrapUp{}, cfg, 10, at(10), "", call.ErrState},
		{"wrap-up over exactly now", w, cfg, 10, at(30), "", call.ErrState},
		{"bad seconds are named before the state", call.WrapUp{}, noExtend, 0, at(10), "seconds", fault.ErrInvalid},
	}
	for _, tt := range tests {
		got, err := tt.w.Extend(tt.cfg, tt.secs, tt.now)
		require.ErrorIs(t, err, tt.is, tt.name)
		require.Equal(t, tt.w, got, "%s: a refused extension changes nothing", tt.name)
		if tt.field != "" {
			requireField(t, err, tt.field)
		}
	}
}

func TestWrapUpClear(t *testing.T) {
	t.Parallel()
	w := call.WrapUp{Start: at(0), End: at(30)}
	got, cleared := w.Clear(at(10))
	require.True(t, cleared)
	require.Equal(t, call.WrapUp{Start: at(0), End: at(10)}, got)
	require.False(t, got.Active(at(10)))

	got, cleared = w.Clear(at(30))
	require.False(t, cleared, "already over")
	require.Equal(t, w, got)
	got, cleared = call.WrapUp{}.Clear(at(10))
	require.False(t, cleared)
	require.Equal(t, call.WrapUp{}, got)
}
