package storagetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// operation is one Service method called with valid input against
// authFixture: with its scope it succeeds.
type operation struct {
	scope parley.Scope
	call  func(ctx context.Context, svc *parley.Service) error
}

func ignore[T any](_ T, err error) error { return err }

// operations holds every operation of Service. A new operation must be
// added here (and to parley's scope table): the case
// Authorization/EveryOperationHasACase fails until it is.
var operations = map[string]operation{
	"CreateConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateConversation(ctx, conversation.Conversation{Topic: "new"}))
	}},
	"GetConversation": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetConversation(ctx, "c1"))
	}},
	"ListConversations": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListConversations(ctx, storage.ConversationQuery{}))
	}},
	"UpdateConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UpdateConversation(ctx, "c1", conversation.Patch{Topic: ptr("changed")}))
	}},
	"AssignConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AssignConversation(ctx, "c1", "a1"))
	}},
	"UnassignConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UnassignConversation(ctx, "c2"))
	}},
	"CloseConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CloseConversation(ctx, "c1"))
	}},
	"DeleteConversation": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteConversation(ctx, "c1", "test")
	}},
	"AddTag": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AddTag(ctx, "c1", "fresh"))
	}},
	"RemoveTag": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RemoveTag(ctx, "c1", "vip"))
	}},
	"ConversationTags": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ConversationTags(ctx, "c1", storage.Paging{}))
	}},
	"History": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.History(ctx, "c1", 0, 0))
	}},
	"CreateTag": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateTag(ctx, "fresh"))
	}},
	"GetTag": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetTag(ctx, "vip"))
	}},
	"ListTags": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListTags(ctx, storage.TagQuery{}))
	}},
	"DeleteTag": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteTag(ctx, "vip")
	}},
	"CreateMessage": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateMessage(ctx, "c1", message.Message{Content: message.Content{Text: "hi"}}))
	}},
	"GetMessage": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetMessage(ctx, "m1"))
	}},
	"ListMessages": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListMessages(ctx, storage.MessageQuery{ConversationID: "c1"}))
	}},
	"CreateAgent": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateAgent(ctx, routing.Agent{DisplayName: "New"}))
	}},
	"GetAgent": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetAgent(ctx, "a1"))
	}},
	"ListAgents": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListAgents(ctx, storage.AgentQuery{}))
	}},
	"UpdateAgent": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UpdateAgent(ctx, "a1", routing.AgentPatch{Status: ptr(routing.Active)}))
	}},
	"CreateQueue": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateQueue(ctx, routing.Queue{Name: "New"}))
	}},
	"GetQueue": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetQueue(ctx, "q1"))
	}},
	"ListQueues": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListQueues(ctx, storage.QueueQuery{}))
	}},
	"UpdateQueue": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UpdateQueue(ctx, "q1", routing.QueuePatch{AutoAssignment: ptr(true)}))
	}},
	"AddQueueMember": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AddQueueMember(ctx, "q1", "a1"))
	}},
	"RemoveQueueMember": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RemoveQueueMember(ctx, "q1", "s1"))
	}},
	"RoutingRules": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RoutingRules(ctx))
	}},
	"SetRoutingRules": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SetRoutingRules(ctx, []routing.Rule{{Name: "all", QueueID: "q1"}}))
	}},
	"Events": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.Events(ctx, storage.EventQuery{}))
	}},
	"Consume": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		// Stopped before it waits: with the scope it returns nil.
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		return svc.Consume(stopped, parley.ConsumeOptions{}, func(context.Context, []*storage.Event) error { return nil })
	}},
	"Route": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.Route(ctx, "c1"))
	}},
	"SimulateRouting": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SimulateRouting(ctx, "c1"))
	}},
	"TransferToAgent": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.TransferToAgent(ctx, "c1", "a1"))
	}},
	"TransferToQueue": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.TransferToQueue(ctx, "c1", "q1"))
	}},
	"AssignWaiting": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AssignWaiting(ctx, "q1"))
	}},
	"AssignAllWaiting": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AssignAllWaiting(ctx))
	}},
	"ReceiveInbound": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		_, _, err := svc.ReceiveInbound(ctx, "cust-1", conversation.SMS, message.Message{Content: message.Content{Text: "hello"}})
		return err
	}},
	"CreateCustomer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateCustomer(ctx, customer.Customer{Name: "New"}))
	}},
	"GetCustomer": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetCustomer(ctx, "k1"))
	}},
	"ListCustomers": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListCustomers(ctx, storage.CustomerQuery{}))
	}},
	"UpdateCustomer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UpdateCustomer(ctx, "k1", customer.Patch{Name: ptr("changed")}))
	}},
	"DeleteCustomer": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteCustomer(ctx, "k1")
	}},
	"ReceiveCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ReceiveCall(ctx, parley.InboundCall{CustomerID: "k9", From: "+1", To: "+2"}))
	}},
	"PlaceCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.PlaceCall(ctx, parley.OutboundCall{AgentID: "a1", From: "+2", To: "+1"}))
	}},
	"GetCall": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetCall(ctx, "call-in"))
	}},
	"ListCalls": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListCalls(ctx, storage.CallQuery{}))
	}},
	"AcceptCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AcceptCall(ctx, "call-in", "s1"))
	}},
	"RejectCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RejectCall(ctx, "call-in", "s1"))
	}},
	"AnswerCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AnswerCall(ctx, "call-out"))
	}},
	"HangUpCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.HangUpCall(ctx, "call-talk", call.Agent))
	}},
	"FailCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.FailCall(ctx, "call-out"))
	}},
	"HoldCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.HoldCall(ctx, "call-talk"))
	}},
	"UnholdCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.UnholdCall(ctx, "call-held"))
	}},
	"Heartbeat": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.Heartbeat(ctx, "a1")
	}},
	"AgentAvailability": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AgentAvailability(ctx, "a1"))
	}},
	"AgentAvailabilities": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AgentAvailabilities(ctx, "a1", "s1"))
	}},
	"CallTimeouts": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CallTimeouts(ctx))
	}},
	"SetCallTimeouts": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SetCallTimeouts(ctx, call.Timeouts{Inbound: 10}))
	}},
	"ResetCallTimeouts": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ResetCallTimeouts(ctx))
	}},
	"WrapUpConfig": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.WrapUpConfig(ctx))
	}},
	"SetWrapUpConfig": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SetWrapUpConfig(ctx, call.WrapUpConfig{WrapUpSeconds: 5, Enabled: true}))
	}},
	"SetAgentCallWrapUp": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SetAgentCallWrapUp(ctx, "a1", ptr(10)))
	}},
	"ExtendWrapUp": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ExtendWrapUp(ctx, "f1", 10))
	}},
	"ClearWrapUp": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ClearWrapUp(ctx, "f1"))
	}},
	"OfferCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.OfferCall(ctx, "call-in"))
	}},
	"ExpireCall": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ExpireCall(ctx, "call-in"))
	}},
	"CreateWorkingHours": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.CreateWorkingHours(ctx, officeHours("wh-new")))
	}},
	"GetWorkingHours": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.GetWorkingHours(ctx, "wh1"))
	}},
	"ListWorkingHours": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ListWorkingHours(ctx, storage.WorkingHoursQuery{}))
	}},
	"ReplaceWorkingHours": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.ReplaceWorkingHours(ctx, "wh1", officeHours("wh1")))
	}},
	"DeleteWorkingHours": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteWorkingHours(ctx, "wh1")
	}},
	"WorkingHoursStatus": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.WorkingHoursStatus(ctx, "wh1"))
	}},
	"QueueActivity": {parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.QueueActivity(ctx, 0, 0))
	}},
	"RunDue": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.RunDue(ctx))
	}},
	"Run": {parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		// One pass: the context has ended when it starts waiting.
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return svc.Run(ctx, time.Hour)
	}},
}

// authFixture has agents a1 and s1 (s1 a member of q1), queue q1,
// conversation c1 (tagged vip, with message m1) and c2 (assigned to a1),
// and customer k1 (with no conversation).
func authFixture(t *testing.T, s *serviceSuite, opts ...parley.Option) *serviceFixture {
	t.Helper()
	fx := s.setup(t, opts...)
	fx.ctx = fx.as("", parley.ScopeRead, parley.ScopeWrite)
	ctx := fx.ctx
	_, err := fx.svc.CreateAgent(ctx, routing.Agent{ID: "a1", DisplayName: "Ann"})
	require.NoError(t, err)
	_, err = fx.svc.CreateAgent(ctx, routing.Agent{ID: "s1", DisplayName: "Sue", Role: routing.RoleSupervisor})
	require.NoError(t, err)
	_, err = fx.svc.CreateQueue(ctx, routing.Queue{ID: "q1", Name: "Support"})
	require.NoError(t, err)
	require.NoError(t, ignore(fx.svc.AddQueueMember(ctx, "q1", "s1")))
	_, err = fx.svc.CreateConversation(ctx, conversation.Conversation{ID: "c1", Tags: []string{"vip"}})
	require.NoError(t, err)
	_, err = fx.svc.CreateConversation(ctx, conversation.Conversation{ID: "c2", AgentID: "a1"})
	require.NoError(t, err)
	_, err = fx.svc.CreateMessage(ctx, "c1", message.Message{ID: "m1", Direction: message.Inbound, Content: message.Content{Text: "hello"}})
	require.NoError(t, err)
	_, err = fx.svc.CreateCustomer(ctx, customer.Customer{ID: "k1", Name: "Kim"})
	require.NoError(t, err)
	return fx
}

// operationSetUp adds to authFixture what some operations need beyond it;
// the rest go without, which keeps the many fixtures of the
// Authorization case small.
var operationSetUp = map[string]func(t *testing.T, fx *serviceFixture){}

func init() {
	for _, name := range []string{"GetCall", "AcceptCall", "RejectCall", "AnswerCall", "HangUpCall", "FailCall",
		"HoldCall", "UnholdCall", "ExtendWrapUp", "ClearWrapUp", "OfferCall", "ExpireCall"} {
		operationSetUp[name] = callFixtures
	}
	for _, name := range []string{"GetWorkingHours", "ReplaceWorkingHours", "DeleteWorkingHours", "WorkingHoursStatus"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			_, err := fx.svc.CreateWorkingHours(fx.ctx, officeHours("wh1"))
			require.NoError(t, err)
		}
	}
}

// authFixtureFor is authFixture with what operation name needs.
func authFixtureFor(t *testing.T, s *serviceSuite, name string, opts ...parley.Option) *serviceFixture {
	t.Helper()
	fx := authFixture(t, s, opts...)
	if setUp := operationSetUp[name]; setUp != nil {
		// As the host would: with every scope, whatever the case's actor.
		ctx := fx.ctx
		fx.ctx = fx.as("", parley.ScopeRead, parley.ScopeWrite)
		setUp(t, fx)
		fx.ctx = ctx
	}
	return fx
}

// callFixtures adds, for the call operations, a default queue qv whose
// member s1 (ACTIVE, heartbeat sent) has call-in ringing; call-out dialing
// from d1; call-talk connected to b1; call-held connected to e1 and on
// hold; and f1 in wrap-up after a call.
func callFixtures(t *testing.T, fx *serviceFixture) {
	t.Helper()
	ctx := fx.ctx
	_, err := fx.svc.CreateQueue(ctx, routing.Queue{ID: "qv", Name: "Voice", Default: true, AutoAssignment: true})
	require.NoError(t, err)
	require.NoError(t, ignore(fx.svc.AddQueueMember(ctx, "qv", "s1")))
	_, err = fx.svc.UpdateAgent(ctx, "s1", routing.AgentPatch{Status: ptr(routing.Active)})
	require.NoError(t, err)
	require.NoError(t, fx.svc.Heartbeat(ctx, "s1"))
	in, err := fx.svc.ReceiveCall(ctx, parley.InboundCall{ID: "call-in", CustomerID: "k2", From: "+1", To: "+2"})
	require.NoError(t, err)
	require.Equal(t, call.Ringing, in.State)
	place := func(id, agent string) {
		t.Helper()
		_, err := fx.svc.CreateAgent(ctx, routing.Agent{ID: agent, DisplayName: agent})
		require.NoError(t, err)
		_, err = fx.svc.PlaceCall(ctx, parley.OutboundCall{ID: id, AgentID: agent, From: "+2", To: "+1"})
		require.NoError(t, err)
	}
	place("call-out", "d1")
	for _, c := range []struct{ id, agent string }{{"call-talk", "b1"}, {"call-held", "e1"}, {"call-done", "f1"}} {
		place(c.id, c.agent)
		_, err := fx.svc.AnswerCall(ctx, c.id)
		require.NoError(t, err)
	}
	_, err = fx.svc.HoldCall(ctx, "call-held")
	require.NoError(t, err)
	_, err = fx.svc.HangUpCall(ctx, "call-done", call.Customer)
	require.NoError(t, err)
}

var serviceAuthorizationCases = []serviceCase{
	// EveryOperationHasACase walks the exported methods of Service: each
	// that has a scope in parley's table (every operation; the root
	// package's tests check that none lacks one) has a case in operations,
	// with that scope, so that an operation added without a case here fails
	// the suite.
	{"EveryOperationHasACase", func(t *testing.T, s *serviceSuite) {
		typ := reflect.TypeOf(&parley.Service{})
		require.Positive(t, typ.NumMethod())
		methods := map[string]bool{}
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			methods[name] = true
			scope, ok := parley.OperationScope(name)
			if !ok {
				continue
			}
			op, ok := operations[name]
			require.True(t, ok, "Service.%s has no case in the authorization tests", name)
			require.Equal(t, op.scope, scope, "the scope of Service.%s", name)
		}
		for name := range operations {
			require.True(t, methods[name], "%s is not a method of Service", name)
		}
	}},
	{"Authorization", func(t *testing.T, s *serviceSuite) {
		for name, op := range operations {
			other := parley.ScopeRead
			if op.scope == parley.ScopeRead {
				other = parley.ScopeWrite
			}
			actors := []struct {
				name  string
				ctx   func(fx *serviceFixture) context.Context
				allow bool
			}{
				{"no actor", func(fx *serviceFixture) context.Context { return fx.base }, false},
				{"no scopes", func(fx *serviceFixture) context.Context { return fx.as("") }, false},
				{"an agent without scopes", func(fx *serviceFixture) context.Context { return fx.as("s1") }, false},
				{"only " + string(other), func(fx *serviceFixture) context.Context { return fx.as("", other) }, false},
				{"an unknown scope", func(fx *serviceFixture) context.Context { return fx.as("", "admin") }, false},
				{"its scope", func(fx *serviceFixture) context.Context { return fx.as("", op.scope) }, true},
				{"both scopes", func(fx *serviceFixture) context.Context { return fx.as("", parley.ScopeRead, parley.ScopeWrite) }, true},
			}
			// The refused actors share one fixture: a refusal writes
			// nothing (each checks that), so the next finds it as it was;
			// and so does the first allowed actor, last. Fixtures are what
			// this case spends its time on.
			t.Run(name+", refused, then its scope", func(t *testing.T) {
				s.parallel(t)
				fx := authFixtureFor(t, s, name, parley.WithAuthorization())
				before := fx.snapshot(t)
				for _, actor := range actors {
					if actor.allow {
						continue
					}
					err := op.call(actor.ctx(fx), fx.svc)
					require.ErrorIs(t, err, parley.ErrForbidden, actor.name)
					fx.requireUnchanged(t, before)
				}
				require.NoError(t, op.call(fx.as("", op.scope), fx.svc), "its scope")
			})
			for _, actor := range actors {
				if !actor.allow || actor.name == "its scope" {
					continue
				}
				t.Run(name+", "+actor.name, func(t *testing.T) {
					s.parallel(t)
					fx := authFixtureFor(t, s, name, parley.WithAuthorization())
					require.NoError(t, op.call(actor.ctx(fx), fx.svc))
				})
			}
			t.Run(name+", authorisation off", func(t *testing.T) {
				s.parallel(t)
				fx := authFixtureFor(t, s, name)
				require.NoError(t, op.call(fx.base, fx.svc), "off by default: no actor, no scopes needed")
			})
		}
	}},
	// ReplyMatrixWithAuthorization: a write scope does not lift the reply
	// matrix.
	{"ReplyMatrixWithAuthorization", func(t *testing.T, s *serviceSuite) {
		fx := authFixture(t, s, parley.WithAuthorization())
		reply := func(agentID string) error {
			return ignore(fx.svc.CreateMessage(fx.as(agentID, parley.ScopeRead, parley.ScopeWrite), "c2", message.Message{Content: message.Content{Text: "hi"}}))
		}
		_, err := fx.svc.CreateAgent(fx.as("", parley.ScopeWrite), routing.Agent{ID: "a2", DisplayName: "Bob"})
		require.NoError(t, err)
		require.ErrorIs(t, reply("a2"), parley.ErrForbidden)
		require.ErrorIs(t, reply(""), parley.ErrForbidden)
		require.NoError(t, reply("a1"))
		require.NoError(t, reply("s1"))
	}},
}
