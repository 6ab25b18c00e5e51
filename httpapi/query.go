package httpapi

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/storage"
)

// query reads a request's query parameters: a parameter that takes one
// value may not be repeated, and an empty value counts as absent. In strict
// mode every parameter must be read by the handler (done reports the first
// unknown one); otherwise the unknown ones are ignored, as Infobip ignores
// them.
type query struct {
	v      url.Values
	used   map[string]bool
	strict bool
}

func (a *api) newQuery(u *url.URL) (*query, error) {
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, invalid("query", "malformed query string")
	}
	return &query{v: v, used: map[string]bool{}, strict: a.strict}, nil
}

// all returns every non-empty value of name and of its aliases, in order:
// a repeated key means any of its values.
func (q *query) all(names ...string) []string {
	var out []string
	for _, n := range names {
		q.used[n] = true
		for _, s := range q.v[n] {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// one returns the single value of name or of one of its aliases ("" when
// none); more than one value is ErrInvalid.
func (q *query) one(names ...string) (string, error) {
	var val, from string
	for _, n := range names {
		q.used[n] = true
		for _, s := range q.v[n] {
			if s == "" {
				continue
			}
			if from != "" {
				if from == n {
					return "", invalid(n, "given more than once")
				}
				return "", invalid(n, "cannot be given together with %s", from)
			}
			val, from = s, n
		}
	}
	return val, nil
}

// int returns the integer value of name, or def when it is absent.
func (q *query) int(name string, def int) (int, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalid(name, "must be an integer, not %q", s)
	}
	return n, nil
}

// bool returns the boolean value of name, false when it is absent.
func (q *query) bool(name string) (bool, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return false, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, invalid(name, "must be true or false, not %q", s)
	}
	return b, nil
}

// time returns the time value of name, the zero time when it is absent.
func (q *query) time(name string) (time.Time, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, invalid(name, "must be a time such as 2025-04-24T11:25:41.058+00:00, not %q", s)
	}
	return t, nil
}

// parseTime reads RFC 3339 (with or without fractional seconds) and the
// "+0000" offset form of the Infobip examples. A '+' left unescaped in a
// query string arrives as a space; it is read as the '+' it was.
func parseTime(s string) (time.Time, bool) {
	s = strings.ReplaceAll(s, " ", "+")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// The paging of Infobip's lists: limit defaults to 10 and may be at most
// 999.
const (
	DefaultLimit = 10
	MaxLimit     = 999
)

// paging reads page, limit, cursor and skipTotal. limit is Infobip's
// (DefaultLimit, MaxLimit); the other bounds are checked by the service,
// which names the parameter.
func (q *query) paging() (storage.Paging, error) {
	var p storage.Paging
	var err error
	if p.Page, err = q.int("page", 0); err != nil {
		return p, err
	}
	if p.Limit, err = q.int("limit", DefaultLimit); err != nil {
		return p, err
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return p, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	if p.Cursor, err = q.one("cursor"); err != nil {
		return p, err
	}
	if p.SkipTotal, err = q.bool("skipTotal"); err != nil {
		return p, err
	}
	return p, nil
}

// order reads orderBy, "field:asc" or "field:desc", the direction in any
// case (a bare field is ascending), allowing only the given fields; def when it is absent.
func (q *query) order(def storage.Order, fields ...storage.SortField) (storage.Order, error) {
	s, err := q.one("orderBy")
	if err != nil || s == "" {
		return def, err
	}
	field, dir, _ := strings.Cut(s, ":")
	o := storage.Order{Field: storage.SortField(field)}
	switch strings.ToLower(dir) {
	case "", "asc":
	case "desc":
		o.Desc = true
	default:
		return o, invalid("orderBy", "direction must be asc or desc, not %q", dir)
	}
	for _, f := range fields {
		if f == o.Field {
			return o, nil
		}
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	return o, invalid("orderBy", "field must be one of %s, not %q", strings.Join(names, ", "), field)
}

// wireOrder is an order and its orderBy as the client named its field.
type wireOrder struct {
	storage.Order
	wire string // "field:asc" or "field:desc"
}

// orderOf reads orderBy, "field:asc" or "field:desc" (the direction in any
// case; a bare field is ascending), where field is one of the keys of
// fields, Infobip's property names; def, ascending, when it is absent.
func (q *query) orderOf(def string, fields map[string]storage.SortField) (wireOrder, error) {
	s, err := q.one("orderBy")
	if err != nil {
		return wireOrder{}, err
	}
	if s == "" {
		s = def
	}
	name, dir, _ := strings.Cut(s, ":")
	o := wireOrder{Order: storage.Order{Field: fields[name]}}
	switch strings.ToLower(dir) {
	case "", "asc":
	case "desc":
		o.Desc = true
	default:
		return o, invalid("orderBy", "direction must be asc or desc, not %q", dir)
	}
	if o.Field == "" {
		return o, invalid("orderBy", "field must be one of %s, not %q", strings.Join(slices.Sorted(maps.Keys(fields)), ", "), name)
	}
	o.wire = name + ":asc"
	if o.Desc {
		o.wire = name + ":desc"
	}
	return o, nil
}

// optBool returns the boolean value of name, nil when it is absent.
func (q *query) optBool(name string) (*bool, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return nil, err
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, invalid(name, "must be true or false, not %q", s)
	}
	return &b, nil
}

// Infobip documents these filters, which parley does not offer yet. In any
// mode they are a 400 naming them: ignored, as unknown parameters are,
// they would answer an unfiltered list the client takes for a filtered one.
var (
	// An agent has no email in parley.
	unsupportedAgentFilters = []string{"email"}
	// Every filter of queues Infobip documents is offered.
	unsupportedQueueFilters []string
)

// unsupported refuses the first of names given a value.
func (q *query) unsupported(names []string) error {
	for _, n := range names {
		q.used[n] = true
		for _, s := range q.v[n] {
			if s != "" {
				return invalid(n, "is an Infobip filter parley does not support; without it the list would not be filtered")
			}
		}
	}
	return nil
}

// done reports the first parameter no handler read, in strict mode.
func (q *query) done() error {
	if !q.strict {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(q.v)) {
		if !q.used[name] {
			if name == "" {
				// "?=x" names no parameter: name the query itself.
				return invalid("query", "a parameter without a name")
			}
			return invalid(name, "unknown query parameter")
		}
	}
	return nil
}
