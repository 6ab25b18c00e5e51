package call_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// t0 is the fixed "now" of the call tests.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// at is t0 plus n seconds.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// requireField asserts that err is a *fault.FieldError naming field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "want a field error naming %s, got %v", field, err)
	require.Equal(t, field, fe.Field, "%v", err)
	require.ErrorIs(t, err, fault.ErrInvalid)
}

func inbound() call.Call {
	return call.Call{ConversationID: "conv-1", From: "+385998779621", To: "+38761123123", QueueID: "q1"}
}

func outbound() call.Call {
	return call.Call{ConversationID: "conv-2", From: "385998779621", To: "38761123123", AgentID: "a1"}
}

func TestNewInbound(t *testing.T) {
	t.Parallel()
	c, err := call.NewInbound(inbound(), "call-1", t0)
	require.NoError(t, err)
	require.Equal(t, &call.Call{
		ID: "call-1", ConversationID: "conv-1", Channel: conversation.Voice, Direction: call.Inbound,
		From: "+385998779621", To: "+38761123123", ClientType: call.PSTN, State: call.Queued, QueueID: "q1",
		CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}, c)

	// The input's own id wins; channel and client type are kept; fields a
	// caller does not set are ignored.
	in := inbound()
	in.ID, in.Channel, in.ClientType = "mine", conversation.Video, call.WebRTC
	in.AgentID, in.State, in.OnHold, in.EndReason, in.Version = "a9", call.Connected, true, call.Failed, 7
	in.Refused, in.ConnectedAt = []string{"a8"}, at(5)
	c, err = call.NewInbound(in, "call-1", t0)
	require.NoError(t, err)
	require.Equal(t, "mine", c.ID)
	require.Equal(t, conversation.Video, c.Channel)
	require.Equal(t, call.WebRTC, c.ClientType)
	require.Equal(t, call.Queued, c.State)
	require.Empty(t, c.AgentID)
	require.False(t, c.OnHold)
	require.Empty(t, c.EndReason)
	require.Empty(t, c.Refused)
	require.True(t, c.ConnectedAt.IsZero())
	require.Equal(t, int64(1), c.Version)

	// A call routing put in no queue still waits.
	in = inbound()
	in.QueueID = ""
	c, err = call.NewInbound(in, "call-1", t0)
	require.NoError(t, err)
	require.Empty(t, c.QueueID)
	require.NoError(t, c.Validate())
}

func TestNewOutbound(t *testing.T) {
	t.Parallel()
	c, err := call.NewOutbound(outbound(), "call-2", t0, call.Timeouts{})
	require.NoError(t, err)
	require.Equal(t, &call.Call{
		ID: "call-2", ConversationID: "conv-2", Channel: conversation.Voice, Direction: call.Outbound,
		From: "385998779621", To: "38761123123", ClientType: call.PSTN, State: call.Dialing, AgentID: "a1",
		CreatedAt: t0, UpdatedAt: t0, Deadline: at(45), Version: 1,
	}, c)

	c, err = call.NewOutbound(outbound(), "call-2", t0, call.Timeouts{Outbound: 3})
	require.NoError(t, err)
	require.Equal(t, at(3), c.Deadline)

	in := outbound()
	in.AgentID = ""
	_, err = call.NewOutbound(in, "call-2", t0, call.Timeouts{})
	requireField(t, err, "agentId")

	_, err = call.NewOutbound(outbound(), "call-2", t0, call.Timeouts{Outbound: 61})
	requireField(t, err, "outbound")

	in = outbound()
	in.QueueID = "q1"
	c, err = call.NewOutbound(in, "call-2", t0, call.Timeouts{})
	require.NoError(t, err)
	require.Empty(t, c.QueueID, "an outbound call waits in no queue")
}

func TestNewRefusesBadInput(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", call.MaxAddressLen+1)
	tests := []struct {
		name   string
		change func(c *call.Call)
		field  string
	}{
		{"no conversation", func(c *call.Call) { c.ConversationID = "" }, "conversationId"},
		{"conversation id too long", func(c *call.Call) { c.ConversationID = strings.Repeat("c", call.MaxIDLen+1) }, "conversationId"},
		{"no from", func(c *call.Call) { c.From = "" }, "from"},
		{"no to", func(c *call.Call) { c.To = "" }, "to"},
		{"blank to", func(c *call.Call) { c.To = "   " }, "to"},
		{"blank from", func(c *call.Call) { c.From = "\u00a0" }, "from"},
		{"from too long", func(c *call.Call) { c.From = long }, "from"},
		{"to with a control character", func(c *call.Call) { c.To = "123\n456" }, "to"},
		{"from not UTF-8", func(c *call.Call) { c.From = "\xff\xfe" }, "from"},
		{"to with a NUL", func(c *call.Call) { c.To = "12\x003" }, "to"},
		{"a messaging channel", func(c *call.Call) { c.Channel = conversation.SMS }, "channel"},
		{"an unknown channel", func(c *call.Call) { c.Channel = "PHONE" }, "channel"},
		{"an unknown client type", func(c *call.Call) { c.ClientType = "SIP" }, "voiceClientType"},
		{"client type in lower case", func(c *call.Call) { c.ClientType = "pstn" }, "voiceClientType"},
		{"bad id", func(c *call.Call) { c.ID = "a\tb" }, "id"},
		{"queue id too long", func(c *call.Call) { c.QueueID = strings.Repeat("q", call.MaxIDLen+1) }, "queueId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := inbound()
			tt.change(&in)
			c, err := call.NewInbound(in, "call-1", t0)
			require.Nil(t, c)
			requireField(t, err, tt.field)
			if tt.field == "queueId" {
				return
			}
			out := outbound()
			tt.change(&out)
			c, err = call.NewOutbound(out, "call-2", t0, call.Timeouts{})
			require.Nil(t, c)
			requireField(t, err, tt.field)
		})
	}

	// The limits themselves are allowed.
	in := inbound()
	in.From, in.To = strings.Repeat("9", call.MaxAddressLen), "ü"
	in.ConversationID = strings.Repeat("c", call.MaxIDLen)
	_, err := call.NewInbound(in, "call-1", t0)
	require.NoError(t, err)
	// Without any id there is no call.
	_, err = call.NewInbound(inbound(), "", t0)
	requireField(t, err, "id")
}

// TestValidateState checks each agreement between the fields and the
// state, starting from a valid call in every state.
func TestValidateState(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	tests := []struct {
		name   string
		from   string
		change func(c *call.Call)
		field  string
	}{
		{"queued with an agent", "queued", func(c *call.Call) { c.AgentID = "a1" }, "agentId"},
		{"ringing without an agent", "ringing", func(c *call.Call) { c.AgentID = "" }, "agentId"},
		{"dialing without an agent", "dialing", func(c *call.Call) { c.AgentID = "" }, "agentId"},
		{"connected without an agent", "connected", func(c *call.Call) { c.AgentID = "" }, "agentId"},
		{"ringing without a deadline", "ringing", func(c *call.Call) { c.Deadline = time.Time{} }, "deadline"},
		{"dialing without a deadline", "dialing", func(c *call.Call) { c.Deadline = time.Time{} }, "deadline"},
		{"ringing without an offer time", "ringing", func(c *call.Call) { c.OfferedAt = time.Time{} }, "offeredAt"},
		{"queued with a deadline", "queued", func(c *call.Call) { c.Deadline = at(9) }, "deadline"},
		{"connected with a deadline", "connected", func(c *call.Call) { c.Deadline = at(9) }, "deadline"},
		{"dialing with an offer time", "dialing", func(c *call.Call) { c.OfferedAt = at(1) }, "offeredAt"},
		{"queued on hold", "queued", func(c *call.Call) { c.OnHold = true }, "onHold"},
		{"ringing on hold", "ringing", func(c *call.Call) { c.OnHold = true }, "onHold"},
		{"ended on hold", "ended", func(c *call.Call) { c.OnHold = true }, "onHold"},
		{"connected without a connect time", "connected", func(c *call.Call) { c.ConnectedAt = time.Time{} }, "connectedAt"},
		{"ended without a reason", "ended", func(c *call.Call) { c.EndReason = "" }, "endReason"},
		{"ended with an unknown reason", "ended", func(c *call.Call) { c.EndReason = "BORED" }, "endReason"},
		{"connected with a reason", "connected", func(c *call.Call) { c.EndReason = call.Failed }, "endReason"},
		{"ended inbound never connected, with an agent", "queued", func(c *call.Call) {
			c.State, c.EndReason, c.EndedAt, c.AgentID = call.Ended, call.Abandoned, at(5), "a1"
		}, "agentId"},
		{"ended without an end time", "ended", func(c *call.Call) { c.EndedAt = time.Time{} }, "endedAt"},
		{"connected with an end time", "connected", func(c *call.Call) { c.EndedAt = at(9) }, "endedAt"},
		{"inbound dialing", "ringing", func(c *call.Call) { c.State = call.Dialing; c.OfferedAt = time.Time{} }, "state"},
		{"outbound queued", "dialing", func(c *call.Call) { c.State = call.Queued; c.AgentID = ""; c.Deadline = time.Time{} }, "state"},
		{"outbound in a queue", "dialing", func(c *call.Call) { c.QueueID = "q1" }, "queueId"},
		{"outbound with refusals", "dialing", func(c *call.Call) { c.Refused = []string{"a2"} }, "refused"},
		{"an agent refusing twice", "queued", func(c *call.Call) { c.Refused = []string{"a1", "a2", "a1"} }, "refused"},
		{"an empty refusal", "queued", func(c *call.Call) { c.Refused = []string{""} }, "refused"},
		{"an unknown state", "queued", func(c *call.Call) { c.State = "ON_HOLD" }, "state"},
		{"an unknown direction", "queued", func(c *call.Call) { c.Direction = "SIDEWAYS" }, "direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := calls[tt.from].Clone()
			require.NoError(t, c.Validate())
			tt.change(c)
			requireField(t, c.Validate(), tt.field)
		})
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	var none *call.Call
	require.Nil(t, none.Clone())
	c := fixtures(t)["queued"].Clone()
	c.Refused = []string{"a1", "a2"}
	cp := c.Clone()
	require.Equal(t, c, cp)
	cp.Refused[0] = "zz"
	require.Equal(t, "a1", c.Refused[0], "the copy shares no slice")
}

func TestEnums(t *testing.T) {
	t.Parallel()
	for _, d := range []call.Direction{call.Inbound, call.Outbound} {
		got, err := call.ParseDirection(string(d))
		require.NoError(t, err)
		require.Equal(t, d, got)
	}
	_, err := call.ParseDirection("inbound")
	requireField(t, err, "direction")

	require.Equal(t, []call.ClientType{"PSTN", "WEBRTC", "WHATSAPP", "VIBER", "LIVE_CHAT"}, call.ClientTypes, "Infobip's VoiceClientType")
	for _, ct := range call.ClientTypes {
		got, err := call.ParseClientType(string(ct))
		require.NoError(t, err)
		require.Equal(t, ct, got)
	}
	_, err = call.ParseClientType("")
	requireField(t, err, "voiceClientType")

	for _, s := range call.States {
		require.True(t, s.Valid())
		require.Equal(t, s == call.Ringing || s == call.Dialing || s == call.Connected, s.Live(), s)
	}
	require.False(t, call.State("").Valid())
	for _, s := range call.States {
		got, err := call.ParseState(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	_, err = call.ParseState("queued")
	requireField(t, err, "state")
	for _, r := range call.EndReasons {
		got, err := call.ParseEndReason(string(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	_, err = call.ParseEndReason("HUNG_UP")
	requireField(t, err, "endReason")
	for _, r := range call.EndReasons {
		require.True(t, r.Valid())
	}
	require.False(t, call.EndReason("").Valid())
	require.True(t, call.Customer.Valid())
	require.True(t, call.Agent.Valid())
	require.False(t, call.Side("BOTH").Valid())
}
