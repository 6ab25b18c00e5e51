// Package parley runs contact-centre conversations: conversations between
// customers and agents, their messages and tags, agents, queues and routing,
// and calls with their offers, agent presence and wrap-up.
// It is a library: the host application supplies the transport and a
// storage.Store (memstore for tests and prototypes, sqlstore for SQLite or
// PostgreSQL), and calls the Service.
//
// Every write follows one path: the input is validated first, then the
// domain rules run and the changes are written in one store transaction,
// together with the events that record them. On any error nothing is written
// and no event exists; after the commit, in-process subscribers see the
// events (WithSubscriber, or a channel from Subscribe) and the event log
// (Events) holds them for any consumer (Consume is the consumer's loop).
//
// Delivery, where the contract is silent: a WithSubscriber function runs
// on the goroutine that made the change; a Subscribe channel never makes
// a write wait (a full channel drops the event for that subscriber and
// counts it, Subscription.Dropped, and the subscriber catches up from the
// log); Consume is at least once from the position the caller stores,
// returns nil when its context ends and the handler's error when the
// handler fails. A Service bound to a host's transaction (WithStore over
// sqlstore's WithPgxTx or WithSQLTx) tells its subscribers when the host
// reports the commit.
//
// The rules themselves live in the domain packages, each in one place:
// conversation (statuses and their sets, closed-is-immutable, versions,
// patches, tags as changes, customer ids, sources, reopening on inbound),
// customer (the customer's fields, matching, deletion), message (content,
// the reply matrix), tag (names) and routing (rules, eligibility,
// strategies, waiting, and what a change of a conversation means for
// routing). The service reads and locks what they need, runs them, and
// writes what they decide.
//
// # Locks
//
// Automatic assignment claims an agent under the agent's lock
// (storage.Tx.LockAgent) and counts its load and reads its memberships
// only once it holds it. Every change that can raise an agent's load (an
// assignment, manual or automatic, a transfer, a reopening by status or by
// an inbound message, a new conversation created assigned) and every
// change of the agent itself (status, capacity, enabled) or of its queue
// memberships takes the same lock before it commits. So whatever the
// interleaving, on one instance or many over one database, an automatic
// assignment either sees the other change or commits before it, and
// SPEC §4's invariants hold at every commit: no automatic assignment takes
// an agent over capacity or to a queue it has left.
//
// Locks are taken in one global order, so that no two transactions wait
// for each other:
//
//  1. keys (LockKey): inbound threading's customer and channel, a queue's,
//     then the default queue's, the routing rules';
//  2. the conversation (LockConversation): one per transaction (inbound
//     threading may pass over a closed one to the next, under its key);
//  3. the customer (LockCustomer, EnsureCustomer), then tags (EnsureTag);
//  4. the call (LockCall): one per transaction, after its conversation
//     when the change also locks that (accepting a call assigns it);
//  5. agents (LockAgent): one per transaction, the conversation's
//     assignee after the change, the agent automatic assignment claims,
//     or the agent a call is offered to, ends at or is placed from, or
//     a transfer of it rings at (transfers.go).
//
// A transaction never locks a conversation after an agent, nor a second
// agent: a router refused by its first choice leaves the conversation
// waiting and drains the queue after the commit.
//
// # Calls, presence and the runner
//
// Calls (package call) belong to conversations on the VOICE or VIDEO
// channel; the host reports what its media layer sees (ReceiveCall,
// AcceptCall, HangUpCall, ...) and parley keeps the state and applies the
// rules. An inbound call threads as an inbound message does, goes to the
// queue the routing rules choose, and is offered to one eligible member at
// a time, in the queue's strategy's order (OfferCall); an agent who
// refuses or lets it ring out is skipped until every other has had it.
// The call's conversation is not queued for messaging: it is assigned when
// an agent accepts the call (to that agent, in the call's queue), and
// messaging assignment never takes it. An agent has at most one live call
// (ringing, dialing or connected), whatever the interleaving: the offer
// locks the agent and checks it again, and every store keeps the rule as a
// constraint (storage.Tx.CreateCall).
//
// Availability (routing.AvailabilityOf) is the one rule for whether an
// agent can take work now: its status, its heartbeat (Heartbeat;
// WithHeartbeatPolicy, two minutes by default), a live call, its wrap-up
// and, for conversations, its load. Messaging assignment skips agents on a
// call or whose heartbeat lapsed; an agent that never sent a heartbeat
// still gets conversations (hosts without heartbeats keep working) but no
// call. A heartbeat is one statement with no event; the first after a
// lapse records agent.heartbeat_resumed, and the lapse itself
// agent.heartbeat_lapsed, recorded by the runner.
//
// Wrap-up after a call follows the account's configuration
// (SetWrapUpConfig, Infobip's account-wrap-up-config) and the agent's own
// length (SetAgentCallWrapUp); it starts when a call that connected ends.
// The wrap-up after closing a conversation (routing.Agent.WrapUpSeconds)
// stays as a separate setting, off unless set: contact centres that close
// chats want a pause too, and an agent has one wrap-up end either way.
//
// What time decides happens in RunDue, one pass, or Run, a loop a host
// starts once per process: offers and dials that ran out (ExpireCall),
// heartbeat lapses (and, with OnLapse REQUEUE, the lapsed agent's queued
// conversations handed back to their queues), queued calls offered to
// agents who became free (OfferCall), waiting conversations assigned and
// moved past their queue's wait limit (AssignAllWaiting). Each item is
// handled in a transaction of its own that locks and checks it again, so
// any number of runners on one database handle each item once. Changes
// that free an agent (a call ending, a wrap-up cleared, a heartbeat
// resuming) offer its queues' calls at once, without waiting for a pass.
//
// The actor of a call travels in its context (WithActor): the agent id the
// host vouches for, used for the reply matrix of OUTBOUND messages and as
// the actor of events, and, when authorisation is on (WithAuthorization),
// the scopes checked per operation (OperationScope).
//
// Decisions where the contract is silent:
//
//   - Appending a message does not change the conversation's version or
//     updatedAt; an INBOUND message that reopens the conversation does, as
//     a status change.
//   - Adding and removing a tag is a change of the conversation
//     (conversation.Conversation.Tagged): it bumps version and updatedAt.
//     Deleting a tag from the catalog removes it from every conversation
//     that is not CLOSED, each as such a change with its
//     conversation.untagged event; a CLOSED conversation is immutable and
//     keeps the name in its tags (see DeleteTag).
//   - Deleting a conversation deletes its events as well, so the
//     conversation.deleted event (with the reason) is the only trace left.
//   - Assigning a conversation, manually or by routing, records the time on
//     the agent (the strategies' "last assignment"); closing one starts the
//     assignee's wrap-up.
//   - A person taking a conversation off its agent (UnassignConversation,
//     an update that clears agentId, TransferToQueue) does not see it
//     handed straight back: in a queue that assigns automatically it waits
//     for another eligible agent, passing that one over
//     (conversation.Conversation.PassedOver), the customer's sticky agent
//     included. A manual assignment may choose any agent, and a route may
//     give it to any eligible one: both clear PassedOver. It is bookkeeping,
//     not on the wire: releasing it alone is written but bumps no version
//     and records no event.
//   - A patch that changes nothing writes nothing and records no event.
//   - Times are UTC with microsecond precision, the precision PostgreSQL
//     keeps, so every store returns exactly what was written.
//   - A conversation's customer id need not name a customer: inbound
//     channels and the Infobip API name customers by their own ids. A write
//     with KnownCustomer (the helpdesk API's) requires the customer to
//     exist, on create and when an update changes it. An inbound message
//     that starts a conversation creates its customer when missing
//     (customer.FirstContact), recording customer.created.
//   - A customer who still has conversations is not deleted (ErrConflict).
//     The deletion and the writes that name a customer it must exist for
//     (KnownCustomer, inbound threading) hold the customer's row
//     (LockCustomer, EnsureCustomer), so they never interleave; the
//     Infobip API's writes, which require no customer, hold none. The customer's earlier events stay in the log, as those of
//     agents, queues and tags do; customer.deleted records the deletion.
//   - WithObserver hears of every read and every write that reaches its
//     transaction: the operation's name, duration, outcome and error kind
//     (ErrorKind), for the host's metrics and tracing; a debug-level log
//     line says the same. Durations are wall-clock time, not the
//     injectable clock's.
//   - A database that cannot be reached is ErrUnavailable: the request was
//     fine, and a retry later may succeed.
//   - Concurrent replacements of the routing rules run one after the
//     other (under the rules' key): none fails for another, the list is
//     always one of them, whole, and each routing.rules_replaced event's
//     list before is the list it replaced.
//   - A conversation created or tagged with a tag that a concurrent
//     DeleteTag removes never fails for it: the tag is held
//     (storage.Tx.EnsureTag) from the moment it is ensured, so either the
//     delete commits first and the tag is created again (tag.created), or
//     it waits and then takes the tag from the new conversation too.
//   - Customers use the conversations' scopes: read:conversations to read
//     them, write:conversations to change them.
//
// # Call recording
//
// parley records nothing itself. The host's media layer asks
// RecordingDecision whether and how to record a call (the one rule,
// recording.Decide, over the account's configuration and that of the
// agent on the call), records it, and reports each file's metadata
// (ReportRecording). The files stay the host's, behind RecordingFiles
// (WithRecordingFiles), through which the service opens downloads
// (OpenRecording) and deletes files. The configurations are Infobip's
// account-recording-config and agent-recording-configs, changed with the
// write scope like the other configuration, each change with its event.
// Where Infobip is silent, parley decides:
//
//   - the account's configuration before any was created, and an agent's
//     that has none, are ErrNotFound (the HTTP adapter answers the
//     defaults, which record nothing); PUT creates or replaces, POST
//     creates and refuses an existing one (ErrAlreadyExists);
//     enabledChangedAt is set when a configuration is created and
//     whenever enabled changes;
//   - the decision is not put into the call.connected event: the host
//     asks when the call connects, and again after a transfer;
//   - a report of a recording id known already updates that recording
//     (its status, its duration, ...) and must name the same call; the
//     conversation and the direction default to the call's and must
//     match it; a deleted recording is not reported again (ErrConflict);
//   - DeleteRecording keeps the metadata, marked with deletedAt and
//     deletedBy (the actor's agent id), as Infobip lists deleted
//     recordings; a deleted recording is no longer downloaded;
//   - deleting a conversation removes its recordings' metadata with it
//     (what the conversation held is gone; a recording.deleted event with
//     no conversation id records each), in the same transaction;
//   - files are deleted after the commit (the host's commit on a
//     HostTransaction store). A file that fails to delete does not undo
//     the deletion: it is logged and recorded as a
//     recording.file_not_deleted event, and DeleteRecording of the
//     deleted recording tries the file again.
package parley
