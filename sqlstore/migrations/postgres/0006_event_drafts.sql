-- +goose Up
-- parley schema, version 6 (PostgreSQL): events numbered after they
-- commit, so that no row serialises the writers (see the package doc,
-- "Events").
--
-- A writer inserts its events under a draft key, from blocks of
-- event_drafts that each store hands out itself, with seq NULL: no lock,
-- no counter row. The sequencer numbers the committed, unnumbered events
-- in draft order, past event_seq.last, under an advisory lock; only it
-- moves event_seq now. Readers see numbered events only (seq > after).
-- The events stored before this version keep their seqs, and their seq as
-- their draft.

CREATE SEQUENCE {{schema}}.event_drafts INCREMENT BY 1024;
SELECT setval('{{schema}}.event_drafts', (SELECT COALESCE(max(seq), 0) + 1 FROM {{schema}}.events));

ALTER TABLE {{schema}}.events ADD COLUMN draft bigint;
UPDATE {{schema}}.events SET draft = seq;
ALTER TABLE {{schema}}.events ALTER COLUMN draft SET NOT NULL;
ALTER TABLE {{schema}}.events DROP CONSTRAINT events_pkey;
ALTER TABLE {{schema}}.events ADD PRIMARY KEY (draft);
ALTER TABLE {{schema}}.events ALTER COLUMN seq DROP NOT NULL;
-- The outbox's order, and the sequencer's queue.
CREATE UNIQUE INDEX events_seq ON {{schema}}.events (seq);
CREATE INDEX events_unnumbered ON {{schema}}.events (draft) WHERE seq IS NULL;
