//go:build unix

package cli

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// pipeBound bounds the tests' waits for a write to a named pipe to
// return: not a timing target, the write returns long before it.
const pipeBound = time.Minute

// writeToPipe makes a named pipe and starts writeOutput to it with ctx,
// whose error it sends on the channel it returns. When the test ends, the
// pipe is opened for reading, so a write still waiting for a reader ends.
func writeToPipe(t *testing.T, ctx context.Context) (string, <-chan error) {
	t.Helper()
	pipe := filepath.Join(t.TempDir(), "out.tf")
	require.NoError(t, syscall.Mkfifo(pipe, 0o600))
	done, returned := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(returned)
		done <- writeOutput(ctx, pipe, []byte("template"))
	}()
	t.Cleanup(func() {
		if fd, err := unix.Open(pipe, unix.O_RDONLY|unix.O_NONBLOCK, 0); err == nil {
			<-returned
			_ = unix.Close(fd)
		}
	})
	return pipe, done
}

// returned returns the error done gives, failing the test with what when
// done gives none within pipeBound.
func returned(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	var err error
	require.Eventually(t, func() bool {
		select {
		case err = <-done:
			return true
		default:
			return false
		}
	}, pipeBound, 10*time.Millisecond, what)
	return err
}

// -o naming a named pipe nobody opens for reading waits for a reader, as
// a shell's redirection does, but not forever: after pipeReaderWait it
// fails, saying what to do, and writes nothing.
func TestWriteOutput_APipeNobodyReadsFailsAfterAWait(t *testing.T) {
	defer func(w time.Duration) { pipeReaderWait = w }(pipeReaderWait)
	pipeReaderWait = 50 * time.Millisecond
	pipe, done := writeToPipe(t, t.Context())

	err := returned(t, done, "the export waits forever for a reader of "+pipe)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "export: -o "+pipe)
	assert.Contains(t, err.Error(), "no process opened the named pipe for reading within 50ms")
	assert.Contains(t, err.Error(), "start its reader first")
	st, serr := os.Lstat(pipe)
	require.NoError(t, serr)
	assert.Equal(t, os.ModeNamedPipe, st.Mode().Type(), "the pipe is still a pipe")
}

// An export waiting for a reader of its named pipe stops at an
// interruption (the first Ctrl-C), saying so, instead of only at a second
// one.
func TestWriteOutput_AnInterruptionEndsTheWaitForAPipesReader(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pipe, done := writeToPipe(t, ctx)
	cancel()

	err := returned(t, done, "the interrupted export still waits for a reader of "+pipe)

	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "interrupted while waiting for a reader of the named pipe; nothing was written")
}

// A reader that opens the pipe after the export started gets the
// template.
func TestWriteOutput_APipesLateReaderGetsTheTemplate(t *testing.T) {
	pipe, done := writeToPipe(t, t.Context())

	got, err := os.ReadFile(pipe) // #nosec G304 -- the test's own pipe

	require.NoError(t, err)
	assert.Equal(t, "template", string(got))
	require.NoError(t, <-done)
}
