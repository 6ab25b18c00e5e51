-- +goose Up
-- parley schema, version 10 (SQLite): calls, agent presence and settings.
--
-- A call belongs to a conversation and goes with it (ON DELETE CASCADE).
-- Its transfer in progress is a JSON object (NULL for none) and its
-- refusals a JSON array (NULL for none). The unique partial index
-- calls_live_agent keeps an agent from ever having two live calls
-- (call.State.Live: RINGING, DIALING, CONNECTED).

CREATE TABLE {{prefix}}calls (
    id              TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES {{prefix}}conversations (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    direction       TEXT NOT NULL,
    from_addr       TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    client_type     TEXT NOT NULL,
    state           TEXT NOT NULL,
    queue_id        TEXT,                        -- NULL: in no queue
    agent_id        TEXT,                        -- NULL: no agent
    on_hold         INTEGER NOT NULL,
    end_reason      TEXT NOT NULL DEFAULT '',
    transfer        TEXT,                        -- JSON object; NULL for none
    transfers       INTEGER NOT NULL,
    refused         TEXT,                        -- JSON array of agent ids, oldest first; NULL for none
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    offered_at      TEXT,
    deadline        TEXT,
    connected_at    TEXT,
    ended_at        TEXT,
    version         INTEGER NOT NULL
);

-- The list's order (created_at, id) and its filters, each in that order.
CREATE INDEX {{prefix}}calls_created ON {{prefix}}calls (created_at, id);
CREATE INDEX {{prefix}}calls_conversation ON {{prefix}}calls (conversation_id, created_at, id);
CREATE INDEX {{prefix}}calls_agent ON {{prefix}}calls (agent_id, created_at, id);
CREATE INDEX {{prefix}}calls_state_queue ON {{prefix}}calls (state, queue_id, created_at, id);
CREATE INDEX {{prefix}}calls_queue ON {{prefix}}calls (queue_id, created_at, id);
-- The offers and dials that time out (Reader.DueCalls).
CREATE INDEX {{prefix}}calls_due ON {{prefix}}calls (deadline, id) WHERE state IN ('RINGING', 'DIALING');
-- At most one live call per agent; also whether an agent is on a call.
CREATE UNIQUE INDEX {{prefix}}calls_live_agent ON {{prefix}}calls (agent_id)
    WHERE state IN ('RINGING', 'DIALING', 'CONNECTED');

-- An agent's heartbeat, apart from the agents table (as on PostgreSQL,
-- where a heartbeat must not wait for the agent's row lock). Every agent
-- has a row: CreateAgent writes one, never present, with no heartbeat, and
-- this migration writes one for each agent created before it.
CREATE TABLE {{prefix}}agent_presence (
    agent_id       TEXT NOT NULL PRIMARY KEY REFERENCES {{prefix}}agents (id) ON DELETE CASCADE,
    last_heartbeat TEXT,                         -- NULL: never
    present        INTEGER NOT NULL
) WITHOUT ROWID;
-- The lapsed agents, oldest heartbeat first (Reader.LapsedAgents).
CREATE INDEX {{prefix}}agent_presence_lapsed ON {{prefix}}agent_presence (last_heartbeat, agent_id) WHERE present;
INSERT INTO {{prefix}}agent_presence (agent_id, last_heartbeat, present)
    SELECT id, NULL, 0 FROM {{prefix}}agents;

-- Account-wide settings (storage.SettingCallTimeouts and the rest).
-- updated_at is for operators: parley never reads it.
CREATE TABLE {{prefix}}settings (
    key        TEXT NOT NULL PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- The agent's own wrap-up after a call; NULL defers to the account's.
ALTER TABLE {{prefix}}agents ADD COLUMN call_wrap_up_seconds INTEGER;
