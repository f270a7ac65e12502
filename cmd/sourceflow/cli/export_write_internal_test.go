package cli

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancellingWriter cancels its context on its first write.
type cancellingWriter struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancellingWriter) Write(p []byte) (int, error) {
	w.cancel()
	return w.Buffer.Write(p)
}

// An interruption during a write stops it before the next chunk, with an
// error that wraps the context's; one after the last chunk still fails
// it, so that nothing is renamed in place.
func TestWriteChunks_StopsAtTheChunkAfterTheInterruption(t *testing.T) {
	for name, size := range map[string]int{"mid-write": 3*outputChunk + 1, "after the last chunk": outputChunk} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			w := &cancellingWriter{cancel: cancel}

			err := writeChunks(ctx, w, make([]byte, size))

			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, outputChunk, w.Len(), "one chunk written, none after the interruption")
		})
	}
}
