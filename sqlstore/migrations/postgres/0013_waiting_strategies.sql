-- +goose Up
-- parley schema, version 13 (PostgreSQL): waiting strategies, and the
-- progress of queued calls through them.
--
-- A strategy keeps its id, name, condition type and times in columns and
-- the rest (the wait, the messages, the condition, the outcome) as one
-- JSON object, which parley reads whole. Each sender or queue its
-- condition names is also a row of waiting_strategy_claims, whose primary
-- key lets one strategy only name it, whatever the interleaving.
--
-- A call_waits row is a queued call's wait under a strategy: when it
-- entered its queue and when the runner must look at it next (due).

CREATE TABLE {{schema}}.waiting_strategies (
    id             text COLLATE "C" PRIMARY KEY,
    name           text COLLATE "C" NOT NULL,
    condition_type text NOT NULL,
    body           text NOT NULL,                   -- JSON object
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX waiting_strategies_created ON {{schema}}.waiting_strategies (created_at, id);
CREATE INDEX waiting_strategies_name ON {{schema}}.waiting_strategies (name, id);

CREATE TABLE {{schema}}.waiting_strategy_claims (
    kind        text NOT NULL,                      -- SENDER or QUEUE
    client_type text NOT NULL,                      -- '' for a queue
    identifier  text COLLATE "C" NOT NULL,          -- the number or application, or the queue id
    strategy_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.waiting_strategies (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, client_type, identifier)
);
CREATE INDEX waiting_strategy_claims_strategy ON {{schema}}.waiting_strategy_claims (strategy_id);

CREATE TABLE {{schema}}.call_waits (
    call_id           text COLLATE "C" PRIMARY KEY REFERENCES {{schema}}.calls (id) ON DELETE CASCADE,
    queue_id          text COLLATE "C" NOT NULL,
    strategy_id       text COLLATE "C" NOT NULL,
    since             timestamptz NOT NULL,
    next_announcement timestamptz,                  -- NULL: none left
    maximum_wait_at   timestamptz NOT NULL,
    due               timestamptz NOT NULL
);
CREATE INDEX call_waits_due ON {{schema}}.call_waits (due, call_id);
