package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

// A note, as Infobip documents it, is an internal note on a conversation:
// in parley, a private OUTBOUND TEXT message (never delivered to the
// customer). So a note obeys what a private message does: the reply
// matrix on its agent, and no note on a CLOSED conversation (409 CLOSED);
// it also appears among the conversation's messages, with "private": true.
//
// Of Infobip's note types parley keeps the two a client writes: INTERNAL,
// whose content is its text, and ATTACHMENT, whose content is an object
// {"text", "attachments": [{"id", "fileName", "fileExtension",
// "contentType", "fileSize", "publicLink"}]} (the files stay the host's;
// parley keeps what the note says of them). The others (AUTH_BIOMETRY_*,
// AUTH_AGENT_*, AUTH_BOT_*, JIRA_COMMENT) are written by Infobip's own
// integrations, which parley has not, and are refused.

// The note types parley keeps.
const (
	noteInternal   = "INTERNAL"
	noteAttachment = "ATTACHMENT"
)

// infobipNoteTypes are Infobip's other note types, refused by name.
var infobipNoteTypes = []string{
	"AUTH_BIOMETRY_INIT", "AUTH_BIOMETRY_PENDING", "AUTH_BIOMETRY_SUCCESS", "AUTH_BIOMETRY_EXPIRED",
	"AUTH_BIOMETRY_CANCEL", "AUTH_BIOMETRY_FAILED", "AUTH_AGENT_SUCCESS", "AUTH_AGENT_EXPIRED",
	"AUTH_BOT_SUCCESS", "AUTH_BOT_EXPIRED", "JIRA_COMMENT",
}

// noteInJSON is the body of POST /conversations/{id}/notes.
type noteInJSON struct {
	Content opt[noteContentJSON] `json:"content"`
	AgentID opt[string]          `json:"agentId"`
	Type    opt[string]          `json:"type"`
}

// noteContentJSON is a note's content: a string (an INTERNAL note's text)
// or an object {"text", "attachments"} (an ATTACHMENT note's).
type noteContentJSON struct {
	Text        string               `json:"text"`
	Attachments []message.Attachment `json:"attachments"`
	object      bool                 // given as an object
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *noteContentJSON) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.Text); err == nil {
		return nil
	}
	var obj struct {
		Text        *string              `json:"text"`
		Attachments []message.Attachment `json:"attachments"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return invalid("content", `must be the note's text, or an object {"text", "attachments"}`)
	}
	if obj.Text != nil {
		c.Text = *obj.Text
	}
	c.Attachments, c.object = obj.Attachments, true
	return nil
}

// noteJSON is a note on the wire, as Infobip documents it: content is the
// text of an INTERNAL note, and {"text", "attachments"} of an ATTACHMENT
// one.
type noteJSON struct {
	ID             string   `json:"id"`
	ConversationID string   `json:"conversationId"`
	AgentID        *string  `json:"agentId"`
	Type           string   `json:"type"`
	Content        any      `json:"content"`
	CreatedAt      wireTime `json:"createdAt"`
	UpdatedAt      wireTime `json:"updatedAt"` // a note never changes: its createdAt
}

// attachmentNoteJSON is the content of an ATTACHMENT note.
type attachmentNoteJSON struct {
	Text        string               `json:"text"`
	Attachments []message.Attachment `json:"attachments"`
}

func toNote(m *message.Message) noteJSON {
	n := noteJSON{ID: m.ID, ConversationID: m.ConversationID, AgentID: nullString(m.AgentID), Type: noteInternal,
		Content: m.Content.Text, CreatedAt: wireTime(m.CreatedAt), UpdatedAt: wireTime(m.CreatedAt)}
	if len(m.Content.Attachments) > 0 {
		n.Type = noteAttachment
		n.Content = attachmentNoteJSON{Text: m.Content.Text, Attachments: slices.Clone(m.Content.Attachments)}
	}
	return n
}

// noteContent checks a note's type against its content and returns the
// content to keep. The type defaults to ATTACHMENT for content with
// attachments, else INTERNAL, as Infobip's default is.
func noteContent(in noteInJSON) (message.Content, error) {
	if !in.Content.Given() {
		return message.Content{}, invalid("content", "is required: the note's text")
	}
	c := in.Content.Value
	typ := noteInternal
	if len(c.Attachments) > 0 {
		typ = noteAttachment
	}
	if in.Type.Given() {
		typ = in.Type.Value
	}
	switch typ {
	case noteInternal:
		if c.object {
			return message.Content{}, invalid("content", "of an INTERNAL note is its text, a string; a note with attachments is of type ATTACHMENT")
		}
		if c.Text == "" {
			return message.Content{}, invalid("content", "is required: the note's text")
		}
	case noteAttachment:
		if len(c.Attachments) == 0 {
			return message.Content{}, invalid("content.attachments", `are required for an ATTACHMENT note: [{"id": ...}]`)
		}
	default:
		if slices.Contains(infobipNoteTypes, typ) {
			return message.Content{}, invalid("type", "%s notes are written by Infobip's own integrations; parley keeps INTERNAL and ATTACHMENT notes", typ)
		}
		return message.Content{}, invalid("type", "must be INTERNAL or ATTACHMENT, not %q", typ)
	}
	return message.Content{Text: c.Text, Attachments: c.Attachments}, nil
}

// createNote adds a note. Its agent is the request's actor; Infobip's body
// agentId may name it instead when the actor names none, and must agree
// with it otherwise.
func (a *api) createNote(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in noteInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	content, err := noteContent(in)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if in.AgentID.Given() {
		actor := parley.ActorFrom(ctx)
		switch {
		case actor.AgentID == "":
			actor.AgentID = in.AgentID.Value
			ctx = parley.WithActor(ctx, actor)
		case actor.AgentID != in.AgentID.Value:
			return nil, invalid("agentId", "must be the acting agent %q (%s)", actor.AgentID, HeaderAgentID)
		}
	}
	id := r.PathValue("id")
	m, err := a.svc.CreateMessage(ctx, id, message.Message{
		Direction: message.Outbound, ContentType: message.Text, Private: true, Content: content,
	})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(id)+"/notes/"+url.PathEscape(m.ID))
	return toNote(m), nil
}

// getNote answers one note of a conversation: a message of it that is
// private. Any other id, a message that is no note included, is a 404.
func (a *api) getNote(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	id, nid := r.PathValue("id"), r.PathValue("noteId")
	if _, err := a.svc.GetConversation(r.Context(), id); err != nil {
		return nil, err
	}
	m, err := a.svc.GetMessage(r.Context(), nid)
	if err == nil && (m.ConversationID != id || !m.Private) {
		err = notFound("note %q of conversation %q", nid, id)
	}
	if errors.Is(err, parley.ErrNotFound) {
		return nil, httpwire.Tell(err, fmt.Sprintf("Invalid noteId %q given! Conversation %q has no such note.", nid, id))
	}
	if err != nil {
		return nil, err
	}
	return toNote(m), nil
}

// listNotes lists a conversation's notes, oldest first by default.
func (a *api) listNotes(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	mq := storage.MessageQuery{ConversationID: r.PathValue("id"), PrivateOnly: true}
	return listMessages(a, r, q, mq, "notes", toNote)
}
