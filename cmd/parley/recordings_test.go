package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// TestDirRecordings: files named by recording id in one directory; ids
// that are not plain file names reach no file, inside or outside it.
func TestDirRecordings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "recordings")
	require.NoError(t, os.Mkdir(dir, 0o750))
	d := dirRecordings{dir: dir}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rec-1.wav"), []byte("0123456789"), 0o600))
	outside := filepath.Join(root, "secret")
	require.NoError(t, os.WriteFile(outside, []byte("keep out"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o750))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))

	f, err := d.Open(ctx, "rec-1.wav")
	require.NoError(t, err)
	_, err = f.Seek(4, io.SeekStart)
	require.NoError(t, err)
	b, err := io.ReadAll(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, "456789", string(b))

	for _, id := range []string{"", ".", "..", "../secret", "..%2fsecret", "sub/../rec-1.wav", "/etc/passwd", "a\x00b", "sub", "link", "missing", "ré"} {
		_, err := d.Open(ctx, id)
		require.ErrorIs(t, err, parley.ErrNotFound, "%q", id)
		require.NoError(t, d.Delete(ctx, id), "%q", id)
	}
	_, err = os.Stat(outside)
	require.NoError(t, err, "nothing outside the directory is deleted")
	_, err = os.Stat(filepath.Join(dir, "sub"))
	require.NoError(t, err, "a directory is no recording")

	require.NoError(t, d.Delete(ctx, "rec-1.wav"))
	_, err = d.Open(ctx, "rec-1.wav")
	require.ErrorIs(t, err, parley.ErrNotFound)
	require.NoError(t, d.Delete(ctx, "rec-1.wav"), "deleted already")
}

// TestRecordingsDir: the flag, the environment, and the defaults beside
// the SQLite database or in the temporary directory.
func TestRecordingsDir(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig([]string{"-sqlite", "/data/parley.db"}, env(nil), io.Discard)
	require.NoError(t, err)
	require.Equal(t, "/data/recordings", recordingsDir(c))
	c, err = parseConfig([]string{"-postgres", "postgres://h/db"}, env(nil), io.Discard)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(os.TempDir(), "parley-recordings"), recordingsDir(c))
	c, err = parseConfig(nil, env(map[string]string{"PARLEY_RECORDINGS_DIR": "/env/rec"}), io.Discard)
	require.NoError(t, err)
	require.Equal(t, "/env/rec", recordingsDir(c))
	c, err = parseConfig([]string{"-recordings-dir", "/flag/rec"}, env(map[string]string{"PARLEY_RECORDINGS_DIR": "/env/rec"}), io.Discard)
	require.NoError(t, err)
	require.Equal(t, "/flag/rec", recordingsDir(c))

	dir := filepath.Join(t.TempDir(), "a", "b")
	files, err := openRecordings(config{recordingsDir: dir})
	require.NoError(t, err)
	require.Equal(t, dir, files.dir)
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.True(t, st.IsDir())
}

// TestServerServesRecordings: the server reads and deletes recorded files
// in -recordings-dir: a host drops a file there and reports it, a client
// downloads a range of it, and deleting the recording deletes the file.
func TestServerServesRecordings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root, _ := startInProcess(t, "-recordings-dir", dir)
	voice := root + "/ccaas/voice/2"
	status, c := get(t, http.MethodPost, voice+"/calls", `{"customerId": "cu1", "from": "+1", "to": "+2"}`)
	require.Equal(t, http.StatusOK, status, "%v", c)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rec-1"), []byte("0123456789"), 0o600))
	status, m := get(t, http.MethodPost, voice+"/calls/"+c["id"].(string)+"/recordings",
		`{"recordingId": "rec-1", "recordingStatus": "SUCCESSFUL", "filename": "rec-1.wav", "mediaType": "AUDIO", "startedAt": 1686585221999}`)
	require.Equal(t, http.StatusOK, status, "%v", m)

	req, err := http.NewRequest(http.MethodGet, voice+"/recording/download/rec-1", nil)
	require.NoError(t, err)
	req.Header.Set("Range", "bytes=3-4")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	require.Equal(t, "34", string(body))

	status, m = get(t, http.MethodDelete, voice+"/recordings/rec-1", "")
	require.Equal(t, http.StatusOK, status, "%v", m)
	_, err = os.Stat(filepath.Join(dir, "rec-1"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
