package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage/storagetest"
)

// The entries of the recording routes in the tables the route tests read,
// kept beside the routes they describe.
func init() {
	maps.Copy(routeOperations, map[string]string{
		"GET " + voiceAPI + "/account-recording-config":           "AccountRecordingConfig",
		"PUT " + voiceAPI + "/account-recording-config":           "PutAccountRecordingConfig",
		"POST " + voiceAPI + "/account-recording-config":          "CreateAccountRecordingConfig",
		"GET " + voiceAPI + "/agent-recording-configs":            "AgentRecordingConfigs",
		"GET " + voiceAPI + "/agent-recording-configs/{agentId}":  "AgentRecordingConfig",
		"PUT " + voiceAPI + "/agent-recording-configs/{agentId}":  "PutAgentRecordingConfig",
		"POST " + voiceAPI + "/agent-recording-configs/{agentId}": "CreateAgentRecordingConfig",
		"GET " + voiceAPI + "/recording/metadata":                 "ListRecordings",
		"GET " + voiceAPI + "/recording/download/{recordingId}":   "OpenRecording",
		"POST " + voiceAPI + "/calls/{id}/recordings":             "ReportRecording",
		"GET " + voiceAPI + "/calls/{id}/recording-decision":      "RecordingDecision",
		"DELETE " + voiceAPI + "/recordings/{recordingId}":        "DeleteRecording",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"PUT " + voiceAPI + "/account-recording-config":           accountRecordingBody,
		"POST " + voiceAPI + "/account-recording-config":          accountRecordingBody,
		"PUT " + voiceAPI + "/agent-recording-configs/{agentId}":  agentRecordingBody,
		"POST " + voiceAPI + "/agent-recording-configs/{agentId}": agentRecordingBody,
		"POST " + voiceAPI + "/calls/{id}/recordings":             reportBody,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"GET " + voiceAPI + "/account-recording-config": nil,
		"PUT " + voiceAPI + "/account-recording-config": {
			{400, "INVALID", voiceAPI + "/account-recording-config", `{"inbound": true}`, ""},
		},
		"POST " + voiceAPI + "/account-recording-config": {
			{400, "INVALID", voiceAPI + "/account-recording-config", `{"mediaType": "AUDIO"}`, ""},
		},
		"GET " + voiceAPI + "/agent-recording-configs": {
			{400, "INVALID", voiceAPI + "/agent-recording-configs?agentIds=a%0Ab", "", ""},
		},
		"GET " + voiceAPI + "/agent-recording-configs/{agentId}": {
			{404, "NOT_FOUND", voiceAPI + "/agent-recording-configs/nope", "", ""},
		},
		"PUT " + voiceAPI + "/agent-recording-configs/{agentId}": {
			{404, "NOT_FOUND", voiceAPI + "/agent-recording-configs/nope", agentRecordingBody, ""},
			{400, "INVALID", voiceAPI + "/agent-recording-configs/ann", `{"mediaType": "VIDEO", "inbound": true}`, ""},
		},
		"POST " + voiceAPI + "/agent-recording-configs/{agentId}": {
			{404, "NOT_FOUND", voiceAPI + "/agent-recording-configs/nope", agentRecordingBody, ""},
		},
		"GET " + voiceAPI + "/recording/metadata": {
			{400, "INVALID", voiceAPI + "/recording/metadata?size=1000", "", ""},
		},
		"GET " + voiceAPI + "/recording/download/{recordingId}": {
			{404, "NOT_FOUND", voiceAPI + "/recording/download/nope", "", ""},
		},
		"POST " + voiceAPI + "/calls/{id}/recordings": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/recordings", reportBody, ""},
			{400, "INVALID", voiceAPI + "/calls/k1/recordings", `{"recordingId": "r9"}`, ""},
		},
		"GET " + voiceAPI + "/calls/{id}/recording-decision": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/recording-decision", "", ""},
		},
		"DELETE " + voiceAPI + "/recordings/{recordingId}": {
			{404, "NOT_FOUND", voiceAPI + "/recordings/nope", "", ""},
		},
	})
}

const (
	accountRecordingBody = `{"inbound": true, "outbound": false, "autoCompose": true, "mediaType": "AUDIO_AND_VIDEO", "enabled": true}`
	agentRecordingBody   = `{"inbound": false, "outbound": true, "mediaType": "AUDIO", "useDefault": false, "enabled": true}`
	reportBody           = `{"recordingId": "rec2", "recordingStatus": "SUCCESSFUL", "filename": "rec2.wav", "mediaType": "AUDIO",
		"startedAt": 1686585221999, "duration": 28, "participantType": "CUSTOMER", "participantName": "Customer 1"}`
)

// recT0 is the recording tests' clock and the seeded recording's start.
var recT0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// seededRecordingFile is the file of recording rec1 that seedRecordings
// reports: JSON text, as the body tests read every answer as JSON.
const seededRecordingFile = `{"audio": "not really"}`

// seedRecordings reports recording rec1 of call k1 (seedCalls).
func seedRecordings(t *testing.T, svc *parley.Service) {
	t.Helper()
	_, err := svc.ReportRecording(context.Background(), recording.Metadata{RecordingID: "rec1", CallID: "k1",
		RecordingStatus: recording.Successful, Filename: "rec1.wav", MediaType: recording.Audio, StartedAt: recT0})
	require.NoError(t, err)
}

// seededRecordingFiles holds the file of rec1.
func seededRecordingFiles() parley.RecordingFiles {
	return storagetest.NewFakeRecordingFiles(map[string][]byte{"rec1": []byte(seededRecordingFile)})
}

// recordingFixture is a handler over a seeded store with files, and the
// files.
func recordingFixture(t *testing.T) (http.Handler, *storagetest.FakeRecordingFiles) {
	t.Helper()
	files := storagetest.NewFakeRecordingFiles(map[string][]byte{"rec1": []byte("0123456789")})
	now := recT0
	svc := parley.New(seededStore(t), parley.WithRecordingFiles(files), parley.WithClock(func() time.Time { return now }))
	return New(svc), files
}

func send(t *testing.T, h http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestRecordingConfigsOverHTTP: the account's and an agent's
// configuration in Infobip's shapes, their defaults, POST on an existing
// one, and the refusals.
func TestRecordingConfigsOverHTTP(t *testing.T) {
	t.Parallel()
	h, _ := recordingFixture(t)
	acct := voiceAPI + "/account-recording-config"
	got := doJSON(t, h, http.MethodGet, acct, "", http.StatusOK)
	require.Equal(t, map[string]any{"inbound": true, "outbound": true, "autoCompose": false, "mediaType": "AUDIO",
		"enabled": false, "enabledChangedAt": nil}, got, "the default, which records nothing")

	bad := doJSON(t, h, http.MethodPut, acct, `{"inbound": true}`, http.StatusBadRequest)
	require.Equal(t, "mediaType", bad["field"])
	require.Equal(t, "invalid mediaType: Missing Media Type", bad["message"])
	bad = doJSON(t, h, http.MethodPost, acct, `{"mediaType": "AUDIO", "enabled": true}`, http.StatusBadRequest)
	require.Equal(t, "inbound", bad["field"])

	got = doJSON(t, h, http.MethodPost, acct, accountRecordingBody, http.StatusOK)
	require.Equal(t, map[string]any{"inbound": true, "outbound": false, "autoCompose": true, "mediaType": "AUDIO_AND_VIDEO",
		"enabled": true, "enabledChangedAt": float64(recT0.UnixMilli())}, got)
	dup := doJSON(t, h, http.MethodPost, acct, accountRecordingBody, http.StatusBadRequest)
	require.Equal(t, "Account recording config already exists!", dup["message"])
	require.Equal(t, "ALREADY_EXISTS", dup["code"])
	got = doJSON(t, h, http.MethodPut, acct, `{"outbound": true, "mediaType": "AUDIO", "enabled": true}`, http.StatusOK)
	require.Equal(t, false, got["inbound"])
	require.Equal(t, true, got["outbound"])
	require.Equal(t, doJSON(t, h, http.MethodGet, acct, "", http.StatusOK), got)

	agent := voiceAPI + "/agent-recording-configs/ann"
	got = doJSON(t, h, http.MethodGet, agent, "", http.StatusOK)
	require.Equal(t, map[string]any{"agentId": "ann", "inbound": true, "outbound": true, "mediaType": "AUDIO",
		"useDefault": true, "enabled": false, "enabledChangedAt": nil}, got, "an agent without one follows the account")
	none := doJSON(t, h, http.MethodGet, voiceAPI+"/agent-recording-configs/nobody", "", http.StatusNotFound)
	require.Equal(t, `No agent found with id="nobody"`, none["message"])
	none = doJSON(t, h, http.MethodPut, voiceAPI+"/agent-recording-configs/nobody", agentRecordingBody, http.StatusNotFound)
	require.Equal(t, `No agent found with id="nobody"`, none["message"])
	bad = doJSON(t, h, http.MethodPut, agent, `{"mediaType": "AUDIO", "useDefault": true}`, http.StatusBadRequest)
	require.Equal(t, "inbound", bad["field"])

	got = doJSON(t, h, http.MethodPost, agent, agentRecordingBody, http.StatusOK)
	require.Equal(t, map[string]any{"agentId": "ann", "inbound": false, "outbound": true, "mediaType": "AUDIO",
		"useDefault": false, "enabled": true, "enabledChangedAt": float64(recT0.UnixMilli())}, got)
	dup = doJSON(t, h, http.MethodPost, agent, agentRecordingBody, http.StatusBadRequest)
	require.Equal(t, "Agent recording config already exists!", dup["message"])
	doJSON(t, h, http.MethodPut, voiceAPI+"/agent-recording-configs/sam", `{"agentId": "ignored", "inbound": true, "mediaType": "AUDIO", "useDefault": true}`, http.StatusOK)

	rec := send(t, h, http.MethodGet, voiceAPI+"/agent-recording-configs?agentIds=sam,nobody&agentIds=ann", "")
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list, 2)
	require.Equal(t, "ann", list[0]["agentId"])
	require.Equal(t, "sam", list[1]["agentId"])
	require.Equal(t, true, list[1]["useDefault"])

	decision := doJSON(t, h, http.MethodGet, voiceAPI+"/calls/k1/recording-decision", "", http.StatusOK)
	require.Equal(t, map[string]any{"record": false, "mediaType": nil, "autoCompose": false, "source": "AGENT"}, decision,
		"k1 is an inbound call of ann, whose own configuration records outbound only")
}

// TestRecordingMetadataOverHTTP: the host reports recordings; Infobip's
// list filters and pages them; deletion marks them.
func TestRecordingMetadataOverHTTP(t *testing.T) {
	t.Parallel()
	h, files := recordingFixture(t)
	got := doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k1/recordings", reportBody, http.StatusOK)
	require.Equal(t, "rec2", got["recordingId"])
	require.Equal(t, "INBOUND", got["direction"], "the call's")
	require.Equal(t, float64(1686585221999), got["startedAt"])
	require.Nil(t, got["deletedAt"])
	require.Nil(t, got["conferenceId"])
	bad := doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k1/recordings", `{"recordingId": "r3", "recordingStatus": "SUCCESSFUL", "filename": "x", "mediaType": "AUDIO", "startedAt": 1, "duration": -4}`, http.StatusBadRequest)
	require.Equal(t, "duration", bad["field"])
	bad = doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k1/recordings", `{"recordingId": "r3", "recordingStatus": "SUCCESSFUL", "mediaType": "AUDIO", "startedAt": 1}`, http.StatusBadRequest)
	require.Equal(t, "filename", bad["field"])

	list := doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata?callId=k1&sortBy=startedAt&sortDirection=ASC&size=1", "", http.StatusOK)
	require.Equal(t, float64(2), list["total"])
	require.Equal(t, float64(2), list["totalPages"])
	elements := list["elements"].([]any)
	require.Len(t, elements, 1)
	require.Equal(t, "rec2", elements[0].(map[string]any)["recordingId"], "2023 before the seeded 2026")
	list = doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata?startedAtFrom=1686585222000&participantName=", "", http.StatusOK)
	require.Equal(t, float64(1), list["total"])
	require.Equal(t, "rec1", list["elements"].([]any)[0].(map[string]any)["recordingId"])
	list = doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata?durationFrom=28&durationTo=28&mediaType=AUDIO&direction=INBOUND", "", http.StatusOK)
	require.Equal(t, float64(1), list["total"])
	for query, field := range map[string]string{
		"size=0": "size", "size=1000": "size", "page=-1": "page", "sortBy=recordingStatus": "sortBy",
		"durationFrom=x": "durationFrom", "startedAtTo=-1": "startedAtTo", "mediaType=VIDEO": "mediaType",
		"sortDirection=UP": "sortDirection", "callId=a&callId=b": "callId",
	} {
		bad := doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata?"+query, "", http.StatusBadRequest)
		require.Equal(t, field, bad["field"], query)
	}

	deleted := doJSON(t, h, http.MethodDelete, voiceAPI+"/recordings/rec1", "", http.StatusOK)
	require.Equal(t, float64(recT0.UnixMilli()), deleted["deletedAt"])
	require.Equal(t, []string{"rec1"}, files.Deleted())
	list = doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata?deletedAtFrom=0", "", http.StatusOK)
	require.Equal(t, float64(1), list["total"])
	missing := doJSON(t, h, http.MethodGet, voiceAPI+"/recording/download/rec1", "", http.StatusNotFound)
	require.Equal(t, `Recording file "rec1" not found!`, missing["message"])
	again := doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k1/recordings", strings.Replace(reportBody, "rec2", "rec1", 1), http.StatusConflict)
	require.Equal(t, "CONFLICT", again["code"])
}

// TestRecordingDownloadRange: the whole file, a range (206 with its
// headers), several ranges, a malformed Range (400) and one beyond the
// file (416).
func TestRecordingDownloadRange(t *testing.T) {
	t.Parallel()
	h, _ := recordingFixture(t)
	path := voiceAPI + "/recording/download/rec1"

	rec := send(t, h, http.MethodGet, path, "")
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	require.Equal(t, "0123456789", rec.Body.String())
	require.Equal(t, "application/octet-stream", rec.Header().Get("Content-Type"))
	require.Equal(t, "10", rec.Header().Get("Content-Length"))
	require.Equal(t, "bytes", rec.Header().Get("Accept-Ranges"))
	require.Equal(t, `attachment; filename=rec1.wav`, rec.Header().Get("Content-Disposition"))

	rec = send(t, h, http.MethodGet, path, "", "Range", "bytes=2-5")
	require.Equal(t, http.StatusPartialContent, rec.Code, "%s", rec.Body)
	require.Equal(t, "2345", rec.Body.String())
	require.Equal(t, "bytes 2-5/10", rec.Header().Get("Content-Range"))
	require.Equal(t, "4", rec.Header().Get("Content-Length"))

	rec = send(t, h, http.MethodGet, path, "", "Range", "bytes=-3")
	require.Equal(t, http.StatusPartialContent, rec.Code)
	require.Equal(t, "789", rec.Body.String())
	require.Equal(t, "bytes 7-9/10", rec.Header().Get("Content-Range"))

	rec = send(t, h, http.MethodGet, path, "", "Range", "bytes=8-")
	require.Equal(t, http.StatusPartialContent, rec.Code)
	require.Equal(t, "89", rec.Body.String())

	rec = send(t, h, http.MethodGet, path, "", "Range", "bytes=0-1,5-6")
	require.Equal(t, http.StatusPartialContent, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "multipart/byteranges"), rec.Header().Get("Content-Type"))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	require.Contains(t, string(body), "Content-Range: bytes 0-1/10")
	require.Contains(t, string(body), "Content-Range: bytes 5-6/10")

	rec = send(t, h, http.MethodGet, path, "", "Range", "bytes=10-20")
	require.Equal(t, http.StatusRequestedRangeNotSatisfiable, rec.Code, "%s", rec.Body)
	require.Equal(t, "bytes */10", rec.Header().Get("Content-Range"))
	var e map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	require.Equal(t, "Range", e["field"])

	for _, bad := range []string{"items=0-1", "bytes=5-2", "bytes=x-1", "bytes=-", "bytes=1", "bytes=+1-2"} {
		rec = send(t, h, http.MethodGet, path, "", "Range", bad)
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", bad, rec.Body)
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
		require.Equal(t, "Range", e["field"], bad)
		require.Equal(t, "invalid Range: Invalid range header format", e["message"], bad)
	}
}

// TestRecordingsDeletedWithTheirConversation: deleting a conversation over
// HTTP deletes its recordings' metadata and files.
func TestRecordingsDeletedWithTheirConversation(t *testing.T) {
	t.Parallel()
	files := storagetest.NewFakeRecordingFiles(nil)
	svc := parley.New(memstore.New(), parley.WithRecordingFiles(files))
	h := New(svc)
	call := doJSON(t, h, http.MethodPost, voiceAPI+"/calls", `{"customerId": "cu1", "from": "+1", "to": "+2"}`, http.StatusOK)
	id, conv := call["id"].(string), call["conversationId"].(string)
	doJSON(t, h, http.MethodPost, voiceAPI+"/calls/"+id+"/recordings", reportBody, http.StatusOK)
	rec := send(t, h, http.MethodDelete, "/ccaas/1/conversations/"+conv, "")
	require.Equal(t, http.StatusNoContent, rec.Code, "%s", rec.Body)
	list := doJSON(t, h, http.MethodGet, voiceAPI+"/recording/metadata", "", http.StatusOK)
	require.Equal(t, float64(0), list["total"])
	require.Equal(t, []string{"rec2"}, files.Deleted())
}
