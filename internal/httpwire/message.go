package httpwire

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// Input is one value a request named: a path wildcard or a query
// parameter, under the name the client knows it by ("conversationId",
// "agentId", "tagName").
type Input struct {
	Field, Value string
}

// RequestInputs are the values r names in its path and query, path
// wildcards first. A wildcard called "id" or "name" takes its name from the
// segment before it: /conversations/{id} is conversationId, /tags/{name}
// is tagName; any other keeps its own (/queues/{id}/agents/{agentId}).
func RequestInputs(r *http.Request) []Input {
	var out []Input
	_, path, _ := strings.Cut(r.Pattern, " ")
	if path == "" {
		path = r.Pattern
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name := strings.TrimSuffix(strings.Trim(seg, "{}"), "...")
		field := name
		if (name == "id" || name == "name") && i > 0 {
			entity := singular(segs[i-1])
			if name == "id" {
				field = entity + "Id"
			} else {
				field = entity + "Name"
			}
		}
		out = append(out, Input{Field: field, Value: r.PathValue(name)})
	}
	for name, values := range r.URL.Query() {
		if len(values) == 1 {
			out = append(out, Input{Field: name, Value: values[0]})
		}
	}
	return out
}

// singular is the entity of a collection segment: "conversations" is
// conversation.
func singular(collection string) string {
	return strings.TrimSuffix(collection, "s")
}

// opNouns map the entity words of a store operation ("getting agent",
// "adding queue member") to the field that names that entity on the wire,
// for an id the request did not name itself (one from a body).
var opNouns = map[string]string{
	"conversation": "conversationId", "conversations": "conversationId",
	"agent": "agentId", "agents": "agentId", "member": "agentId",
	"queue": "queueId", "queues": "queueId",
	"tag": "tagName", "tags": "tagName",
	"message": "messageId", "messages": "messageId",
	"note": "noteId", "notes": "noteId",
	"customer": "customerId", "customers": "customerId",
	"call": "callId", "calls": "callId",
}

// entityOf is the entity a wire field names: conversationId is a
// conversation, tagName a tag.
func entityOf(field string) string {
	if i := strings.LastIndexAny(field, ".]"); i >= 0 {
		field = field[i+1:]
	}
	for _, suffix := range []string{"Id", "Name", "Ids", "Names"} {
		if s, ok := strings.CutSuffix(field, suffix); ok && s != "" {
			return s
		}
	}
	return field
}

// Message is what a client reads of err, an error of a known class
// (Classify): it names the entity and the field concerned in the words of
// Infobip's answers, and never shows a package, a store operation, SQL or
// a database's text. Ids are quoted as Go quotes them (Infobip's
// messages use single quotes), so that any id reads unambiguously.
//
//   - not found: `Invalid conversationId "x" given! No such conversation
//     exists.`, the field being the input of the request that carried the
//     id, else the entity the store looked for;
//   - already exists: `Agent "x" already exists.`;
//   - closed: `Can not proceed with the action! Conversation "x" is
//     closed.`;
//   - an invalid field keeps its message, which names the field and why;
//   - any other: its message, without the class's own words at its end
//     (": forbidden"), as a sentence.
func Message(err error, inputs []Input) string {
	var told *toldError
	if errors.As(err, &told) {
		return told.message
	}
	var se *storage.Error
	hasStoreError := errors.As(err, &se)
	var fe *parley.FieldError
	switch {
	case errors.As(err, &fe):
		return err.Error()
	case errors.Is(err, parley.ErrNotFound) && hasStoreError && se.ID != "":
		// A field path a layer above the store put before its error
		// ("rules[0].queueId: …") names the field better than any input.
		if prefix, ok := strings.CutSuffix(err.Error(), ": "+se.Error()); ok && prefix != "" && !strings.ContainsAny(prefix, " \"'") {
			inputs = append([]Input{{Field: prefix, Value: se.ID}}, inputs...)
		}
		return notFound(se.ID, nounField(se.Op), inputs)
	case errors.Is(err, parley.ErrNotFound):
		// An error of the service's own: `agent "x": not found`.
		if m := quotedID.FindStringSubmatch(err.Error()); m != nil {
			if id, uerr := strconv.Unquote(m[2]); uerr == nil {
				return notFound(id, opNouns[m[1]], inputs)
			}
		}
	case errors.Is(err, parley.ErrAlreadyExists) && hasStoreError && se.ID != "":
		entity := entityOf(nounField(se.Op))
		if entity == "" {
			entity = "entity"
		}
		if strings.Contains(se.Op, " with name") {
			return capitalize(entity) + " with name " + strconv.Quote(se.ID) + " already exists."
		}
		if strings.Contains(se.Op, " as the default") {
			return "Queue " + strconv.Quote(se.ID) + " is the default queue already; only one queue may be."
		}
		return capitalize(entity) + " " + strconv.Quote(se.ID) + " already exists."
	case errors.Is(err, parley.ErrClosed):
		for _, in := range inputs {
			if in.Field == "conversationId" && in.Value != "" {
				return "Can not proceed with the action! Conversation " + strconv.Quote(in.Value) + " is closed."
			}
		}
		return "Can not proceed with the action! Conversation is closed."
	}
	return sentence(err)
}

// quotedID finds the entity word and the quoted id before ": not found".
var quotedID = regexp.MustCompile(`(\w+) ("(?:[^"\\]|\\.)*"): not found$`)

// notFound says that id names nothing: under the field of the request's
// input that carried it, else under opField, the field of the entity the
// store looked for.
func notFound(id, opField string, inputs []Input) string {
	field := ""
	for _, in := range inputs {
		if in.Value == id {
			field = in.Field
			break
		}
	}
	if field == "" {
		field = opField
	}
	if field == "" {
		return "Invalid id " + strconv.Quote(id) + " given! No such entity exists."
	}
	return "Invalid " + field + " " + strconv.Quote(id) + " given! No such " + entityOf(field) + " exists."
}

// toldError is an error whose message for the client a handler wrote,
// knowing more than the error does (which end of a link was missing).
type toldError struct {
	error
	message string
}

func (e *toldError) Unwrap() error { return e.error }

// Tell returns err, of the same class, with the message a client reads
// (Message) replaced by message.
func Tell(err error, message string) error {
	return &toldError{error: err, message: message}
}

// nounField is the wire field of the last entity word of a store
// operation, "" when it names none.
func nounField(op string) string {
	field := ""
	for _, w := range strings.Fields(op) {
		if f, ok := opNouns[strings.Trim(w, `"':,`)]; ok {
			field = f
		}
	}
	return field
}

// sentence is err's message without the words of its class at its end
// ("…: not found", "…: forbidden"), capitalised and closed with a full
// stop.
func sentence(err error) string {
	msg := err.Error()
	for _, c := range errorClasses {
		if errors.Is(err, c.err) {
			msg = strings.TrimSuffix(msg, ": "+c.err.Error())
		}
	}
	for _, kind := range []error{parley.ErrPrecondition} {
		if errors.Is(err, kind) {
			msg = strings.TrimSuffix(msg, ": "+kind.Error())
		}
	}
	msg = capitalize(msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
