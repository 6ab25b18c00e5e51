package schedule_test

import (
	"testing"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
	"github.com/stretchr/testify/require"
)

func TestQueueHours(t *testing.T) {
	t.Parallel()
	cases := []struct {
		auto, outsideOn bool
		status          schedule.Status
		assigns, active bool
		transfers       bool
	}{
		{true, false, schedule.Inside, true, true, true},
		{true, false, schedule.Outside, false, false, false},
		{true, true, schedule.Outside, true, false, false}, // assigns outside, but takes no transfer
		{false, true, schedule.Inside, false, true, false},
		{false, false, schedule.Outside, false, false, false},
	}
	for _, tc := range cases {
		q := schedule.QueueHours{WorkingHoursID: "wh", AutoAssignOutside: tc.outsideOn}
		require.Equal(t, tc.assigns, q.AutoAssigns(tc.auto, tc.status), "%+v", tc)
		require.Equal(t, tc.active, schedule.Active(tc.status), "%+v", tc)
		require.Equal(t, tc.transfers, schedule.TakesTransfers(tc.auto, tc.status), "%+v", tc)
	}
}

func TestActivity(t *testing.T) {
	t.Parallel()
	q := &routing.Queue{ID: "q1", Name: "Queue1", AutoAssignment: true, Default: true}
	require.Equal(t, schedule.Activity{QueueID: "q1", QueueName: "Queue1", Active: true, AutoAssignmentEnabled: true},
		schedule.ActivityOf(q, schedule.Inside))
	require.False(t, schedule.ActivityOf(q, schedule.Outside).Active)

	for _, tc := range []struct{ page, size, want int }{{0, 0, 20}, {3, 1, 1}, {0, 2000, 2000}} {
		got, err := schedule.ActivityPage(tc.page, tc.size)
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
	for _, tc := range []struct {
		page, size int
		field      string
	}{{-1, 20, "page"}, {0, -1, "size"}, {0, 2001, "size"}} {
		_, err := schedule.ActivityPage(tc.page, tc.size)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, tc.field, fe.Field)
	}
}
