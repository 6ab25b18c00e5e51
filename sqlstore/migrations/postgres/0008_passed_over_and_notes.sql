-- +goose Up
-- parley schema, version 8 (PostgreSQL): the agent a conversation was taken
-- off (conversation.PassedOver), which automatic assignment passes over;
-- '' for none, as every conversation stored before it has.

ALTER TABLE {{schema}}.conversations ADD COLUMN passed_over text COLLATE "C" NOT NULL DEFAULT '';

-- The internal notes of a conversation (its private messages), in the
-- list's order.
CREATE INDEX messages_private ON {{schema}}.messages (conversation_id, created_at, id) WHERE private;
