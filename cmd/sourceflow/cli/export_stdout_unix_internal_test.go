//go:build unix

package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// -o /dev/stdout (or /dev/fd/1, /proc/self/fd/1) writes to the standard
// output as it is, as a shell's redirection does: a pipe gets the
// template, where resolving the name led to the pipe's pseudo-name and
// failed.
func TestWriteOutput_DevStdoutToAPipeWritesThePipe(t *testing.T) {
	for _, path := range []string{"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"} {
		t.Run(strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			werr := writeOutputAsStdout(t, w, path)
			require.NoError(t, w.Close())

			require.NoError(t, werr)
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, "template", string(got))
			require.NoError(t, r.Close())
		})
	}
}

// -o /dev/stdout where the standard output is a file the shell opened to
// append to (>>) appends, as a shell's redirection does, instead of
// replacing the file whole with the template.
func TestWriteOutput_DevStdoutAppendedToAFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "all.tf")
	require.NoError(t, os.WriteFile(path, []byte("earlier\n"), 0o600))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // #nosec G304 -- the test's own file
	require.NoError(t, err)
	werr := writeOutputAsStdout(t, f, "/dev/stdout")
	require.NoError(t, f.Close())

	require.NoError(t, werr)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "earlier\ntemplate", string(got))
}

// writeOutputAsStdout runs writeOutput of "template" to path with stdout,
// the descriptor 1, made f for the call, and returns its error.
func writeOutputAsStdout(t *testing.T, f *os.File, path string) error {
	t.Helper()
	saved, err := unix.Dup(1)
	require.NoError(t, err)
	require.NoError(t, unix.Dup2(int(f.Fd()), 1))
	werr := writeOutput(context.Background(), path, []byte("template"))
	require.NoError(t, unix.Dup2(saved, 1))
	require.NoError(t, unix.Close(saved))
	return werr
}
