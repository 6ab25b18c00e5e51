package httpapi_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/httpapi"
)

// The wire fixtures: for each route Infobip documents, the request of its
// documentation (the examples of its OpenAPI description, ids aside) and
// the answer checked field by field against the fields Infobip documents
// for it. parley's extra fields (version, source, customerId, attributes,
// tags, private, closedAt) may come beside them: an Infobip client ignores
// them.

// anyID and anyTime stand for a value the server makes: a non-empty id, a
// time in Infobip's layout.
const (
	anyID   = "<id>"
	anyTime = "<time>"
)

var infobipTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$`)

// requireFields checks got field by field against want: each documented
// field is present with its value (anyID and anyTime match any id and any
// time in Infobip's layout).
func requireFields(t *testing.T, want, got map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		require.True(t, ok, "field %q missing from %v", k, got)
		switch w {
		case anyID:
			require.IsType(t, "", g, "field %q", k)
			require.NotEmpty(t, g, "field %q", k)
		case anyTime:
			s, _ := g.(string)
			require.Regexp(t, infobipTime, s, "field %q", k)
		default:
			require.Equal(t, w, g, "field %q", k)
		}
	}
}

func TestInfobipWireFixtures(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	// Ids of Infobip's examples are UUIDs the server made; these are ours.
	const agent, queue = "c856e230-a8cd-498b-9996-42bbed35029a", "6f2e6c5a-e4ca-48c6-bc0a-d9c18479743a"
	conversationFields := func(over map[string]any) map[string]any {
		out := map[string]any{"id": anyID, "topic": "Topic", "summary": "Summary", "status": "OPEN", "priority": "HIGH",
			"queueId": queue, "agentId": agent, "createdAt": anyTime, "updatedAt": anyTime}
		for k, v := range over {
			out[k] = v
		}
		return out
	}

	t.Run("POST /agents", func(t *testing.T) {
		r := f.must(200, "POST", path("/agents"), map[string]any{"id": agent, "displayName": "Angus Young", "status": "ACTIVE", "role": "SUPERVISOR", "enabled": true})
		requireFields(t, map[string]any{"id": agent, "displayName": "Angus Young", "status": "ACTIVE", "role": "SUPERVISOR",
			"enabled": true, "createdAt": anyTime, "updatedAt": anyTime}, r.JSON(t))
	})
	t.Run("GET /agents", func(t *testing.T) {
		r := f.must(200, "GET", path("/agents"), nil)
		items := r.Items(t, "agents")
		require.Len(t, items, 1)
		requireFields(t, map[string]any{"id": agent, "displayName": "Angus Young"}, items[0])
		requireFields(t, map[string]any{"totalItems": 1.0, "page": 0.0, "limit": 10.0, "orderBy": "id:asc"}, r.Pagination(t))
	})
	t.Run("GET /agents/{id}", func(t *testing.T) {
		requireFields(t, map[string]any{"id": agent, "displayName": "Angus Young", "role": "SUPERVISOR"},
			f.must(200, "GET", path("/agents/%s", agent), nil).JSON(t))
	})
	t.Run("POST /queues", func(t *testing.T) {
		r := f.must(200, "POST", path("/queues"), map[string]any{"id": queue, "name": "Spanish Support"})
		requireFields(t, map[string]any{"id": queue, "name": "Spanish Support", "createdAt": anyTime, "updatedAt": anyTime}, r.JSON(t))
	})
	t.Run("GET /queues", func(t *testing.T) {
		items := f.must(200, "GET", path("/queues"), nil).Items(t, "queues")
		require.Len(t, items, 1)
		requireFields(t, map[string]any{"id": queue, "name": "Spanish Support"}, items[0])
	})
	t.Run("POST /queues/{id}/agents", func(t *testing.T) {
		requireFields(t, map[string]any{"statusCode": "SUCCESS", "message": "Agent added to queue successfully."},
			f.must(200, "POST", path("/queues/%s/agents", queue), map[string]any{"agentId": agent}).JSON(t))
	})

	var id string
	t.Run("POST /conversations", func(t *testing.T) {
		r := f.must(200, "POST", path("/conversations"), map[string]any{"topic": "Topic", "summary": "Summary", "status": "OPEN",
			"priority": "HIGH", "queueId": queue, "agentId": agent})
		got := r.JSON(t)
		requireFields(t, conversationFields(nil), got)
		id = got["id"].(string)
	})
	conv := path("/conversations/%s", id)
	t.Run("GET /conversations", func(t *testing.T) {
		r := f.must(200, "GET", path("/conversations?status=OPEN&priority=HIGH&queueIds=%s&agentId=%s&orderBy=id:asc", queue, agent), nil)
		items := r.Items(t, "conversations")
		require.Len(t, items, 1)
		requireFields(t, conversationFields(map[string]any{"id": id}), items[0])
		requireFields(t, map[string]any{"totalItems": 1.0, "page": 0.0, "limit": 10.0, "orderBy": "id:asc"}, r.Pagination(t))
	})
	t.Run("GET /conversations/{id}", func(t *testing.T) {
		requireFields(t, conversationFields(map[string]any{"id": id}), f.must(200, "GET", conv, nil).JSON(t))
	})
	t.Run("PUT /conversations/{id}", func(t *testing.T) {
		got := f.must(200, "PUT", conv, map[string]any{"topic": "Topic 2", "summary": "Summary", "status": "WAITING", "priority": "HIGH",
			"queueId": queue, "agentId": agent}).JSON(t)
		requireFields(t, conversationFields(map[string]any{"id": id, "topic": "Topic 2", "status": "WAITING"}), got)
	})
	t.Run("PATCH /conversations/{id}", func(t *testing.T) {
		got := f.must(200, "PATCH", conv, map[string]any{"status": "OPEN"}).JSON(t)
		requireFields(t, conversationFields(map[string]any{"id": id, "topic": "Topic 2"}), got)
	})
	t.Run("DELETE /conversations/{id}/assignee", func(t *testing.T) {
		got := f.must(200, "DELETE", conv+"/assignee", nil).JSON(t)
		requireFields(t, conversationFields(map[string]any{"id": id, "topic": "Topic 2", "agentId": nil}), got)
	})
	t.Run("PUT /conversations/{id}/assignee", func(t *testing.T) {
		got := f.must(200, "PUT", conv+"/assignee", map[string]any{"agentId": agent}).JSON(t)
		requireFields(t, conversationFields(map[string]any{"id": id, "topic": "Topic 2"}), got)
	})
	t.Run("POST /conversations/{id}/tags", func(t *testing.T) {
		require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Tag added to conversation successfully."},
			f.must(200, "POST", conv+"/tags", map[string]any{"tagName": "Tag_Name"}).JSON(t))
	})
	t.Run("GET /tags", func(t *testing.T) {
		r := f.must(200, "GET", path("/tags?conversationId=%s", id), nil)
		items := r.Items(t, "tags")
		require.Len(t, items, 1)
		requireFields(t, map[string]any{"name": "Tag_Name", "createdAt": anyTime, "updatedAt": anyTime}, items[0])
	})
	t.Run("DELETE /conversations/{id}/tags/{tagName}", func(t *testing.T) {
		require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Tag removed successfully."},
			f.must(200, "DELETE", conv+"/tags/Tag_Name", nil).JSON(t))
	})
	t.Run("POST /tags", func(t *testing.T) {
		requireFields(t, map[string]any{"name": "Tag.1", "createdAt": anyTime},
			f.must(200, "POST", path("/tags"), map[string]any{"name": "Tag.1"}).JSON(t))
		dup := f.do("POST", path("/tags"), map[string]any{"name": "Tag.1"})
		require.Equal(t, 400, dup.Status)
		requireFields(t, map[string]any{"statusCode": "ERROR", "message": "Tag already exists."}, dup.JSON(t))
	})
	t.Run("DELETE /tags/{name}", func(t *testing.T) {
		f.must(204, "DELETE", path("/tags/Tag.1"), nil)
	})
	t.Run("POST /conversations/{id}/messages", func(t *testing.T) {
		got := f.must(200, "POST", conv+"/messages", map[string]any{"from": "447492263897", "to": "44776333666", "channel": "SMS",
			"contentType": "TEXT", "content": map[string]any{"text": "Text content."}}, asAgent(agent)).JSON(t)
		requireFields(t, map[string]any{"id": anyID, "from": "447492263897", "to": "44776333666", "channel": "SMS", "direction": "OUTBOUND",
			"conversationId": id, "createdAt": anyTime, "updatedAt": anyTime, "contentType": "TEXT",
			"content": map[string]any{"text": "Text content."}}, got)
	})
	t.Run("GET /conversations/{id}/messages", func(t *testing.T) {
		r := f.must(200, "GET", conv+"/messages?direction=OUTBOUND&channel=SMS", nil)
		items := r.Items(t, "messages")
		require.Len(t, items, 1)
		requireFields(t, map[string]any{"channel": "SMS", "direction": "OUTBOUND", "conversationId": id, "contentType": "TEXT"}, items[0])
		requireFields(t, map[string]any{"totalItems": 1.0, "page": 0.0, "limit": 10.0}, r.Pagination(t))
	})
	t.Run("GET /conversations/{id}/simulate-routing", func(t *testing.T) {
		f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{map[string]any{"name": "all", "queueId": queue, "priority": "URGENT"}}})
		require.Equal(t, map[string]any{"id": id, "queueId": queue, "priority": "URGENT"},
			f.must(200, "GET", conv+"/simulate-routing", nil).JSON(t))
	})
	t.Run("POST /conversations/{id}/route", func(t *testing.T) {
		got := f.must(200, "POST", conv+"/route", nil).JSON(t)
		requireFields(t, conversationFields(map[string]any{"id": id, "topic": "Topic 2", "priority": "URGENT", "agentId": nil}), got)
	})
}

// TestInfobipQueueMembership checks Infobip's paths of queue membership,
// POST /agents/{id}/queues {"queueId"} and DELETE
// /agents/{id}/queues/{queueId}, with Infobip's SUCCESS answers.
func TestInfobipQueueMembership(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Agent added to queue successfully."},
		f.must(200, "POST", path("/agents/ann/queues"), map[string]any{"queueId": "billing"}).JSON(t))
	require.Equal(t, []any{"ann"}, f.must(200, "GET", path("/queues/billing"), nil).JSON(t)["members"])
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Agent removed from queue successfully."},
		f.must(200, "DELETE", path("/agents/ann/queues/billing"), nil).JSON(t))
	require.Equal(t, []any{}, f.must(200, "GET", path("/queues/billing"), nil).JSON(t)["members"])
	requireField(t, f.do("POST", path("/agents/ann/queues"), map[string]any{}), "queueId")
	requireError(t, f.do("POST", path("/agents/ann/queues"), map[string]any{"queueId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("DELETE", path("/agents/ann/queues/billing"), nil), 404, "NOT_FOUND")
}

// TestInfobipNotes checks POST and GET /conversations/{id}/notes in
// Infobip's documented shape: {"content", "agentId"} in; {"id",
// "conversationId", "agentId", "type": "INTERNAL", "content", "createdAt",
// "updatedAt"} out; a CLOSED conversation takes none.
func TestInfobipNotes(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	id := f.create(map[string]any{"agentId": "ann"})["id"].(string)
	notes := path("/conversations/%s/notes", id)

	r := f.must(200, "POST", notes, map[string]any{"content": "Note content", "agentId": "ann"})
	note := r.JSON(t)
	requireFields(t, map[string]any{"id": anyID, "conversationId": id, "agentId": "ann", "type": "INTERNAL",
		"content": "Note content", "createdAt": anyTime, "updatedAt": note["createdAt"]}, note)
	require.Len(t, note, 7, "Infobip's fields, no other: %v", note)
	require.Equal(t, path("/conversations/%s/notes/%s", id, note["id"]), r.Header.Get("Location"))
	require.Equal(t, note, f.must(200, "GET", r.Header.Get("Location"), nil).JSON(t), "GET of one note")
	// The agent may come from x-agent-id instead; type INTERNAL is taken.
	f.must(200, "POST", notes, map[string]any{"content": "Second", "type": "INTERNAL"}, asAgent("sam"))
	f.must(200, "POST", path("/conversations/%s/messages", id), map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "not a note"}})

	l := f.must(200, "GET", notes, nil)
	items := l.Items(t, "notes")
	require.Len(t, items, 2)
	require.Equal(t, note, items[0])
	requireFields(t, map[string]any{"agentId": "sam", "content": "Second", "type": "INTERNAL"}, items[1])
	requireFields(t, map[string]any{"totalItems": 2.0, "page": 0.0, "limit": 10.0, "orderBy": "createdAt:asc"}, l.Pagination(t))
	desc := f.must(200, "GET", notes+"?orderBy=createdAt:DESC&limit=1", nil).Items(t, "notes")
	require.Equal(t, "Second", desc[0]["content"])
	// A note is a private message of the conversation.
	msgs := f.must(200, "GET", path("/conversations/%s/messages", id), nil).Items(t, "messages")
	require.Len(t, msgs, 3)
	require.Equal(t, true, msgs[0]["private"])

	requireField(t, f.do("POST", notes, map[string]any{}), "content")
	requireField(t, f.do("POST", notes, map[string]any{"content": "x", "type": "ATTACHMENT"}), "content.attachments")
	requireField(t, f.do("POST", notes, map[string]any{"content": "x", "type": "JIRA_COMMENT"}), "type")
	requireField(t, f.do("POST", notes, map[string]any{"content": "x", "agentId": "bob"}, asAgent("sam")), "agentId")
	requireError(t, f.do("POST", notes, map[string]any{"content": "x", "agentId": "bob"}), 403, "FORBIDDEN")
	requireError(t, f.do("GET", path("/conversations/nope/notes"), nil), 404, "NOT_FOUND")
	f.must(200, "PATCH", path("/conversations/%s", id), map[string]any{"status": "CLOSED"})
	requireError(t, f.do("POST", notes, map[string]any{"content": "late", "agentId": "ann"}), 409, "CLOSED")
	require.Len(t, f.must(200, "GET", notes, nil).Items(t, "notes"), 2, "nothing refused was written")
}

// TestInfobipAttachmentNotes checks ATTACHMENT notes in the shape of
// Infobip's examples, GET of one note, and the refusals: each a 400 naming
// the field, with nothing written.
func TestInfobipAttachmentNotes(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		var opts []httpapi.Option
		if strict {
			opts = append(opts, httpapi.WithStrict())
		}
		f := setup(t, nil, opts...)
		f.seedPeople()
		id := f.create(map[string]any{"agentId": "ann"})["id"].(string)
		notes := path("/conversations/%s/notes", id)
		files := []any{
			map[string]any{"id": "12345"},
			map[string]any{"id": "56789", "fileName": "File 2 Name", "fileExtension": "png", "contentType": "image/png", "fileSize": 34.0, "publicLink": "https://www.url.com/assets/image1.png"},
		}
		r := f.must(200, "POST", notes, map[string]any{"type": "ATTACHMENT", "content": map[string]any{"text": "Note content", "attachments": files}, "agentId": "ann"})
		note := r.JSON(t)
		requireFields(t, map[string]any{"id": anyID, "conversationId": id, "agentId": "ann", "type": "ATTACHMENT",
			"createdAt": anyTime, "updatedAt": note["createdAt"]}, note)
		require.Equal(t, map[string]any{"text": "Note content", "attachments": files}, note["content"])
		require.Equal(t, note, f.must(200, "GET", r.Header.Get("Location"), nil).JSON(t))
		require.Equal(t, note, f.must(200, "GET", path("/conversations/%s/notes/%s", id, note["id"]), nil).JSON(t))

		// The type follows from the content when it is not given.
		inferred := f.must(200, "POST", notes, map[string]any{"content": map[string]any{"attachments": files[:1]}}, asAgent("ann")).JSON(t)
		require.Equal(t, "ATTACHMENT", inferred["type"])
		require.Equal(t, map[string]any{"text": "", "attachments": files[:1]}, inferred["content"])
		text := f.must(200, "POST", notes, map[string]any{"content": "plain"}, asAgent("ann")).JSON(t)
		require.Equal(t, "INTERNAL", text["type"])
		require.Equal(t, "plain", text["content"])

		items := f.must(200, "GET", notes, nil).Items(t, "notes")
		require.Equal(t, []any{"ATTACHMENT", "ATTACHMENT", "INTERNAL"}, []any{items[0]["type"], items[1]["type"], items[2]["type"]})
		msgs := f.must(200, "GET", path("/conversations/%s/messages", id), nil).Items(t, "messages")
		require.Equal(t, files, msgs[0]["content"].(map[string]any)["attachments"], "a note's files show among the messages too")

		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"type": "ATTACHMENT", "content": map[string]any{"text": "x"}}, "content.attachments"},
			{map[string]any{"type": "ATTACHMENT", "content": "x"}, "content.attachments"},
			{map[string]any{"type": "INTERNAL", "content": map[string]any{"text": "x", "attachments": files}}, "content"},
			{map[string]any{"type": "JIRA_COMMENT", "content": "x"}, "type"},
			{map[string]any{"type": "NOTE", "content": "x"}, "type"},
			{map[string]any{"content": map[string]any{"attachments": []any{map[string]any{"id": ""}}}}, "content.attachments[0].id"},
			{map[string]any{"content": map[string]any{"attachments": []any{map[string]any{"id": "f", "fileSize": -1}}}}, "content.attachments[0].fileSize"},
			{map[string]any{"content": 42}, "content"},
			{map[string]any{"content": ""}, "content"},
		} {
			r := f.do("POST", notes, tc.body, asAgent("ann"))
			requireField(t, r, tc.field)
		}
		// A message that is no note, and a note of another conversation, are
		// no note here.
		f.must(200, "POST", path("/conversations/%s/messages", id), map[string]any{"id": "in1", "direction": "INBOUND", "content": map[string]any{"text": "hi"}})
		requireError(t, f.do("GET", path("/conversations/%s/notes/in1", id), nil), 404, "NOT_FOUND", "noteId")
		other := f.create(map[string]any{})["id"].(string)
		requireError(t, f.do("GET", path("/conversations/%s/notes/%s", other, note["id"]), nil), 404, "NOT_FOUND", "noteId")
		requireError(t, f.do("GET", path("/conversations/nope/notes/%s", note["id"]), nil), 404, "NOT_FOUND", "conversationId")
		// Attachments belong to notes only.
		requireField(t, f.do("POST", path("/conversations/%s/messages", id), map[string]any{"content": map[string]any{"text": "x", "attachments": files}}, asAgent("ann")), "content.attachments")
		require.Len(t, f.must(200, "GET", notes, nil).Items(t, "notes"), 3, "nothing refused was written (strict %v)", strict)
	}
}
