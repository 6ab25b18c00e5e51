package helpdesk_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/httpapi/helpdesk"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/storage"
)

// downStore is a store whose database has gone away: every read of a
// conversation fails as sqlstore fails then.
type downStore struct{ storage.Store }

func (downStore) GetConversation(context.Context, string) (*conversation.Conversation, error) {
	return nil, storage.Fail("getting conversation", "c1", storage.ErrUnavailable)
}

// A database that cannot be reached is a 503 with Retry-After in both
// adapters, in each one's error shape, never a 500.
func TestUnavailableIs503(t *testing.T) {
	t.Parallel()
	svc := parley.New(downStore{memstore.New()})

	rec, m := send(t, helpdesk.New(svc), "GET", "/api/v1/conversations/c1", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	requireError(t, m, "UNAVAILABLE", "")

	rec, m = send(t, httpapi.New(svc), "GET", "/ccaas/1/conversations/c1", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	require.Equal(t, "UNAVAILABLE", m["code"])
	require.Equal(t, "ERROR", m["statusCode"])
}
