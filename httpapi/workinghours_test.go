package httpapi

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
)

// The entries of the working-hours routes in the tables the route tests
// read, kept beside the routes they describe.
func init() {
	maps.Copy(routeOperations, map[string]string{
		"POST /working-hours":                  "CreateWorkingHours",
		"GET /working-hours":                   "ListWorkingHours",
		"GET /working-hours/{id}":              "GetWorkingHours",
		"PUT /working-hours/{id}":              "ReplaceWorkingHours",
		"DELETE /working-hours/{id}":           "DeleteWorkingHours",
		"GET /working-hours/{id}/status":       "WorkingHoursStatus",
		"GET " + voiceAPI + "/transfer/queues": "QueueActivity",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"POST /working-hours":     officeHoursJSON,
		"PUT /working-hours/{id}": officeHoursJSON,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"POST /working-hours": {
			{400, "INVALID", "/working-hours", `{"name": "x", "timezone": "Mars/Olympus", "message": "", "workWeek": {}}`, ""},
			{409, "ALREADY_EXISTS", "/working-hours", `{"id": "wh1", ` + officeHoursJSON[1:], ""},
		},
		"GET /working-hours": nil,
		"GET /working-hours/{id}": {
			{404, "NOT_FOUND", "/working-hours/nope", "", ""},
		},
		"PUT /working-hours/{id}": {
			{404, "NOT_FOUND", "/working-hours/nope", officeHoursJSON, ""},
			{400, "INVALID", "/working-hours/wh1", `{"name": "x"}`, ""},
		},
		"DELETE /working-hours/{id}": {
			{404, "NOT_FOUND", "/working-hours/nope", "", ""},
			{409, "CONFLICT", "/working-hours/wh2", "", ""},
		},
		"GET /working-hours/{id}/status": {
			{404, "NOT_FOUND", "/working-hours/nope/status", "", ""},
		},
		"GET " + voiceAPI + "/transfer/queues": {
			{400, "INVALID", voiceAPI + "/transfer/queues?size=2001", "", ""},
		},
	})
}

// officeHoursJSON is 09:00..17:00 in Zagreb on weekdays.
const officeHoursJSON = `{"name": "Office", "timezone": "Europe/Zagreb", "message": "We are closed.",
	"workWeek": {
		"MONDAY": {"startTime": 540, "endTime": 1020, "enabled": true},
		"TUESDAY": {"startTime": 540, "endTime": 1020, "enabled": true},
		"WEDNESDAY": {"startTime": 540, "endTime": 1020, "enabled": true},
		"THURSDAY": {"startTime": 540, "endTime": 1020, "enabled": true},
		"FRIDAY": {"startTime": 540, "endTime": 1020, "enabled": true},
		"SATURDAY": {"startTime": 0, "endTime": 1440, "enabled": false},
		"SUNDAY": {"startTime": 0, "endTime": 1440, "enabled": false}},
	"holidays": [{"name": "Easter Monday", "startDate": "2026-04-06", "endDate": "2026-04-06", "enabled": true}]}`

func officeHours(id string) schedule.WorkingHours {
	week := map[schedule.Weekday]schedule.DailyHours{}
	for _, d := range schedule.Weekdays {
		week[d] = schedule.DailyHours{StartTime: 540, EndTime: 1020, Enabled: d != schedule.Saturday && d != schedule.Sunday}
	}
	return schedule.WorkingHours{ID: id, Name: "Office " + id, Timezone: "Europe/Zagreb", Message: "Closed.", WorkWeek: week, Enabled: true}
}

// seedWorkingHours adds working hours wh1, which nothing names, and wh2,
// which queue q2 follows, each with holiday wh1.
func seedWorkingHours(t *testing.T, svc *parley.Service) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"wh1", "wh2"} {
		w := officeHours(id)
		// A holiday with the id the holiday routes' tests fill in.
		w.Holidays = []schedule.Holiday{{ID: "wh1", Name: "New Year's Day", StartDate: schedule.Date{Year: 2027, Month: 1, Day: 1}, Enabled: true}}
		_, err := svc.CreateWorkingHours(ctx, w)
		require.NoError(t, err)
	}
	wh := "wh2"
	_, err := svc.UpdateQueue(ctx, "q2", routing.QueuePatch{WorkingHoursID: &wh})
	require.NoError(t, err)
}

// TestWorkingHoursOverHTTP creates working hours, reads their status on
// either side of the daylight-saving change, lets a queue follow them and
// lists the queues' activity, in Infobip's shapes.
func TestWorkingHoursOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC) // 08:30 in Zagreb, winter time
	svc := parley.New(memstore.New(), parley.WithClock(func() time.Time { return now }))
	h := New(svc)
	created := doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours", officeHoursJSON, http.StatusOK)
	id, _ := created["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, "Europe/Zagreb", created["timezone"])
	require.Equal(t, map[string]any{"startTime": float64(540), "endTime": float64(1020), "enabled": true}, created["workWeek"].(map[string]any)["MONDAY"])
	require.Equal(t, "2026-04-06", created["holidays"].([]any)[0].(map[string]any)["startDate"])

	status := doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours/"+id+"/status", "", http.StatusOK)
	require.Equal(t, map[string]any{"status": "OUTSIDE_OF_WORKING_HOURS"}, status)
	now = time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC) // 09:30, summer time
	status = doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours/"+id+"/status", "", http.StatusOK)
	require.Equal(t, map[string]any{"status": "INSIDE_OF_WORKING_HOURS"}, status)

	doJSON(t, h, http.MethodPost, "/ccaas/1/queues", `{"id": "q", "name": "Support", "isAutoAssignmentEnabled": true, "workingHoursId": "`+id+`"}`, http.StatusOK)
	act := doJSON(t, h, http.MethodGet, "/ccaas/voice/2/transfer/queues?page=0&size=10", "", http.StatusOK)
	require.Equal(t, map[string]any{
		"elements":   []any{map[string]any{"queueId": "q", "queueName": "Support", "active": true, "autoAssignmentEnabled": true}},
		"total":      float64(1),
		"totalPages": float64(1),
	}, act)

	list := doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours", "", http.StatusOK)
	require.Len(t, list["workingHours"], 1)
	bad := doJSON(t, h, http.MethodDelete, "/ccaas/1/working-hours/"+id, "", http.StatusConflict)
	require.Equal(t, "CONFLICT", bad["code"])
	doJSON(t, h, http.MethodPatch, "/ccaas/1/queues/q", `{"workingHoursId": null}`, http.StatusOK)
	deleted := doJSON(t, h, http.MethodDelete, "/ccaas/1/working-hours/"+id, "", http.StatusOK)
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Working hours has been deleted."}, deleted)
}

// doJSON sends a request to h and checks the status; it returns the JSON
// object answered.
func doJSON(t *testing.T, h http.Handler, method, path, body string, status int) map[string]any {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, status, rec.Code, "%s %s: %s", method, path, rec.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "%s", rec.Body)
	return m
}
