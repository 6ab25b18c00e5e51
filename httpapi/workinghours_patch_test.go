package httpapi

import (
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
)

// The entries of the partial update and holiday routes in the tables the
// route tests read, kept beside the routes they describe.
func init() {
	maps.Copy(routeOperations, map[string]string{
		"PATCH /working-hours/{id}":                           "PatchWorkingHours",
		"POST /working-hours/{workingHoursId}/holiday":        "AddHoliday",
		"DELETE /working-hours/{workingHoursId}/holiday/{id}": "DeleteHoliday",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"PATCH /working-hours/{id}":                    `{"name": "Renamed"}`,
		"POST /working-hours/{workingHoursId}/holiday": `{"name": "New Year's Day", "startDate": "2027-01-01"}`,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"PATCH /working-hours/{id}": {
			{404, "NOT_FOUND", "/working-hours/nope", `{"name": "x"}`, ""},
			{400, "INVALID", "/working-hours/wh1", `{"timezone": "Mars/Olympus"}`, ""},
		},
		"POST /working-hours/{workingHoursId}/holiday": {
			{404, "NOT_FOUND", "/working-hours/nope/holiday", `{"name": "x", "startDate": "2027-01-01"}`, ""},
			{400, "INVALID", "/working-hours/wh1/holiday", `{"name": "x", "startDate": "2027-13-01"}`, ""},
			{409, "ALREADY_EXISTS", "/working-hours/wh1/holiday", `{"id": "wh1", "name": "x", "startDate": "2027-01-01"}`, ""},
		},
		"DELETE /working-hours/{workingHoursId}/holiday/{id}": {
			{404, "NOT_FOUND", "/working-hours/wh1/holiday/nope", "", ""},
		},
	})
}

// TestWorkingHoursPatchAndHolidaysOverHTTP changes working hours in part,
// and adds and deletes a holiday, in Infobip's shapes.
func TestWorkingHoursPatchAndHolidaysOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC) // Monday 09:30 in Zagreb
	svc := parley.New(memstore.New(), parley.WithClock(func() time.Time { return now }))
	h := New(svc)
	created := doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours", officeHoursJSON, http.StatusOK)
	id := created["id"].(string)

	patched := doJSON(t, h, http.MethodPatch, "/ccaas/1/working-hours/"+id,
		`{"name": "Renamed", "workWeek": {"SATURDAY": {"startTime": 600, "endTime": 840, "enabled": true}}}`, http.StatusOK)
	require.Equal(t, "Renamed", patched["name"])
	require.Equal(t, "Europe/Zagreb", patched["timezone"], "kept")
	week := patched["workWeek"].(map[string]any)
	require.Equal(t, map[string]any{"startTime": float64(600), "endTime": float64(840), "enabled": true}, week["SATURDAY"])
	require.Equal(t, map[string]any{"startTime": float64(540), "endTime": float64(1020), "enabled": true}, week["MONDAY"], "kept")
	require.Len(t, patched["holidays"], 1, "kept")
	bad := doJSON(t, h, http.MethodPatch, "/ccaas/1/working-hours/"+id, `{"name": null}`, http.StatusBadRequest)
	require.Equal(t, "name", bad["field"])
	bad = doJSON(t, h, http.MethodPatch, "/ccaas/1/working-hours/"+id, `{"workWeek": {"MONDAY": {"startTime": 0}}}`, http.StatusBadRequest)
	require.Equal(t, "workWeek.MONDAY.endTime", bad["field"])

	withHoliday := doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours/"+id+"/holiday",
		`{"name": "Closed for training", "startDate": "2026-03-30", "endDate": "2026-03-31"}`, http.StatusOK)
	hols := withHoliday["holidays"].([]any)
	require.Len(t, hols, 2)
	added := hols[1].(map[string]any)
	require.Equal(t, "Closed for training", added["name"])
	require.Equal(t, "2026-03-31", added["endDate"])
	require.Equal(t, true, added["enabled"])
	holID, _ := added["id"].(string)
	require.NotEmpty(t, holID)
	status := doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours/"+id+"/status", "", http.StatusOK)
	require.Equal(t, "OUTSIDE_OF_WORKING_HOURS", status["status"], "closed on the holiday")
	bad = doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours/"+id+"/holiday", `{"name": "x", "startDate": "2026-04-02", "endDate": "2026-04-01"}`, http.StatusBadRequest)
	require.Equal(t, "endDate", bad["field"])

	deleted := doJSON(t, h, http.MethodDelete, "/ccaas/1/working-hours/"+id+"/holiday/"+holID, "", http.StatusOK)
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Holiday has been deleted."}, deleted)
	doJSON(t, h, http.MethodDelete, "/ccaas/1/working-hours/"+id+"/holiday/"+holID, "", http.StatusNotFound)
	status = doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours/"+id+"/status", "", http.StatusOK)
	require.Equal(t, "INSIDE_OF_WORKING_HOURS", status["status"])
}

// TestQueuesFilteredByWorkingHours lists the queues that follow working
// hours, Infobip's workingHoursId filter.
func TestQueuesFilteredByWorkingHours(t *testing.T) {
	t.Parallel()
	svc := parley.New(memstore.New())
	h := New(svc)
	doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours", `{"id": "wh1", `+officeHoursJSON[1:], http.StatusOK)
	doJSON(t, h, http.MethodPost, "/ccaas/1/queues", `{"id": "q1", "name": "Support", "workingHoursId": "wh1"}`, http.StatusOK)
	doJSON(t, h, http.MethodPost, "/ccaas/1/queues", `{"id": "q2", "name": "Billing"}`, http.StatusOK)
	list := doJSON(t, h, http.MethodGet, "/ccaas/1/queues?workingHoursId=wh1", "", http.StatusOK)
	queues := list["queues"].([]any)
	require.Len(t, queues, 1)
	require.Equal(t, "q1", queues[0].(map[string]any)["id"])
	list = doJSON(t, h, http.MethodGet, "/ccaas/1/queues?workingHoursId=other", "", http.StatusOK)
	require.Empty(t, list["queues"])
}

// TestWorkingHoursListFilters lists working hours by Infobip's filters and
// orders.
func TestWorkingHoursListFilters(t *testing.T) {
	t.Parallel()
	svc := parley.New(memstore.New())
	h := New(svc)
	for _, body := range []string{
		`{"id": "wh1", "name": "Office", "isDefault": true, ` + officeHoursJSON[len(`{"name": "Office", `):],
		`{"id": "wh2", "name": "Night desk", "enabled": false, ` + officeHoursJSON[len(`{"name": "Office", `):],
	} {
		doJSON(t, h, http.MethodPost, "/ccaas/1/working-hours", body, http.StatusOK)
	}
	ids := func(path string) []string {
		t.Helper()
		list := doJSON(t, h, http.MethodGet, path, "", http.StatusOK)
		var out []string
		for _, w := range list["workingHours"].([]any) {
			out = append(out, w.(map[string]any)["id"].(string))
		}
		return out
	}
	require.Equal(t, []string{"wh2"}, ids("/ccaas/1/working-hours?name=NIGHT"))
	require.Equal(t, []string{"wh2"}, ids("/ccaas/1/working-hours?enabled=false"))
	require.Equal(t, []string{"wh1"}, ids("/ccaas/1/working-hours?isDefault=true"))
	require.Equal(t, []string{"wh2", "wh1"}, ids("/ccaas/1/working-hours?orderBy=name:asc"))
	require.Equal(t, []string{"wh2", "wh1"}, ids("/ccaas/1/working-hours?orderBy=id:desc"))
	require.Equal(t, []string{"wh1", "wh2"}, ids("/ccaas/1/working-hours?createdAfter=2000-01-01T00:00:00.000%2B0000"))
	list := doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours?name=E&limit=1&page=1", "", http.StatusOK)
	require.Equal(t, float64(2), list["pagination"].(map[string]any)["totalItems"])
	require.Len(t, list["workingHours"], 1)
	bad := doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours?enabled=maybe", "", http.StatusBadRequest)
	require.Equal(t, "enabled", bad["field"])
	bad = doJSON(t, h, http.MethodGet, "/ccaas/1/working-hours?orderBy=message", "", http.StatusBadRequest)
	require.Equal(t, "orderBy", bad["field"])
}
