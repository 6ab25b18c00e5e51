package storagetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
)

// The service's share of the domain rules: each rule has one home in a
// domain package, and these tests check that every path of the service
// that takes the input goes through it, on every store.

var serviceDomainRuleCases = []serviceCase{
	// CustomerIDRuleOnEveryPath: a customer id with a control character is
	// refused alike by create, update and inbound, and writes nothing; an id
	// that one path takes, every path takes, so a conversation's customer can
	// always write in.
	{"CustomerIDRuleOnEveryPath", func(t *testing.T, s *serviceSuite) {
		hello := message.Message{Content: message.Content{Text: "hello"}}
		bad := []string{"cust\t42", "cust\n42", "cust\r", "\x1b[31mcust", "cust\x7f", "cust\u0085"}
		fx := s.setup(t)
		c := fx.conversation(t, conversation.Conversation{CustomerID: "cust 42 é", Channel: conversation.SMS})

		snap := fx.snapshot(t)
		for _, id := range bad {
			_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{CustomerID: id, Channel: conversation.SMS})
			requireInvalid(t, err, "customerId")
			_, err = fx.svc.UpdateConversation(fx.ctx, c.ID, conversation.Patch{CustomerID: ptr(id)})
			requireInvalid(t, err, "customerId")
			_, _, err = fx.svc.ReceiveInbound(fx.ctx, id, conversation.SMS, hello)
			requireInvalid(t, err, "customerId")
		}
		fx.requireUnchanged(t, snap)

		// What create took, inbound threads into.
		got, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust 42 é", conversation.SMS, hello)
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)

		// What update took, inbound threads into; the empty id stays
		// allowed on a conversation and required for inbound.
		fx.tick()
		_, err = fx.svc.UpdateConversation(fx.ctx, c.ID, conversation.Patch{CustomerID: ptr("cust-43")})
		require.NoError(t, err)
		got, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust-43", conversation.SMS, hello)
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)
		_, err = fx.svc.UpdateConversation(fx.ctx, c.ID, conversation.Patch{CustomerID: ptr("")})
		require.NoError(t, err)
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "", conversation.SMS, hello)
		requireInvalid(t, err, "customerId")
	}},
	// InboundByStatus: inbound threading takes the customer's conversation
	// in any status but CLOSED, and reopens a WAITING or SOLVED one unless the
	// host turned that off, through CreateMessage as through ReceiveInbound.
	{"InboundByStatus", func(t *testing.T, s *serviceSuite) {
		hello := message.Message{Direction: message.Inbound, Content: message.Content{Text: "hello"}}
		tests := []struct {
			status  conversation.Status
			threads bool
			reopens bool
		}{
			{conversation.Open, true, false},
			{conversation.Waiting, true, true},
			{conversation.Solved, true, true},
			{conversation.Closed, false, false},
		}
		for _, reopen := range []bool{true, false} {
			fx := s.setup(t, parley.WithReopenOnInbound(reopen))
			for _, tt := range tests {
				customer := fmt.Sprintf("cust-%s-%t", tt.status, reopen)
				c := fx.conversation(t, conversation.Conversation{CustomerID: customer, Channel: conversation.SMS, Status: tt.status})
				fx.tick()
				got, _, err := fx.svc.ReceiveInbound(fx.ctx, customer, conversation.SMS, hello)
				require.NoError(t, err)
				if !tt.threads {
					require.NotEqual(t, c.ID, got.ID, "%s: a closed conversation takes no message", tt.status)
					require.Equal(t, conversation.Closed, fx.get(t, c.ID).Status)
					continue
				}
				require.Equal(t, c.ID, got.ID, "%s: threaded", tt.status)
				want := tt.status
				if tt.reopens && reopen {
					want = conversation.Open
				}
				require.Equal(t, want, got.Status, "%s, reopen %t: ReceiveInbound", tt.status, reopen)
				require.Equal(t, got, fx.get(t, c.ID))

				// A message created on the conversation follows the same rule.
				other := fx.conversation(t, conversation.Conversation{Status: tt.status})
				fx.text(t, fx.ctx, other.ID, message.Inbound, "again")
				require.Equal(t, want, fx.get(t, other.ID).Status, "%s, reopen %t: CreateMessage", tt.status, reopen)
			}
		}
	}},
}
