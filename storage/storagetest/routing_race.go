package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The routing race of SPEC §4: 500 conversations routed into one
// auto-assigning queue of 10 ACTIVE agents of capacity 5, then closed by
// their agents while others drain the queue. RunService runs it through one
// service ("Routing/RoutingInvariantsUnderRace"). Its phases are exported so
// that a store whose instances share one database can run it across them:
// several pools, or several processes, each routing and draining its share,
// as parley's system tests do on PostgreSQL. Every phase but the checks
// takes only a context and a service, so that a child process can run it.
const (
	raceConversations = 500
	raceAgents        = 10
	raceCapacity      = 5
)

// RoutingRaceRouters is how many goroutines route, and then close and
// drain, in the race, in all: split them between the services that share
// the work.
const RoutingRaceRouters = 8

func raceID(i int) string { return fmt.Sprintf("conv-%03d", i) }

// RoutingRaceSetUp creates the race's queue "q" (auto-assigning), a rule
// that routes everything there, its agents and its conversations, through
// svc on an empty store.
func RoutingRaceSetUp(t testing.TB, svc *parley.Service) {
	t.Helper()
	ctx := t.Context()
	_, err := svc.CreateQueue(ctx, routing.Queue{ID: "q", Name: "Queue q", AutoAssignment: true})
	require.NoError(t, err)
	_, err = svc.SetRoutingRules(ctx, []routing.Rule{{ID: "all", Name: "all", QueueID: "q"}})
	require.NoError(t, err)
	for i := range raceAgents {
		id := fmt.Sprintf("agent-%02d", i)
		_, err := svc.CreateAgent(ctx, routing.Agent{ID: id, DisplayName: id, Status: routing.Active, Capacity: raceCapacity})
		require.NoError(t, err)
		_, err = svc.AddQueueMember(ctx, "q", id)
		require.NoError(t, err)
	}
	for i := range raceConversations {
		_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: raceID(i)})
		require.NoError(t, err)
	}
}

// RoutingRaceRoute routes the conversations whose index is share modulo
// shares, from the given number of goroutines: the first phase, shares
// services each routing their share at once.
func RoutingRaceRoute(ctx context.Context, svc *parley.Service, share, shares, goroutines int) error {
	var next atomic.Int64
	fns := make([]func() error, goroutines)
	for g := range fns {
		fns[g] = func() error {
			for {
				i := int(next.Add(1)-1)*shares + share
				if i >= raceConversations {
					return nil
				}
				if _, err := svc.Route(ctx, raceID(i)); err != nil {
					return err
				}
			}
		}
	}
	return parallelErr(fns...)
}

// RoutingRaceDrain is the second phase: half of the goroutines close
// assigned conversations, as agents finishing their work, and the other
// half run AssignWaiting, until every conversation of the race is closed.
func RoutingRaceDrain(ctx context.Context, svc *parley.Service, goroutines int) error {
	allClosed := func() (bool, error) {
		page, err := svc.ListConversations(ctx, storage.ConversationQuery{
			Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Closed}},
			Paging: storage.Paging{Limit: 1},
		})
		return page.Total == raceConversations, err
	}
	fns := make([]func() error, goroutines)
	for g := range fns {
		if g%2 == 0 {
			fns[g] = func() error { // a drainer
				for {
					if done, err := allClosed(); done || err != nil {
						return err
					}
					if _, err := svc.AssignWaiting(ctx, "q"); err != nil {
						return err
					}
				}
			}
			continue
		}
		fns[g] = func() error { // agents closing their conversations
			for {
				if done, err := allClosed(); done || err != nil {
					return err
				}
				// Every open one: the assigned ones are wherever the drain
				// put them in serving order, so a page of the first few by
				// id may hold none of them, and the agents would never get
				// a place free.
				page, err := svc.ListConversations(ctx, storage.ConversationQuery{
					Filter: storage.ConversationFilter{QueueIDs: []string{"q"}, Statuses: []conversation.Status{conversation.Open}},
					Order:  storage.Order{Field: storage.SortID}, Paging: storage.Paging{Limit: raceConversations, SkipTotal: true},
				})
				if err != nil {
					return err
				}
				for _, c := range page.Items {
					if c.AgentID == "" {
						continue
					}
					if _, err := svc.CloseConversation(ctx, c.ID); err != nil && !errors.Is(err, parley.ErrClosed) {
						return err
					}
				}
			}
		}
	}
	return parallelErr(fns...)
}

// parallelErr runs fns at once and returns the first error.
func parallelErr(fns ...func() error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// RoutingRaceCheckRouted checks the first phase through svc: 50 assigned,
// 450 waiting, every agent at capacity. It returns the counts it found.
func RoutingRaceCheckRouted(t testing.TB, svc *parley.Service) (assigned, waiting int) {
	t.Helper()
	ctx := t.Context()
	for i := range raceConversations {
		c, err := svc.GetConversation(ctx, raceID(i))
		require.NoError(t, err)
		require.Equal(t, "q", c.QueueID)
		if c.AgentID != "" {
			assigned++
		} else if routing.Waiting(c) {
			waiting++
		}
	}
	require.Equal(t, raceAgents*raceCapacity, assigned)
	require.Equal(t, raceConversations-raceAgents*raceCapacity, waiting)
	for i := range raceAgents {
		page, err := svc.ListConversations(ctx, storage.ConversationQuery{
			Filter: storage.ConversationFilter{AgentID: fmt.Sprintf("agent-%02d", i), Statuses: []conversation.Status{conversation.Open, conversation.Waiting}},
		})
		require.NoError(t, err)
		require.Equal(t, raceCapacity, page.Total)
	}
	return assigned, waiting
}

// RoutingRaceCheckLog checks the second phase through svc, replaying the
// event log (whose seqs follow commit order): every conversation closed and
// assigned exactly once, and no agent's load ever above capacity. It logs
// the race's figures; how says how the race ran, assigned and waiting are
// what RoutingRaceCheckRouted returned.
func RoutingRaceCheckLog(t testing.TB, svc *parley.Service, how string, assigned, waiting int) {
	t.Helper()
	ctx := t.Context()
	assignments := map[string]int{}
	agentOf := map[string]string{}
	load := map[string]int{}
	maxLoad := 0
	for _, e := range allServiceEvents(t, ctx, svc) {
		switch e.Type {
		case storage.ConversationAssigned:
			var agent string
			for _, ch := range e.Changes {
				if ch.Field == "agentId" {
					agent = string(ch.After)
				}
			}
			assignments[e.ConversationID]++
			agentOf[e.ConversationID] = agent
			load[agent]++
			maxLoad = max(maxLoad, load[agent])
		case storage.ConversationClosed:
			load[agentOf[e.ConversationID]]--
		}
	}
	doubles, missed := 0, 0
	for i := range raceConversations {
		c, err := svc.GetConversation(ctx, raceID(i))
		require.NoError(t, err)
		require.Equal(t, conversation.Closed, c.Status)
		switch n := assignments[raceID(i)]; {
		case n == 0:
			missed++
		case n > 1:
			doubles++
		}
	}
	require.Zero(t, doubles, "conversations assigned more than once")
	require.Zero(t, missed, "conversations never assigned")
	require.LessOrEqual(t, maxLoad, raceCapacity)
	t.Logf("routing race (%s, %s): %d routed by %d routers: %d assigned, %d waiting; after closing and draining: %d of %d assigned once, max load seen %d (capacity %d), double assignments %d",
		t.Name(), how, raceConversations, RoutingRaceRouters, assigned, waiting, len(assignments)-doubles, raceConversations, maxLoad, raceCapacity, doubles)
}

// allServiceEvents returns the whole event log, read through svc.
func allServiceEvents(t testing.TB, ctx context.Context, svc *parley.Service) []*storage.Event {
	t.Helper()
	var out []*storage.Event
	var after int64
	for {
		page, err := svc.Events(ctx, storage.EventQuery{After: after, Limit: storage.MaxLimit})
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < storage.MaxLimit {
			return out
		}
		after = page[len(page)-1].Seq
	}
}
