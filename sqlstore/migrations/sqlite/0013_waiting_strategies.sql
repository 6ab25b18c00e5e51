-- +goose Up
-- parley schema, version 13 (SQLite): waiting strategies, and the
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

CREATE TABLE {{prefix}}waiting_strategies (
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    condition_type TEXT NOT NULL,
    body           TEXT NOT NULL,                   -- JSON object
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX {{prefix}}waiting_strategies_created ON {{prefix}}waiting_strategies (created_at, id);
CREATE INDEX {{prefix}}waiting_strategies_name ON {{prefix}}waiting_strategies (name, id);

CREATE TABLE {{prefix}}waiting_strategy_claims (
    kind        TEXT NOT NULL,                      -- SENDER or QUEUE
    client_type TEXT NOT NULL,                      -- '' for a queue
    identifier  TEXT NOT NULL,                      -- the number or application, or the queue id
    strategy_id TEXT NOT NULL REFERENCES {{prefix}}waiting_strategies (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, client_type, identifier)
) WITHOUT ROWID;
CREATE INDEX {{prefix}}waiting_strategy_claims_strategy ON {{prefix}}waiting_strategy_claims (strategy_id);

CREATE TABLE {{prefix}}call_waits (
    call_id           TEXT NOT NULL PRIMARY KEY REFERENCES {{prefix}}calls (id) ON DELETE CASCADE,
    queue_id          TEXT NOT NULL,
    strategy_id       TEXT NOT NULL,
    since             TEXT NOT NULL,
    next_announcement TEXT,                          -- NULL: none left
    maximum_wait_at   TEXT NOT NULL,
    due               TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX {{prefix}}call_waits_due ON {{prefix}}call_waits (due, call_id);
