//go:build unix

package cli

import (
	"context"

	"golang.org/x/sys/unix"
)

// writeOutput writes data to path, export's -o. A regular file, new or
// not, is written through a temporary file in its directory, so a failed
// export never leaves half a template: a new file gets mode 0644, one that
// is replaced keeps its mode (and, where the process may set it, its
// owner); a symbolic link is followed, so the link stays and its target
// gets the template (a target yet to be made is made where the link
// points), unless the kernel's protected_symlinks rule would not follow it
// (checkLinkAt). Anything else that is there (a device such as /dev/null,
// a named pipe) is written to as it is: renaming over it would replace it
// with a regular file. A named pipe is opened once a process opens it for
// reading, as a shell's redirection does, but not after ctx ends nor
// after pipeReaderWait (openPipe). A file another user left in a sticky directory
// anyone may write to is refused, as protected_regular would (checkFileAt).
// The standard output or error, named /dev/stdout, /dev/fd/1 and the
// like, is written as the shell set it up (standardStream): a pipe, or a
// file it appends to.
//
// path is resolved once, through directory descriptors (resolveOutput),
// and the file is written and renamed in the directory it resolved to: a
// name another user swaps for a link after it was checked (in /tmp, say)
// is replaced or refused, never followed.
//
// Once ctx ends (an interrupt) the write stops within a chunk
// (writeChunks): a file being replaced is left as it was, and the
// temporary file is removed, as it is whatever ends the write early.
func writeOutput(ctx context.Context, path string, data []byte) error {
	return writeOutputAt(ctx, path, data, func() {})
}

// writeOutputAt is writeOutput that calls resolved once path is resolved
// and checked, before anything is written.
func writeOutputAt(ctx context.Context, path string, data []byte, resolved func()) error {
	if f := standardStream(path); f != nil {
		resolved()
		if err := writeChunks(ctx, f, data); err != nil {
			return outputFailed(path, err)
		}
		return nil
	}
	t, err := resolveOutput(path)
	if err != nil {
		return outputFailed(path, err)
	}
	defer t.dir.close()
	resolved()
	if t.st != nil && t.st.Mode&unix.S_IFMT != unix.S_IFREG {
		err = t.writeInPlace(ctx, data)
	} else {
		err = t.replace(ctx, data)
	}
	if err != nil {
		return outputFailed(path, err)
	}
	return nil
}
