package parley

import (
	"context"
	"fmt"
	"slices"

	"github.com/parleyhq/parley/fault"
)

// Scope is a permission an actor may hold, checked when authorisation is on
// (WithAuthorization).
type Scope string

// The scopes. Every read needs ScopeRead and every write ScopeWrite; the
// reply matrix applies on top, whether authorisation is on or not.
const (
	ScopeRead  Scope = "read:conversations"
	ScopeWrite Scope = "write:conversations"
)

// Actor is who performs an operation: the agent id the host vouches for (""
// when no agent acts, as for a bot or the customer's side) and the scopes
// the host granted.
type Actor struct {
	AgentID string
	Scopes  []Scope
}

type actorKey struct{}

// WithActor returns a context that carries the actor. The service reads it
// for the reply matrix, for the actor of events and for scope checks.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; the zero Actor when there is none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// LookupActor returns the actor in ctx and whether WithActor put one
// there, so that a caller can tell "no actor yet" from an actor with no
// agent id (a bot, the customer's side). The HTTP adapters' default actor
// function uses it to keep an actor a host middleware already set.
func LookupActor(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// operationScopes is the scope each service operation needs. Every exported
// method of Service that reads or writes must have an entry; a test walks
// the method set to keep this table complete.
var operationScopes = map[string]Scope{
	"CreateConversation":   ScopeWrite,
	"GetConversation":      ScopeRead,
	"ListConversations":    ScopeRead,
	"UpdateConversation":   ScopeWrite,
	"AssignConversation":   ScopeWrite,
	"UnassignConversation": ScopeWrite,
	"CloseConversation":    ScopeWrite,
	"DeleteConversation":   ScopeWrite,
	"AddTag":               ScopeWrite,
	"RemoveTag":            ScopeWrite,
	"ConversationTags":     ScopeRead,
	"History":              ScopeRead,
	"CreateTag":            ScopeWrite,
	"GetTag":               ScopeRead,
	"ListTags":             ScopeRead,
	"DeleteTag":            ScopeWrite,
	"CreateMessage":        ScopeWrite,
	"GetMessage":           ScopeRead,
	"ListMessages":         ScopeRead,
	"CreateAgent":          ScopeWrite,
	"GetAgent":             ScopeRead,
	"ListAgents":           ScopeRead,
	"UpdateAgent":          ScopeWrite,
	"CreateQueue":          ScopeWrite,
	"GetQueue":             ScopeRead,
	"ListQueues":           ScopeRead,
	"UpdateQueue":          ScopeWrite,
	"AddQueueMember":       ScopeWrite,
	"RemoveQueueMember":    ScopeWrite,
	"RoutingRules":         ScopeRead,
	"SetRoutingRules":      ScopeWrite,
	"Events":               ScopeRead,
	"Consume":              ScopeRead,
	"Route":                ScopeWrite,
	"SimulateRouting":      ScopeRead,
	"TransferToAgent":      ScopeWrite,
	"TransferToQueue":      ScopeWrite,
	"AssignWaiting":        ScopeWrite,
	"AssignAllWaiting":     ScopeWrite,
	"ReceiveInbound":       ScopeWrite,
	"CreateCustomer":       ScopeWrite,
	"GetCustomer":          ScopeRead,
	"ListCustomers":        ScopeRead,
	"UpdateCustomer":       ScopeWrite,
	"DeleteCustomer":       ScopeWrite,
	"ReceiveCall":          ScopeWrite,
	"PlaceCall":            ScopeWrite,
	"GetCall":              ScopeRead,
	"ListCalls":            ScopeRead,
	"AcceptCall":           ScopeWrite,
	"RejectCall":           ScopeWrite,
	"AnswerCall":           ScopeWrite,
	"HangUpCall":           ScopeWrite,
	"FailCall":             ScopeWrite,
	"HoldCall":             ScopeWrite,
	"UnholdCall":           ScopeWrite,
	"Heartbeat":            ScopeWrite,
	"AgentAvailability":    ScopeRead,
	"AgentAvailabilities":  ScopeRead,
	"CallTimeouts":         ScopeRead,
	"SetCallTimeouts":      ScopeWrite,
	"ResetCallTimeouts":    ScopeWrite,
	"WrapUpConfig":         ScopeRead,
	"SetWrapUpConfig":      ScopeWrite,
	"SetAgentCallWrapUp":   ScopeWrite,
	"ExtendWrapUp":         ScopeWrite,
	"ClearWrapUp":          ScopeWrite,
	"RunDue":               ScopeWrite,
	"OfferCall":            ScopeWrite,
	"CreateWorkingHours":   ScopeWrite,
	"GetWorkingHours":      ScopeRead,
	"ListWorkingHours":     ScopeRead,
	"ReplaceWorkingHours":  ScopeWrite,
	"DeleteWorkingHours":   ScopeWrite,
	"WorkingHoursStatus":   ScopeRead,
	"QueueActivity":        ScopeRead,
	"ExpireCall":           ScopeWrite,
	"Run":                  ScopeWrite,

	"CreateWaitingStrategy":        ScopeWrite,
	"GetWaitingStrategy":           ScopeRead,
	"ListWaitingStrategies":        ScopeRead,
	"UpdateWaitingStrategy":        ScopeWrite,
	"DeleteWaitingStrategy":        ScopeWrite,
	"WaitingStrategyFor":           ScopeRead,
	"RunWaits":                     ScopeWrite,
	"CollectWaitingInput":          ScopeWrite,
	"TransferCallToAgent":          ScopeWrite,
	"TransferCallToQueue":          ScopeWrite,
	"TransferCallToExternalNumber": ScopeWrite,
	"AcceptCallTransfer":           ScopeWrite,
	"RejectCallTransfer":           ScopeWrite,
	"AnswerCallTransfer":           ScopeWrite,
	"ReturnCallTransfer":           ScopeWrite,
	"ExternalTransferSettings":     ScopeRead,
	"SetExternalTransferSettings":  ScopeWrite,
	"TransferStrategy":             ScopeRead,
	"SetTransferStrategy":          ScopeWrite,
	"CreateHoldConfig":             ScopeWrite,
	"GetHoldConfig":                ScopeRead,
	"ListHoldConfigs":              ScopeRead,
	"ReplaceHoldConfig":            ScopeWrite,
	"DeleteHoldConfig":             ScopeWrite,
	"HoldConfigFor":                ScopeRead,
	"QueueStatistics":              ScopeRead,
	"AllQueueStatistics":           ScopeRead,
	"PatchWorkingHours":            ScopeWrite,
	"AddHoliday":                   ScopeWrite,
	"DeleteHoliday":                ScopeWrite,
	"SearchWorkingHours":           ScopeRead,
}

// OperationScope returns the scope the named Service method needs, and
// false for a name that is not an operation.
func OperationScope(operation string) (Scope, bool) {
	s, ok := operationScopes[operation]
	return s, ok
}

// authorize checks the actor's scopes for op when authorisation is on.
func (s *Service) authorize(ctx context.Context, op string) error {
	need, ok := operationScopes[op]
	if !ok {
		// A programming error: an operation without an entry. Refuse rather
		// than let it through unchecked.
		return fmt.Errorf("operation %s has no scope: %w", op, fault.ErrForbidden)
	}
	if id := ActorFrom(ctx).AgentID; id != "" {
		// The actor's id goes into the events of every change: it is
		// input like any other.
		if err := checkID("actor", id); err != nil {
			return err
		}
	}
	if !s.authz {
		return nil
	}
	if !slices.Contains(ActorFrom(ctx).Scopes, need) {
		return fmt.Errorf("%s needs scope %s: %w", op, need, fault.ErrForbidden)
	}
	return nil
}
