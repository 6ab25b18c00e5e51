-- +goose Up
-- parley schema, version 9 (PostgreSQL): a CLOSED conversation keeps its
-- tags when a tag is deleted from the catalog (closed is immutable), so a
-- conversation's tag no longer needs a catalog row: the link's foreign key
-- to the catalog goes. Deleting a tag now removes the links of the
-- conversations that are not CLOSED itself (see Tx.DeleteTag); adding a
-- link still checks that the tag exists.

ALTER TABLE {{schema}}.conversation_tags DROP CONSTRAINT IF EXISTS conversation_tags_tag_name_fkey;
