-- +goose Up
-- parley schema, version 16 (SQLite): call recording.
--
-- The account's recording configuration is one row (id 1). An agent's
-- goes with the agent (ON DELETE CASCADE). A recording's metadata belongs
-- to its conversation and its call and goes with them: deleting a
-- conversation removes its recordings' metadata (the service deletes
-- their files after the commit). Optional text is '' rather than NULL,
-- so that a filter is one equality; deleted_at is NULL until the
-- recording is deleted.

CREATE TABLE {{prefix}}recording_account_config (
    id                 INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    inbound            INTEGER NOT NULL,
    outbound           INTEGER NOT NULL,
    auto_compose       INTEGER NOT NULL,
    media_type         TEXT NOT NULL,
    enabled            INTEGER NOT NULL,
    enabled_changed_at TEXT
);

CREATE TABLE {{prefix}}recording_agent_configs (
    agent_id           TEXT NOT NULL PRIMARY KEY REFERENCES {{prefix}}agents (id) ON DELETE CASCADE,
    inbound            INTEGER NOT NULL,
    outbound           INTEGER NOT NULL,
    media_type         TEXT NOT NULL,
    use_default        INTEGER NOT NULL,
    enabled            INTEGER NOT NULL,
    enabled_changed_at TEXT
) WITHOUT ROWID;

CREATE TABLE {{prefix}}recordings (
    recording_id           TEXT NOT NULL PRIMARY KEY,
    conversation_id        TEXT NOT NULL REFERENCES {{prefix}}conversations (id) ON DELETE CASCADE,
    call_id                TEXT NOT NULL REFERENCES {{prefix}}calls (id) ON DELETE CASCADE,
    conference_id          TEXT NOT NULL,
    direction              TEXT NOT NULL,
    recording_status       TEXT NOT NULL,
    composed               INTEGER NOT NULL,
    filename               TEXT NOT NULL,
    duration               INTEGER NOT NULL,
    participant_id         TEXT NOT NULL,
    participant_identity   TEXT NOT NULL,
    participant_name       TEXT NOT NULL,
    participant_type       TEXT NOT NULL,
    media_type             TEXT NOT NULL,
    started_at             TEXT NOT NULL,
    deleted_at             TEXT,
    deleted_by             TEXT NOT NULL,
    sftp_path              TEXT NOT NULL,
    transferred_from       TEXT NOT NULL,
    transferred_to         TEXT NOT NULL,
    transferred_from_queue TEXT NOT NULL,
    transferred_to_queue   TEXT NOT NULL
) WITHOUT ROWID;

-- The list's default order (startedAt, then recordingId), and its common
-- filters: a conversation's recordings and a call's, in that order.
CREATE INDEX {{prefix}}recordings_started ON {{prefix}}recordings (started_at, recording_id);
CREATE INDEX {{prefix}}recordings_conversation ON {{prefix}}recordings (conversation_id, started_at, recording_id);
CREATE INDEX {{prefix}}recordings_call ON {{prefix}}recordings (call_id, started_at, recording_id);
-- The other sorts (duration, filename, deletedAt), the deleted ones.
CREATE INDEX {{prefix}}recordings_duration ON {{prefix}}recordings (duration, recording_id);
CREATE INDEX {{prefix}}recordings_filename ON {{prefix}}recordings (filename, recording_id);
CREATE INDEX {{prefix}}recordings_deleted ON {{prefix}}recordings (deleted_at, recording_id) WHERE deleted_at IS NOT NULL;
