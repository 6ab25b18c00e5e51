package httpapi

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

const holdAPI = voiceAPI + "/hold-configs-per-queue"

// The entries of the hold-configuration routes in the tables the route
// tests read, kept beside the routes they describe.
func init() {
	maps.Copy(routeOperations, map[string]string{
		"GET " + holdAPI:              "ListHoldConfigs",
		"POST " + holdAPI:             "CreateHoldConfig",
		"GET " + holdAPI + "/{id}":    "GetHoldConfig",
		"PUT " + holdAPI + "/{id}":    "ReplaceHoldConfig",
		"DELETE " + holdAPI + "/{id}": "DeleteHoldConfig",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"POST " + holdAPI:          `{"name": "Billing hold", "queueIds": ["q2"]}`,
		"PUT " + holdAPI + "/{id}": `{"name": "Support hold", "queueIds": ["q1"]}`,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"GET " + holdAPI: {
			{400, "INVALID", holdAPI + "?pageSize=2001", "", ""},
			{400, "INVALID", holdAPI + "?sortDirection=DESC", "", ""},
		},
		"POST " + holdAPI: {
			{400, "INVALID", holdAPI, `{"queueIds": ["q2"]}`, ""},
			{404, "NOT_FOUND", holdAPI, `{"name": "x", "queueIds": ["nope"]}`, ""},
			{409, "CONFLICT", holdAPI, `{"name": "x", "queueIds": ["q1"]}`, ""},
		},
		"GET " + holdAPI + "/{id}": {
			{404, "NOT_FOUND", holdAPI + "/nope", "", ""},
		},
		"PUT " + holdAPI + "/{id}": {
			{404, "NOT_FOUND", holdAPI + "/nope", `{"name": "x", "queueIds": ["q2"]}`, ""},
			{400, "INVALID", holdAPI + "/k1", `{"name": "", "queueIds": ["q1"]}`, ""},
		},
		"DELETE " + holdAPI + "/{id}": {
			{404, "NOT_FOUND", holdAPI + "/nope", "", ""},
		},
	})
}

// seedHoldConfigs adds hold configuration k1 (the id the voice routes'
// tests fill in) of queue q1.
func seedHoldConfigs(t *testing.T, svc *parley.Service) {
	t.Helper()
	_, err := svc.CreateHoldConfig(context.Background(), call.HoldConfig{ID: "k1", Name: "Support hold", QueueIDs: []string{"q1"}, Enabled: true,
		OnHoldMusic: audio.Music{Enabled: true, UseDefault: true}})
	require.NoError(t, err)
}

// holdConfigJSONIn is Infobip's own example body, with queues of this
// test.
const holdConfigJSONIn = `{"name": "Hold Config Name",
	"onHoldMusic": {"enabled": true, "useDefault": false, "fileAudioSource": {"fileDescriptor": "eea6b505-6e67-420a-b1a2-2307fafb1124"}},
	"announcementMessage": {"enabled": true, "audioSourceType": "TTS",
		"ttsAudioSource": {"text": "Hello this a text to speech message", "language": "English", "voice": {"name": "Test", "gender": "FEMALE"}, "speechRate": 1.0},
		"repeatInterval": {"unit": "MINUTES", "value": 2}},
	"default": false, "enabled": true, "queueIds": ["q1", "q2"]}`

// TestHoldConfigsOverHTTP creates, lists, reads, replaces and deletes hold
// configurations in Infobip's shapes, and checks the refusals.
func TestHoldConfigsOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC)
	svc := parley.New(memstore.New(), parley.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for _, id := range []string{"q1", "q2", "q3"} {
		_, err := svc.CreateQueue(ctx, routing.Queue{ID: id, Name: "Queue " + id})
		require.NoError(t, err)
	}
	h := New(svc)
	created := doJSON(t, h, http.MethodPost, holdAPI, holdConfigJSONIn, http.StatusOK)
	id, _ := created["id"].(string)
	require.NotEmpty(t, id)
	delete(created, "id")
	require.Equal(t, map[string]any{
		"name":        "Hold Config Name",
		"onHoldMusic": map[string]any{"enabled": true, "useDefault": false, "fileAudioSource": map[string]any{"fileDescriptor": "eea6b505-6e67-420a-b1a2-2307fafb1124"}},
		"announcementMessage": map[string]any{"enabled": true, "audioSourceType": "TTS",
			"ttsAudioSource": map[string]any{"text": "Hello this a text to speech message", "language": "English", "isLanguageSelectedManually": false,
				"voice": map[string]any{"name": "Test", "gender": "FEMALE"}, "speechRate": 1.0},
			"repeatInterval": map[string]any{"unit": "MINUTES", "value": float64(2)}},
		"queueIds": []any{"q1", "q2"}, "enabled": true, "default": false,
		"createdAt": "2026-03-27T07:30:00.000+00:00", "updatedAt": "2026-03-27T07:30:00.000+00:00",
	}, created)

	got := doJSON(t, h, http.MethodGet, holdAPI+"/"+id, "", http.StatusOK)
	require.Equal(t, "Hold Config Name", got["name"])

	// Infobip's example names the interval "duration": accepted too.
	def := doJSON(t, h, http.MethodPost, holdAPI, `{"id": "0-def", "name": "Default", "queueIds": [], "default": true,
		"announcementMessage": {"enabled": true, "audioSourceType": "FILE", "fileAudioSource": {"fileDescriptor": "f"}, "duration": {"unit": "SECONDS", "value": 45}}}`, http.StatusOK)
	require.Equal(t, map[string]any{"unit": "SECONDS", "value": float64(45)}, def["announcementMessage"].(map[string]any)["repeatInterval"])
	require.Equal(t, map[string]any{"enabled": false, "useDefault": true}, def["onHoldMusic"], "no music given: off")

	bad := doJSON(t, h, http.MethodPost, holdAPI, `{"name": "`+strings.Repeat("n", 129)+`", "queueIds": ["q3"]}`, http.StatusBadRequest)
	require.Equal(t, "name", bad["field"])
	bad = doJSON(t, h, http.MethodPost, holdAPI, `{"name": "x", "queueIds": []}`, http.StatusBadRequest)
	require.Equal(t, "queueIds", bad["field"])
	bad = doJSON(t, h, http.MethodPost, holdAPI, `{"name": "x", "queueIds": ["q3"], "default": true}`, http.StatusConflict)
	require.Equal(t, "CONFLICT", bad["code"])
	bad = doJSON(t, h, http.MethodPost, holdAPI, `{"name": "x", "queueIds": ["q2"]}`, http.StatusConflict)
	require.Equal(t, "CONFLICT", bad["code"])
	bad = doJSON(t, h, http.MethodPut, holdAPI+"/"+id, `{"id": "other", "name": "x", "queueIds": ["q1"]}`, http.StatusBadRequest)
	require.Equal(t, "id", bad["field"])

	now = now.Add(time.Minute)
	replaced := doJSON(t, h, http.MethodPut, holdAPI+"/"+id, `{"name": "Support", "queueIds": ["q1"], "enabled": false}`, http.StatusOK)
	require.Equal(t, "Support", replaced["name"])
	require.Equal(t, false, replaced["enabled"])
	require.Equal(t, "2026-03-27T07:30:00.000+00:00", replaced["createdAt"])
	require.Equal(t, "2026-03-27T07:31:00.000+00:00", replaced["updatedAt"])
	cfg, err := svc.HoldConfigFor(ctx, "q1")
	require.NoError(t, err)
	require.Equal(t, "0-def", cfg.ID, "the disabled one does not apply")

	page := doJSON(t, h, http.MethodGet, holdAPI+"?pageNumber=0&pageSize=1&sortBy=id&sortDirection=asc", "", http.StatusOK)
	require.Equal(t, float64(2), page["total"])
	require.Equal(t, float64(2), page["totalPages"])
	require.Len(t, page["elements"], 1)
	require.Equal(t, "0-def", page["elements"].([]any)[0].(map[string]any)["id"])
	page = doJSON(t, h, http.MethodGet, holdAPI+"?pageNumber=1&pageSize=1", "", http.StatusOK)
	require.Equal(t, id, page["elements"].([]any)[0].(map[string]any)["id"])

	deleted := doJSON(t, h, http.MethodDelete, holdAPI+"/"+id, "", http.StatusOK)
	require.Equal(t, map[string]any{"status": "SUCCESS", "message": "Hold Configuration deleted."}, deleted)
	doJSON(t, h, http.MethodGet, holdAPI+"/"+id, "", http.StatusNotFound)
	list, err := svc.ListHoldConfigs(ctx, storage.HoldConfigQuery{})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
}
