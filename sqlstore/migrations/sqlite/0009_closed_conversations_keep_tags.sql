-- +goose Up
-- parley schema, version 9 (SQLite): a CLOSED conversation keeps its tags
-- when a tag is deleted from the catalog (closed is immutable), so a
-- conversation's tag no longer needs a catalog row: the link's foreign key
-- to the catalog goes. SQLite cannot drop a constraint, so the table is
-- built again without it, with the same rows and index. Deleting a tag now
-- removes the links of the conversations that are not CLOSED itself (see
-- Tx.DeleteTag); adding a link still checks that the tag exists.

CREATE TABLE {{prefix}}conversation_tags_v9 (
    conversation_id TEXT NOT NULL REFERENCES {{prefix}}conversations (id) ON DELETE CASCADE,
    tag_name        TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag_name)
) WITHOUT ROWID;
INSERT INTO {{prefix}}conversation_tags_v9 (conversation_id, tag_name)
    SELECT conversation_id, tag_name FROM {{prefix}}conversation_tags;
DROP TABLE {{prefix}}conversation_tags;
ALTER TABLE {{prefix}}conversation_tags_v9 RENAME TO {{prefix}}conversation_tags;
-- Tag filter, and removing a tag from every conversation.
CREATE INDEX {{prefix}}conversation_tags_tag ON {{prefix}}conversation_tags (tag_name, conversation_id);
