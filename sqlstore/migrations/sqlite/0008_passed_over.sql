-- +goose Up
-- parley schema, version 8 (SQLite): the agent a conversation was taken
-- off (conversation.PassedOver), which automatic assignment passes over;
-- '' for none, as every conversation stored before it has.

ALTER TABLE {{prefix}}conversations ADD COLUMN passed_over TEXT NOT NULL DEFAULT '';
