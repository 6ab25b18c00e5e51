package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) customer(op, id string) (*customer.Customer, error) {
	c, ok := t.st.customers[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return c, nil
}

func (t *txn) CreateCustomer(ctx context.Context, c *customer.Customer) error {
	if err := t.check(ctx, "creating customer"); err != nil {
		return err
	}
	if _, ok := t.st.customers[c.ID]; ok {
		return storage.Fail("creating customer", c.ID, storage.ErrAlreadyExists)
	}
	t.st.customers[c.ID] = c.Clone()
	t.onUndo(func() { delete(t.st.customers, c.ID) })
	return nil
}

func (t *txn) EnsureCustomer(ctx context.Context, c *customer.Customer) (bool, error) {
	if err := t.check(ctx, "ensuring customer"); err != nil {
		return false, err
	}
	if _, ok := t.st.customers[c.ID]; ok {
		return false, nil
	}
	return true, t.CreateCustomer(ctx, c)
}

func (t *txn) GetCustomer(ctx context.Context, id string) (*customer.Customer, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting customer"); err != nil {
		return nil, err
	}
	c, err := t.customer("getting customer", id)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

func (t *txn) LockCustomer(ctx context.Context, id string) (*customer.Customer, error) {
	return t.GetCustomer(ctx, id)
}

func (t *txn) UpdateCustomer(ctx context.Context, c *customer.Customer) error {
	if err := t.check(ctx, "updating customer"); err != nil {
		return err
	}
	old, err := t.customer("updating customer", c.ID)
	if err != nil {
		return err
	}
	stored := c.Clone()
	stored.CreatedAt = old.CreatedAt
	t.st.customers[c.ID] = stored
	t.onUndo(func() { t.st.customers[c.ID] = old })
	return nil
}

func (t *txn) DeleteCustomer(ctx context.Context, id string) error {
	if err := t.check(ctx, "deleting customer"); err != nil {
		return err
	}
	old, err := t.customer("deleting customer", id)
	if err != nil {
		return err
	}
	delete(t.st.customers, id)
	t.onUndo(func() { t.st.customers[id] = old })
	return nil
}

func (t *txn) ListCustomers(ctx context.Context, q storage.CustomerQuery) (storage.Page[*customer.Customer], error) {
	defer t.enter()()
	var none storage.Page[*customer.Customer]
	if err := t.check(ctx, "listing customers"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	f := q.Filter
	email, phone, name := customer.FoldEmail(f.Email), customer.FoldPhone(f.Phone), customer.FoldName(f.NameContains)
	var rows []*customer.Customer
	for _, c := range t.st.customers {
		switch {
		case len(f.IDs) > 0 && !slices.Contains(f.IDs, c.ID),
			f.Email != "" && customer.FoldEmail(c.Email) != email,
			f.Phone != "" && customer.FoldPhone(c.Phone) != phone,
			f.NameContains != "" && !strings.Contains(customer.FoldName(c.Name), name):
			continue
		}
		rows = append(rows, c)
	}
	p := pager[*customer.Customer]{
		order:  storage.Order{Field: storage.SortID},
		key:    func(c *customer.Customer) sortKey { return sortKey{ID: c.ID} },
		cursor: q.CursorAfter,
		clone:  (*customer.Customer).Clone,
	}
	return p.page(rows, q.Paging, ks), nil
}
