package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeOutput writes data to path, export's -o. A regular file, new or
// not, is written through a temporary file in its directory, so a failed
// export never leaves half a template; a symbolic link is followed, so
// the link stays and its target gets the template. Anything else that is
// there (a device such as /dev/null, a named pipe) is written to as it
// is: renaming over it would replace it with a regular file.
func writeOutput(path string, data []byte) error {
	fail := func(err error) error {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("export: -o %s: %w", path, err)}
	}
	target, err := filepath.EvalSymlinks(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		target = path // a new file (a link to none is replaced by the file)
	case err != nil:
		return fail(err)
	}
	if st, err := os.Stat(target); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fail(errors.New("is a directory; name a file"))
		}
		return writeInPlace(target, data, fail)
	}
	return writeFileAtomic(target, data, fail)
}

// writeInPlace writes data to the file at path that is no regular file.
func writeInPlace(path string, data []byte, fail func(error) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0) // #nosec G304 -- the file the operator names with -o
	if err != nil {
		return fail(err)
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fail(err)
	}
	return nil
}

// writeFileAtomic writes data to path (mode 0644) through a temporary file
// in the same directory, renamed over path once written.
func writeFileAtomic(path string, data []byte, fail func(error) error) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fail(fmt.Errorf("directory %s does not exist; create it first", dir))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fail(err)
	}
	_, werr := tmp.Write(data)
	err = errors.Join(werr, tmp.Chmod(0o644), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fail(err)
	}
	return nil
}
