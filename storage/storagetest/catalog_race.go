package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The catalog races: two writes of the catalog at once, neither of which may
// fail for the other. RunService runs them through one service, the two
// sides from two goroutines ("Rules/CatalogRaces"); the phases are exported
// like those of the load races, for a race across processes.

// CatalogRace names one race of catalog writes.
type CatalogRace string

// The catalog races.
const (
	// RaceRulesReplaced: both sides replace the routing rules, each with
	// a list of its own; one list stays, whole, and neither fails.
	RaceRulesReplaced CatalogRace = "rules-replaced"
	// RaceTagDeleted: side 0 creates a conversation with the trial's tag,
	// side 1 deletes the tag from the catalog. Neither fails: the create
	// adds the tag again, or the delete takes it from the new
	// conversation.
	RaceTagDeleted CatalogRace = "tag-deleted"
)

// CatalogRaces are all the catalog races.
var CatalogRaces = []CatalogRace{RaceRulesReplaced, RaceTagDeleted}

const catalogRaceQueue = "catalog-race"

func catalogRaceTag(trial int) string { return fmt.Sprintf("hot-%04d", trial) }

func catalogRaceConversation(trial int) string { return fmt.Sprintf("tagged-%04d", trial) }

// catalogRaceRules is the rule list side side of trial trial sets.
func catalogRaceRules(trial, side int) []routing.Rule {
	rules := make([]routing.Rule, 3)
	for k := range rules {
		id := fmt.Sprintf("rule-%04d-%d-%d", trial, side, k)
		rules[k] = routing.Rule{ID: id, Name: id, QueueID: catalogRaceQueue}
	}
	return rules
}

// CatalogRaceSetUp creates what trials trials of race need, through svc.
func CatalogRaceSetUp(t testing.TB, svc *parley.Service, race CatalogRace, trials int) {
	t.Helper()
	ctx := t.Context()
	switch race {
	case RaceRulesReplaced:
		_, err := svc.CreateQueue(ctx, routing.Queue{ID: catalogRaceQueue, Name: catalogRaceQueue})
		require.NoError(t, err)
	case RaceTagDeleted:
		require.NoError(t, setUpTrials(trials, func(i int) error {
			_, err := svc.CreateTag(ctx, catalogRaceTag(i))
			return err
		}))
	}
}

// CatalogRaceSide runs side 0 or 1 of trial trial of race through svc.
func CatalogRaceSide(ctx context.Context, svc *parley.Service, race CatalogRace, trial, side int) error {
	switch race {
	case RaceRulesReplaced:
		_, err := svc.SetRoutingRules(ctx, catalogRaceRules(trial, side))
		return err
	case RaceTagDeleted:
		if side == 0 {
			_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: catalogRaceConversation(trial), Tags: []string{catalogRaceTag(trial)}})
			return err
		}
		return svc.DeleteTag(ctx, catalogRaceTag(trial))
	}
	return fmt.Errorf("unknown catalog race %q", race)
}

// RaceSide runs side side of trial trial of the load or catalog race named
// race: the one entry point a child process of a race needs.
func RaceSide(ctx context.Context, svc *parley.Service, race string, trial, side int) error {
	if slices.Contains(CatalogRaces, CatalogRace(race)) {
		return CatalogRaceSide(ctx, svc, CatalogRace(race), trial, side)
	}
	return LoadRaceSide(ctx, svc, LoadRace(race), trial, side)
}

// CatalogRaceTrials runs trials trials of race through svc, the two sides
// of each from two goroutines released at once.
func CatalogRaceTrials(ctx context.Context, svc *parley.Service, race CatalogRace, trials int) error {
	for i := range trials {
		if err := raceTrial(func(side int) error { return CatalogRaceSide(ctx, svc, race, i, side) }); err != nil {
			return fmt.Errorf("trial %d: %w", i, err)
		}
	}
	return nil
}

// raceTrial runs both sides of one trial from two goroutines released at
// once, and returns the first error.
func raceTrial(side func(k int) error) error {
	start := make(chan struct{})
	run := func(k int) func() error {
		return func() error {
			<-start
			return side(k)
		}
	}
	done := make(chan error, 1)
	go func() { done <- parallelErr(run(0), run(1)) }()
	close(start)
	return <-done
}

// CatalogRaceCheck checks through svc that trials trials of race, whose
// sides all succeeded, ended as one of their serial orders would.
//
// Rules: the replacements are a chain in the event log (each one's list
// before is the previous one's after), each list is one a side set, and
// the rules in place are the last one's, whole. Tags: each trial's
// conversation exists; it has its tag exactly when the catalog does, and
// then the log shows the tag created again after its deletion.
func CatalogRaceCheck(t testing.TB, svc *parley.Service, race CatalogRace, trials int) {
	t.Helper()
	ctx := t.Context()
	events := allServiceEvents(t, ctx, svc)
	switch race {
	case RaceRulesReplaced:
		valid := map[string]bool{}
		for i := range trials {
			for side := range 2 {
				valid[fmt.Sprint(ruleIDs(catalogRaceRules(i, side)))] = true
			}
		}
		var last []string
		replacements := 0
		for _, e := range events {
			if e.Type != storage.RoutingRulesReplaced {
				continue
			}
			var before, after []string
			for _, ch := range e.Changes {
				if ch.Field == "rules" {
					decodeList(t, ch.Before, &before)
					decodeList(t, ch.After, &after)
				}
			}
			require.Equal(t, fmt.Sprint(last), fmt.Sprint(before), "replacement at seq %d does not start from the list before it", e.Seq)
			require.True(t, valid[fmt.Sprint(after)], "replacement at seq %d set a list no side set: %v", e.Seq, after)
			last = after
			replacements++
		}
		require.Equal(t, 2*trials, replacements)
		rules, err := svc.RoutingRules(ctx)
		require.NoError(t, err)
		require.Equal(t, last, ruleIDs(rules))
	case RaceTagDeleted:
		deleted := map[string]int64{}
		recreated := map[string]bool{}
		for _, e := range events {
			switch e.Type {
			case storage.TagDeleted:
				deleted[e.EntityID] = e.Seq
			case storage.TagCreated:
				if deleted[e.EntityID] != 0 {
					recreated[e.EntityID] = true
				}
			}
		}
		for i := range trials {
			name := catalogRaceTag(i)
			c, err := svc.GetConversation(ctx, catalogRaceConversation(i))
			require.NoError(t, err, "trial %d", i)
			_, err = svc.GetTag(ctx, name)
			inCatalog := err == nil
			if !inCatalog {
				require.ErrorIs(t, err, parley.ErrNotFound)
			}
			require.Equal(t, inCatalog, slices.Contains(c.Tags, name), "trial %d: the conversation has the tag exactly when the catalog does", i)
			require.NotZero(t, deleted[name], "trial %d: the tag was never deleted", i)
			require.Equal(t, inCatalog, recreated[name], "trial %d: the tag is in the catalog exactly when it was created again", i)
		}
	}
}

// decodeList decodes a change's list of ids; none for an absent value.
func decodeList(t testing.TB, raw json.RawMessage, out *[]string) {
	t.Helper()
	*out = nil
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, out))
	}
}

func ruleIDs(rules []routing.Rule) []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}
