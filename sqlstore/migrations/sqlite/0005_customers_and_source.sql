-- +goose Up
-- parley schema, version 5 (SQLite): a conversation's source, and
-- customers.
--
-- source is how the conversation came in (conversation.Source); the
-- conversations stored before it existed came in through the API, its
-- default. The index serves the source filter in the default order.

ALTER TABLE {{prefix}}conversations ADD COLUMN source TEXT NOT NULL DEFAULT 'API';
CREATE INDEX {{prefix}}conversations_source ON {{prefix}}conversations (source, created_at, id);

-- Customers. The folded columns are customer.FoldName, FoldEmail and
-- FoldPhone of name, email and phone: what the list's filters match, each
-- computed once in Go so that every store agrees.
CREATE TABLE {{prefix}}customers (
    id           TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    name_folded  TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    email_folded TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    phone_folded TEXT NOT NULL DEFAULT '',
    attributes   TEXT,                        -- JSON object; NULL for none
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- The email and phone filters, in the list's order.
CREATE INDEX {{prefix}}customers_email ON {{prefix}}customers (email_folded, id);
CREATE INDEX {{prefix}}customers_phone ON {{prefix}}customers (phone_folded, id);
