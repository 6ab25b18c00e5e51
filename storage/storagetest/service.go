package storagetest

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// RunService runs the service suite against the stores newStore makes: the
// use cases of parley.Service (conversations, lists, tags, messages and the
// reply matrix, agents, queues and rules, routing, events and subscribers,
// customers, authorisation, concurrency, validation, and that every path
// of the service applies the domain rules) over a fresh store per case.
// Where Run checks what a store keeps, RunService checks that the service's
// rules hold on it: nothing written on a refusal, one event per change,
// capacity and single assignment under racing routers.
//
// Cases are named like Run's ("Routing/Transfer") for Capabilities.Skip,
// and run in parallel unless Capabilities.Serial is set.
func RunService(t *testing.T, newStore func(t *testing.T) storage.Store, caps Capabilities) {
	s := &serviceSuite{newStore: newStore, caps: caps}
	runAreas(t, caps, []area[serviceCase]{
		{"Conversations", serviceConversationCases},
		{"List", serviceListCases},
		{"Tags", serviceTagCases},
		{"Messages", serviceMessageCases},
		{"Agents", serviceAgentCases},
		{"Queues", serviceQueueCases},
		{"Rules", serviceRuleCases},
		{"Routing", serviceRoutingCases},
		{"Unassign", serviceUnassignCases},
		{"Notes", serviceNoteCases},
		{"Events", serviceEventCases},
		{"Outbox", serviceOutboxCases},
		{"Customers", serviceCustomerCases},
		{"Authorization", serviceAuthorizationCases},
		{"Concurrency", serviceConcurrencyCases},
		{"Validation", serviceValidationCases},
		{"DomainRules", serviceDomainRuleCases},
		{"Calls", serviceCallCases},
		{"WorkingHours", serviceWorkingHoursCases},
		{"WaitingStrategies", serviceWaitingCases},
		{"Transfers", serviceTransferCases},
		{"Recordings", serviceRecordingCases},
		{"HoldConfigs", serviceHoldConfigCases},
		{"QueueStatistics", serviceQueueStatisticsCases},
	}, func(t *testing.T, c serviceCase) { c.run(t, s) })
}

// serviceSuite is what a service case gets: a way to build fixtures, and
// the store's capabilities for the subtests it starts.
type serviceSuite struct {
	newStore func(t *testing.T) storage.Store
	caps     Capabilities
}

type serviceCase struct {
	name string
	run  func(t *testing.T, s *serviceSuite)
}

func (c serviceCase) caseName() string { return c.name }

// setup returns a fresh fixture: a new, empty store from newStore and a
// service over it with a manual clock at t0 and sequential ids; opts come
// after those, so they may replace them.
func (s *serviceSuite) setup(t *testing.T, opts ...parley.Option) *serviceFixture {
	t.Helper()
	return newServiceFixture(t, s.newStore(t), opts...)
}

// parallel marks a subtest of a case parallel, unless the store runs its
// cases one after another.
func (s *serviceSuite) parallel(t *testing.T) {
	if !s.caps.Serial {
		t.Parallel()
	}
}
