//go:build unix

package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// A named pipe (or a device) -o names is written in place: interrupted
// mid-write, its reader already has part of the template, and the error
// says how much was written instead of that the file was left as it was.
func TestWriteOutput_AnInterruptedWriteInPlaceSaysWhatItWrote(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out.tf")
	require.NoError(t, unix.Mkfifo(fifo, 0o600))
	ctx, cancel := context.WithCancel(t.Context())
	read := make(chan int64, 1)
	go func() {
		f, err := os.Open(fifo) // #nosec G304 -- the test's own pipe
		if err != nil {
			read <- -1
			return
		}
		defer f.Close()
		buf := make([]byte, 1024)
		n, _ := f.Read(buf)
		cancel()
		rest, _ := io.Copy(io.Discard, f)
		read <- int64(n) + rest
	}()
	data := make([]byte, 100*outputChunk)

	err := writeOutput(ctx, fifo, data)

	require.ErrorIs(t, err, context.Canceled)
	got := <-read
	assert.Positive(t, got)
	assert.NotContains(t, err.Error(), "left as it was")
	assert.Contains(t, err.Error(), "interrupted after writing ")
	assert.Contains(t, err.Error(), " of 6553600 bytes")
}
