-- parley schema, version 5 (SQLite): a conversation's source, and
-- customers.
--
-- source is how the conversation came in (conversation.Source); the
-- conversations stored before it existed came in through the API, its
-- default. The index serves the source filter in the default order.

ALTER TABLE {{prefix}}conversations ADD COLUMN source TEXT NOT NULL DEFAULT 'API';
CREATE INDEX {{prefix}}conversations_source ON {{prefix}}conversations (source, created_at, id);
