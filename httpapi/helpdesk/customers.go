package helpdesk

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/storage"
)

// customerFields is the body of POST and PUT /customers: the customer's
// fields, and on PUT the fields of the answer that no update changes
// (_id, createdAt, updatedAt), taken and ignored so that a customer read
// can be sent back whole. On POST, _id is the caller's own id.
type customerFields struct {
	ID         opt[json.RawMessage]   `json:"_id"`
	Name       opt[string]            `json:"name"`
	Email      opt[string]            `json:"email"`
	Phone      opt[string]            `json:"phone"`
	Attributes opt[map[string]string] `json:"attributes"`
	CreatedAt  opt[json.RawMessage]   `json:"createdAt"`
	UpdatedAt  opt[json.RawMessage]   `json:"updatedAt"`
}

func (a *api) createCustomer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	var in customerFields
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		o    opt[json.RawMessage]
	}{{"createdAt", in.CreatedAt}, {"updatedAt", in.UpdatedAt}} {
		if f.o.Set {
			return nil, httpwire.Invalid(f.name, "is set by the server")
		}
	}
	var id string
	if in.ID.Given() && json.Unmarshal(in.ID.Value, &id) != nil {
		return nil, httpwire.Invalid("_id", "must be a string")
	}
	c, err := a.svc.CreateCustomer(r.Context(), customer.Customer{
		ID:         id,
		Name:       in.Name.Value,
		Email:      in.Email.Value,
		Phone:      in.Phone.Value,
		Attributes: in.Attributes.Value,
	})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/customers/"+url.PathEscape(c.ID))
	return dataJSON{Success: true, Data: toCustomer(c)}, nil
}

func (a *api) getCustomer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	c, err := a.svc.GetCustomer(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return dataJSON{Success: true, Data: toCustomer(c)}, nil
}

// updateCustomer changes the fields the body has: null or "" clears name,
// email and phone, and null or {} the attributes.
func (a *api) updateCustomer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	var in customerFields
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	var p customer.Patch
	for _, f := range []struct {
		o   opt[string]
		dst **string
	}{{in.Name, &p.Name}, {in.Email, &p.Email}, {in.Phone, &p.Phone}} {
		if f.o.Set {
			v := f.o.Value
			*f.dst = &v
		}
	}
	if in.Attributes.Set {
		p.Attributes = in.Attributes.Value
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
	}
	c, err := a.svc.UpdateCustomer(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return dataJSON{Success: true, Data: toCustomer(c)}, nil
}

func (a *api) deleteCustomer(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteCustomer(r.Context(), r.PathValue("id")); err != nil {
		return nil, err
	}
	return messageJSON{Success: true, Message: "Customer deleted"}, nil
}

// listCustomers lists customers in id order: filters email (ignoring
// case), phone (by its digits) and name (contains, ignoring case), one
// value each, and 1-based paging.
func (a *api) listCustomers(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var cq storage.CustomerQuery
	f := &cq.Filter
	if f.Email, err = q.one("email"); err != nil {
		return nil, err
	}
	if f.Phone, err = q.one("phone"); err != nil {
		return nil, err
	}
	if f.NameContains, err = q.one("name"); err != nil {
		return nil, err
	}
	if cq.Paging, err = q.paging(); err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListCustomers(r.Context(), cq)
	if err != nil {
		return nil, err
	}
	data := make([]customerJSON, 0, len(page.Items))
	for _, c := range page.Items {
		data = append(data, toCustomer(c))
	}
	return listJSON{Success: true, Data: data, Pagination: pagination(cq.Paging, page.Total)}, nil
}
