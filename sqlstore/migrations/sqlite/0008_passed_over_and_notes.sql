-- +goose Up
-- parley schema, version 8 (SQLite): the agent a conversation was taken
-- off (conversation.PassedOver), which automatic assignment passes over;
-- '' for none, as every conversation stored before it has.

ALTER TABLE {{prefix}}conversations ADD COLUMN passed_over TEXT NOT NULL DEFAULT '';

-- The internal notes of a conversation (its private messages), in the
-- list's order.
CREATE INDEX {{prefix}}messages_private ON {{prefix}}messages (conversation_id, created_at, id) WHERE private;
