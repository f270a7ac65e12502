//go:build !unix

package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeOutput writes data to path, export's -o. A regular file, new or
// not, is written through a temporary file in its directory, so a failed
// export never leaves half a template: a new file gets mode 0644, one that
// is replaced keeps its mode (and, where the process may set it, its
// owner); a symbolic link is followed, so the link stays and its target
// gets the template (a target yet to be made is made through the link).
// Anything else that is there (a device such as /dev/null, a
// named pipe) is written to as it is: renaming over it would replace it
// with a regular file. Files here have no Unix owner, so no link is
// refused (see the Unix build's checkLinkAt). Once ctx ends (an interrupt)
// the write stops within a chunk (writeChunks): a file being replaced is
// left as it was, and the temporary file is removed.
func writeOutput(ctx context.Context, path string, data []byte) error {
	fail := func(err error) error { return outputFailed(path, err) }
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		target = path // a new file, or a link to one yet to be made
	case err != nil:
		return fail(err)
	}
	st, err := os.Stat(target)
	switch {
	case err == nil && st.IsDir():
		return fail(errors.New("is a directory; name a file"))
	case err == nil && !st.Mode().IsRegular():
		return writeInPlace(ctx, target, data, 0, fail)
	case errors.Is(err, fs.ErrNotExist) && isSymlink(path):
		return writeInPlace(ctx, path, data, os.O_CREATE, fail)
	case err != nil:
		st = nil // a new file
	}
	return writeFileAtomic(ctx, target, data, st, fail)
}

// isSymlink reports whether path is a symbolic link.
func isSymlink(path string) bool {
	st, err := os.Lstat(path)
	return err == nil && st.Mode()&fs.ModeSymlink != 0
}

// writeInPlace writes data to the file at path that is no regular file,
// or, with flag os.O_CREATE, to the file a symbolic link at path names,
// made through the link (mode 0644, less the umask).
func writeInPlace(ctx context.Context, path string, data []byte, flag int, fail func(error) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|flag, 0o644) // #nosec G302 G304 -- the template file the operator names with -o, readable as the atomic path makes it
	if err != nil {
		return fail(err)
	}
	werr := writeChunks(ctx, f, data)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fail(err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, renamed over path once written. The temporary file gets the
// mode of old, the file it replaces, and its owner where the process may
// set it; without old (a new file) mode 0644. The temporary file is
// removed unless renamed: after a failed call, an interruption (ctx, see
// writeChunks) or a panic.
func writeFileAtomic(ctx context.Context, path string, data []byte, old fs.FileInfo, fail func(error) error) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fail(fmt.Errorf("directory %s does not exist; create it first", dir))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fail(err)
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	mode := fs.FileMode(0o644)
	if old != nil {
		mode = old.Mode().Perm()
		keepOwner(tmp, old)
	}
	werr := keptAsItWas(writeChunks(ctx, tmp, data))
	err = errors.Join(werr, tmp.Chmod(mode), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fail(err)
	}
	renamed = true
	return nil
}
