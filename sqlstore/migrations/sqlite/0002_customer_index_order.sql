-- +goose Up
-- parley schema, version 2 (SQLite): the customer index ends in id, so that
-- it gives a customer's conversations on a channel in the list's full order
-- (created_at, then id). Inbound threading reads the newest of them on
-- every inbound message; without id SQLite walked the whole channel's index
-- in order instead.

DROP INDEX {{prefix}}conversations_customer;
CREATE INDEX {{prefix}}conversations_customer ON {{prefix}}conversations (customer_id, channel, created_at, id);
