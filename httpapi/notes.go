package httpapi

import (
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

// A note, as Infobip documents it, is an internal note on a conversation:
// in parley, a private OUTBOUND TEXT message (never delivered to the
// customer). So a note obeys what a private message does: the reply
// matrix on its agent, and no note on a CLOSED conversation (409 CLOSED);
// it also appears among the conversation's messages, with "private": true.

// noteType is the one note type parley keeps: Infobip's text note.
const noteType = "INTERNAL"

// noteInJSON is the body of POST /conversations/{id}/notes.
type noteInJSON struct {
	Content opt[string] `json:"content"`
	AgentID opt[string] `json:"agentId"`
	Type    opt[string] `json:"type"`
}

// noteJSON is a note on the wire, as Infobip documents it.
type noteJSON struct {
	ID             string   `json:"id"`
	ConversationID string   `json:"conversationId"`
	AgentID        *string  `json:"agentId"`
	Type           string   `json:"type"`
	Content        string   `json:"content"`
	CreatedAt      wireTime `json:"createdAt"`
	UpdatedAt      wireTime `json:"updatedAt"` // a note never changes: its createdAt
}

func toNote(m *message.Message) noteJSON {
	return noteJSON{ID: m.ID, ConversationID: m.ConversationID, AgentID: nullString(m.AgentID), Type: noteType,
		Content: m.Content.Text, CreatedAt: wireTime(m.CreatedAt), UpdatedAt: wireTime(m.CreatedAt)}
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
	if !in.Content.Given() {
		return nil, invalid("content", "is required: the note's text")
	}
	if in.Type.Given() && in.Type.Value != noteType {
		return nil, invalid("type", "must be %s, not %q: parley keeps text notes only", noteType, in.Type.Value)
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
		Direction: message.Outbound, ContentType: message.Text, Private: true,
		Content: message.Content{Text: in.Content.Value},
	})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(id)+"/messages/"+url.PathEscape(m.ID))
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
