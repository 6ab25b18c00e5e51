-- +goose Up
-- parley schema, version 8 (PostgreSQL): the agent a conversation was taken
-- off (conversation.PassedOver), which automatic assignment passes over;
-- '' for none, as every conversation stored before it has.

ALTER TABLE {{schema}}.conversations ADD COLUMN passed_over text COLLATE "C" NOT NULL DEFAULT '';
