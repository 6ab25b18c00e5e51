-- +goose Up
-- parley schema, version 15 (SQLite): hold configurations per queue.
--
-- A hold configuration keeps its id and name in columns and the rest (the
-- music, the announcement, the queues and the flags) as one JSON object,
-- which parley reads whole. The rules between configurations (a queue in
-- one at most, one default) are the service's, checked under a key lock.

CREATE TABLE {{prefix}}hold_configs (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,                   -- JSON object
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
