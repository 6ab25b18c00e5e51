-- +goose Up
-- parley schema, version 12 (SQLite): working hours, and the queues and
-- routing rules that follow them.
--
-- A working-hours row keeps its id, name and zone in columns and the rest
-- (the work week, the holidays, the message and the flags) as one JSON
-- object, which parley reads whole. A queue or a rule names working hours
-- by a foreign key: working hours still named are not deleted.

CREATE TABLE {{prefix}}working_hours (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    body       TEXT NOT NULL,                   -- JSON object
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

ALTER TABLE {{prefix}}queues ADD COLUMN working_hours_id TEXT REFERENCES {{prefix}}working_hours (id);
ALTER TABLE {{prefix}}queues ADD COLUMN auto_assign_outside INTEGER NOT NULL DEFAULT 0;
CREATE INDEX {{prefix}}queues_working_hours ON {{prefix}}queues (working_hours_id) WHERE working_hours_id IS NOT NULL;

ALTER TABLE {{prefix}}routing_rules ADD COLUMN working_hours_id TEXT REFERENCES {{prefix}}working_hours (id);
CREATE INDEX {{prefix}}routing_rules_working_hours ON {{prefix}}routing_rules (working_hours_id) WHERE working_hours_id IS NOT NULL;
