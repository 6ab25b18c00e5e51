-- +goose Up
-- parley schema, version 10 (PostgreSQL): calls, agent presence and
-- settings.
--
-- A call belongs to a conversation and goes with it (ON DELETE CASCADE).
-- Its transfer in progress is a JSON object (NULL for none) and its
-- refusals a JSON array (NULL for none). The unique partial index
-- calls_live_agent keeps an agent from ever having two live calls
-- (call.State.Live: RINGING, DIALING, CONNECTED), whatever the
-- interleaving of the transactions that write them.

CREATE TABLE {{schema}}.calls (
    id              text COLLATE "C" PRIMARY KEY,
    conversation_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.conversations (id) ON DELETE CASCADE,
    channel         text COLLATE "C" NOT NULL,
    direction       text COLLATE "C" NOT NULL,
    from_addr       text NOT NULL,
    to_addr         text NOT NULL,
    client_type     text COLLATE "C" NOT NULL,
    state           text COLLATE "C" NOT NULL,
    queue_id        text COLLATE "C",            -- NULL: in no queue
    agent_id        text COLLATE "C",            -- NULL: no agent
    on_hold         boolean NOT NULL,
    end_reason      text COLLATE "C" NOT NULL DEFAULT '',
    transfer        text,                        -- JSON object; NULL for none
    transfers       integer NOT NULL,
    refused         text,                        -- JSON array of agent ids, oldest first; NULL for none
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    offered_at      timestamptz,
    deadline        timestamptz,
    connected_at    timestamptz,
    ended_at        timestamptz,
    version         bigint NOT NULL
);

-- The list's order (created_at, id) and its filters, each in that order.
CREATE INDEX calls_created ON {{schema}}.calls (created_at, id);
CREATE INDEX calls_conversation ON {{schema}}.calls (conversation_id, created_at, id);
CREATE INDEX calls_agent ON {{schema}}.calls (agent_id, created_at, id);
CREATE INDEX calls_state_queue ON {{schema}}.calls (state, queue_id, created_at, id);
CREATE INDEX calls_queue ON {{schema}}.calls (queue_id, created_at, id);
-- The offers and dials that time out (Reader.DueCalls).
CREATE INDEX calls_due ON {{schema}}.calls (deadline, id) WHERE state IN ('RINGING', 'DIALING');
-- At most one live call per agent; also whether an agent is on a call.
CREATE UNIQUE INDEX calls_live_agent ON {{schema}}.calls (agent_id)
    WHERE state IN ('RINGING', 'DIALING', 'CONNECTED');

-- An agent's heartbeat, apart from the agents table so that a heartbeat
-- never waits for the lock routing holds on the agent's row. Every agent
-- has a row: CreateAgent writes one, never present, with no heartbeat, and
-- this migration writes one for each agent created before it.
CREATE TABLE {{schema}}.agent_presence (
    agent_id       text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.agents (id) ON DELETE CASCADE,
    last_heartbeat timestamptz,                  -- NULL: never
    present        boolean NOT NULL
);
-- The lapsed agents, oldest heartbeat first (Reader.LapsedAgents).
CREATE INDEX agent_presence_lapsed ON {{schema}}.agent_presence (last_heartbeat, agent_id) WHERE present;
INSERT INTO {{schema}}.agent_presence (agent_id, last_heartbeat, present)
    SELECT id, NULL, false FROM {{schema}}.agents;

-- Account-wide settings (storage.SettingCallTimeouts and the rest).
-- updated_at is for operators: parley never reads it.
CREATE TABLE {{schema}}.settings (
    key        text COLLATE "C" PRIMARY KEY,
    value      bytea NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The agent's own wrap-up after a call; NULL defers to the account's.
ALTER TABLE {{schema}}.agents ADD COLUMN call_wrap_up_seconds integer;
