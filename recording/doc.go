// Package recording holds call recording: the account's recording
// configuration and each agent's (Infobip's account-recording-config and
// agent-recording-configs), the one rule that says whether and how a call
// is recorded (Decide), and the metadata of recordings that the host's
// media layer reports, with the filters and paging of Infobip's
// recording/metadata list.
//
// The package is pure: parley records nothing itself; the host records
// what Decide says and reports each file.
//
// # Which configuration applies
//
// A call is recorded under the configuration of the agent on it, when
// that agent has one with useDefault false; otherwise under the account's;
// with neither, it is not recorded. The chosen configuration records the
// call when it is enabled and records the call's direction (inbound or
// outbound). So a per-agent configuration can record an agent when the
// account records nobody, and exempt one when the account records
// everybody. Where Infobip is silent, parley decides:
//
//   - autoCompose is the account's alone (an agent's configuration has
//     none); without an account configuration it is false;
//   - a VOICE call has no video: it is recorded as AUDIO whatever the
//     mediaType; a VIDEO call is recorded as the mediaType says;
//   - an agent configuration for another agent than the call's is
//     ignored, as if there were none.
//
// Both configurations need a mediaType, and at least one of inbound and
// outbound, even with useDefault on, as Infobip's examples refuse it.
//
// # Metadata
//
// Infobip names no recording statuses but SUCCESSFUL; parley adds
// IN_PROGRESS and FAILED. The list takes every filter Infobip documents,
// each an exact match but the ranges (durationFrom/To, startedAtFrom/To,
// deletedAtFrom/To: inclusive), combined with AND; pages are 0-based with
// size 1..999 (default 20), sorted by startedAt (default), duration,
// deletedAt or filename, DESC by default as Infobip's other voice lists,
// ties broken by recordingId.
package recording
