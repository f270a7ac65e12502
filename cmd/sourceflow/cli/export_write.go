package cli

import (
	"context"
	"fmt"
	"io"
)

// outputChunk is how much of its output export -o writes between two
// looks at its context: an interruption (Ctrl-C) stops the write within
// one chunk.
const outputChunk = 64 * 1024

// writeChunks writes data to w, outputChunk bytes at a time, and stops
// once ctx ends, before the next chunk, with an error that wraps ctx's. It
// returns that error too when ctx ended during the last chunk, so that an
// interrupted export replaces no file.
func writeChunks(ctx context.Context, w io.Writer, data []byte) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted, the file left as it was: %w", err)
		}
		if len(data) == 0 {
			return nil
		}
		n := min(len(data), outputChunk)
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
}
