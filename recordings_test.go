package parley_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/recording"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

// hostStore is a HostTransaction over a memstore whose "host" commits
// when the test says so: until then, what runs after the commit waits.
type hostStore struct {
	storage.Store
	pending []func(context.Context, storage.Store)
}

func (h *hostStore) AfterCommit(fn func(ctx context.Context, outside storage.Store)) {
	h.pending = append(h.pending, fn)
}

func (h *hostStore) commit(ctx context.Context) {
	pending := h.pending
	h.pending = nil
	for _, fn := range pending {
		fn(ctx, h.Store)
	}
}

// TestRecordingFilesWaitForTheHostsCommit: on a HostTransaction store a
// recording's file is deleted only once the host's transaction commits,
// and a file that fails to delete is recorded outside it.
func TestRecordingFilesWaitForTheHostsCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mem := memstore.New()
	files := storagetest.NewFakeRecordingFiles(nil)
	plain := parley.New(mem)
	c, err := plain.ReceiveCall(ctx, parley.InboundCall{CustomerID: "cu", From: "+1", To: "+2"})
	require.NoError(t, err)
	for _, id := range []string{"r1", "r2"} {
		_, err = plain.ReportRecording(ctx, recording.Metadata{RecordingID: id, CallID: c.ID, RecordingStatus: recording.Successful,
			Filename: id + ".wav", MediaType: recording.Audio, StartedAt: time.Now()})
		require.NoError(t, err)
	}

	host := &hostStore{Store: mem}
	svc := parley.New(host, parley.WithRecordingFiles(files), parley.WithLogger(slog.New(slog.DiscardHandler)))
	_, err = svc.DeleteRecording(ctx, "r1")
	require.NoError(t, err)
	require.Empty(t, files.Deleted(), "not before the host commits")
	host.commit(ctx)
	require.Equal(t, []string{"r1"}, files.Deleted())

	files.Fail["r2"] = true
	require.NoError(t, svc.DeleteConversation(ctx, c.ConversationID, ""))
	require.Equal(t, []string{"r1"}, files.Deleted())
	host.commit(ctx)
	// Every recording of the conversation, the deleted r1 too: its file is
	// tried again, in case it failed before.
	require.Equal(t, []string{"r1", "r1", "r2"}, files.Deleted())
	events, err := mem.ListEvents(ctx, storage.EventQuery{Limit: 1000})
	require.NoError(t, err)
	last := events[len(events)-1]
	require.Equal(t, storage.RecordingFileNotDeleted, last.Type)
	require.Equal(t, "r2", last.EntityID)
}
