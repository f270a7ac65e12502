package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// outputChunk is how much of its output export -o writes between two
// looks at its context: an interruption (Ctrl-C) stops the write within
// one chunk.
const outputChunk = 64 * 1024

// interruptedWrite is the error of a write that its context ended before
// the last chunk, or during it: written of total bytes went to the file.
type interruptedWrite struct {
	written, total int
	err            error
}

// Error implements error.
func (e *interruptedWrite) Error() string {
	return fmt.Sprintf("interrupted after writing %d of %d bytes to it: %v", e.written, e.total, e.err)
}

// Unwrap returns the context's error.
func (e *interruptedWrite) Unwrap() error { return e.err }

// writeChunks writes data to w, outputChunk bytes at a time, and stops
// once ctx ends, before the next chunk, with an *interruptedWrite that
// wraps ctx's error. It returns that error too when ctx ended during the
// last chunk, so that an interrupted export replaces no file.
func writeChunks(ctx context.Context, w io.Writer, data []byte) error {
	total := len(data)
	for {
		if err := ctx.Err(); err != nil {
			return &interruptedWrite{written: total - len(data), total: total, err: err}
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

// keptAsItWas words err, of the write of a temporary file that replaces
// the output only once written whole, for the output: an interruption
// leaves it as it was, whatever went to the temporary file.
func keptAsItWas(err error) error {
	if iw, ok := errors.AsType[*interruptedWrite](err); ok {
		return fmt.Errorf("interrupted, the file left as it was: %w", iw.err)
	}
	return err
}
