package sqlstore

import (
	"context"

	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/storage"
)

// customerCols are a customer's columns as scanCustomer reads them.
const customerCols = `id, name, email, phone, COALESCE(attributes, '') AS attributes, created_at, updated_at`

func scanCustomer(r row) (*customer.Customer, error) {
	var (
		c     customer.Customer
		attrs string
	)
	if err := r.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &attrs, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}); err != nil {
		return nil, err
	}
	var err error
	c.Attributes, err = readAttributes(attrs)
	return &c, err
}

// customerArgs are the written columns of c, in the order of
// sqlInsertCustomer and sqlUpdateCustomer ($1 to $10), with the folded
// values the list's filters match.
func (t *tx) customerArgs(c *customer.Customer) ([]any, error) {
	attrs, err := attributesText(c.Attributes)
	if err != nil {
		return nil, err
	}
	d := t.s.d
	return []any{
		c.ID, c.Name, customer.FoldName(c.Name), c.Email, customer.FoldEmail(c.Email),
		c.Phone, customer.FoldPhone(c.Phone), attrs, d.time(c.UpdatedAt), d.time(c.CreatedAt),
	}, nil
}

const sqlInsertCustomer = `INSERT INTO {customers}
	(id, name, name_folded, email, email_folded, phone, phone_folded, attributes, updated_at, created_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
	ON CONFLICT (id) DO NOTHING`

// CreateCustomer implements storage.Tx: one INSERT that reports a taken id
// without raising an error.
func (t *tx) CreateCustomer(ctx context.Context, c *customer.Customer) error {
	const op = "creating customer"
	created, err := t.insertCustomer(ctx, op, c)
	if err != nil {
		return err
	}
	if !created {
		return failure(op, c.ID, storage.ErrAlreadyExists)
	}
	return nil
}

// EnsureCustomer implements storage.Tx: the same INSERT … ON CONFLICT DO
// NOTHING, which never fails for a taken id, even a concurrent one, and the
// locking read of the row, in one round trip. A row that a concurrent
// transaction deleted while this one waited for its lock reads as none:
// then the insert goes again, until it holds a row (or, under endless
// deletions, ErrConflict, which a retry of the transaction may overcome).
func (t *tx) EnsureCustomer(ctx context.Context, c *customer.Customer) (bool, error) {
	const op = "ensuring customer"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	args, err := t.customerArgs(c)
	if err != nil {
		return false, t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	d := t.s.d
	created := false
	// Each round that finds no row follows a deletion that committed
	// meanwhile; the bound only keeps a pathological churn from holding
	// the transaction forever.
	for range maxEnsureRounds {
		ins := d.stmt(sqlInsertCustomer, args...)
		found := false
		lock := d.stmt("SELECT 1 FROM {customers} WHERE id = $1"+d.forUpdate(), c.ID).each(func(row) error {
			found = true
			return nil
		})
		if err := t.run(ctx, ins, lock); err != nil {
			return false, t.s.wrap(ctx, op, c.ID, err)
		}
		created = created || ins.affected > 0
		if found {
			return created, nil
		}
	}
	return false, failure(op, c.ID, storage.ErrConflict)
}

// maxEnsureRounds bounds EnsureCustomer's rounds of insert and locking read
// under racing deletions of the same customer.
const maxEnsureRounds = 50

func (t *tx) insertCustomer(ctx context.Context, op string, c *customer.Customer) (bool, error) {
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	args, err := t.customerArgs(c)
	if err != nil {
		return false, t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	ins := t.s.d.stmt(sqlInsertCustomer, args...)
	if err := t.run(ctx, ins); err != nil {
		return false, t.s.wrap(ctx, op, c.ID, err)
	}
	return ins.affected > 0, nil
}

// GetCustomer implements storage.Tx.
func (t *tx) GetCustomer(ctx context.Context, id string) (*customer.Customer, error) {
	return t.getCustomer(ctx, "getting customer", id, false)
}

// LockCustomer implements storage.Tx: SELECT … FOR NO KEY UPDATE on
// PostgreSQL, GetCustomer on SQLite (whose write transactions run one at a
// time).
func (t *tx) LockCustomer(ctx context.Context, id string) (*customer.Customer, error) {
	return t.getCustomer(ctx, "locking customer", id, true)
}

func (t *tx) getCustomer(ctx context.Context, op, id string, lock bool) (*customer.Customer, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	d := t.s.d
	q := "SELECT " + customerCols + " FROM {customers} WHERE id = $1"
	if lock {
		q += d.forUpdate()
	}
	var c *customer.Customer
	st := d.stmt(q, id).each(func(r row) (err error) {
		c, err = scanCustomer(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if c == nil {
		return nil, t.s.notFound(op, id)
	}
	return c, nil
}

const sqlUpdateCustomer = `UPDATE {customers} SET
	name = $2, name_folded = $3, email = $4, email_folded = $5, phone = $6, phone_folded = $7,
	attributes = $8, updated_at = $9
	WHERE id = $1`

// UpdateCustomer implements storage.Tx.
func (t *tx) UpdateCustomer(ctx context.Context, c *customer.Customer) error {
	const op = "updating customer"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(c.ID) {
		return t.s.notFound(op, c.ID)
	}
	args, err := t.customerArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	up := t.s.d.stmt(sqlUpdateCustomer, args[:9]...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	if up.affected == 0 {
		return t.s.notFound(op, c.ID)
	}
	return nil
}

// DeleteCustomer implements storage.Tx.
func (t *tx) DeleteCustomer(ctx context.Context, id string) error {
	const op = "deleting customer"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(id) {
		return t.s.notFound(op, id)
	}
	del := t.s.d.stmt(`DELETE FROM {customers} WHERE id = $1`, id)
	if err := t.run(ctx, del); err != nil {
		return t.s.wrap(ctx, op, id, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, id)
	}
	return nil
}

// ListCustomers implements storage.Tx: the count (unless skipped) and the
// page, in id order from the keyset, sent together. The email and phone
// filters are equalities on their folded columns, which are indexed; the
// name filter is a substring of the folded name.
func (t *tx) ListCustomers(ctx context.Context, q storage.CustomerQuery) (storage.Page[*customer.Customer], error) {
	const op = "listing customers"
	var page storage.Page[*customer.Customer]
	if err := checkCtx(ctx, op); err != nil {
		return page, err
	}
	if err := q.Normalize(); err != nil {
		return page, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return page, err
	}
	return listPage(t, ctx, op, &q.Paging, &page, q.CursorAfter,
		func(b *builder) []string {
			b.WriteString("SELECT count(*) FROM {customers}")
			return customerFilter(b, &q.Filter)
		},
		func(b *builder) []string {
			b.WriteString("SELECT " + customerCols + " FROM {customers}")
			return customerFilter(b, &q.Filter)
		},
		keyedOrder{id: "id", ks: ks}, scanCustomer)
}

// customerFilter returns the conditions of f on the customers table.
func customerFilter(b *builder, f *storage.CustomerFilter) []string {
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, b.oneOf("id", f.IDs))
	}
	if f.Email != "" {
		conds = append(conds, "email_folded = "+b.arg(customer.FoldEmail(f.Email)))
	}
	if f.Phone != "" {
		conds = append(conds, "phone_folded = "+b.arg(customer.FoldPhone(f.Phone)))
	}
	if f.NameContains != "" {
		conds = append(conds, b.d.contains("name_folded", b.arg(customer.FoldName(f.NameContains))))
	}
	return conds
}
