// Package httpapi is parley's optional HTTP adapter: an http.Handler that
// serves the parley Service in the shape of the Infobip Conversations API,
// on net/http alone (Go 1.22 route patterns, no router). The library stays
// transport-free; a host mounts this handler, or not.
//
//	h := httpapi.New(svc) // routes under /ccaas/1
//	http.ListenAndServe("127.0.0.1:8080", h)
//
// Options set the base path (WithBasePath), the logger for 500s
// (WithLogger), strict input (WithStrict, see Request bodies) and how a
// request's actor is found (WithActorFunc, default HeaderActor). The actor goes into the request context with
// parley.WithActor for every request: it is the sender and the reply-matrix
// actor of OUTBOUND messages, the holder of the scopes checked, and the
// actor of every event.
//
// A host plugs in its own authentication in either of two ways. A
// middleware in front of the handler authenticates the caller and puts the
// actor in the request context with parley.WithActor: HeaderActor keeps it
// and never reads x-agent-id (the header cannot override an authenticated
// caller). Or WithActorFunc replaces HeaderActor with a function that reads
// a verified token and returns the actor, or ErrUnauthenticated for a 401.
// Without either, HeaderActor takes the x-agent-id header as the agent id,
// with no scopes: fit for a trusted network only.
//
// The routes are those of the package's one route table, which a test
// checks against the OpenAPI description served at GET {base}/openapi.json
// (see OpenAPI). Infobip's notes are served at POST and GET
// /conversations/{id}/notes and GET /conversations/{id}/notes/{noteId}:
// {"type", "content", "agentId"} in, and {"id", "conversationId",
// "agentId", "type", "content", "createdAt", "updatedAt"} out. An INTERNAL
// note's content is its text; an ATTACHMENT note's is {"text",
// "attachments": [{"id", "fileName", "fileExtension", "contentType",
// "fileSize", "publicLink"}]}, as Infobip's examples have it (the files
// stay the host's: parley keeps what the note says of them). A note is a
// private OUTBOUND TEXT message, so what holds
// for those holds for notes: the reply matrix on its agent (the actor, or
// the body's agentId when the request names no actor), and a CLOSED
// conversation takes none (409 CLOSED), as SPEC's closed-is-immutable rule
// says and Infobip's "Closed conversation cannot be changed" agrees. Notes
// are listed oldest first, alone, and among the messages with "private":
// true.
//
// Besides the contract's routes there are GET /tags/{name},
// GET /conversations/{id}/messages/{messageId}, and parley's own route for
// a channel connector, POST /inbound-messages: {"customerId", "channel",
// and the message's id, from, to, contentType and content} threads a
// customer's message (parley.Service.ReceiveInbound) into the customer's
// newest conversation on that channel that is not CLOSED, or into a new
// conversation, routed; it answers {"conversation": ..., "message": ...},
// with the conversation's ETag and a Location naming the message.
//
// # Where parley differs from Infobip
//
// Clients written for Infobip's Conversations API work with a change of
// base URL: paths, field names, the list envelope, times, enums, the
// x-agent-id matrix, filters, paging (limit 10, at most 999), status codes
// (200 for creates), the SUCCESS answers of tag and queue membership
// changes and a duplicate tag's 400 are Infobip's, and unknown input is
// ignored as Infobip ignores it. What remains different, deliberately or
// not yet built, and why:
//
//	Infobip                                  parley                                    why
//	errors {"requestError": {"serviceException": {"messageId", "text"}}}
//	                                         {"statusCode": "ERROR", "message",        the contract's one error shape (Infobip's
//	                                          "code", "field"}                          tag routes document this shape too)
//	closed conversation changed: 400         409 CLOSED                                 the contract maps ErrClosed to 409; a
//	 BAD_REQUEST                                                                        client can tell it from bad input
//	a stale write: not documented            409 CONFLICT (version, If-Match)          optimistic concurrency, parley's addition
//	orderBy on any documented property,      conversations: createdAt (default desc),  the orders the stores index; a property
//	 default id:asc                           updatedAt, priority, id; messages:        parley does not hold (an agent's title
//	                                          createdAt (default asc); agents: id,      or availability, a queue's
//	                                          displayName, status, role, enabled,       enabledAgentsCount, workingHoursId,
//	                                          createdAt, updatedAt; queues: id, name,   stickyAgentTimeoutDays, the algorithm
//	                                          isAutoAssignmentEnabled,                  Infobip names otherwise, ...) is a 400
//	                                          isStickyAutoAssignmentEnabled,            naming orderBy, never ignored; the
//	                                          createdAt, updatedAt; tags: name (= id),  conversation list keeps the contract's
//	                                          createdAt,                                newest-first default
//	                                          updatedAt; agents, queues default id:asc,
//	                                          tags name:asc. Texts sort by bytes
//	agents: email                            a 400 naming the filter                   an agent has no email in parley;
//	                                                                                    ignored, the list would come
//	                                                                                    unfiltered
//	agents: availability                     the derived availability, applied over    availability is computed, not stored
//	                                          the other filters in the list's order
//	queues: name (undocumented match)        the whole name, case-sensitive            names are unique; displayName is the
//	                                                                                    one filter Infobip documents as a
//	                                                                                    case-insensitive substring
//	notes: any agent; types INTERNAL,        a note is a private OUTBOUND TEXT         one rule for what reaches no customer;
//	 ATTACHMENT, AUTH_*, JIRA_COMMENT         message: the reply matrix applies to its  the AUTH_* and JIRA_COMMENT notes come
//	                                          agent, no note on a CLOSED conversation   from Infobip's own integrations
//	                                          (409 CLOSED, as every change of one);
//	                                          INTERNAL and ATTACHMENT only (others a
//	                                          400 naming type); listed among messages
//	                                          too
//	queue membership at /agents/{id}/queues  the same, and /queues/{id}/agents         parley's first shape of the change, kept
//	                                          (agentId in the body) beside it
//	PUT /agents/{id}, PUT                    PATCH /agents/{id} and /queues/{id}        a patch changes only what it names
//	 /agents/{id}/status, PUT /queues/{id}    (status included)
//	queue autoAssignmentAlgorithm,           strategy (LEAST_BUSY, ROUND_ROBIN);       the contract's strategies; Infobip's
//	 stickyAgentTimeoutDays, ...              stickyTimeout in seconds                  other queue fields are ignored
//	                                          (isAutoAssignmentEnabled is read and
//	                                          answered, beside autoAssignment)
//	heartbeat: an unknown agent is a 400     404 NOT_FOUND                             Infobip documents both; one answer
//	 (its example) or a 404                                                             for an unknown id everywhere
//	hold, unhold: 400 "Hold action failed."  the same, with the code of the failure    which failure it was, in the one
//	                                          (PRECONDITION_FAILED: no connected call;  error shape
//	                                          CONFLICT: already, or not, on hold)
//	outbound-call-conversation answer        the same, and callId                      the call the host reports on
//	content types EMAIL, MEDIA_TEMPLATE,     TEXT, IMAGE, LOCATION, TEMPLATE, AUDIO,   the contract's types; an EMAIL message
//	 interactive ones                         VIDEO, DOCUMENT, CONTACT                  is any type on the EMAIL channel, with
//	                                                                                    content.sender and senderName
//	TEMPLATE parameters answered as given    answered as strings ({"default": "x"}     one stored form
//	                                          is read as "x")
//	creates: 200 with the resource           the same, and a Location header            an extra an Infobip client ignores
//	—                                        version, source, customerId, attributes,  parley's additions: extra fields or
//	                                          tags, closedAt, private; ETag; cursor      headers an Infobip client ignores
//	                                          paging, skipTotal, nextCursor
//	—                                        /events, /history, /inbound-messages,     parley's own routes
//	                                          GET /tags/{name}, GET .../messages/{id},
//	                                          GET /openapi.json
//
// # Calls and presence
//
// Infobip's voice API and agent configuration API have routes of their
// own, at their own paths whatever the base path (WithBasePath moves the
// Conversations API only): GET, PUT and DELETE /ccaas/voice/2/call-timeouts
// ({inbound, outbound}, 3..60 seconds, null for the default),
// GET and PUT /ccaas/voice/2/account-wrap-up-config ({wrapUpSeconds,
// canExtendWrapUp, enabled}, all required), PUT
// /ccca/1/agent-configs/{agentId}/wrap-up ({wrapUpSeconds}, null for the
// account's), PATCH /ccaas/voice/2/agent/{agentId}/wrap-up-time/add/{seconds}
// and .../clear, POST /ccaas/voice/2/outbound-call-conversation ({from,
// to, agentId, voiceClientType}) and PATCH
// /ccaas/voice/2/{conversationId}/hold and /unhold, which act on the
// conversation's connected call. PUT /agents/{id}/heartbeat, under the
// base path, records an agent's heartbeat; every agent answered carries
// its derived "availability" (ACTIVE, BUSY, AWAY, INVISIBLE; see
// routing.AvailabilityOf), and GET /agents?availability=... filters by it,
// reading agents in id order and keeping the matching ones, so that its
// pages, by page or by cursor, neither skip nor repeat an agent.
//
// What only the host's media layer knows comes through parley's own
// routes, in the same style: POST /ccaas/voice/2/calls (a call arrived:
// {customerId, from, to, channel, voiceClientType, id}), GET
// /ccaas/voice/2/calls (filters conversationId, agentId, queueId, state;
// oldest first) and GET .../calls/{id}, and the transitions POST
// .../calls/{id}/accept and /reject (the agent is the request's actor, or
// the body's agentId when the request names none; given both, they must
// agree), /answer, /hangup ({side: CUSTOMER or AGENT}) and /fail. Each
// answers the call as it then is. A route that changes something reads
// what the change needs (the conversation's call to hold, the availability
// of the agent written) with the caller's write scope: a key that may
// write needs no read scope for it.
//
// Transfers (see transfers.go): PATCH
// /ccaas/voice/2/conversation/{conversationId}/transfer/agent ({agentId}),
// /queue ({queueId}) and /external-number ({externalNumber, from}) start a
// transfer of the conversation's connected call and answer Infobip's
// {"status": "SUCCESS", "message": "Call transferred successfully."}; a
// refusal is Infobip's 404 (destination not found), 409 NOT_AVAILABLE or
// 412 PRECONDITION_FAILED (no connected call) in the contract's error
// shape with Infobip's "status": "ERROR" added. GET and PUT
// /ccaas/voice/2/transfer-configs/external-number and /transfer-strategy
// keep the account's settings. The host reports the transfer's steps:
// POST .../calls/{id}/transfer/accept and /reject (the body's agentId, or
// the request's actor when it names none), /answer (the external number
// answered) and /return (called off: back to the transferring agent).
// Hold configurations are Infobip's GET and POST
// /ccaas/voice/2/hold-configs-per-queue and GET, PUT and DELETE
// .../hold-configs-per-queue/{id} (pageNumber from 0, pageSize, sortBy id
// and sortDirection ASC only; a queue in two configurations, or a second
// default, is a 409 CONFLICT). The call.held event of a call put on hold
// names the configuration that applies (holdConfigId). parley's own GET
// /ccaas/voice/2/queues/statistics and
// /ccaas/voice/2/queues/{queueId}/statistics answer the live queue
// statistics (parley.Service.QueueStatistics). Working hours have, besides
// POST, GET, PUT and DELETE, Infobip's PATCH /working-hours/{id} (the
// fields given), POST /working-hours/{workingHoursId}/holiday and DELETE
// .../holiday/{id}, and the list's filters and orders; GET
// /queues?workingHoursId= lists the queues that follow working hours.
//
// # Answers
//
// A single resource is answered bare, a list as {"conversations": [...],
// "pagination": {...}} (or messages, tags, agents, queues, events). Field
// names are the contract's; times are UTC with milliseconds,
// 2006-01-02T15:04:05.000+00:00 (TimeLayout). Optional values that are not
// set are null, never left out: "agentId": null is an unassigned
// conversation. attributes is always an object and tags always an array.
//
// Status codes, as Infobip documents them:
//
//   - 200 for reads and changes, with the changed resource.
//   - 200 for POST that creates (conversation, message, tag, agent, queue),
//     with the created resource and a Location header naming it.
//   - 204, no body, for DELETE of a whole resource (a conversation, a tag).
//   - 200 with {"statusCode": "SUCCESS", "message": "..."} for adding or
//     removing a conversation's tag and a queue member, Infobip's answer.
//   - 200 with the changed conversation for DELETE of the assignee and for
//     the POSTs that change a conversation without creating anything
//     (route, transfer).
//
// DELETE /conversations/{id}/assignee (like a PATCH that sets agentId to
// null) takes the conversation off its agent for good: in a queue that
// assigns automatically it is not handed straight back to that agent, but
// waits for another eligible one, or for POST /conversations/{id}/route,
// which may give it to any.
//
// Every answer about one conversation carries its version in an ETag
// header ("3"), the SUCCESS answers of its tag routes included, so that a
// client needs no parley field for optimistic concurrency. PUT and PATCH of
// a conversation honour If-Match: the change is made only at that version,
// else 409 CONFLICT and nothing is written. The body's "version" does the
// same; given together, they must agree. Other routes refuse If-Match with
// a 400 naming it, rather than leave a precondition unchecked.
//
// Errors answer {"statusCode": "ERROR", "message": "...", "code": "..."}
// with "field" added, for a 400, naming the field, query parameter or
// header at fault. Messages read as Infobip's and name the entity and the
// field, never a package, a store operation, SQL or a database's text: a
// missing entity is `Invalid agentId "x" given! No such agent exists.` (the
// field being the path wildcard, query parameter or body field that
// carried the id), a duplicate `Agent "x" already exists.` or `Queue with
// name "Support" already exists.`, a closed conversation `Can not proceed
// with the action! Conversation "x" is closed.`, a missing link `Invalid
// tagName "vip" given! Conversation "x" has no such tag.`. Ids are quoted
// as Go quotes them where Infobip uses single quotes, so that any id,
// quotes and control characters included, reads unambiguously. ErrInvalid is 400 INVALID, ErrNotFound 404 NOT_FOUND,
// ErrAlreadyExists 409 ALREADY_EXISTS, ErrClosed 409 CLOSED, ErrForbidden
// 403 FORBIDDEN, ErrConflict 409 CONFLICT (a call transition the call's
// state refuses among them), ErrPrecondition 412 PRECONDITION_FAILED,
// ErrUnauthenticated (from an
// ActorFunc) 401 UNAUTHENTICATED, ErrUnavailable (the database cannot be
// reached) and a passed request deadline 503 UNAVAILABLE with Retry-After.
// A duplicate tag on POST /tags is 400 ALREADY_EXISTS, "Tag already
// exists.", as Infobip answers it. An unknown path is 404 NOT_FOUND and a
// known path with another method 405 METHOD_NOT_ALLOWED with an Allow
// header. Anything else is 500 INTERNAL with the message "internal error";
// the real error is logged, never sent. A write may also be a 409
// CONFLICT when the database is too busy to take it (SQLite busy, a
// PostgreSQL serialization failure or deadlock): nothing was written, and
// the client may retry. The OpenAPI description lists, for every
// operation, each of these statuses it can answer.
//
// # Request bodies
//
// Bodies are JSON objects. More than 1 MiB (MaxBodyBytes), invalid JSON or
// UTF-8, anything but an object, a key given twice, a value of the wrong
// type, or anything after the object is a 400 naming the field. An empty
// body is read as {}. The Content-Type is not checked.
//
// Input is lenient by default, as Infobip's is: a body key the operation
// does not know (keys match exactly, not ignoring case, so "Topic" is
// unknown, not topic), at any depth, and a query parameter no route reads
// are ignored; so is a body sent to a route that takes none. Clients
// written for Infobip send them (tracking parameters such as
// piIntegrator, typos, fields of their own), and Infobip ignores them. An
// ignored value is not read beyond being JSON, but an unknown key given
// twice in one object is still a 400, since which one was meant cannot be
// told. Known fields and parameters are validated the same whatever comes
// with them, and a refused request writes nothing.
//
// WithStrict refuses what is unknown instead, for hosts that want typos
// caught: an unknown body key is a 400 naming it ("unknown field"), an
// unknown query parameter a 400 naming it, and a route that takes no body
// (every GET, and DELETE of the assignee, of a conversation's tag, of a tag
// and of a queue member) refuses one: anything but white space ({}
// included) is a 400 naming "body" ("this route takes no body"). DELETE
// /conversations/{id} takes an optional {"reason"}. POST
// /conversations/{id}/route has nothing to take either, but as a POST it
// accepts an empty body or {}, which clients that always send JSON send.
//
// The second vocabulary of the contract is taken on input, in bodies and
// query parameters: status open/pending/closed, priority
// low/medium/high/urgent, channel email/chat/phone/whatsapp, and the field
// names subject (topic), inboxId (queueId) and assignedTo (agentId). A
// field and its alias together are a 400. Answers use the contract's names.
//
// Absent and null:
//
//   - POST (create): null is the same as absent: the field takes its
//     default.
//   - PATCH: an absent field is left as it is. null clears topic, summary,
//     customerId, attributes, queueId (out of the queue) and agentId
//     (unassigned); it is a 400 for status, priority and channel, which
//     cannot be empty, and for every agent field and every queue field but
//     overflowQueueId.
//   - PUT /conversations/{id} replaces every replaceable field: topic,
//     summary, status, priority, queueId, agentId, channel, customerId and
//     attributes. An absent or null field goes to its default (OPEN,
//     NORMAL, NO_CHANNEL) or to empty, so a PUT without agentId unassigns.
//     id and tags are not replaceable: tags change through the tag routes.
//   - source (WIDGET, PHONE, API, EMAIL, or widget/phone/api/email) is
//     how a conversation came in: POST may set it (default API), and PUT
//     and PATCH refuse it, since it never changes.
//   - PUT and PATCH of a conversation take an optional "version", the one
//     the client last saw; a mismatch is 409 CONFLICT and writes nothing.
//
// The delete reason comes in a {"reason"} body or a reason query
// parameter, not both. POST /conversations/{id}/transfer takes exactly one
// of agentId (or assignedTo) and queueId (or inboxId). PUT /routing must name "rules" ([] removes every
// rule), so that an empty body cannot wipe the list; a rule's enabled
// defaults to true.
//
// # Query parameters
//
// Unknown parameters are ignored (a 400 in strict mode); bad numbers, enums
// and times are a 400, each naming the parameter. Infobip's filter names
// are read, conversationIds, tagNames and closedAfter/closedBefore on
// conversations, messageIds on messages, agentIds, queueIds, displayName
// (a case-insensitive substring), status, role, enabled and
// createdAfter/Before, updatedAfter/Before on agents, queueIds, agentId
// (the queues it is a member of) and name on queues, name on tags, beside
// parley's own (ids, tag, prefix). A repeated key means any of its values
// (status, priority, channel, source, queueIds, ids, agentIds, role); tag
// is all-of, as the contract's tag filter is; a parameter that takes one
// value (agentId, customerId, topic, displayName, enabled, name, the times,
// page, limit, and channel on messages) may not be repeated. A time range
// whose After is not before its Before is a 400 naming the Before (it
// would select nothing) for the agent times and closedAfter/Before (the
// conversation list keeps its earlier ranges as they were); closedAfter
// and closedBefore select closed conversations only. An empty value is the
// same as none. Times are RFC 3339, with or without fractional seconds, or
// the "+0000" form of the Infobip examples; a '+' left unescaped in a URL
// arrives as a space and is read back as '+'. unassigned=true selects the
// conversations without an assignee.
//
// Lists page either by page (0-based) and limit (1..999, default 10, as
// Infobip's; more is a 400, not clamped), or by the opaque cursor of the previous answer's
// nextCursor (keyset paging, same order). orderBy is field:asc or
// field:desc, the direction in any case (id:ASC). The pagination block
// holds totalItems (null with skipTotal=true), page (null when paging by cursor), limit, orderBy and
// nextCursor, which is left out on the last page. The event log (GET
// /events, GET /conversations/{id}/history) pages by seq instead: after
// (or cursor) is the last seq seen, nextCursor is the seq to continue
// after, present when the page is full, and totalItems and page are null.
//
// Call recording follows Infobip's voice API: account-recording-config
// (GET, PUT, POST), agent-recording-configs (GET, and GET, PUT, POST per
// agent), recording/metadata and recording/download/{recordingId}, with
// Infobip's fields, its times in milliseconds since the epoch and its
// paging envelope (elements, total, totalPages; page 0-based, size 1..999,
// default 20). Where Infobip is silent or parley differs: a configuration
// never created answers the default, which records nothing (the account's
// disabled; an agent's useDefault true), where Infobip documents no 404;
// a metadata element has no numeric "id" (Infobip's row number, which
// parley has not); the download answers application/octet-stream with
// Content-Disposition, 206 for a Range, 400 naming Range for one that is
// not bytes=..., 416 with Content-Range bytes */size for one beyond the
// file, and 404 for a deleted recording or a file the host does not have.
// The host reports each file with parley's own POST
// /ccaas/voice/2/calls/{id}/recordings, asks GET
// /ccaas/voice/2/calls/{id}/recording-decision whether and how to record a
// call, and deletes a recording with DELETE
// /ccaas/voice/2/recordings/{recordingId}.
package httpapi
