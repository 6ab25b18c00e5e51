-- parley schema, version 5 (PostgreSQL): a conversation's source, and
-- customers.
--
-- source is how the conversation came in (conversation.Source); the
-- conversations stored before it existed came in through the API, its
-- default. The index serves the source filter in the default order.

ALTER TABLE {{schema}}.conversations ADD COLUMN source text COLLATE "C" NOT NULL DEFAULT 'API';
CREATE INDEX conversations_source ON {{schema}}.conversations (source, created_at, id);
