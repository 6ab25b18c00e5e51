package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley"
)

// dirRecordings keeps recorded files in one local directory, each named by
// its recording id: the reference server's parley.RecordingFiles. The
// host's media layer writes the files there and reports them
// (POST /ccaas/voice/2/calls/{id}/recordings); parley serves downloads
// from there and deletes them.
//
// Only ids that are plain file names are used: letters, digits, '.', '_'
// and '-', at most 255, neither "." nor "..". Any other id (a path
// separator, "..", a NUL) names no file: Open answers not found and
// Delete deletes nothing, so no id reaches outside the directory; nor
// does a symbolic link, which is no recording file either.
type dirRecordings struct{ dir string }

// validRecordingFile reports whether id is usable as a file name.
func validRecordingFile(id string) bool {
	if id == "" || len(id) > 255 || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// Open implements parley.RecordingFiles.
func (d dirRecordings) Open(_ context.Context, id string) (io.ReadSeekCloser, error) {
	notFound := fmt.Errorf("recording file %q: %w", id, parley.ErrNotFound)
	if !validRecordingFile(id) {
		return nil, notFound
	}
	name := filepath.Join(d.dir, id)
	if st, err := os.Lstat(name); err == nil && !st.Mode().IsRegular() {
		return nil, notFound // a directory or a link is no recording of parley's
	}
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, notFound
	}
	return f, nil
}

// Delete implements parley.RecordingFiles: a file that is not there is
// deleted already.
func (d dirRecordings) Delete(_ context.Context, id string) error {
	if !validRecordingFile(id) {
		return nil
	}
	name := filepath.Join(d.dir, id)
	st, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return nil // a directory or a link is no recording of parley's
	}
	err = os.Remove(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// recordingsDir is the directory of recorded files: -recordings-dir, or
// "recordings" beside the SQLite database, or parley-recordings in the
// temporary directory with PostgreSQL.
func recordingsDir(c config) string {
	switch {
	case c.recordingsDir != "":
		return c.recordingsDir
	case c.postgres != "":
		return filepath.Join(os.TempDir(), "parley-recordings")
	default:
		return filepath.Join(filepath.Dir(c.sqlite), "recordings")
	}
}

// openRecordings makes the directory of recorded files if need be.
func openRecordings(c config) (dirRecordings, error) {
	dir := recordingsDir(c)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return dirRecordings{}, fmt.Errorf("-recordings-dir: %w", err)
	}
	return dirRecordings{dir: dir}, nil
}
