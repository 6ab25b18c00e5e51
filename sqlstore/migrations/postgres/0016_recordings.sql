-- +goose Up
-- parley schema, version 16 (PostgreSQL): call recording.
--
-- The account's recording configuration is one row (id 1). An agent's
-- goes with the agent (ON DELETE CASCADE). A recording's metadata belongs
-- to its conversation and its call and goes with them: deleting a
-- conversation removes its recordings' metadata (the service deletes
-- their files after the commit). Optional text is '' rather than NULL,
-- so that a filter is one equality; deleted_at is NULL until the
-- recording is deleted.

CREATE TABLE {{schema}}.recording_account_config (
    id                 integer PRIMARY KEY CHECK (id = 1),
    inbound            boolean NOT NULL,
    outbound           boolean NOT NULL,
    auto_compose       boolean NOT NULL,
    media_type         text COLLATE "C" NOT NULL,
    enabled            boolean NOT NULL,
    enabled_changed_at timestamptz
);

CREATE TABLE {{schema}}.recording_agent_configs (
    agent_id           text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.agents (id) ON DELETE CASCADE,
    inbound            boolean NOT NULL,
    outbound           boolean NOT NULL,
    media_type         text COLLATE "C" NOT NULL,
    use_default        boolean NOT NULL,
    enabled            boolean NOT NULL,
    enabled_changed_at timestamptz
);

CREATE TABLE {{schema}}.recordings (
    recording_id           text COLLATE "C" PRIMARY KEY,
    conversation_id        text COLLATE "C" NOT NULL REFERENCES {{schema}}.conversations (id) ON DELETE CASCADE,
    call_id                text COLLATE "C" NOT NULL REFERENCES {{schema}}.calls (id) ON DELETE CASCADE,
    conference_id          text COLLATE "C" NOT NULL,
    direction              text COLLATE "C" NOT NULL,
    recording_status       text COLLATE "C" NOT NULL,
    composed               boolean NOT NULL,
    filename               text COLLATE "C" NOT NULL,
    duration               bigint NOT NULL,
    participant_id         text COLLATE "C" NOT NULL,
    participant_identity   text COLLATE "C" NOT NULL,
    participant_name       text COLLATE "C" NOT NULL,
    participant_type       text COLLATE "C" NOT NULL,
    media_type             text COLLATE "C" NOT NULL,
    started_at             timestamptz NOT NULL,
    deleted_at             timestamptz,
    deleted_by             text COLLATE "C" NOT NULL,
    sftp_path              text NOT NULL,
    transferred_from       text COLLATE "C" NOT NULL,
    transferred_to         text COLLATE "C" NOT NULL,
    transferred_from_queue text COLLATE "C" NOT NULL,
    transferred_to_queue   text COLLATE "C" NOT NULL
);

-- The list's default order (startedAt, then recordingId), and its common
-- filters: a conversation's recordings and a call's, in that order.
CREATE INDEX recordings_started ON {{schema}}.recordings (started_at, recording_id);
CREATE INDEX recordings_conversation ON {{schema}}.recordings (conversation_id, started_at, recording_id);
CREATE INDEX recordings_call ON {{schema}}.recordings (call_id, started_at, recording_id);
-- The other sorts (duration, filename, deletedAt), the deleted ones.
CREATE INDEX recordings_duration ON {{schema}}.recordings (duration, recording_id);
CREATE INDEX recordings_filename ON {{schema}}.recordings (filename, recording_id);
CREATE INDEX recordings_deleted ON {{schema}}.recordings (deleted_at, recording_id) WHERE deleted_at IS NOT NULL;
