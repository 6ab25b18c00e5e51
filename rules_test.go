package parley_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
)

// The service's share of the domain rules: each rule has one home in a
// domain package, and these tests check that every path of the service
// that takes the input goes through it, on every store.

// TestCustomerIDRuleOnEveryPath: a customer id with a control character is
// refused alike by create, update and inbound, and writes nothing; an id
// that one path takes, every path takes, so a conversation's customer can
// always write in.
func TestCustomerIDRuleOnEveryPath(t *testing.T) {
	t.Parallel()
	hello := message.Message{Content: message.Content{Text: "hello"}}
	bad := []string{"cust\t42", "cust\n42", "cust\r", "\x1b[31mcust", "cust\x7f", "cust\u0085"}
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		fx := setup(t)
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
	})
}
