package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

func (fx *serviceFixture) customer(t *testing.T, in customer.Customer) *customer.Customer {
	t.Helper()
	c, err := fx.svc.CreateCustomer(fx.ctx, in)
	require.NoError(t, err)
	return c
}

func (fx *serviceFixture) getCustomer(t *testing.T, id string) *customer.Customer {
	t.Helper()
	c, err := fx.svc.GetCustomer(fx.ctx, id)
	require.NoError(t, err)
	return c
}

var serviceCustomerCases = []serviceCase{
	{"CreateGetUpdate", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		now := fx.tick()
		c, err := fx.svc.CreateCustomer(fx.as("a1"), customer.Customer{
			Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000",
			Attributes: map[string]string{"plan": "gold"},
		})
		require.NoError(t, err)
		require.Equal(t, "id-0001", c.ID, "the service's id generator names it")
		require.Equal(t, now, c.CreatedAt)
		require.Equal(t, now, c.UpdatedAt)
		require.Equal(t, c, fx.getCustomer(t, c.ID), "what create returns is what was stored")
		events := fx.events(t)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.CustomerCreated, "", "a1", now,
			change{"name", "", `"Ada Lovelace"`},
			change{"email", "", `"ada@example.com"`},
			change{"phone", "", `"+44 20 7946 0000"`},
			change{"attributes", "", `{"plan":"gold"}`})
		require.Equal(t, c.ID, events[0].EntityID)

		later := fx.tick()
		seq := fx.lastSeq(t)
		up, err := fx.svc.UpdateCustomer(fx.ctx, c.ID, customer.Patch{Email: ptr(""), Phone: ptr("112")})
		require.NoError(t, err)
		require.Equal(t, "Ada Lovelace", up.Name, "a field the patch leaves stays")
		require.Empty(t, up.Email)
		require.Equal(t, "112", up.Phone)
		require.Equal(t, now, up.CreatedAt)
		require.Equal(t, later, up.UpdatedAt)
		require.Equal(t, up, fx.getCustomer(t, c.ID))
		events = fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.CustomerUpdated, "", "", later,
			change{"email", `"ada@example.com"`, ""},
			change{"phone", `"+44 20 7946 0000"`, `"112"`})

		// A patch that changes nothing writes nothing.
		fx.tick()
		snap := fx.snapshot(t)
		same, err := fx.svc.UpdateCustomer(fx.ctx, c.ID, customer.Patch{Name: ptr("Ada Lovelace")})
		require.NoError(t, err)
		require.Equal(t, up, same)
		fx.requireUnchanged(t, snap)

		// The caller's own id; a taken one.
		mine := fx.customer(t, customer.Customer{ID: "cust 42 é"})
		require.Equal(t, "cust 42 é", mine.ID)
		_, err = fx.svc.CreateCustomer(fx.ctx, customer.Customer{ID: "cust 42 é", Name: "Other"})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		require.Empty(t, fx.getCustomer(t, "cust 42 é").Name)
	}},
	{"RefusedInputWritesNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.customer(t, customer.Customer{ID: "k1"})
		snap := fx.snapshot(t)
		for _, tc := range []struct {
			call  func() error
			field string
		}{
			{func() error { return ignore(fx.svc.CreateCustomer(fx.ctx, customer.Customer{Email: "not an address"})) }, "email"},
			{func() error { return ignore(fx.svc.CreateCustomer(fx.ctx, customer.Customer{Phone: "call me"})) }, "phone"},
			{func() error { return ignore(fx.svc.CreateCustomer(fx.ctx, customer.Customer{ID: "a\nb"})) }, "id"},
			{func() error { return ignore(fx.svc.CreateCustomer(fx.ctx, customer.Customer{Name: "\x00"})) }, "name"},
			{func() error {
				return ignore(fx.svc.CreateCustomer(fx.ctx, customer.Customer{Attributes: map[string]string{"": "v"}}))
			}, "attributes"},
			{func() error { return ignore(fx.svc.UpdateCustomer(fx.ctx, "k1", customer.Patch{Email: ptr("@")})) }, "email"},
			{func() error { return ignore(fx.svc.UpdateCustomer(fx.ctx, "", customer.Patch{})) }, "id"},
			{func() error { return ignore(fx.svc.GetCustomer(fx.ctx, "")) }, "id"},
			{func() error { return fx.svc.DeleteCustomer(fx.ctx, "a\x00") }, "id"},
			{func() error {
				return ignore(fx.svc.ListCustomers(fx.ctx, storage.CustomerQuery{Filter: storage.CustomerFilter{Phone: "-"}}))
			}, "phone"},
		} {
			requireInvalid(t, tc.call(), tc.field)
		}
		_, err := fx.svc.UpdateCustomer(fx.ctx, "nobody", customer.Patch{Name: ptr("x")})
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteCustomer(fx.ctx, "nobody"), parley.ErrNotFound)
		_, err = fx.svc.GetCustomer(fx.ctx, "nobody")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, snap)
	}},
	{"List", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.customer(t, customer.Customer{ID: "k1", Name: "Ada Lovelace", Email: "ada@example.com"})
		fx.customer(t, customer.Customer{ID: "k2", Name: "Grace Hopper", Phone: "+1 555 0100"})
		fx.customer(t, customer.Customer{ID: "k3", Name: "Adam", Email: "ADA@example.com", Phone: "+15550100"})
		for _, tc := range []struct {
			filter storage.CustomerFilter
			want   []string
		}{
			{storage.CustomerFilter{}, []string{"k1", "k2", "k3"}},
			{storage.CustomerFilter{Email: "Ada@Example.com"}, []string{"k1", "k3"}},
			{storage.CustomerFilter{Phone: "+1 (555) 0100"}, []string{"k2", "k3"}},
			{storage.CustomerFilter{NameContains: "ada"}, []string{"k1", "k3"}},
			{storage.CustomerFilter{NameContains: "ada", Phone: "+15550100"}, []string{"k3"}},
		} {
			page, err := fx.svc.ListCustomers(fx.ctx, storage.CustomerQuery{Filter: tc.filter})
			require.NoError(t, err)
			require.Equal(t, tc.want, customerIDs(page.Items), "%+v", tc.filter)
			require.Equal(t, len(tc.want), page.Total)
		}
	}},
	// DeleteRefusedWhileItHasConversations: a customer who is the customer
	// of a conversation, of any status, cannot be deleted; once the
	// conversations are gone or moved, it can.
	{"DeleteRefusedWhileItHasConversations", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.customer(t, customer.Customer{ID: "k1", Name: "Ada"})
		fx.customer(t, customer.Customer{ID: "k2"})
		fx.conversation(t, conversation.Conversation{ID: "c1", CustomerID: "k1"})
		fx.conversation(t, conversation.Conversation{ID: "c2", CustomerID: "k1", Status: conversation.Closed})

		snap := fx.snapshot(t)
		err := fx.svc.DeleteCustomer(fx.ctx, "k1")
		require.ErrorIs(t, err, parley.ErrConflict)
		var inUse *customer.InUseError
		require.True(t, errors.As(err, &inUse), "got %T: %v", err, err)
		require.Equal(t, "k1", inUse.ID)
		fx.requireUnchanged(t, snap)

		// Moved to another customer, or deleted: then it goes.
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{CustomerID: ptr("k2")})
		require.NoError(t, err)
		require.ErrorIs(t, fx.svc.DeleteCustomer(fx.ctx, "k1"), parley.ErrConflict, "the closed one is still the customer's")
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, "c2", "duplicate"))
		now := fx.tick()
		require.NoError(t, fx.svc.DeleteCustomer(fx.as("a1"), "k1"))
		_, err = fx.svc.GetCustomer(fx.ctx, "k1")
		require.ErrorIs(t, err, parley.ErrNotFound)
		events := fx.events(t)
		last := events[len(events)-1]
		requireEvent(t, last, storage.CustomerDeleted, "", "a1", now)
		require.Equal(t, "k1", last.EntityID)
		require.Empty(t, last.Changes)
		require.ErrorIs(t, fx.svc.DeleteCustomer(fx.ctx, "k1"), parley.ErrNotFound)
	}},
	// KnownCustomer: with the option, a conversation's customer must exist
	// on create and when an update changes it; without it, any id goes.
	{"KnownCustomer", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.customer(t, customer.Customer{ID: "k1"})
		fx.customer(t, customer.Customer{ID: "k2"})
		snap := fx.snapshot(t)
		_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c1", CustomerID: "nobody"}, parley.KnownCustomer())
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.Contains(t, err.Error(), `"nobody"`)
		fx.requireUnchanged(t, snap)

		c, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c1", CustomerID: "k1"}, parley.KnownCustomer())
		require.NoError(t, err)
		require.Equal(t, "k1", c.CustomerID)
		_, err = fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c2"}, parley.KnownCustomer())
		require.NoError(t, err, "no customer at all is allowed")
		_, err = fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c3", CustomerID: "anyone"})
		require.NoError(t, err, "without the option a customer id need name no customer")

		snap = fx.snapshot(t)
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{CustomerID: ptr("nobody")}, parley.KnownCustomer())
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, snap)
		c, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{CustomerID: ptr("k2")}, parley.KnownCustomer())
		require.NoError(t, err)
		require.Equal(t, "k2", c.CustomerID)
		// The customer the conversation names already is no change, even
		// one that does not exist: what was read can be written back.
		c3 := fx.get(t, "c3")
		same, err := fx.svc.UpdateConversation(fx.ctx, "c3", conversation.Patch{CustomerID: ptr("anyone")}, parley.KnownCustomer())
		require.NoError(t, err)
		require.Equal(t, c3, same)
		c, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{CustomerID: ptr("")}, parley.KnownCustomer())
		require.NoError(t, err, "no customer is allowed")
		require.Empty(t, c.CustomerID)

		// A closed conversation is ErrClosed, not a customer check.
		_, err = fx.svc.CloseConversation(fx.ctx, "c2")
		require.NoError(t, err)
		_, err = fx.svc.UpdateConversation(fx.ctx, "c2", conversation.Patch{CustomerID: ptr("nobody")}, parley.KnownCustomer())
		require.ErrorIs(t, err, parley.ErrClosed)
	}},
	// InboundCreatesTheCustomer: the first message of a customer who does
	// not exist creates them, with the address it came from where it is
	// one; later messages, and a customer who exists, change nothing.
	{"InboundCreatesTheCustomer", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		now := fx.tick()
		c1, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust-1", conversation.WhatsApp, message.Message{From: "+15550100", Content: message.Content{Text: "hi"}})
		require.NoError(t, err)
		k := fx.getCustomer(t, "cust-1")
		require.Equal(t, &customer.Customer{ID: "cust-1", Phone: "+15550100", CreatedAt: now, UpdatedAt: now}, k)
		events := fx.events(t)
		require.Equal(t, []storage.EventType{storage.CustomerCreated, storage.ConversationCreated, storage.MessageCreated}, types(events)[:3])
		requireEvent(t, events[0], storage.CustomerCreated, "", "", now, change{"phone", "", `"+15550100"`})

		// The next message threads into the conversation; another
		// channel starts one, for the same customer.
		fx.tick()
		seq := fx.lastSeq(t)
		c2, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust-1", conversation.WhatsApp, message.Message{From: "+15550199", Content: message.Content{Text: "again"}})
		require.NoError(t, err)
		require.Equal(t, c1.ID, c2.ID)
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust-1", conversation.Email, message.Message{From: "ada@example.com", Content: message.Content{Text: "mail"}})
		require.NoError(t, err)
		for _, e := range fx.eventsSince(t, seq) {
			require.NotEqual(t, storage.CustomerCreated, e.Type)
		}
		require.Equal(t, k, fx.getCustomer(t, "cust-1"), "a customer who exists is left as they are")

		// A customer made beforehand is not overwritten.
		fx.customer(t, customer.Customer{ID: "cust-2", Name: "Grace", Email: "grace@example.com"})
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust-2", conversation.Email, message.Message{From: "other@example.com", Content: message.Content{Text: "hi"}})
		require.NoError(t, err)
		got := fx.getCustomer(t, "cust-2")
		require.Equal(t, "Grace", got.Name)
		require.Equal(t, "grace@example.com", got.Email)

		// A refused message creates no customer.
		snap := fx.snapshot(t)
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust-3", conversation.SMS, message.Message{})
		requireInvalid(t, err, "content.text")
		fx.requireUnchanged(t, snap)
	}},
	// DeleteRacingWrites: a customer's deletion racing a write that makes a
	// conversation name them (KnownCustomer, inbound threading) never
	// leaves a conversation of a customer who is gone: either the deletion
	// wins and the write fails (or, inbound, creates the customer anew), or
	// the write wins and the deletion is refused.
	{"DeleteRacingWrites", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		const rounds = 6
		for r := range rounds {
			id := fmt.Sprintf("k%d", r)
			fx.customer(t, customer.Customer{ID: id})
			start := make(chan struct{})
			var wg sync.WaitGroup
			var deleteErr, writeErr error
			wg.Go(func() {
				<-start
				deleteErr = fx.svc.DeleteCustomer(fx.ctx, id)
			})
			wg.Go(func() {
				<-start
				if r%2 == 0 {
					_, writeErr = fx.svc.CreateConversation(fx.ctx, conversation.Conversation{CustomerID: id}, parley.KnownCustomer())
				} else {
					_, _, writeErr = fx.svc.ReceiveInbound(fx.ctx, id, conversation.SMS, message.Message{Content: message.Content{Text: "hi"}})
				}
			})
			close(start)
			wg.Wait()
			page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{CustomerID: id}})
			require.NoError(t, err)
			_, getErr := fx.svc.GetCustomer(fx.ctx, id)
			switch {
			case writeErr == nil:
				require.Equal(t, 1, page.Total)
				require.NoError(t, getErr, "round %d: the conversation's customer exists (delete: %v)", r, deleteErr)
				if deleteErr != nil {
					require.ErrorIs(t, deleteErr, parley.ErrConflict)
				}
			default:
				require.ErrorIs(t, writeErr, parley.ErrNotFound, "round %d", r)
				require.NoError(t, deleteErr)
				require.Zero(t, page.Total)
			}
		}
	}},
}
