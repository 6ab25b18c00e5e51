-- +goose Up
-- parley schema, version 11 (PostgreSQL): the filters and orders of the
-- agent, queue and tag lists, and the closedAt filter of the conversation
-- list.
--
-- display_name_folded is routing.FoldDisplayName(display_name), for
-- "display name contains"; the store writes it with the name. The rows
-- stored before it are folded here with lower(), which agrees with Go's
-- folding for the letters people's names use.
ALTER TABLE {{schema}}.agents ADD COLUMN display_name_folded text NOT NULL DEFAULT '';
UPDATE {{schema}}.agents SET display_name_folded = lower(display_name);

-- A display name and a queue name sort in byte order, as Go compares them
-- (the orderBy of the agent and queue lists), like every other text parley
-- sorts by.
ALTER TABLE {{schema}}.agents ALTER COLUMN display_name TYPE text COLLATE "C";
ALTER TABLE {{schema}}.queues ALTER COLUMN name TYPE text COLLATE "C";

-- The list orders, each tie-broken by id, and the time filters.
CREATE INDEX agents_display_name ON {{schema}}.agents (display_name, id);
CREATE INDEX agents_created ON {{schema}}.agents (created_at, id);
CREATE INDEX agents_updated ON {{schema}}.agents (updated_at, id);
CREATE INDEX queues_created ON {{schema}}.queues (created_at, id);
CREATE INDEX queues_updated ON {{schema}}.queues (updated_at, id);
CREATE INDEX tags_created ON {{schema}}.tags (created_at, name);
-- closedAfter / closedBefore: only closed conversations have a closed_at.
CREATE INDEX conversations_closed ON {{schema}}.conversations (closed_at, id) WHERE closed_at IS NOT NULL;
