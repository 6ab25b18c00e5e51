-- +goose Up
-- parley schema, version 2 (PostgreSQL): the customer index ends in id, so
-- that it gives a customer's conversations on a channel in the list's full
-- order (created_at, then id). Inbound threading reads the newest of them
-- on every inbound message; without id the planner may prefer walking the
-- whole channel's index in order.

DROP INDEX {{schema}}.conversations_customer;
CREATE INDEX conversations_customer ON {{schema}}.conversations (customer_id, channel, created_at, id);
