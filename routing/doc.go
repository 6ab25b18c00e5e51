// Package routing holds agents, queues and routing rules, and the pure
// decisions made over them: which queue a conversation belongs in and which
// agent gets it.
//
// Types and their defaults:
//
//   - Agent: role AGENT, status INVISIBLE, enabled, capacity 5. Capacity counts
//     the agent's conversations in progress, OPEN or WAITING
//     (conversation.Status.InProgress; CountsAsLoad).
//   - Queue: strategy LEAST_BUSY; at most one queue is the default.
//   - Rule: an ordered list; the first enabled rule whose condition matches
//     wins, and with no match the default queue (if any) is used.
//
// The decisions, all pure: no I/O, and the time is always passed in.
//
//   - Conditions (Condition.Matches): channel in, priority in, tags any-of,
//     tags all-of, customer id equals, topic contains (ignoring case, as
//     conversation.TopicContains), attributes equal. The set parts combine
//     under "all" (the default) or "any"; a condition with no part set
//     matches everything, under either. Evaluate returns the first enabled
//     matching rule's queue and priority ("" leaves the priority), else the
//     default queue, else no queue. Routing by a Decision unassigns the
//     conversation and moves it there (Decision.Patch), for auto-assignment
//     to pick its agent.
//   - Eligibility (CheckEligibility): an agent may get a conversation of a
//     queue automatically when it is enabled, ACTIVE, a member of the queue,
//     not in wrap-up (WrapUpUntil after now) and its load is below its
//     capacity. Manual assignment and transfer to an agent ignore status and
//     capacity. An agent that became ACTIVE or enabled, or got more
//     capacity, may take waiting work it could not before (GainedRoom).
//   - Strategies (Strategy.Compare): LEAST_BUSY takes the lowest load, then
//     the longest since the last assignment (never assigned is longest),
//     then the lowest agent id; ROUND_ROBIN the longest since the last
//     assignment, then the lowest id. On a sticky queue the customer's
//     previous agent, found within the sticky timeout (Queue.StickySince; 0
//     is no limit), wins over the strategy when it is eligible; a
//     conversation without a customer has none (Queue.StickyFor). PickAgent
//     decides for one conversation; a Picker drains many over one snapshot,
//     counting each assignment, in O(log n) per pick, and always agrees with
//     PickAgent.
//   - Waiting (ServingOrder): a queue serves URGENT first (priority
//     descending), then the longest waiting (QueuedAt, else CreatedAt), then
//     the lowest id. A conversation waiting longer than the queue's
//     MaxWaitSeconds (0 is no limit) moves to its OverflowQueueID, when set
//     (Overflow).
//   - Wrap-up (Agent.WrapUpAfterClose): when an agent's conversation closes,
//     the agent gets no auto-assignment for WrapUpSeconds; a running longer
//     wrap-up is kept.
//   - Availability (AvailabilityOf): the one rule that derives what an
//     agent shows (ACTIVE, BUSY, AWAY, INVISIBLE) and whether it may get a
//     conversation or be offered a call now, from its chosen status,
//     enabled, heartbeat, a live call, wrap-up and load. HeartbeatPolicy
//     sets the heartbeat's time to live (default 2 minutes) and what a
//     lapse does to the agent's open conversations (keep, or hand back to
//     their queues). The service's automatic assignment does not read
//     heartbeats or calls yet: CheckEligibility and AvailabilityOf agree on
//     every queue member without them, which a test checks.
//   - What a change of a conversation calls for (EffectsOf): a new assignee
//     has its time of last assignment set; closing an assigned
//     conversation starts its assignee's wrap-up; an agent whose load fell
//     and a queue the conversation started waiting in are worth draining.
//     Creating a conversation is a change from the zero Conversation, and
//     deleting one a change to it.
//
// Go zero values are the defaults, so the "enabled" flags of the wire are
// Disabled fields here. Besides conversation, the package imports tag, the
// other pure domain package, for the tag-name rule that conditions obey.
package routing
