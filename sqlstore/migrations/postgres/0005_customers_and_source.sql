-- +goose Up
-- parley schema, version 5 (PostgreSQL): a conversation's source, and
-- customers.
--
-- source is how the conversation came in (conversation.Source); the
-- conversations stored before it existed came in through the API, its
-- default. The index serves the source filter in the default order.

ALTER TABLE {{schema}}.conversations ADD COLUMN source text COLLATE "C" NOT NULL DEFAULT 'API';
CREATE INDEX conversations_source ON {{schema}}.conversations (source, created_at, id);

-- Customers. The folded columns are customer.FoldName, FoldEmail and
-- FoldPhone of name, email and phone: what the list's filters match, each
-- computed once in Go so that every store agrees.
CREATE TABLE {{schema}}.customers (
    id           text COLLATE "C" PRIMARY KEY,
    name         text NOT NULL DEFAULT '',
    name_folded  text NOT NULL DEFAULT '',
    email        text NOT NULL DEFAULT '',
    email_folded text COLLATE "C" NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    phone_folded text COLLATE "C" NOT NULL DEFAULT '',
    attributes   text,                        -- JSON object; NULL for none
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
-- The email and phone filters, in the list's order.
CREATE INDEX customers_email ON {{schema}}.customers (email_folded, id);
CREATE INDEX customers_phone ON {{schema}}.customers (phone_folded, id);
