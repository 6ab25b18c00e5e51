// Package routing holds agents, queues and routing rules, and the pure
// decisions made over them: which queue a conversation belongs in and which
// agent gets it.
//
// Types and their defaults:
//
//   - Agent: role AGENT, status INVISIBLE, enabled, capacity 5. Capacity counts
//     the agent's conversations in OPEN or WAITING.
//   - Queue: strategy LEAST_BUSY; at most one queue is the default.
//   - Rule: an ordered list; the first enabled rule whose condition matches
//     wins, and with no match the default queue (if any) is used.
//
// Go zero values are the defaults, so the "enabled" flags of the wire are
// Disabled fields here. Besides conversation, the package imports tag, the
// other pure domain package, for the tag-name rule that conditions obey.
package routing
