package schedule_test

import (
	"testing"

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
