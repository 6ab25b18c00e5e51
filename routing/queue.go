package routing

import (
	"slices"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Limits on queue fields.
const (
	MaxQueueNameLen   = 255
	MaxTimeoutSeconds = 30 * 86400
)

// Strategy picks among the eligible agents of a queue.
type Strategy string

// The strategies. LEAST_BUSY takes the agent with the lowest load, then the
// one longest without an assignment, then the lowest id; ROUND_ROBIN takes
// the one longest without an assignment, then the lowest id.
const (
	LeastBusy  Strategy = "LEAST_BUSY"
	RoundRobin Strategy = "ROUND_ROBIN"
)

// Valid reports whether s is a known strategy.
func (s Strategy) Valid() bool { return s == LeastBusy || s == RoundRobin }

// ParseStrategy accepts a strategy name; anything else is ErrInvalid.
func ParseStrategy(s string) (Strategy, error) {
	if st := Strategy(s); st.Valid() {
		return st, nil
	}
	return "", fault.Invalid("strategy", "unknown value %q", s)
}

// Queue is where conversations wait for an agent.
type Queue struct {
	ID                   string
	Name                 string // unique
	AutoAssignment       bool
	Strategy             Strategy // default LEAST_BUSY
	StickyAgent          bool
	StickyTimeoutSeconds int    // how long a customer's previous agent stays preferred
	MaxWaitSeconds       int    // 0: no limit; after it a waiting conversation moves to OverflowQueueID
	OverflowQueueID      string // "" for none
	Default              bool   // the queue for conversations no rule matches; at most one

	// WorkingHoursID names the working hours the queue follows (package
	// schedule); "" for none: always inside. Outside them the queue is not
	// active, and it assigns conversations and offers calls only when
	// AutoAssignOutside is set.
	WorkingHoursID    string
	AutoAssignOutside bool

	Members []string // agent ids, sorted; read-only

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Clone returns a deep copy.
func (q *Queue) Clone() *Queue {
	if q == nil {
		return nil
	}
	cp := *q
	cp.Members = slices.Clone(q.Members)
	return &cp
}

// NewQueue builds a queue from input: it applies defaults, checks every
// field and stamps id and times. The input's own ID wins over id when set.
func NewQueue(in Queue, id string, now time.Time) (*Queue, error) {
	q := in.Clone()
	q.Members = nil
	q.CreatedAt, q.UpdatedAt = now, now
	if q.ID == "" {
		q.ID = id
	}
	if q.Strategy == "" {
		q.Strategy = LeastBusy
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// Validate checks every field.
func (q *Queue) Validate() error {
	if err := fault.Identifier("id", q.ID, MaxIDLen); err != nil {
		return err
	}
	if err := validateQueueName(q.Name); err != nil {
		return err
	}
	if !q.Strategy.Valid() {
		return fault.Invalid("strategy", "unknown value %q", q.Strategy)
	}
	if err := validateSeconds("stickyTimeout", q.StickyTimeoutSeconds); err != nil {
		return err
	}
	if err := validateSeconds("maxWaitSeconds", q.MaxWaitSeconds); err != nil {
		return err
	}
	if err := optionalID("overflowQueueId", q.OverflowQueueID); err != nil {
		return err
	}
	if q.OverflowQueueID != "" && q.OverflowQueueID == q.ID {
		return fault.Invalid("overflowQueueId", "must not be the queue itself")
	}
	return optionalID("workingHoursId", q.WorkingHoursID)
}

func validateQueueName(s string) error {
	if s == "" {
		return fault.Invalid("name", "is required")
	}
	return fault.Text("name", s, MaxQueueNameLen)
}

func validateSeconds(field string, n int) error {
	if n < 0 || n > MaxTimeoutSeconds {
		return fault.Invalid(field, "must be between 0 and %d seconds", MaxTimeoutSeconds)
	}
	return nil
}

// QueuePatch is a partial update of a queue; nil fields stay as they are.
// An empty OverflowQueueID removes the overflow.
type QueuePatch struct {
	Name                 *string
	AutoAssignment       *bool
	Strategy             *Strategy
	StickyAgent          *bool
	StickyTimeoutSeconds *int
	MaxWaitSeconds       *int
	OverflowQueueID      *string
	Default              *bool
	WorkingHoursID       *string // "" removes the working hours
	AutoAssignOutside    *bool
}

// Apply validates the patch and applies it to q at time now, reporting
// whether anything changed (only then is UpdatedAt bumped). On error q is
// unchanged.
func (p QueuePatch) Apply(q *Queue, now time.Time) (changed bool, err error) {
	next := q.Clone()
	setIf(&next.Name, p.Name)
	setIf(&next.AutoAssignment, p.AutoAssignment)
	setIf(&next.Strategy, p.Strategy)
	setIf(&next.StickyAgent, p.StickyAgent)
	setIf(&next.StickyTimeoutSeconds, p.StickyTimeoutSeconds)
	setIf(&next.MaxWaitSeconds, p.MaxWaitSeconds)
	setIf(&next.OverflowQueueID, p.OverflowQueueID)
	setIf(&next.Default, p.Default)
	setIf(&next.WorkingHoursID, p.WorkingHoursID)
	setIf(&next.AutoAssignOutside, p.AutoAssignOutside)
	if err := next.Validate(); err != nil {
		return false, err
	}
	if len(DiffQueues(q, next)) == 0 {
		return false, nil
	}
	next.UpdatedAt = now
	*q = *next
	return true, nil
}

// DiffQueues lists the configurable fields that differ between a and b.
func DiffQueues(a, b *Queue) []Change {
	var out []Change
	add := func(field string, x, y any) {
		if x != y {
			out = append(out, Change{field, x, y})
		}
	}
	add("name", a.Name, b.Name)
	add("autoAssignment", a.AutoAssignment, b.AutoAssignment)
	add("strategy", string(a.Strategy), string(b.Strategy))
	add("stickyAgent", a.StickyAgent, b.StickyAgent)
	add("stickyTimeout", a.StickyTimeoutSeconds, b.StickyTimeoutSeconds)
	add("maxWaitSeconds", a.MaxWaitSeconds, b.MaxWaitSeconds)
	add("overflowQueueId", a.OverflowQueueID, b.OverflowQueueID)
	add("default", a.Default, b.Default)
	add("workingHoursId", a.WorkingHoursID, b.WorkingHoursID)
	add("autoAssignOutsideWorkingHours", a.AutoAssignOutside, b.AutoAssignOutside)
	return out
}
