-- +goose Up
-- parley schema, version 12 (PostgreSQL): working hours, and the queues
-- and routing rules that follow them.
--
-- A working-hours row keeps its id, name and zone in columns and the rest
-- (the work week, the holidays, the message and the flags) as one JSON
-- object, which parley reads whole. A queue or a rule names working hours
-- by a foreign key: working hours still named are not deleted.

CREATE TABLE {{schema}}.working_hours (
    id         text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL,
    timezone   text NOT NULL,
    body       text NOT NULL,                   -- JSON object
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE {{schema}}.queues
    ADD COLUMN working_hours_id text COLLATE "C" REFERENCES {{schema}}.working_hours (id),
    ADD COLUMN auto_assign_outside boolean NOT NULL DEFAULT false;
CREATE INDEX queues_working_hours ON {{schema}}.queues (working_hours_id) WHERE working_hours_id IS NOT NULL;

ALTER TABLE {{schema}}.routing_rules
    ADD COLUMN working_hours_id text COLLATE "C" REFERENCES {{schema}}.working_hours (id);
CREATE INDEX routing_rules_working_hours ON {{schema}}.routing_rules (working_hours_id) WHERE working_hours_id IS NOT NULL;
