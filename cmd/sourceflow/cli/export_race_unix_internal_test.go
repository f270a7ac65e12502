//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// A name on -o's path, in a sticky directory anyone may write to, that is
// swapped for a link to another file once -o was checked (as another user
// could) is not followed: the template goes where the checked path led,
// and the file the link names is left as it was.
func TestWriteOutput_DoesNotFollowANameSwappedForALinkAfterTheCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(shared string)         // before the check
		swap    func(shared, victim string) // after it
		output  string                      // -o, in shared
		written string                      // where the template must be, in shared
	}{
		{"a file yet to be made", func(string) {},
			func(s, v string) { mustSymlink(t, filepath.Join(v, "out.tf"), filepath.Join(s, "out.tf")) },
			"out.tf", "out.tf"},
		{"a file replaced", func(s string) { mustWrite(t, filepath.Join(s, "out.tf")) },
			func(s, v string) {
				require.NoError(t, os.Remove(filepath.Join(s, "out.tf")))
				mustSymlink(t, filepath.Join(v, "out.tf"), filepath.Join(s, "out.tf"))
			},
			"out.tf", "out.tf"},
		{"a directory on the way", func(s string) { require.NoError(t, os.Mkdir(filepath.Join(s, "d"), 0o700)) },
			func(s, v string) {
				require.NoError(t, os.Rename(filepath.Join(s, "d"), filepath.Join(s, "d.checked")))
				mustSymlink(t, v, filepath.Join(s, "d"))
			},
			"d/out.tf", "d.checked/out.tf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared := filepath.Join(t.TempDir(), "shared")
			require.NoError(t, os.Mkdir(shared, 0o700))
			require.NoError(t, os.Chmod(shared, 0o777|os.ModeSticky)) // #nosec G302 -- a shared directory as /tmp is
			victim := t.TempDir()
			mustWrite(t, filepath.Join(victim, "out.tf"))
			tc.setup(shared)

			err := writeOutputAt(t.Context(), filepath.Join(shared, tc.output), []byte("template"), func() { tc.swap(shared, victim) })

			require.NoError(t, err)
			kept, err := os.ReadFile(filepath.Join(victim, "out.tf"))
			require.NoError(t, err)
			assert.Equal(t, "old", string(kept), "the file the swapped-in link names is left as it was")
			written, err := os.ReadFile(filepath.Join(shared, tc.written))
			require.NoError(t, err)
			assert.Equal(t, "template", string(written))
		})
	}
}

// mustWrite makes the file path, holding "old".
func mustWrite(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
}

// mustSymlink makes the link path to dest.
func mustSymlink(t *testing.T, dest, path string) {
	t.Helper()
	require.NoError(t, os.Symlink(dest, path))
}

// A named pipe -o names that is swapped, once -o was checked, for a link
// or for another name of another file is not written: the file it now
// names is left as it was.
func TestWriteOutput_DoesNotWriteAPipeSwappedAfterTheCheck(t *testing.T) {
	for name, swap := range map[string]func(pipe, victim string){
		"for a link":      func(pipe, victim string) { mustSymlink(t, victim, pipe) },
		"for a hard link": func(pipe, victim string) { require.NoError(t, os.Link(victim, pipe)) },
	} {
		t.Run(name, func(t *testing.T) {
			pipe := filepath.Join(t.TempDir(), "pipe")
			require.NoError(t, unix.Mkfifo(pipe, 0o600))
			victim := filepath.Join(t.TempDir(), "out.tf")
			mustWrite(t, victim)

			err := writeOutputAt(t.Context(), pipe, []byte("template"), func() {
				require.NoError(t, os.Remove(pipe))
				swap(pipe, victim)
			})

			require.Error(t, err)
			assert.Contains(t, err.Error(), "export: -o "+pipe)
			kept, err := os.ReadFile(victim)
			require.NoError(t, err)
			assert.Equal(t, "old", string(kept))
		})
	}
}

// An export interrupted once its temporary file exists removes it: the
// directory holds only the file it was to replace, left as it was.
func TestWriteOutput_AnInterruptionRemovesTheTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.tf")
	mustWrite(t, out)
	ctx, cancel := context.WithCancel(t.Context())

	err := writeOutputAt(ctx, out, bytes.Repeat([]byte("x"), 3*outputChunk), cancel)

	require.ErrorIs(t, err, context.Canceled)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file")
	kept, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "old", string(kept))
}
