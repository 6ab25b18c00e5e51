package call_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
)

var q2 = &routing.Queue{ID: "q2", Name: "Sales", AutoAssignment: true}

// member is an available agent of q2.
func member(id string) routing.Presence {
	p := ready(id)
	p.Agent.Queues = []string{"q2"}
	return p
}

func mustStep(t *testing.T) func(c *call.Call, ch call.Change, err error) (*call.Call, call.Change) {
	return func(c *call.Call, ch call.Change, err error) (*call.Call, call.Change) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, c.Validate())
		return c, ch
	}
}

// transfers tries each kind of transfer on c.
func transfers(c *call.Call) map[string]error {
	_, _, toAgent := c.TransferToAgent(ready("a2"), hb, soon, call.Timeouts{})
	_, _, toQueue := c.TransferToQueue(q2, schedule.Inside, soon)
	_, _, toNumber := c.TransferToExternalNumber("41792036727", "41793026834", call.DefaultExternalTransferConfig(), nil, soon, call.Timeouts{})
	return map[string]error{"agent": toAgent, "queue": toQueue, "external number": toNumber}
}

func TestTransferNeedsAConnectedCall(t *testing.T) {
	t.Parallel()
	f := fixtures(t)
	for _, name := range []string{"queued", "ringing", "dialing", "ended"} {
		for kind, err := range transfers(f[name]) {
			require.ErrorIs(t, err, call.ErrNoLiveCall, "%s to %s", name, kind)
			require.ErrorIs(t, err, fault.ErrPrecondition, "%s to %s", name, kind)
		}
	}
	for kind, err := range transfers(nil) {
		require.ErrorIs(t, err, fault.ErrPrecondition, "no call, to %s", kind)
	}
	for kind, err := range transfers(f["held"]) {
		require.NoError(t, err, "a customer on hold may be transferred, to %s", kind)
	}
}

func TestTransferToAgent(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	connected := fixtures(t)["connected"]
	before := connected.Clone()
	c, ch := step(connected.TransferToAgent(ready("a2"), hb, soon, call.Timeouts{Inbound: 20}))
	require.Equal(t, before, connected, "the old call is left as it was")
	require.Equal(t, call.Connected, c.State)
	require.Equal(t, "a1", c.AgentID, "the transferring agent keeps the call until the target answers")
	require.Equal(t, &call.Transfer{Kind: call.ToAgent, From: "a1", FromQueue: "q1", AgentID: "a2", StartedAt: soon, Deadline: soon.Add(20 * time.Second)}, c.Transfer)
	require.Equal(t, 1, c.Transfers)
	require.Equal(t, &call.Offer{CallID: c.ID, AgentID: "a2", OfferedAt: soon, ExpiresAt: soon.Add(20 * time.Second)}, ch.Offer)
	require.True(t, c.Occupies("a1"))
	require.True(t, c.Occupies("a2"), "the ringing target is taken up")
	require.False(t, c.Occupies("a3"))

	_, _, err := c.AcceptTransfer("a3", soon)
	require.ErrorIs(t, err, fault.ErrForbidden)
	_, _, err = c.AcceptTransfer("a2", soon.Add(20*time.Second))
	require.ErrorIs(t, err, call.ErrState, "at the deadline it has rung out")

	done, ch := step(c.AcceptTransfer("a2", soon.Add(time.Second)))
	require.Equal(t, "a2", done.AgentID)
	require.Nil(t, done.Transfer)
	require.Equal(t, 1, done.Transfers)
	require.Equal(t, "q1", done.QueueID)
	require.Equal(t, "a2", ch.Assignee, "the conversation is the target's once it answers")
	require.Equal(t, "a1", ch.Released)
	require.Equal(t, "a1", ch.WrapUp)
	require.Equal(t, call.ToAgent, ch.Transfer.Kind)
	require.False(t, done.Occupies("a1"))
}

func TestTransferToAgentRefusals(t *testing.T) {
	t.Parallel()
	connected := fixtures(t)["connected"]
	unavailable := map[string]func(p *routing.Presence){
		"away":         func(p *routing.Presence) { p.Agent.Status = routing.Away },
		"disabled":     func(p *routing.Presence) { p.Agent.Disabled = true },
		"on a call":    func(p *routing.Presence) { p.OnCall = true },
		"no heartbeat": func(p *routing.Presence) { p.LastHeartbeat = time.Time{} },
		"in wrap-up":   func(p *routing.Presence) { p.Agent.WrapUpUntil = late },
	}
	for name, edit := range unavailable {
		p := ready("a2")
		edit(&p)
		c, _, err := connected.TransferToAgent(p, hb, soon, call.Timeouts{})
		require.ErrorIs(t, err, call.ErrNotAvailable, name)
		require.ErrorIs(t, err, fault.ErrConflict, name)
		require.Nil(t, c, name)
	}
	// Queue membership does not matter for a transfer to an agent.
	_, _, err := connected.TransferToAgent(member("a2"), hb, soon, call.Timeouts{})
	require.NoError(t, err)

	_, _, err = connected.TransferToAgent(routing.Presence{}, hb, soon, call.Timeouts{})
	require.ErrorIs(t, err, fault.ErrNotFound)
	_, _, err = connected.TransferToAgent(ready("a1"), hb, soon, call.Timeouts{})
	requireField(t, err, "agentId")
	_, _, err = connected.TransferToAgent(ready("a2"), hb, soon, call.Timeouts{Inbound: 61})
	requireField(t, err, "inbound")
}

func TestUnansweredAgentTransferReturns(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	connected := fixtures(t)["connected"]
	c, _ := step(connected.TransferToAgent(ready("a2"), hb, soon, call.Timeouts{}))

	_, _, err := c.RejectTransfer("a3", soon)
	require.ErrorIs(t, err, fault.ErrForbidden)
	back, ch := step(c.RejectTransfer("a2", soon))
	require.Equal(t, "a1", back.AgentID)
	require.Nil(t, back.Transfer)
	require.True(t, ch.Returned)
	require.Equal(t, "a2", ch.Withdrawn)
	require.Empty(t, ch.Assignee)
	require.Empty(t, ch.Released, "the transferring agent keeps its call")

	_, _, err = c.TransferTimedOut(soon.Add(29 * time.Second))
	require.ErrorIs(t, err, call.ErrState, "before the deadline")
	back, ch = step(c.TransferTimedOut(soon.Add(30 * time.Second)))
	require.Equal(t, "a1", back.AgentID)
	require.True(t, ch.Returned)

	// The transferring agent may give up its own transfer.
	back, ch = step(c.ReturnTransfer(soon))
	require.Nil(t, back.Transfer)
	require.True(t, ch.Returned)
	require.Equal(t, "a2", ch.Withdrawn)
}

func TestTransferToQueue(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	connected := fixtures(t)["connected"]

	_, _, err := connected.TransferToQueue(nil, schedule.Inside, soon)
	require.ErrorIs(t, err, fault.ErrNotFound)
	_, _, err = connected.TransferToQueue(q2, schedule.Outside, soon)
	require.ErrorIs(t, err, call.ErrNotAvailable, "outside working hours")
	manual := &routing.Queue{ID: "q3", Name: "Manual"}
	_, _, err = connected.TransferToQueue(manual, schedule.Inside, soon)
	require.ErrorIs(t, err, call.ErrNotAvailable, "without auto-assignment")

	c, ch := step(connected.TransferToQueue(q2, schedule.Inside, soon))
	require.Equal(t, &call.Transfer{Kind: call.ToQueue, From: "a1", FromQueue: "q1", QueueID: "q2", StartedAt: soon}, c.Transfer)
	require.Nil(t, ch.Offer, "the agent selection runs next")

	notMember := ready("a5") // of q1 only
	away := member("a4")
	away.Agent.Status = routing.Away
	transferrer := member("a1")
	candidates := []routing.Presence{transferrer, notMember, away, member("a2"), member("a3")}
	require.Equal(t, "a2", call.NextTransferAgent(c, q2, candidates, hb, soon))
	require.Empty(t, call.NextTransferAgent(c, q1, candidates, hb, soon), "another queue")

	c, ch = step(c.OfferTransfer("a2", soon, call.Timeouts{}))
	require.Equal(t, "a2", ch.Offer.AgentID)
	require.Empty(t, call.NextTransferAgent(c, q2, candidates, hb, soon), "it rings already")
	_, _, err = c.OfferTransfer("a3", soon, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrState)

	c, ch = step(c.RejectTransfer("a2", soon))
	require.Equal(t, []string{"a2"}, c.Transfer.Refused)
	require.False(t, ch.Returned, "a queue transfer goes on to the next agent")
	require.Equal(t, "a2", ch.Withdrawn)
	_, _, err = c.OfferTransfer("a2", soon, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrState, "each agent once")
	_, _, err = c.OfferTransfer("a1", soon, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrState, "never the transferring agent")
	require.Equal(t, "a3", call.NextTransferAgent(c, q2, candidates, hb, soon))

	ringing, _ := step(c.OfferTransfer("a3", soon, call.Timeouts{}))
	timedOut, _ := step(ringing.TransferTimedOut(late))
	require.Empty(t, call.NextTransferAgent(timedOut, q2, candidates, hb, late), "nobody is left")
	back, ch := step(timedOut.ReturnTransfer(late))
	require.Equal(t, "a1", back.AgentID)
	require.Equal(t, "q1", back.QueueID)
	require.True(t, ch.Returned)

	done, ch := step(ringing.AcceptTransfer("a3", soon))
	require.Equal(t, "a3", done.AgentID)
	require.Equal(t, "q2", done.QueueID, "an inbound call now belongs to the queue it was transferred to")
	require.Equal(t, "a3", ch.Assignee)
	require.Equal(t, "a1", ch.WrapUp)
}

func TestTransferToExternalNumber(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	connected := fixtures(t)["connected"]
	anyNumber := call.DefaultExternalTransferConfig()
	require.True(t, anyNumber.TransferToAnyNumberEnabled, "Infobip's default")
	listed := call.ExternalTransferConfig{}

	_, _, err := connected.TransferToExternalNumber("0123", "41793026834", anyNumber, nil, soon, call.Timeouts{})
	requireField(t, err, "externalNumber")
	_, _, err = connected.TransferToExternalNumber("41792036727", "", anyNumber, nil, soon, call.Timeouts{})
	requireField(t, err, "from")
	_, _, err = connected.TransferToExternalNumber("41792036727", "41793026834", listed, []string{"+41790000000"}, soon, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrNotAvailable, "not on the allowed list")
	_, _, err = connected.TransferToExternalNumber("41792036727", "41793026834", listed, []string{"+41792036727"}, soon, call.Timeouts{})
	require.NoError(t, err, "on the list, written with a +")

	c, _ := step(connected.TransferToExternalNumber("41792036727", "41793026834", anyNumber, nil, soon, call.Timeouts{Outbound: 40}))
	require.Equal(t, soon.Add(40*time.Second), c.Transfer.Deadline)
	require.False(t, c.Occupies("41792036727"))
	_, _, err = c.AcceptTransfer("a1", soon)
	require.ErrorIs(t, err, call.ErrState, "an external number is answered, not accepted")

	gone, ch := step(c.AnswerTransfer(soon.Add(time.Second)))
	require.Equal(t, call.Ended, gone.State)
	require.Equal(t, call.Transferred, gone.EndReason)
	require.Nil(t, gone.Transfer)
	require.Equal(t, "a1", ch.Released)
	require.Equal(t, "a1", ch.WrapUp)
	require.Equal(t, "41792036727", ch.Transfer.ExternalNumber)

	_, _, err = c.AnswerTransfer(soon.Add(40 * time.Second))
	require.ErrorIs(t, err, call.ErrState, "rung out")
	back, ch := step(c.TransferTimedOut(soon.Add(40 * time.Second)))
	require.Equal(t, call.Connected, back.State)
	require.True(t, ch.Returned)
}

func TestOneTransferAtATimeAndALimit(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	c := fixtures(t)["connected"]
	for i := range call.MaxTransfers {
		var err error
		pending, _ := step(c.TransferToAgent(ready("a2"), hb, soon, call.Timeouts{}))
		for kind, err := range transfers(pending) {
			require.ErrorIs(t, err, call.ErrState, "a second transfer while one is in progress, to %s", kind)
		}
		c, _, err = pending.ReturnTransfer(soon)
		require.NoError(t, err)
		require.Equal(t, i+1, c.Transfers, "an unanswered transfer counts")
	}
	for kind, err := range transfers(c) {
		require.ErrorIs(t, err, call.ErrState, "the %d+1st transfer, to %s", call.MaxTransfers, kind)
		require.ErrorIs(t, err, fault.ErrConflict)
	}
}

func TestTransferActionsWithoutATransfer(t *testing.T) {
	t.Parallel()
	c := fixtures(t)["connected"]
	for name, err := range map[string]error{
		"accept":    second(c.AcceptTransfer("a2", soon)),
		"answer":    second(c.AnswerTransfer(soon)),
		"reject":    second(c.RejectTransfer("a2", soon)),
		"time out":  second(c.TransferTimedOut(late)),
		"return":    second(c.ReturnTransfer(soon)),
		"offer":     second(c.OfferTransfer("a2", soon, call.Timeouts{})),
		"offer bad": second(c.OfferTransfer("", soon, call.Timeouts{})),
	} {
		require.Error(t, err, name)
	}
	require.ErrorIs(t, second(c.ReturnTransfer(soon)), call.ErrNoTransfer)
}

func second(_ *call.Call, _ call.Change, err error) error { return err }

func TestHangingUpDuringATransfer(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	c, _ := step(fixtures(t)["connected"].TransferToAgent(ready("a2"), hb, soon, call.Timeouts{}))
	for _, side := range []call.Side{call.Customer, call.Agent} {
		ended, ch := step(c.HangUp(side, soon))
		require.Nil(t, ended.Transfer)
		require.Equal(t, "a2", ch.Withdrawn, "the target stops ringing")
		require.Equal(t, "a1", ch.Released)
		require.Equal(t, call.ToAgent, ch.Transfer.Kind)
	}
	failed, ch := step(c.Fail(soon))
	require.Nil(t, failed.Transfer)
	require.Equal(t, "a2", ch.Withdrawn)
}

func TestValidateTransfer(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	f := fixtures(t)
	pending, _ := step(f["connected"].TransferToAgent(ready("a2"), hb, soon, call.Timeouts{}))
	cases := map[string]struct {
		edit  func(c *call.Call)
		field string
	}{
		"on a queued call": {func(c *call.Call) {
			q := f["queued"].Clone()
			q.Transfer, q.Transfers = c.Transfer, 1
			*c = *q
		}, "transfer"},
		"from another agent":   {func(c *call.Call) { c.Transfer.From = "a9" }, "transfer.from"},
		"uncounted":            {func(c *call.Call) { c.Transfers = 0 }, "transfers"},
		"over the limit":       {func(c *call.Call) { c.Transfers = call.MaxTransfers + 1 }, "transfers"},
		"unknown kind":         {func(c *call.Call) { c.Transfer.Kind = "PIGEON" }, "transfer.kind"},
		"to itself":            {func(c *call.Call) { c.Transfer.AgentID = "a1" }, "transfer.agentId"},
		"agent with no target": {func(c *call.Call) { c.Transfer.AgentID = "" }, "transfer.agentId"},
		"no deadline":          {func(c *call.Call) { c.Transfer.Deadline = time.Time{} }, "transfer.deadline"},
		"no start":             {func(c *call.Call) { c.Transfer.StartedAt = time.Time{} }, "transfer.startedAt"},
		"refusals":             {func(c *call.Call) { c.Transfer.Refused = []string{"a3"} }, "transfer.refused"},
		"bad number": {func(c *call.Call) {
			c.Transfer.Kind, c.Transfer.AgentID, c.Transfer.ExternalNumber, c.Transfer.Caller = call.ToExternalNumber, "", "x", "41793026834"
		}, "transfer.externalNumber"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := pending.Clone()
			tc.edit(c)
			requireField(t, c.Validate(), tc.field)
		})
	}
}

func TestValidatePhoneNumber(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"41792036727", "+41792036727", "12", "123456789012345"} {
		require.NoError(t, call.ValidatePhoneNumber("externalNumber", ok), ok)
	}
	for _, bad := range []string{"", "+", "0041792036727", "1", "1234567890123456", "4179 203 67 27", "+41-79", "abc"} {
		requireField(t, call.ValidatePhoneNumber("externalNumber", bad), "externalNumber")
	}
}

func TestCloneCopiesTheTransfer(t *testing.T) {
	t.Parallel()
	step := mustStep(t)
	c, _ := step(fixtures(t)["connected"].TransferToQueue(q2, schedule.Inside, soon))
	c, _ = step(c.OfferTransfer("a2", soon, call.Timeouts{}))
	c, _ = step(c.RejectTransfer("a2", soon))
	cp := c.Clone()
	cp.Transfer.Refused[0] = "zz"
	cp.Transfer.QueueID = "zz"
	require.Equal(t, []string{"a2"}, c.Transfer.Refused)
	require.Equal(t, "q2", c.Transfer.QueueID)
}
