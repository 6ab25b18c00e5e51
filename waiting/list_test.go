package waiting_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/waiting"
)

func TestListParams(t *testing.T) {
	t.Parallel()
	p, err := waiting.ListParams{}.Normalize()
	require.NoError(t, err)
	require.Equal(t, waiting.ListParams{PageSize: 50, SortBy: waiting.ByCreatedAt, SortDirection: waiting.Desc}, p)
	_, err = waiting.ListParams{PageSize: 1000}.Normalize()
	require.NoError(t, err)
	for field, bad := range map[string]waiting.ListParams{
		"pageNumber":    {PageNumber: -1},
		"pageSize":      {PageSize: 1001},
		"sortBy":        {SortBy: "ID"},
		"sortDirection": {SortDirection: "UP"},
	} {
		_, err := bad.Normalize()
		requireField(t, err, field)
	}
	_, err = waiting.ListParams{PageSize: -1}.Normalize()
	requireField(t, err, "pageSize")
	_, err = waiting.ListParams{PageNumber: waiting.MaxPageNumber + 1}.Normalize()
	requireField(t, err, "pageNumber")
	_, err = waiting.ListParams{PageNumber: waiting.MaxPageNumber, PageSize: waiting.MaxPageSize}.Normalize()
	require.NoError(t, err)

	a, b, c := strategy(), strategy(), strategy()
	a.ID, a.Name, a.CreatedAt = "a", "Zulu", t0
	b.ID, b.Name, b.CreatedAt = "b", "Alpha", t0.Add(time.Hour)
	c.ID, c.Name, c.CreatedAt = "c", "Alpha", t0
	c.ConditionType, c.Condition = waiting.ByQueue, waiting.Condition{Queues: []string{"q1"}}
	order := func(p waiting.ListParams) []string {
		p, err := p.Normalize()
		require.NoError(t, err)
		list := []*waiting.Strategy{a, b, c}
		slices.SortFunc(list, p.Compare)
		var ids []string
		for _, s := range list {
			if p.Matches(s) {
				ids = append(ids, s.ID)
			}
		}
		return ids
	}
	require.Equal(t, []string{"b", "a", "c"}, order(waiting.ListParams{}), "newest first, ties by id")
	require.Equal(t, []string{"b", "c", "a"}, order(waiting.ListParams{SortBy: waiting.ByName, SortDirection: waiting.Asc}))
	require.Equal(t, []string{"c"}, order(waiting.ListParams{QueueID: "q1"}))
}
