package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// tagOrders are the orderBy fields of the tag list: Infobip's tag
// properties. A tag's id is its name, and a tag is never updated, so its
// updatedAt is its createdAt.
var tagOrders = map[string]storage.SortField{
	"name": storage.SortName, "id": storage.SortID,
	"createdAt": storage.SortCreatedAt, "updatedAt": storage.SortUpdatedAt,
}

func (a *api) createTag(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in tagNameJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	name, err := in.name()
	if err != nil {
		return nil, err
	}
	t, err := a.svc.CreateTag(r.Context(), name)
	if errors.Is(err, parley.ErrAlreadyExists) {
		// Infobip answers a duplicate tag with a 400, "Tag already exists."
		return nil, &answerError{status: http.StatusBadRequest, code: "ALREADY_EXISTS", message: "Tag already exists.", err: err}
	}
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/tags/"+url.PathEscape(t.Name))
	return toTag(t), nil
}

func (a *api) getTag(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	t, err := a.svc.GetTag(r.Context(), r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return toTag(t), nil
}

func (a *api) deleteTag(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteTag(r.Context(), r.PathValue("name"))
}

// listTags lists the catalog, by name unless orderBy says otherwise: all
// of it, the one with a name, the names with a prefix, or the tags of one
// conversation (the filters combine).
func (a *api) listTags(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var tq storage.TagQuery
	if tq.Prefix, err = q.one("prefix"); err != nil {
		return nil, err
	}
	if tq.ConversationID, err = q.one("conversationId"); err != nil {
		return nil, err
	}
	if tq.Name, err = q.one("name"); err != nil {
		return nil, err
	}
	order, err := q.orderOf("name", tagOrders)
	if err != nil {
		return nil, err
	}
	tq.Order = order.Order
	if tq.Paging, err = q.paging(); err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	if err := tq.Normalize(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListTags(r.Context(), tq)
	if err != nil {
		return nil, err
	}
	return listOf("tags", tq.Paging, page, order.wire, toTag), nil
}
