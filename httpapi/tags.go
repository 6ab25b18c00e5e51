package httpapi

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// sortName is the one order of the tag list.
const sortName storage.SortField = "name"

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

// listTags lists the catalog in name order: all of it, the names with a
// prefix, or the tags of one conversation (both filters combine).
func (a *api) listTags(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	if err := q.unsupported(unsupportedTagFilters); err != nil {
		return nil, err
	}
	var tq storage.TagQuery
	if tq.Prefix, err = q.one("prefix"); err != nil {
		return nil, err
	}
	if tq.ConversationID, err = q.one("conversationId"); err != nil {
		return nil, err
	}
	order, err := q.order(storage.Order{Field: sortName}, sortName)
	if err != nil {
		return nil, err
	}
	if order.Desc {
		return nil, invalid("orderBy", "tags are listed by name ascending only")
	}
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
	return listOf("tags", tq.Paging, page, order.String(), toTag), nil
}
