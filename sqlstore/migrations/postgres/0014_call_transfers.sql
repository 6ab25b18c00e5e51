-- +goose Up
-- parley schema, version 14 (PostgreSQL): call transfers.
--
-- The agent a call's transfer rings at and the transfer's deadline, kept
-- from the transfer's JSON in columns of their own so that they are
-- indexed. An agent a transfer rings at is taken up by it as by a live
-- call (call.Call.Occupies): calls_transfer_agent keeps two transfers
-- from ringing at one agent, and the writes check that the agent of a
-- live call is rung by no transfer and the reverse (the service holds
-- the agent's lock while it writes either). calls_transfer_due finds
-- the transfers that ring out (Reader.DueCalls) without a scan. No call
-- has a transfer before this version (nothing started one), so there is
-- nothing to copy.

ALTER TABLE {{schema}}.calls
    ADD COLUMN transfer_agent_id text COLLATE "C",  -- NULL: the transfer rings at no agent, or there is none
    ADD COLUMN transfer_deadline timestamptz;       -- NULL: no transfer ringing

CREATE UNIQUE INDEX calls_transfer_agent ON {{schema}}.calls (transfer_agent_id) WHERE transfer_agent_id IS NOT NULL;
CREATE INDEX calls_transfer_due ON {{schema}}.calls (transfer_deadline, id) WHERE transfer_deadline IS NOT NULL;
