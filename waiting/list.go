package waiting

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley/fault"
)

// Paging of the strategy list. Infobip documents no default or maximum
// page size; parley uses its conversation list's.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
	MaxPageNumber   = 1_000_000_000 // parley's: keeps the offset of a page well within int64
)

// SortField is what the strategy list sorts by: Infobip's NAME or
// CREATED_AT.
type SortField string

// The sort fields.
const (
	ByName      SortField = "NAME"
	ByCreatedAt SortField = "CREATED_AT"
)

// Direction is a sort direction.
type Direction string

// The sort directions.
const (
	Asc  Direction = "ASC"
	Desc Direction = "DESC"
)

// ListParams is the query of the strategy list
// (GET /ccaas/voice/2/waiting-strategies).
type ListParams struct {
	QueueID       string // only QUEUE strategies naming this queue (or "default")
	PageNumber    int    // 0-based
	PageSize      int    // 1..MaxPageSize; 0 means DefaultPageSize
	SortBy        SortField
	SortDirection Direction
}

// Normalize validates p and fills in the defaults: CREATED_AT, DESC, as
// Infobip documents, and the page size. Errors name the query parameter.
func (p ListParams) Normalize() (ListParams, error) {
	if p.PageNumber < 0 {
		return p, fault.Invalid("pageNumber", "must be greater than or equal to 0")
	}
	if p.PageNumber > MaxPageNumber {
		return p, fault.Invalid("pageNumber", "must be at most %d", MaxPageNumber)
	}
	switch {
	case p.PageSize == 0:
		p.PageSize = DefaultPageSize
	case p.PageSize < 1 || p.PageSize > MaxPageSize:
		return p, fault.Invalid("pageSize", "must be 1..%d", MaxPageSize)
	}
	switch p.SortBy {
	case "":
		p.SortBy = ByCreatedAt
	case ByName, ByCreatedAt:
	default:
		return p, fault.Invalid("sortBy", "must be NAME or CREATED_AT, not %q", p.SortBy)
	}
	switch p.SortDirection {
	case "":
		p.SortDirection = Desc
	case Asc, Desc:
	default:
		return p, fault.Invalid("sortDirection", "must be ASC or DESC, not %q", p.SortDirection)
	}
	return p, nil
}

// Matches reports whether s passes the queueId filter.
func (p ListParams) Matches(s *Strategy) bool {
	return p.QueueID == "" || (s.ConditionType == ByQueue && slices.Contains(s.Condition.Queues, p.QueueID))
}

// Compare orders a and b as the normalized p sorts the list, ties broken
// by id ascending so the order is total.
func (p ListParams) Compare(a, b *Strategy) int {
	var c int
	if p.SortBy == ByName {
		c = strings.Compare(a.Name, b.Name)
	} else {
		c = a.CreatedAt.Compare(b.CreatedAt)
	}
	if p.SortDirection != Asc {
		c = -c
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
