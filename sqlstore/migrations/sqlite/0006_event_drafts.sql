-- +goose Up
-- parley schema, version 6 (SQLite): nothing changes. On PostgreSQL this
-- version numbers events after they commit; on SQLite write transactions
-- run one at a time, and an event takes its seq as it is written.
SELECT 1;
