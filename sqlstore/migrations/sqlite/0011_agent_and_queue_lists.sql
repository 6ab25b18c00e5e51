-- +goose Up
-- parley schema, version 11 (SQLite): the filters and orders of the agent,
-- queue and tag lists, and the closedAt filter of the conversation list.
--
-- display_name_folded is routing.FoldDisplayName(display_name), for
-- "display name contains"; the store writes it with the name. The rows
-- stored before it are folded here with lower(), which folds ASCII letters
-- only: such an agent's other letters match in their stored case until
-- its next update writes the folded name.
ALTER TABLE {{prefix}}agents ADD COLUMN display_name_folded TEXT NOT NULL DEFAULT '';
UPDATE {{prefix}}agents SET display_name_folded = lower(display_name);

-- The list orders, each tie-broken by id, and the time filters.
CREATE INDEX {{prefix}}agents_display_name ON {{prefix}}agents (display_name, id);
CREATE INDEX {{prefix}}agents_created ON {{prefix}}agents (created_at, id);
CREATE INDEX {{prefix}}agents_updated ON {{prefix}}agents (updated_at, id);
CREATE INDEX {{prefix}}queues_created ON {{prefix}}queues (created_at, id);
CREATE INDEX {{prefix}}queues_updated ON {{prefix}}queues (updated_at, id);
CREATE INDEX {{prefix}}tags_created ON {{prefix}}tags (created_at, name);
-- closedAfter / closedBefore: only closed conversations have a closed_at.
CREATE INDEX {{prefix}}conversations_closed ON {{prefix}}conversations (closed_at, id) WHERE closed_at IS NOT NULL;
