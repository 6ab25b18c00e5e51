package memstore

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/storage"
)

// sortKey is a row's position in an order: its key and its id.
type sortKey = storage.Keyset

// compareKeys orders two keys by field and then id, ascending.
func compareKeys(field storage.SortField, a, b sortKey) int {
	var c int
	switch field {
	case storage.SortCreatedAt, storage.SortUpdatedAt:
		c = a.Time.Compare(b.Time)
	case storage.SortPriority, storage.SortEnabled, storage.SortAutoAssignment, storage.SortStickyAgent:
		c = cmp.Compare(a.Rank, b.Rank)
	case storage.SortDisplayName, storage.SortStatus, storage.SortRole, storage.SortName:
		c = strings.Compare(a.Text, b.Text)
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// pager pages through rows of type T in one order.
type pager[T any] struct {
	order  storage.Order
	key    func(T) sortKey
	cursor func(T) string
	clone  func(T) T
}

func (p pager[T]) compare(a, b T) int {
	c := compareKeys(p.order.Field, p.key(a), p.key(b))
	if p.order.Desc {
		return -c
	}
	return c
}

// page selects the page that paging and keyset ask for from rows, which
// hold every row matching the filter in any order.
func (p pager[T]) page(rows []T, paging storage.Paging, ks *storage.Keyset) storage.Page[T] {
	total := len(rows)
	if paging.SkipTotal {
		total = -1
	}
	if ks != nil {
		rows = slices.DeleteFunc(rows, func(r T) bool {
			c := compareKeys(p.order.Field, p.key(r), *ks)
			if p.order.Desc {
				c = -c
			}
			return c <= 0
		})
	}
	offset := paging.Offset()
	best := smallest(rows, offset+paging.Limit+1, p.compare)
	out := storage.Page[T]{Total: total, Items: []T{}}
	if offset < len(best) {
		end := min(offset+paging.Limit, len(best))
		for _, r := range best[offset:end] {
			out.Items = append(out.Items, p.clone(r))
		}
		if len(best) > end {
			out.NextCursor = p.cursor(best[end-1])
		}
	}
	return out
}

// smallest returns the k smallest rows in order, in O(n log k).
func smallest[T any](rows []T, k int, compare func(a, b T) int) []T {
	if k >= len(rows) {
		out := slices.Clone(rows)
		slices.SortFunc(out, compare)
		return out
	}
	h := &maxHeap[T]{compare: compare}
	for _, r := range rows {
		if h.Len() < k {
			heap.Push(h, r)
		} else if compare(r, h.rows[0]) < 0 {
			h.rows[0] = r
			heap.Fix(h, 0)
		}
	}
	slices.SortFunc(h.rows, compare)
	return h.rows
}

type maxHeap[T any] struct {
	rows    []T
	compare func(a, b T) int
}

func (h *maxHeap[T]) Len() int           { return len(h.rows) }
func (h *maxHeap[T]) Less(i, j int) bool { return h.compare(h.rows[i], h.rows[j]) > 0 }
func (h *maxHeap[T]) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *maxHeap[T]) Push(x any)         { h.rows = append(h.rows, x.(T)) }
func (h *maxHeap[T]) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// inRange applies a half-open time filter: after inclusive, before
// exclusive, a zero bound meaning none.
func inRange(t, after, before time.Time) bool {
	if !after.IsZero() && t.Before(after) {
		return false
	}
	if !before.IsZero() && !t.Before(before) {
		return false
	}
	return true
}

func anyOf[T comparable](values []T, v T) bool {
	return len(values) == 0 || slices.Contains(values, v)
}
