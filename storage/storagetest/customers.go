package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// newCustomer returns a valid customer with every field set.
func newCustomer(id string) *customer.Customer {
	return &customer.Customer{
		ID:         id,
		Name:       "Zoë O'Brien of " + id,
		Email:      "zoe." + id + "@example.com",
		Phone:      "+44 20 7946 0000",
		Attributes: map[string]string{"plan": "gold", "ñ": "ü"},
		CreatedAt:  t0,
		UpdatedAt:  t0,
	}
}

func (f *fixture) createCustomer(c *customer.Customer) *customer.Customer {
	f.t.Helper()
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCustomer(f.ctx, c) }))
	return c
}

// equalCustomer compares two customers field by field, times with Equal
// and in UTC.
func equalCustomer(t *testing.T, want, got *customer.Customer) {
	t.Helper()
	require.NotNil(t, got)
	requireUTC(t, got.CreatedAt, got.UpdatedAt)
	require.True(t, want.CreatedAt.Equal(got.CreatedAt), "createdAt: want %v, got %v", want.CreatedAt, got.CreatedAt)
	require.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt: want %v, got %v", want.UpdatedAt, got.UpdatedAt)
	w, g := *want, *got
	w.CreatedAt, w.UpdatedAt, g.CreatedAt, g.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	require.Equal(t, w, g)
}

func customerIDs(cs []*customer.Customer) []string {
	return ids(cs, func(c *customer.Customer) string { return c.ID })
}

var customerCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, f *fixture) {
		c := f.createCustomer(newCustomer("cust-1"))
		got, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		equalCustomer(t, c, got)

		// A customer known by its id alone reads back with empty fields
		// and no attributes.
		bare := f.createCustomer(&customer.Customer{ID: "bare", CreatedAt: at(time.Hour), UpdatedAt: at(2 * time.Hour)})
		got, err = f.store.GetCustomer(f.ctx, "bare")
		require.NoError(t, err)
		equalCustomer(t, bare, got)
		require.Nil(t, got.Attributes)

		_, err = f.store.GetCustomer(f.ctx, "nobody")
		requireErr(t, err, storage.ErrNotFound)
		require.Contains(t, err.Error(), `"nobody"`)
	}},
	{"CreateTakenIDIsAlreadyExists", func(t *testing.T, f *fixture) {
		f.createCustomer(newCustomer("cust-1"))
		other := newCustomer("cust-1")
		other.Name = "someone else"
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCustomer(f.ctx, other) })
		requireErr(t, err, storage.ErrAlreadyExists)
		got, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		require.Equal(t, newCustomer("cust-1").Name, got.Name, "the first one stays")
	}},
	{"EnsureCreatesOnce", func(t *testing.T, f *fixture) {
		first := newCustomer("cust-1")
		created, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureCustomer(f.ctx, first) })
		require.NoError(t, err)
		require.True(t, created)
		again := newCustomer("cust-1")
		again.Name = "ignored"
		created, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureCustomer(f.ctx, again) })
		require.NoError(t, err)
		require.False(t, created)
		got, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		equalCustomer(t, first, got)
	}},
	{"UpdateKeepsCreatedAt", func(t *testing.T, f *fixture) {
		f.createCustomer(newCustomer("cust-1"))
		up := newCustomer("cust-1")
		up.Name, up.Email, up.Phone, up.Attributes = "Ada", "ADA@example.com", "112", nil
		up.CreatedAt, up.UpdatedAt = at(time.Hour), at(time.Hour)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			locked, err := tx.LockCustomer(f.ctx, "cust-1")
			if err != nil {
				return err
			}
			require.Equal(t, newCustomer("cust-1").Name, locked.Name)
			return tx.UpdateCustomer(f.ctx, up)
		}))
		got, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		want := up.Clone()
		want.CreatedAt = t0
		equalCustomer(t, want, got)

		err = f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateCustomer(f.ctx, newCustomer("nobody")) })
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*customer.Customer, error) { return tx.LockCustomer(f.ctx, "nobody") })
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		f.createCustomer(newCustomer("cust-1"))
		f.createCustomer(newCustomer("cust-2"))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteCustomer(f.ctx, "cust-1") }))
		_, err := f.store.GetCustomer(f.ctx, "cust-1")
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.GetCustomer(f.ctx, "cust-2")
		require.NoError(t, err, "only the one deleted goes")
		err = f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteCustomer(f.ctx, "cust-1") })
		requireErr(t, err, storage.ErrNotFound)
		// The id is free again.
		f.createCustomer(newCustomer("cust-1"))
	}},
	{"RollbackWritesNothing", func(t *testing.T, f *fixture) {
		f.createCustomer(newCustomer("kept"))
		boom := errors.New("boom")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.CreateCustomer(f.ctx, newCustomer("new")); err != nil {
				return err
			}
			up := newCustomer("kept")
			up.Name = "changed"
			if err := tx.UpdateCustomer(f.ctx, up); err != nil {
				return err
			}
			got, err := tx.GetCustomer(f.ctx, "new")
			require.NoError(t, err, "a transaction sees its own writes")
			require.Equal(t, "new", got.ID)
			if err := tx.DeleteCustomer(f.ctx, "new"); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		page, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{})
		require.NoError(t, err)
		require.Equal(t, []string{"kept"}, customerIDs(page.Items))
		require.Equal(t, newCustomer("kept").Name, page.Items[0].Name)
	}},
	{"ListFilters", func(t *testing.T, f *fixture) {
		for _, c := range []*customer.Customer{
			{ID: "c1", Name: "Ada Lovelace", Email: "Ada@Example.com", Phone: "+44 20 7946 0000"},
			{ID: "c2", Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 (555) 010-0100"},
			{ID: "c3", Name: "Zoë Adams-Ådahl", Email: "ada@example.com"},
			{ID: "c4", Name: "100%_sure", Phone: "+442079460000"},
			{ID: "c5"},
		} {
			c.CreatedAt, c.UpdatedAt = t0, t0
			f.createCustomer(c)
		}
		tests := []struct {
			name   string
			filter storage.CustomerFilter
			want   []string
		}{
			{"none", storage.CustomerFilter{}, []string{"c1", "c2", "c3", "c4", "c5"}},
			{"ids", storage.CustomerFilter{IDs: []string{"c4", "c1", "nobody"}}, []string{"c1", "c4"}},
			{"email ignoring case", storage.CustomerFilter{Email: "ADA@example.COM"}, []string{"c1", "c3"}},
			{"email is not a substring", storage.CustomerFilter{Email: "example.com"}, []string{}},
			{"phone by its digits", storage.CustomerFilter{Phone: "+44 (20) 7946-0000"}, []string{"c1", "c4"}},
			{"phone with separators", storage.CustomerFilter{Phone: "+15550100100"}, []string{"c2"}},
			{"phone is not a prefix", storage.CustomerFilter{Phone: "+44"}, []string{}},
			{"name contains, any case", storage.CustomerFilter{NameContains: "ADA"}, []string{"c1", "c3"}},
			{"name contains, unicode folded", storage.CustomerFilter{NameContains: "ZOË"}, []string{"c3"}},
			{"name contains, non-ASCII", storage.CustomerFilter{NameContains: "ÅDAHL"}, []string{"c3"}},
			{"name contains, metacharacters", storage.CustomerFilter{NameContains: "%_"}, []string{"c4"}},
			{"AND", storage.CustomerFilter{NameContains: "a", Email: "ada@example.com", IDs: []string{"c1", "c2"}}, []string{"c1"}},
		}
		for _, tt := range tests {
			page, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{Filter: tt.filter})
			require.NoError(t, err, tt.name)
			require.Equal(t, tt.want, customerIDs(page.Items), tt.name)
			require.Equal(t, len(tt.want), page.Total, tt.name)
		}

		for _, bad := range []struct {
			filter storage.CustomerFilter
			field  string
		}{
			{storage.CustomerFilter{Phone: "call me"}, "phone"},
			{storage.CustomerFilter{Email: "\x00"}, "email"},
			{storage.CustomerFilter{NameContains: strings.Repeat("x", customer.MaxNameLen+1)}, "name"},
			{storage.CustomerFilter{IDs: []string{""}}, "ids"},
		} {
			_, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{Filter: bad.filter})
			requireField(t, err, bad.field)
		}
	}},
	{"ListPages", func(t *testing.T, f *fixture) {
		var all []string
		for i := range 23 {
			id := idf("cust", (i*7)%23) // ids not in creation order
			f.createCustomer(newCustomer(id))
			all = append(all, id)
		}
		slices.Sort(all)

		// By cursor: every customer once, in id order.
		var got []string
		q := storage.CustomerQuery{Paging: storage.Paging{Limit: 5}}
		for range 10 {
			page, err := f.store.ListCustomers(f.ctx, q)
			require.NoError(t, err)
			require.Equal(t, 23, page.Total)
			got = append(got, customerIDs(page.Items)...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, all, got)

		// By page, with and without the count.
		page, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Limit: 5, Page: 4}})
		require.NoError(t, err)
		require.Equal(t, all[20:], customerIDs(page.Items))
		require.Empty(t, page.NextCursor, "the last page")
		page, err = f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Limit: 5, Page: 9, SkipTotal: true}})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Equal(t, -1, page.Total)

		// A cursor belongs to its query: another filter's, or a tampered
		// one, is ErrInvalid.
		first, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Limit: 5}})
		require.NoError(t, err)
		_, err = f.store.ListCustomers(f.ctx, storage.CustomerQuery{Filter: storage.CustomerFilter{NameContains: "o"}, Paging: storage.Paging{Cursor: first.NextCursor}})
		requireField(t, err, "cursor")
		_, err = f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Cursor: first.NextCursor + "x"}})
		requireField(t, err, "cursor")
		// A cursor of the agents' list is not one of the customers'.
		agents := storage.AgentQuery{}
		_, err = f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Cursor: agents.CursorAfter(&routing.Agent{ID: "cust-001"})}})
		requireField(t, err, "cursor")
		_, err = f.store.ListCustomers(f.ctx, storage.CustomerQuery{Paging: storage.Paging{Limit: storage.MaxLimit + 1}})
		requireField(t, err, "limit")
	}},
	{"Aliasing", func(t *testing.T, f *fixture) {
		in := newCustomer("cust-1")
		f.createCustomer(in)
		in.Attributes["plan"] = "changed after create"
		in.Name = "changed after create"
		got, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		got.Attributes["plan"] = "changed after get"
		page, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{})
		require.NoError(t, err)
		page.Items[0].Attributes["plan"] = "changed after list"
		again, err := f.store.GetCustomer(f.ctx, "cust-1")
		require.NoError(t, err)
		equalCustomer(t, newCustomer("cust-1"), again)
	}},
	{"IDsAtTheLimits", func(t *testing.T, f *fixture) {
		// Every id a customer id may be: long, accented, with spaces and
		// quotes, as conversations' customer ids are.
		for i, id := range []string{strings.Repeat("é", 255), "cust 42 é", `a'b"c`, "%_"} {
			c := newCustomer(id)
			c.Name = fmt.Sprint("n", i)
			f.createCustomer(c)
			got, err := f.store.GetCustomer(f.ctx, id)
			require.NoError(t, err)
			equalCustomer(t, c, got)
		}
		page, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{Filter: storage.CustomerFilter{IDs: []string{"%_"}}})
		require.NoError(t, err)
		require.Equal(t, []string{"%_"}, customerIDs(page.Items))
	}},
}
