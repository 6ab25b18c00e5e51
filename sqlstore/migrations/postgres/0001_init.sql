-- +goose Up
-- parley schema, version 1 (PostgreSQL).
--
-- {{schema}} stands for the schema parley lives in (sqlstore.WithSchema,
-- "parley" by default); sqlstore.Migrate and sqlstore.MigrationFS put the
-- validated name in its place. Ids, names and enum values use the "C"
-- collation so that ORDER BY agrees with Go's byte order. Times are
-- timestamptz (microseconds). A conversation's priority is stored as its
-- rank (LOW 0 .. URGENT 3) so that it sorts.

CREATE SCHEMA IF NOT EXISTS {{schema}};

CREATE TABLE {{schema}}.conversations (
    id           text COLLATE "C" PRIMARY KEY,
    topic        text NOT NULL DEFAULT '',
    topic_folded text NOT NULL DEFAULT '',   -- conversation.FoldTopic(topic), for "topic contains"
    summary      text NOT NULL DEFAULT '',
    status       text COLLATE "C" NOT NULL,
    priority     smallint NOT NULL,
    queue_id     text COLLATE "C",            -- NULL: in no queue
    agent_id     text COLLATE "C",            -- NULL: unassigned
    channel      text COLLATE "C" NOT NULL,
    customer_id  text COLLATE "C" NOT NULL DEFAULT '',
    attributes   text,                        -- JSON object; NULL for none
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    closed_at    timestamptz,
    queued_at    timestamptz,
    version      bigint NOT NULL
);

-- The list orders (each tie-broken by id) and the time filters.
CREATE INDEX conversations_created ON {{schema}}.conversations (created_at, id);
CREATE INDEX conversations_updated ON {{schema}}.conversations (updated_at, id);
CREATE INDEX conversations_priority ON {{schema}}.conversations (priority, id);
-- Status (alone or with a queue) and queue filters, in the default order.
CREATE INDEX conversations_status_queue ON {{schema}}.conversations (status, queue_id, created_at, id);
CREATE INDEX conversations_queue ON {{schema}}.conversations (queue_id, created_at, id);
-- Channel filter.
CREATE INDEX conversations_channel ON {{schema}}.conversations (channel, created_at, id);
-- Agent filter and agent loads (OPEN or WAITING per agent).
CREATE INDEX conversations_agent ON {{schema}}.conversations (agent_id, status);
-- Customer filter and inbound threading (the customer's newest on a channel).
CREATE INDEX conversations_customer ON {{schema}}.conversations (customer_id, channel, created_at);
-- The customer's last agent (sticky routing).
CREATE INDEX conversations_customer_updated ON {{schema}}.conversations (customer_id, updated_at);
-- Conversations waiting for an agent, in serving order.
CREATE INDEX conversations_waiting ON {{schema}}.conversations (queue_id, priority DESC, queued_at, id)
    WHERE agent_id IS NULL AND status IN ('OPEN', 'WAITING');

CREATE TABLE {{schema}}.tags (
    name       text COLLATE "C" PRIMARY KEY,
    created_at timestamptz NOT NULL
);

CREATE TABLE {{schema}}.conversation_tags (
    conversation_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.conversations (id) ON DELETE CASCADE,
    tag_name        text COLLATE "C" NOT NULL REFERENCES {{schema}}.tags (name) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_name)
);
-- Tag filter, and removing a tag from every conversation.
CREATE INDEX conversation_tags_tag ON {{schema}}.conversation_tags (tag_name, conversation_id);

CREATE TABLE {{schema}}.messages (
    id              text COLLATE "C" PRIMARY KEY,
    conversation_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.conversations (id) ON DELETE CASCADE,
    direction       text COLLATE "C" NOT NULL,
    channel         text COLLATE "C" NOT NULL,
    from_addr       text NOT NULL,
    to_addr         text NOT NULL,
    content_type    text COLLATE "C" NOT NULL,
    content         text NOT NULL,            -- JSON object
    agent_id        text COLLATE "C",
    private         boolean NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX messages_conversation ON {{schema}}.messages (conversation_id, created_at, id);

CREATE TABLE {{schema}}.agents (
    id               text COLLATE "C" PRIMARY KEY,
    display_name     text NOT NULL,
    role             text COLLATE "C" NOT NULL,
    status           text COLLATE "C" NOT NULL,
    enabled          boolean NOT NULL,
    capacity         integer NOT NULL,
    wrap_up_seconds  integer NOT NULL,
    last_assigned_at timestamptz,
    wrap_up_until    timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE TABLE {{schema}}.queues (
    id                     text COLLATE "C" PRIMARY KEY,
    name                   text NOT NULL UNIQUE,
    auto_assignment        boolean NOT NULL,
    strategy               text COLLATE "C" NOT NULL,
    sticky_agent           boolean NOT NULL,
    sticky_timeout_seconds integer NOT NULL,
    max_wait_seconds       integer NOT NULL,
    overflow_queue_id      text COLLATE "C",
    is_default             boolean NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);
-- At most one default queue.
CREATE UNIQUE INDEX queues_one_default ON {{schema}}.queues (is_default) WHERE is_default;

CREATE TABLE {{schema}}.queue_members (
    queue_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.queues (id) ON DELETE CASCADE,
    agent_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.agents (id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, agent_id)
);
-- An agent's queues.
CREATE INDEX queue_members_agent ON {{schema}}.queue_members (agent_id, queue_id);

CREATE TABLE {{schema}}.routing_rules (
    position  integer PRIMARY KEY,
    id        text COLLATE "C" NOT NULL UNIQUE,
    name      text NOT NULL,
    queue_id  text COLLATE "C" NOT NULL,
    priority  smallint,                       -- a rank; NULL leaves the priority as it is
    enabled   boolean NOT NULL,
    condition text NOT NULL                   -- JSON object
);

-- The event log. seq comes from event_seq, moved just before each commit.
CREATE TABLE {{schema}}.events (
    seq             bigint PRIMARY KEY,
    type            text COLLATE "C" NOT NULL,
    conversation_id text COLLATE "C",         -- NULL for events about no conversation
    entity_id       text NOT NULL,
    actor           text NOT NULL,
    at              timestamptz NOT NULL,
    changes         text NOT NULL             -- JSON array
);
CREATE INDEX events_conversation ON {{schema}}.events (conversation_id, seq);

CREATE TABLE {{schema}}.event_seq (
    id   smallint PRIMARY KEY CHECK (id = 1),
    last bigint NOT NULL
);
INSERT INTO {{schema}}.event_seq (id, last) VALUES (1, 0);
