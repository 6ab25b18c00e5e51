package schedule

import (
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// Paging of the transfer queue list, as Infobip documents it.
const (
	DefaultActivityPageSize = 20
	MaxActivityPageSize     = 2000
)

// Activity is one element of Infobip's transfer queue list
// (GET /ccaas/voice/2/transfer/queues): whether a queue can take a
// transfer now. Infobip shows its default queue with a null queueId; in
// parley the default queue is a queue like any other and keeps its id.
type Activity struct {
	QueueID               string
	QueueName             string
	Active                bool // inside its working hours
	AutoAssignmentEnabled bool
}

// ActivityOf is the activity of queue q whose working hours give status
// (Inside for a queue with none).
func ActivityOf(q *routing.Queue, status Status) Activity {
	return Activity{QueueID: q.ID, QueueName: q.Name, Active: Active(status), AutoAssignmentEnabled: q.AutoAssignment}
}

// ActivityPage checks the list's paging: page ≥ 0 and size 1..2000, 0
// meaning the default 20. It returns the size to use; the errors name
// page or size as Infobip's do.
func ActivityPage(page, size int) (int, error) {
	if page < 0 {
		return 0, fault.Invalid("page", "must be greater than or equal to 0")
	}
	switch {
	case size == 0:
		return DefaultActivityPageSize, nil
	case size < 1:
		return 0, fault.Invalid("size", "must be greater than or equal to 1")
	case size > MaxActivityPageSize:
		return 0, fault.Invalid("size", "must be less than or equal to %d", MaxActivityPageSize)
	}
	return size, nil
}
