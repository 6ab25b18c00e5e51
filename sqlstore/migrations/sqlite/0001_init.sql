-- +goose Up
-- parley schema, version 1 (SQLite).
--
-- {{prefix}} stands for the table prefix (sqlstore.WithSchema plus "_",
-- "parley_" by default); sqlstore.Migrate and sqlstore.MigrationFS put the
-- validated name in its place. Text compares in byte order (BINARY), as
-- Go does. Times are UTC text of one fixed width,
-- 2006-01-02T15:04:05.000000Z, so that text order is time order. Booleans
-- are 0 or 1. A conversation's priority is stored as its rank
-- (LOW 0 .. URGENT 3) so that it sorts.

CREATE TABLE {{prefix}}conversations (
    id           TEXT NOT NULL PRIMARY KEY,
    topic        TEXT NOT NULL DEFAULT '',
    topic_folded TEXT NOT NULL DEFAULT '',   -- conversation.FoldTopic(topic), for "topic contains"
    summary      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    priority     INTEGER NOT NULL,
    queue_id     TEXT,                        -- NULL: in no queue
    agent_id     TEXT,                        -- NULL: unassigned
    channel      TEXT NOT NULL,
    customer_id  TEXT NOT NULL DEFAULT '',
    attributes   TEXT,                        -- JSON object; NULL for none
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    closed_at    TEXT,
    queued_at    TEXT,
    version      INTEGER NOT NULL
);

-- The list orders (each tie-broken by id) and the time filters.
CREATE INDEX {{prefix}}conversations_created ON {{prefix}}conversations (created_at, id);
CREATE INDEX {{prefix}}conversations_updated ON {{prefix}}conversations (updated_at, id);
CREATE INDEX {{prefix}}conversations_priority ON {{prefix}}conversations (priority, id);
-- Status (alone or with a queue) and queue filters, in the default order.
CREATE INDEX {{prefix}}conversations_status_queue ON {{prefix}}conversations (status, queue_id, created_at, id);
CREATE INDEX {{prefix}}conversations_queue ON {{prefix}}conversations (queue_id, created_at, id);
-- Channel filter.
CREATE INDEX {{prefix}}conversations_channel ON {{prefix}}conversations (channel, created_at, id);
-- Agent filter and agent loads (OPEN or WAITING per agent).
CREATE INDEX {{prefix}}conversations_agent ON {{prefix}}conversations (agent_id, status);
-- Customer filter and inbound threading (the customer's newest on a channel).
CREATE INDEX {{prefix}}conversations_customer ON {{prefix}}conversations (customer_id, channel, created_at);
-- The customer's last agent (sticky routing).
CREATE INDEX {{prefix}}conversations_customer_updated ON {{prefix}}conversations (customer_id, updated_at);
-- Conversations waiting for an agent, in serving order.
CREATE INDEX {{prefix}}conversations_waiting ON {{prefix}}conversations (queue_id, priority DESC, queued_at, id)
    WHERE agent_id IS NULL AND status IN ('OPEN', 'WAITING');

CREATE TABLE {{prefix}}tags (
    name       TEXT NOT NULL PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE {{prefix}}conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES {{prefix}}conversations (id) ON DELETE CASCADE,
    tag_name        TEXT NOT NULL REFERENCES {{prefix}}tags (name) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_name)
) WITHOUT ROWID;
-- Tag filter, and removing a tag from every conversation.
CREATE INDEX {{prefix}}conversation_tags_tag ON {{prefix}}conversation_tags (tag_name, conversation_id);

CREATE TABLE {{prefix}}messages (
    id              TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES {{prefix}}conversations (id) ON DELETE CASCADE,
    direction       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    from_addr       TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    content         TEXT NOT NULL,            -- JSON object
    agent_id        TEXT,
    private         INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX {{prefix}}messages_conversation ON {{prefix}}messages (conversation_id, created_at, id);

CREATE TABLE {{prefix}}agents (
    id               TEXT NOT NULL PRIMARY KEY,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL,
    status           TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    capacity         INTEGER NOT NULL,
    wrap_up_seconds  INTEGER NOT NULL,
    last_assigned_at TEXT,
    wrap_up_until    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE {{prefix}}queues (
    id                     TEXT NOT NULL PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    auto_assignment        INTEGER NOT NULL,
    strategy               TEXT NOT NULL,
    sticky_agent           INTEGER NOT NULL,
    sticky_timeout_seconds INTEGER NOT NULL,
    max_wait_seconds       INTEGER NOT NULL,
    overflow_queue_id      TEXT,
    is_default             INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
-- At most one default queue.
CREATE UNIQUE INDEX {{prefix}}queues_one_default ON {{prefix}}queues (is_default) WHERE is_default;

CREATE TABLE {{prefix}}queue_members (
    queue_id TEXT NOT NULL REFERENCES {{prefix}}queues (id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL REFERENCES {{prefix}}agents (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, agent_id)
) WITHOUT ROWID;
-- An agent's queues.
CREATE INDEX {{prefix}}queue_members_agent ON {{prefix}}queue_members (agent_id, queue_id);

CREATE TABLE {{prefix}}routing_rules (
    position  INTEGER NOT NULL PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    queue_id  TEXT NOT NULL,
    priority  INTEGER,                        -- a rank; NULL leaves the priority as it is
    enabled   INTEGER NOT NULL,
    condition TEXT NOT NULL                   -- JSON object
);

-- The event log. seq comes from event_seq, moved just before each commit.
CREATE TABLE {{prefix}}events (
    seq             INTEGER NOT NULL PRIMARY KEY,
    type            TEXT NOT NULL,
    conversation_id TEXT,                     -- NULL for events about no conversation
    entity_id       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    changes         TEXT NOT NULL             -- JSON array
);
CREATE INDEX {{prefix}}events_conversation ON {{prefix}}events (conversation_id, seq);

CREATE TABLE {{prefix}}event_seq (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO {{prefix}}event_seq (id, last) VALUES (1, 0);
