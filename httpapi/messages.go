package httpapi

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

// messageInJSON is the body of POST /conversations/{id}/messages. The
// sending agent is the request's actor (the x-agent-id header by default),
// not a body field.
type messageInJSON struct {
	ID          opt[string]      `json:"id"`
	Direction   opt[string]      `json:"direction"`
	Channel     opt[string]      `json:"channel"`
	From        opt[string]      `json:"from"`
	To          opt[string]      `json:"to"`
	ContentType opt[string]      `json:"contentType"`
	Content     opt[contentJSON] `json:"content"`
	Private     opt[bool]        `json:"private"`
}

func (in messageInJSON) message() (message.Message, error) {
	m := message.Message{
		ID:      in.ID.Value,
		From:    in.From.Value,
		To:      in.To.Value,
		Content: in.Content.Value.domain(),
		Private: in.Private.Value,
	}
	var err error
	if in.Direction.Given() {
		if m.Direction, err = message.ParseDirection(in.Direction.Value); err != nil {
			return m, err
		}
	}
	if in.Channel.Given() {
		if m.Channel, err = conversation.ParseChannel(in.Channel.Value); err != nil {
			return m, err
		}
	}
	if in.ContentType.Given() {
		if m.ContentType, err = message.ParseContentType(in.ContentType.Value); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (a *api) createMessage(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in messageInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	m, err := in.message()
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	out, err := a.svc.CreateMessage(r.Context(), id, m)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(id)+"/messages/"+url.PathEscape(out.ID))
	return toMessage(out), nil
}

func (a *api) getMessage(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	id, mid := r.PathValue("id"), r.PathValue("messageId")
	if _, err := a.svc.GetConversation(r.Context(), id); err != nil {
		return nil, err
	}
	m, err := a.svc.GetMessage(r.Context(), mid)
	if err != nil {
		return nil, err
	}
	if m.ConversationID != id {
		return nil, httpwire.Tell(notFound("message %q of conversation %q", mid, id),
			fmt.Sprintf("Invalid messageId %q given! Conversation %q has no such message.", mid, id))
	}
	return toMessage(m), nil
}

func (a *api) listMessages(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	mq := storage.MessageQuery{ConversationID: r.PathValue("id")}
	mq.IDs = q.all("messageIds", "ids", "id")
	directions, err := parseAll(q.all("direction"), message.ParseDirection)
	if err != nil {
		return nil, err
	}
	for _, d := range directions {
		if mq.Direction != "" && mq.Direction != d {
			// Any of both directions is every message.
			mq.Direction = ""
			break
		}
		mq.Direction = d
	}
	channels, err := parseAll(q.all("channel"), conversation.ParseChannel)
	if err != nil {
		return nil, err
	}
	for _, c := range channels {
		if mq.Channel != "" && mq.Channel != c {
			return nil, invalid("channel", "takes one value on messages")
		}
		mq.Channel = c
	}
	if mq.CreatedAfter, err = q.time("createdAfter"); err != nil {
		return nil, err
	}
	if mq.CreatedBefore, err = q.time("createdBefore"); err != nil {
		return nil, err
	}
	return listMessages(a, r, q, mq, "messages", toMessage)
}

// listMessages reads the order and paging of a message list (notes are
// messages too), whose filters mq holds, and answers the page under key,
// each message shown by conv.
func listMessages[W any](a *api, r *http.Request, q *query, mq storage.MessageQuery, key string, conv func(*message.Message) W) (any, error) {
	order, err := q.order(storage.Order{Field: storage.SortCreatedAt}, storage.SortCreatedAt)
	if err != nil {
		return nil, err
	}
	mq.Desc = order.Desc
	if mq.Paging, err = q.paging(); err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	if err := mq.Normalize(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListMessages(r.Context(), mq)
	if err != nil {
		return nil, err
	}
	return listOf(key, mq.Paging, page, mq.Order().String(), conv), nil
}

// notFound is an ErrNotFound the handler finds itself.
func notFound(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, parley.ErrNotFound)...)
}

// inboundJSON is the body of POST /inbound-messages: a customer's message
// and who and where it comes from. The channel is the message's.
type inboundJSON struct {
	CustomerID  opt[string]      `json:"customerId"`
	Channel     opt[string]      `json:"channel"`
	ID          opt[string]      `json:"id"`
	From        opt[string]      `json:"from"`
	To          opt[string]      `json:"to"`
	ContentType opt[string]      `json:"contentType"`
	Content     opt[contentJSON] `json:"content"`
}

// inboundAnswerJSON is the answer of POST /inbound-messages: the
// conversation the message landed in, and the message.
type inboundAnswerJSON struct {
	Conversation conversationJSON `json:"conversation"`
	Message      messageJSON      `json:"message"`
}

// receiveInbound threads a customer's message (parley.Service.ReceiveInbound):
// into the customer's newest conversation on the channel that is not
// closed, or into a new one, routed.
func (a *api) receiveInbound(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in inboundJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.CustomerID.Given() {
		return nil, invalid("customerId", "is required: the customer the message comes from")
	}
	if !in.Channel.Given() {
		return nil, invalid("channel", "is required: the channel the message comes in on")
	}
	channel, err := conversation.ParseChannel(in.Channel.Value)
	if err != nil {
		return nil, err
	}
	m := message.Message{ID: in.ID.Value, From: in.From.Value, To: in.To.Value, Content: in.Content.Value.domain()}
	if in.ContentType.Given() {
		if m.ContentType, err = message.ParseContentType(in.ContentType.Value); err != nil {
			return nil, err
		}
	}
	c, msg, err := a.svc.ReceiveInbound(r.Context(), in.CustomerID.Value, channel, m)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(c.ID)+"/messages/"+url.PathEscape(msg.ID))
	setETag(w, c.Version)
	return inboundAnswerJSON{Conversation: toConversation(c), Message: toMessage(msg)}, nil
}
