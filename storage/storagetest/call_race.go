package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// CallRace names a race of two call operations on the same call or agent,
// whose trials run as the load races do: CallRaceSetUp prepares every
// trial, CallRaceSide runs one side of one trial (from a goroutine, or a
// process of its own), and CallRaceViolations checks the outcome.
type CallRace string

// The call races.
const (
	// CallRaceOfferTwice: both sides offer the same queued call (OfferCall,
	// as two runners would) in a queue of two present agents. The call
	// rings at exactly one agent, offered once.
	CallRaceOfferTwice CallRace = "call-offer-twice"
	// CallRaceTwoCallsOneAgent: each side offers one of two queued calls
	// of a queue whose one agent is present. The agent rings for exactly
	// one; the other call keeps waiting.
	CallRaceTwoCallsOneAgent CallRace = "call-two-calls-one-agent"
	// CallRaceAcceptOrTimeout: one side accepts the call ringing at the
	// agent a microsecond before its deadline, by its clock; the other
	// expires it at the deadline, by its own (two instances whose clocks
	// differ). Exactly one wins: the call connects, or it rings out and
	// goes to the queue's other agent.
	CallRaceAcceptOrTimeout CallRace = "call-accept-or-timeout"
	// CallRaceTransferTwice: the call connected to a0 is transferred by
	// both sides at once, to a1 and to a2. Exactly one transfer starts:
	// the call rings at one of them, its one transfer.
	CallRaceTransferTwice CallRace = "call-transfer-twice"
	// CallRaceTransferOrOffer: one side transfers the call connected to a0
	// to a1; the other offers a call waiting in another queue, whose only
	// member is a1. a1 rings for one of them, never both.
	CallRaceTransferOrOffer CallRace = "call-transfer-or-offer"
)

// CallRaces lists every call race.
var CallRaces = []CallRace{CallRaceOfferTwice, CallRaceTwoCallsOneAgent, CallRaceAcceptOrTimeout,
	CallRaceTransferTwice, CallRaceTransferOrOffer}

// transferRace reports whether race starts from a call connected to a0.
func transferRace(race CallRace) bool {
	return race == CallRaceTransferTwice || race == CallRaceTransferOrOffer
}

// callRaceEpoch is when trial 0's call is offered; trial i's is offered i
// hours earlier, so that no trial's deadline falls due at a later trial's
// clock.
var callRaceEpoch = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// callRaceHeartbeat is the heartbeat the agents of the races sent: far
// ahead of every clock the races use, so that it never lapses.
var callRaceHeartbeat = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

func callRaceID(race CallRace, trial int, what string) string {
	return fmt.Sprintf("%s-%d-%s", race, trial, what)
}

func callRaceOfferedAt(trial int) time.Time {
	return callRaceEpoch.Add(-time.Duration(trial) * time.Hour)
}

// clockedService is a service over store whose clock stands at now.
func clockedService(store storage.Store, now time.Time) *parley.Service {
	return parley.New(store, parley.WithClock(func() time.Time { return now }))
}

// CallRaceSetUp prepares trials trials of race in the store svc works on:
// per trial, a queue with its agents, present, and its calls, queued (or,
// for CallRaceAcceptOrTimeout, ringing at the first agent).
func CallRaceSetUp(t testing.TB, svc *parley.Service, store storage.Store, race CallRace, trials int) {
	t.Helper()
	ctx := context.Background()
	agents, calls := 2, 1
	switch race {
	case CallRaceTwoCallsOneAgent:
		agents, calls = 1, 2
	case CallRaceTransferTwice:
		agents = 3
	}
	for i := range trials {
		q := callRaceID(race, i, "q")
		_, err := svc.CreateQueue(ctx, routing.Queue{ID: q, Name: q, AutoAssignment: true})
		require.NoError(t, err)
		for k := range agents {
			a := callRaceID(race, i, fmt.Sprintf("a%d", k))
			_, err := svc.CreateAgent(ctx, routing.Agent{ID: a, DisplayName: a, Status: routing.Active})
			require.NoError(t, err)
			require.NoError(t, ignore(svc.AddQueueMember(ctx, q, a)))
			// Through the store: the service's heartbeat would offer the
			// calls at once.
			_, err = storage.RecordHeartbeat(ctx, store, a, callRaceHeartbeat)
			require.NoError(t, err)
		}
		at := callRaceOfferedAt(i)
		for k := range calls {
			conv := callRaceID(race, i, fmt.Sprintf("conv%d", k))
			_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: conv, Channel: conversation.Voice, CustomerID: conv})
			require.NoError(t, err)
			c, err := call.NewInbound(call.Call{ConversationID: conv, From: "+1", To: "+2", QueueID: q}, callRaceID(race, i, fmt.Sprintf("call%d", k)), at)
			require.NoError(t, err)
			require.NoError(t, store.InTx(ctx, func(tx storage.Tx) error { return tx.CreateCall(ctx, c) }))
		}
		if race == CallRaceAcceptOrTimeout || transferRace(race) {
			c, err := clockedService(store, at).OfferCall(ctx, callRaceID(race, i, "call0"))
			require.NoError(t, err)
			require.Equal(t, call.Ringing, c.State)
			require.Equal(t, callRaceID(race, i, "a0"), c.AgentID)
		}
		if transferRace(race) {
			// a0 takes the call; the others are free.
			c, err := clockedService(store, at).AcceptCall(ctx, callRaceID(race, i, "call0"), callRaceID(race, i, "a0"))
			require.NoError(t, err)
			require.Equal(t, call.Connected, c.State)
		}
		if race == CallRaceTransferOrOffer {
			// The other queue: a1 its only member, and a call waiting in it
			// (a1 is in q too, so that a0's call was offered to a0 alone:
			// the queue offers in its order).
			q2, conv := callRaceID(race, i, "q2"), callRaceID(race, i, "conv-other")
			_, err := svc.CreateQueue(ctx, routing.Queue{ID: q2, Name: q2, AutoAssignment: true})
			require.NoError(t, err)
			require.NoError(t, ignore(svc.AddQueueMember(ctx, q2, callRaceID(race, i, "a1"))))
			_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: conv, Channel: conversation.Voice, CustomerID: conv})
			require.NoError(t, err)
			c, err := call.NewInbound(call.Call{ConversationID: conv, From: "+1", To: "+2", QueueID: q2}, callRaceID(race, i, "call-other"), at)
			require.NoError(t, err)
			require.NoError(t, store.InTx(ctx, func(tx storage.Tx) error { return tx.CreateCall(ctx, c) }))
		}
	}
}

// CallRaceSide runs side side (0 or 1) of trial trial of race over store.
// A side that loses the race is no error: the refusal it gets is the
// outcome the race checks.
func CallRaceSide(ctx context.Context, store storage.Store, race CallRace, trial, side int) error {
	at := callRaceOfferedAt(trial)
	switch race {
	case CallRaceOfferTwice:
		_, err := clockedService(store, at).OfferCall(ctx, callRaceID(race, trial, "call0"))
		return err
	case CallRaceTwoCallsOneAgent:
		_, err := clockedService(store, at).OfferCall(ctx, callRaceID(race, trial, fmt.Sprintf("call%d", side)))
		return err
	case CallRaceAcceptOrTimeout:
		id := callRaceID(race, trial, "call0")
		deadline := at.Add(call.DefaultInboundTimeout * time.Second)
		if side == 0 {
			_, err := clockedService(store, deadline.Add(-time.Microsecond)).AcceptCall(ctx, id, callRaceID(race, trial, "a0"))
			if errors.Is(err, call.ErrState) || errors.Is(err, parley.ErrForbidden) {
				return nil // it rang out first
			}
			return err
		}
		_, err := clockedService(store, deadline).ExpireCall(ctx, id)
		return err
	case CallRaceTransferTwice, CallRaceTransferOrOffer:
		svc := clockedService(store, at.Add(time.Second))
		if race == CallRaceTransferOrOffer && side == 1 {
			_, err := svc.OfferCall(ctx, callRaceID(race, trial, "call-other"))
			return err
		}
		target := callRaceID(race, trial, fmt.Sprintf("a%d", side+1))
		if race == CallRaceTransferOrOffer {
			target = callRaceID(race, trial, "a1")
		}
		_, err := svc.TransferCallToAgent(ctx, callRaceID(race, trial, "conv0"), target)
		if errors.Is(err, call.ErrNotAvailable) || errors.Is(err, parley.ErrConflict) {
			return nil // the other side came first
		}
		return err
	}
	return fmt.Errorf("unknown call race %q", race)
}

// CallRaceTrials runs trials trials of race over store, the two sides of
// each from two goroutines released at once.
func CallRaceTrials(ctx context.Context, store storage.Store, race CallRace, trials int) error {
	for i := range trials {
		if err := raceTrial(func(side int) error { return CallRaceSide(ctx, store, race, i, side) }); err != nil {
			return fmt.Errorf("trial %d: %w", i, err)
		}
	}
	return nil
}

// CallRaceViolations returns, for each trial of race that ended as no
// serial order of its two sides could, what went wrong. Every call must be
// valid (live, or ended with a reason), and no agent may have two live
// calls.
func CallRaceViolations(t testing.TB, svc *parley.Service, race CallRace, trials int) []string {
	t.Helper()
	ctx := context.Background()
	var broken []string
	for i := range trials {
		fail := func(format string, args ...any) {
			broken = append(broken, fmt.Sprintf("trial %d: ", i)+fmt.Sprintf(format, args...))
		}
		page, err := svc.ListCalls(ctx, storage.CallQuery{QueueID: callRaceID(race, i, "q"), Paging: storage.Paging{Limit: 10}})
		require.NoError(t, err)
		var other *call.Call
		if race == CallRaceTransferOrOffer {
			if other, err = svc.GetCall(ctx, callRaceID(race, i, "call-other")); err != nil {
				require.NoError(t, err)
			}
			page.Items = append(page.Items, other)
		}
		live := map[string]int{}
		offers := map[string][]storage.EventType{}
		for _, c := range page.Items {
			if err := c.Validate(); err != nil {
				fail("call %s is not valid: %v", c.ID, err)
			}
			if c.State.Live() {
				live[c.AgentID]++
			}
			if c.Transfer != nil && c.Transfer.AgentID != "" {
				live[c.Transfer.AgentID]++ // a transfer ringing takes its agent up
			}
			events, err := svc.History(ctx, c.ConversationID, 0, storage.MaxLimit)
			require.NoError(t, err)
			for _, e := range events {
				if e.EntityID == c.ID {
					offers[c.ID] = append(offers[c.ID], e.Type)
				}
			}
		}
		for agent, n := range live {
			if n > 1 {
				fail("agent %s has %d live calls", agent, n)
			}
		}
		count := func(id string, typ storage.EventType) int {
			n := 0
			for _, e := range offers[id] {
				if e == typ {
					n++
				}
			}
			return n
		}
		switch race {
		case CallRaceOfferTwice:
			c := page.Items[0]
			if c.State != call.Ringing || count(c.ID, storage.CallOffered) != 1 {
				fail("the call is %s at %q after %v, not offered once", c.State, c.AgentID, offers[c.ID])
			}
		case CallRaceTwoCallsOneAgent:
			var states []call.State
			for _, c := range page.Items {
				states = append(states, c.State)
			}
			slices.Sort(states)
			if !slices.Equal(states, []call.State{call.Queued, call.Ringing}) {
				fail("the calls are %v, not one ringing and one queued", states)
			}
		case CallRaceAcceptOrTimeout:
			c := page.Items[0]
			connected, timedOut := count(c.ID, storage.CallConnected), count(c.ID, storage.CallOfferTimedOut)
			switch {
			case connected+timedOut != 1:
				fail("the call was connected %d and timed out %d times", connected, timedOut)
			case connected == 1 && (c.State != call.Connected || c.AgentID != callRaceID(race, i, "a0")):
				fail("accepted, yet %s at %q", c.State, c.AgentID)
			case timedOut == 1 && (c.State != call.Ringing || c.AgentID != callRaceID(race, i, "a1")):
				fail("rang out, yet %s at %q", c.State, c.AgentID)
			}
		case CallRaceTransferTwice:
			c := page.Items[0]
			started := count(c.ID, storage.CallTransferStarted)
			switch {
			case started != 1 || c.Transfers != 1:
				fail("%d transfers started (%d counted), not one", started, c.Transfers)
			case c.State != call.Connected || c.AgentID != callRaceID(race, i, "a0") || c.Transfer == nil:
				fail("the call is %s at %q with transfer %v", c.State, c.AgentID, c.Transfer)
			case c.Transfer.AgentID != callRaceID(race, i, "a1") && c.Transfer.AgentID != callRaceID(race, i, "a2"):
				fail("the transfer rings at %q", c.Transfer.AgentID)
			}
		case CallRaceTransferOrOffer:
			c := page.Items[0]
			transferred := c.Transfer != nil && c.Transfer.AgentID == callRaceID(race, i, "a1")
			offered := other.State == call.Ringing && other.AgentID == callRaceID(race, i, "a1")
			if transferred == offered {
				fail("a1 was transferred to: %v; offered the other call: %v (exactly one of them)", transferred, offered)
			}
		}
	}
	return broken
}
