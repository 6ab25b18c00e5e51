-- +goose Up
-- parley schema, version 15 (PostgreSQL): hold configurations per queue.
--
-- A hold configuration keeps its id and name in columns and the rest (the
-- music, the announcement, the queues and the flags) as one JSON object,
-- which parley reads whole. The rules between configurations (a queue in
-- one at most, one default) are the service's, checked under a key lock.

CREATE TABLE {{schema}}.hold_configs (
    id         text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL,
    body       text NOT NULL,                   -- JSON object
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
