// Package waiting holds waiting strategies, Infobip's
// /ccaas/voice/2/waiting-strategies: what a caller hears while waiting in
// a queue, how long it may wait, and what happens then.
//
// A strategy has a name (1..128), a maximumWaitTime (required), a
// greetingMessage, musicOnHold, an announcementMessage repeated every
// repeatInterval with collectables (keys the caller may press: CALLBACK
// or RETURN_TO_IVR), a callbackConfirmationMessage and a
// maximumWaitTimeMessage (package audio holds their shapes and limits). It
// applies to calls by conditionType: SENDER (the numbers or applications
// the customer called, each {clientType, identifier}) or QUEUE (queue ids,
// "default" standing for the default queue). The conditionType is fixed
// once the strategy is created (Update refuses a change).
//
// The package is pure: every rule that depends on time takes the time,
// and the decisions are values the runner applies. Where Infobip is
// silent, parley decides:
//
//   - Which strategy applies to a queued inbound call (Select), first of:
//     a QUEUE strategy naming the call's queue by its id; a SENDER
//     strategy naming the number or application called (the call's To and
//     its client type); a QUEUE strategy naming "default" when the call
//     waits in the default queue. Among several of the same rank the
//     oldest wins (createdAt, then id). An outbound call, or one in no
//     queue matching nothing, has none. Conflicts names a sender or queue
//     another strategy already claims, so the service can refuse overlaps
//     (fault.ErrConflict) and the ranks are all that is needed.
//   - A condition lists 1..MaxConditionEntries senders or queues, each
//     once; a SENDER condition has no queues and a QUEUE one no senders.
//   - The caller's wait counts from when the call entered its current
//     queue (since): a call that overflows to another queue starts anew.
//   - Plan: at since the greeting plays (if enabled), then the music; an
//     announcement plays every repeatInterval after since, strictly
//     before the maximum wait (NextAnnouncement; one missed while the
//     runner was down is skipped, not replayed); at since plus
//     maximumWaitTime, AtMaximumWait decides.
//   - At the maximum wait the maximumWaitTimeMessage plays (if enabled),
//     then the outcome: Outcome is parley's addition to the strategy
//     (Infobip names no outcome): OVERFLOW to a queue, CALLBACK (the call
//     ends with CALLBACK_REQUESTED and a callback request for the host to
//     dial later), or END (the call ends with MAXIMUM_WAIT_TIME). With no
//     Outcome set, the call overflows to its queue's overflow queue when
//     there is one, and ends otherwise. An overflow to the queue the call
//     already waits in ends it instead.
//   - A caller pressing a collectable's code (OnCollect): CALLBACK plays
//     the callbackConfirmationMessage and ends the call with
//     CALLBACK_REQUESTED and a callback request; RETURN_TO_IVR ends it
//     with RETURNED_TO_IVR, handing the collectable's value to the host.
//   - The list (ListParams) filters by queueId (QUEUE strategies naming
//     it), sorts by CREATED_AT (default) or NAME, DESC by default, ties by
//     id; Infobip gives no page size limits, so parley uses its
//     conversation list's: 50 by default, at most 1000; pageNumber is
//     at most MaxPageNumber, so a page's offset never overflows.
package waiting
