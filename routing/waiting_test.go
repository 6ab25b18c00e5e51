package routing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// waiting is an unassigned OPEN conversation in queue "q1" created at
// createdAt and queued at queuedAt.
func waiting(id string, prio conversation.Priority, createdAt, queuedAt time.Time) *conversation.Conversation {
	return &conversation.Conversation{
		ID: id, Status: conversation.Open, Priority: prio, Channel: conversation.LiveChat,
		QueueID: "q1", CreatedAt: createdAt, QueuedAt: queuedAt,
	}
}

func TestServingOrder(t *testing.T) {
	t.Parallel()
	none := time.Time{}
	tests := []struct {
		name string
		a, b *conversation.Conversation
		want int // the sign: a served first is negative
	}{
		{"urgent before high", waiting("b", conversation.Urgent, at(0), at(9)), waiting("a", conversation.High, at(0), at(1)), -1},
		{"high before normal", waiting("b", conversation.High, at(0), at(9)), waiting("a", conversation.Normal, at(0), at(1)), -1},
		{"normal before low", waiting("b", conversation.Normal, at(0), at(9)), waiting("a", conversation.Low, at(0), at(1)), -1},
		{"low before an unknown priority", waiting("b", conversation.Low, at(0), at(9)), waiting("a", "", at(0), at(1)), -1},
		{"same priority: longest waiting first", waiting("b", conversation.High, at(0), at(1)), waiting("a", conversation.High, at(0), at(2)), -1},
		{"queued time, not creation, counts", waiting("b", conversation.High, at(5), at(6)), waiting("a", conversation.High, at(0), at(7)), -1},
		{"no queued time: creation counts", waiting("b", conversation.High, at(3), none), waiting("a", conversation.High, at(0), at(4)), -1},
		{"no queued time on both", waiting("b", conversation.High, at(3), none), waiting("a", conversation.High, at(4), none), -1},
		{"same priority and time: lowest id", waiting("a", conversation.High, at(0), at(1)), waiting("b", conversation.High, at(0), at(1)), -1},
		{"same time by either field: lowest id", waiting("a", conversation.High, at(1), none), waiting("b", conversation.High, at(0), at(1)), -1},
		{"same id", waiting("a", conversation.High, at(0), at(1)), waiting("a", conversation.High, at(0), at(1)), 0},
	}
	sign := func(n int) int {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, sign(routing.ServingOrder(tt.a, tt.b)))
			require.Equal(t, -tt.want, sign(routing.ServingOrder(tt.b, tt.a)), "reversed")
		})
	}
}

func TestServingOrderSorts(t *testing.T) {
	t.Parallel()
	queue := []*conversation.Conversation{
		waiting("n-late", conversation.Normal, at(0), at(50)),
		waiting("l-early", conversation.Low, at(0), at(1)),
		waiting("u-late", conversation.Urgent, at(0), at(40)),
		waiting("n-early", conversation.Normal, at(0), at(2)),
		waiting("u-early-b", conversation.Urgent, at(0), at(30)),
		waiting("u-early-a", conversation.Urgent, at(0), at(30)),
		waiting("h", conversation.High, at(0), at(60)),
	}
	slices.SortFunc(queue, routing.ServingOrder)
	var got []string
	for _, c := range queue {
		got = append(got, c.ID)
	}
	require.Equal(t, []string{"u-early-a", "u-early-b", "u-late", "h", "n-early", "n-late", "l-early"}, got)
}

func TestWaiting(t *testing.T) {
	t.Parallel()
	with := func(change func(c *conversation.Conversation)) *conversation.Conversation {
		c := waiting("c1", conversation.Normal, at(0), at(0))
		change(c)
		return c
	}
	tests := []struct {
		name string
		c    *conversation.Conversation
		want bool
	}{
		{"open, unassigned, queued", with(func(*conversation.Conversation) {}), true},
		{"status WAITING", with(func(c *conversation.Conversation) { c.Status = conversation.Waiting }), true},
		{"solved", with(func(c *conversation.Conversation) { c.Status = conversation.Solved }), false},
		{"closed", with(func(c *conversation.Conversation) { c.Status = conversation.Closed }), false},
		{"assigned", with(func(c *conversation.Conversation) { c.AgentID = "a1" }), false},
		{"in no queue", with(func(c *conversation.Conversation) { c.QueueID = "" }), false},
		{"nil", nil, false},
	}
	q1, q2 := &routing.Queue{ID: "q1"}, &routing.Queue{ID: "q2"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, routing.Waiting(tt.c))
			require.Equal(t, tt.want, routing.WaitingIn(q1, tt.c), "waiting in its own queue")
			require.False(t, routing.WaitingIn(q2, tt.c), "never waiting in another queue")
			require.False(t, routing.WaitingIn(nil, tt.c), "never waiting in no queue")
		})
	}
}

func TestOverflow(t *testing.T) {
	t.Parallel()
	q := func(maxWait int, overflow string) *routing.Queue {
		return &routing.Queue{ID: "q1", Name: "Support", MaxWaitSeconds: maxWait, OverflowQueueID: overflow}
	}
	// Each conversation is looked at t0 = at(0).
	tests := []struct {
		name  string
		queue *routing.Queue
		c     *conversation.Conversation
		want  string // the overflow queue, "" when it stays
	}{
		{"waited longer than the limit", q(60, "q2"), waiting("c", conversation.Normal, at(-100), at(-61)), "q2"},
		{"waited one nanosecond too long", q(60, "q2"), waiting("c", conversation.Normal, at(-100), at(-60).Add(-time.Nanosecond)), "q2"},
		{"waited exactly the limit", q(60, "q2"), waiting("c", conversation.Normal, at(-100), at(-60)), ""},
		{"waited less", q(60, "q2"), waiting("c", conversation.Normal, at(-100), at(-59)), ""},
		{"queued time counts, not creation", q(60, "q2"), waiting("c", conversation.Normal, at(-1000), at(-10)), ""},
		{"no queued time: creation counts", q(60, "q2"), waiting("c", conversation.Normal, at(-61), time.Time{}), "q2"},
		{"no limit", q(0, "q2"), waiting("c", conversation.Normal, at(-100000), at(-100000)), ""},
		{"no overflow queue", q(60, ""), waiting("c", conversation.Normal, at(-100), at(-100)), ""},
		{"urgent overflows too", q(60, "q2"), waiting("c", conversation.Urgent, at(-100), at(-100)), "q2"},
		{"assigned: not waiting", q(60, "q2"), func() *conversation.Conversation {
			c := waiting("c", conversation.Normal, at(-100), at(-100))
			c.AgentID = "a1"
			return c
		}(), ""},
		{"solved: not waiting", q(60, "q2"), func() *conversation.Conversation {
			c := waiting("c", conversation.Normal, at(-100), at(-100))
			c.Status = conversation.Solved
			return c
		}(), ""},
		{"status WAITING waits", q(60, "q2"), func() *conversation.Conversation {
			c := waiting("c", conversation.Normal, at(-100), at(-100))
			c.Status = conversation.Waiting
			return c
		}(), "q2"},
		{"in another queue", q(60, "q2"), func() *conversation.Conversation {
			c := waiting("c", conversation.Normal, at(-100), at(-100))
			c.QueueID = "q3"
			return c
		}(), ""},
		{"no queue given", nil, waiting("c", conversation.Normal, at(-100), at(-100)), ""},
		{"no conversation given", q(60, "q2"), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := routing.Overflow(tt.queue, tt.c, t0)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want != "", ok)
		})
	}
}

func TestOverflowCutoff(t *testing.T) {
	t.Parallel()
	cutoff, ok := (&routing.Queue{MaxWaitSeconds: 90, OverflowQueueID: "q2"}).OverflowCutoff(t0)
	require.True(t, ok)
	require.Equal(t, at(-90), cutoff)

	_, ok = (&routing.Queue{MaxWaitSeconds: 0, OverflowQueueID: "q2"}).OverflowCutoff(t0)
	require.False(t, ok, "no limit")
	_, ok = (&routing.Queue{MaxWaitSeconds: 90}).OverflowCutoff(t0)
	require.False(t, ok, "no overflow queue")
}

func TestStickySince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		queue  routing.Queue
		want   time.Time
		wantOK bool
	}{
		{"not sticky", routing.Queue{StickyTimeoutSeconds: 600}, time.Time{}, false},
		{"sticky with a timeout", routing.Queue{StickyAgent: true, StickyTimeoutSeconds: 600}, at(-600), true},
		{"sticky without a timeout", routing.Queue{StickyAgent: true}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.queue.StickySince(t0)
			require.Equal(t, tt.wantOK, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestStickyFor(t *testing.T) {
	t.Parallel()
	sticky := routing.Queue{StickyAgent: true, StickyTimeoutSeconds: 600}
	customer := &conversation.Conversation{ID: "c1", CustomerID: "cust-1"}
	since, ok := sticky.StickyFor(customer, t0)
	require.True(t, ok)
	require.Equal(t, at(-600), since)

	_, ok = sticky.StickyFor(&conversation.Conversation{ID: "c1"}, t0)
	require.False(t, ok, "no customer, no previous agent")
	_, ok = (&routing.Queue{}).StickyFor(customer, t0)
	require.False(t, ok, "not sticky")
}
