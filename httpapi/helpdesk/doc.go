// Package helpdesk is parley's second HTTP adapter: an http.Handler that
// serves the parley Service in the shape of the helpdesk conversations API
// (SPEC §11), beside the Infobip-shaped one of package httpapi. Both serve
// the same Service, so a host mounts either or both:
//
//	mux.Handle("/ccaas/1/", httpapi.New(svc))
//	mux.Handle("/api/v1/", helpdesk.New(svc)) // routes under /api/v1
//
// Options set the base path (WithBasePath), the logger for 500s
// (WithLogger) and how a request's actor is found (WithActorFunc, default
// HeaderActor: an actor a host middleware put in the request context, else
// the x-agent-id header, no scopes), exactly as httpapi's do;
// one function serves both adapters. The routes are those of the package's
// route table, checked by a test against the OpenAPI description served at
// GET {base}/openapi.json.
//
// # Routes and answers
//
// GET, POST /conversations; GET, PUT, DELETE /conversations/{id}; GET,
// POST /customers; GET, PUT, DELETE /customers/{id}. A resource is
// answered {"success": true, "data": {...}}, a list {"success": true,
// "data": [...], "pagination": {"total", "page", "limit", "totalPages"}}
// with pages from 1 (default 1) of at most 100 items (default 50; more is
// a 400, not clamped), totalPages being ceil(total / limit), and a delete
// {"success": true, "message": "..."}. Conversation lists are newest
// first, customer lists in id order. Times are UTC with milliseconds,
// 2006-01-02T15:04:05.000+00:00, as in httpapi.
//
// A conversation is {"_id", "subject", "status", "priority", "customerId",
// "assignedTo", "inboxId", "channel", "source", "createdAt", "updatedAt"}
// (subject is parley's topic, inboxId its queue). customerId and
// assignedTo are populated: the customer's object (as GET /customers/{id}
// answers it) and the agent's ({"_id", "name", "role", "status",
// "enabled"}). A reference that cannot be populated, because the customer
// does not exist (a conversation started through the Infobip adapter may
// name any customer id) or the actor may not read it (a key with
// write:conversations alone, reading the answer of its own write), is
// {"_id"} alone; none is null. A list reads its page's customers in one
// query and each distinct assignee once.
//
// Errors answer {"success": false, "message": "...", "code": "...",
// "field": "..."}, field only on a 400 that names one, with the statuses
// and codes of httpapi: ErrInvalid 400 INVALID, ErrNotFound 404 NOT_FOUND,
// ErrAlreadyExists 409 ALREADY_EXISTS, ErrClosed 409 CLOSED, ErrConflict
// 409 CONFLICT (a customer who still has conversations, a database too
// busy to take the write), ErrForbidden 403 FORBIDDEN, ErrUnauthenticated
// 401 UNAUTHENTICATED (with a WWW-Authenticate header), ErrUnavailable and
// a passed deadline 503 UNAVAILABLE (with Retry-After), an unknown path 404,
// another method 405 METHOD_NOT_ALLOWED with Allow, anything else 500
// INTERNAL with the message "internal error" (the error is logged).
//
// # The vocabulary, and why a round trip changes nothing
//
// Values are shown in the seed's words: status open, pending (WAITING),
// closed; priority low, medium (NORMAL), high, urgent; channel email,
// chat (LIVE_CHAT), phone (VOICE), whatsapp; source widget, phone, api,
// email. parley has values that vocabulary lacks: the status SOLVED and
// the channels other than those four, NO_CHANNEL among them. They are
// shown by parley's own name ("SOLVED", "SMS", "NO_CHANNEL"), never
// folded into a nearby word: SOLVED shown as closed would close the
// conversation when written back, and as pending would reopen it. Every
// input takes both the seed's words and parley's names, so each shown
// value reads back as itself (conversation's Alias and Parse). A
// conversation in no queue shows "inboxId": null, which an update reads
// as "in no queue": no change.
//
// An update (PUT, partial: only the fields present change) takes the
// seed's subject, status, priority and assignedTo, and parley's inboxId,
// customerId and channel; assignedTo, inboxId and customerId take null to
// clear. A reference is an id or the populated object itself, of which
// only "_id" is read, so the object GET answers can be sent back whole:
// its read-only fields (_id, source, createdAt, updatedAt) are taken and
// ignored. Reading a conversation and writing it back therefore changes
// nothing: no version, no event. (A closed conversation takes no update
// at all, a 409 CLOSED, and stays as it was.)
//
// # Create, delete, customers
//
// POST /conversations requires subject (not empty) and inboxId (an
// existing queue); customerId is optional and must name an existing
// customer; channel defaults to email and priority to medium, the seed's
// defaults (parley's own are NO_CHANNEL and NORMAL); source (parley's
// addition) defaults to api. The customer of a conversation written
// through this API must exist, on create and when an update changes it
// (parley.KnownCustomer); one it names already need not, so a write-back
// never fails for it.
//
// DELETE /conversations/{id} takes an optional {"reason"} body, kept in the
// conversation.deleted event; the conversation and its messages are gone
// for good.
//
// Customers are {"_id", "name", "email", "phone", "attributes",
// "createdAt", "updatedAt"}, unset text null. POST may give its own "_id";
// PUT changes the fields present, null or "" clearing them; the list
// filters are email (ignoring case), phone (by its digits) and name
// (contains, ignoring case). DELETE refuses a customer who still has
// conversations with 409 CONFLICT.
//
// # Input and scopes
//
// Bodies are read as httpapi reads them (package internal/httpwire):
// JSON objects of at most 1 MiB, each key once, of the right type, or a
// 400 naming the field. Unknown keys and unknown query parameters are
// ignored by default, as is a body on a route that takes none; with
// WithStrict they are a 400 naming them (a route that takes no body
// refuses one). A value given twice is a 400; an empty value is none.
//
// Authorisation is the service's (parley.WithAuthorization): GET needs
// read:conversations and POST, PUT and DELETE write:conversations, for
// customers as for conversations; a missing scope is 403 in this API's
// error shape, and nothing is written.
package helpdesk
