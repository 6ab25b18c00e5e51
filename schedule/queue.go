package schedule

// QueueHours is how a queue follows working hours. Infobip lets a queue
// reference working hours and choose whether auto-assignment goes on
// outside them; parley keeps both here until they join routing.Queue.
type QueueHours struct {
	// WorkingHoursID names the queue's working hours; "" means none, and
	// a queue with none is always inside.
	WorkingHoursID string
	// AutoAssignOutside keeps auto-assignment running outside working
	// hours. Off by default: outside working hours conversations and
	// calls wait in the queue.
	AutoAssignOutside bool
}

// Active reports whether a queue whose working hours give status is
// active: inside working hours, the "active" of Infobip's transfer queue
// list. A queue with no working hours passes Inside.
func Active(status Status) bool { return status != Outside }

// AutoAssigns reports whether a queue assigns automatically now: its
// autoAssignment flag is on, and it is inside its working hours or
// QueueHours let it assign outside them.
func (q QueueHours) AutoAssigns(autoAssignment bool, status Status) bool {
	return autoAssignment && (Active(status) || q.AutoAssignOutside)
}

// TakesTransfers reports whether a call may be transferred to the queue
// now: Infobip requires the queue to be inside working hours with
// auto-assignment enabled, whatever AutoAssignOutside says.
func TakesTransfers(autoAssignment bool, status Status) bool {
	return autoAssignment && Active(status)
}
