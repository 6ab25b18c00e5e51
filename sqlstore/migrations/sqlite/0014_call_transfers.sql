-- +goose Up
-- parley schema, version 14 (SQLite): call transfers.
--
-- The agent a call's transfer rings at and the transfer's deadline, kept
-- from the transfer's JSON in columns of their own so that they are
-- indexed. An agent a transfer rings at is taken up by it as by a live
-- call (call.Call.Occupies): calls_transfer_agent keeps two transfers
-- from ringing at one agent, and the writes check that the agent of a
-- live call is rung by no transfer and the reverse (write transactions
-- run one at a time). calls_transfer_due finds the transfers that ring
-- out (Reader.DueCalls) without a scan. No call has a transfer before
-- this version (nothing started one), so there is nothing to copy.

ALTER TABLE {{prefix}}calls ADD COLUMN transfer_agent_id TEXT;  -- NULL: the transfer rings at no agent, or there is none
ALTER TABLE {{prefix}}calls ADD COLUMN transfer_deadline TEXT;  -- NULL: no transfer ringing

CREATE UNIQUE INDEX {{prefix}}calls_transfer_agent ON {{prefix}}calls (transfer_agent_id) WHERE transfer_agent_id IS NOT NULL;
CREATE INDEX {{prefix}}calls_transfer_due ON {{prefix}}calls (transfer_deadline, id) WHERE transfer_deadline IS NOT NULL;
