package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/storage"
)

// Mount the adapter, with the host's own authentication in front: a
// middleware that puts the caller's actor in the request context, which
// the default ActorFunc keeps (x-agent-id cannot override it).
func Example() {
	svc := parley.New(memstore.New(),
		parley.WithClock(func() time.Time { return time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC) }),
		parley.WithIDGenerator(func() string { return "conv-1" }))
	authenticate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A real host checks a session or a token here.
			ctx := parley.WithActor(r.Context(), parley.Actor{AgentID: "ann"})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	srv := httptest.NewServer(authenticate(httpapi.New(svc)))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/ccaas/1/conversations", "application/json",
		strings.NewReader(`{"topic": "Where is my parcel?", "channel": "chat"}`))
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode)
	fmt.Print(string(body))

	events, _ := svc.Events(context.Background(), storage.EventQuery{})
	fmt.Println(events[0].Type, "by", events[0].Actor)
	// Output:
	// 200
	// {"id":"conv-1","topic":"Where is my parcel?","summary":null,"status":"OPEN","priority":"NORMAL","queueId":null,"agentId":null,"channel":"LIVE_CHAT","source":"API","customerId":null,"attributes":{},"tags":[],"createdAt":"2026-05-01T09:30:00.000+00:00","updatedAt":"2026-05-01T09:30:00.000+00:00","closedAt":null,"version":1}
	// conversation.created by ann
}
