// Package parley runs contact-centre conversations: conversations between
// customers and agents, their messages and tags, agents, queues and routing.
// It is a library: the host application supplies the transport and a
// storage.Store (memstore for tests and prototypes, sqlstore for SQLite or
// PostgreSQL), and calls the Service.
//
// Every write follows one path: the input is validated first, then the
// domain rules run and the changes are written in one store transaction,
// together with the events that record them. On any error nothing is written
// and no event exists; after the commit, in-process subscribers see the
// events (WithSubscriber) and the event log (Events) holds them for any
// consumer.
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
//     (conversation.Conversation.Tagged): it bumps version and updatedAt. Deleting a tag from the catalog removes it from
//     every conversation (closed ones too) without bumping them.
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
//   - Customers use the conversations' scopes: read:conversations to read
//     them, write:conversations to change them.
package parley
