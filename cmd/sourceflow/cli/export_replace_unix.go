//go:build unix

package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// tempAttempts bounds the names tried for the temporary file, each random.
const tempAttempts = 16

// replace writes data to a temporary file in t's directory, renamed over
// t's name once written, both by t's directory descriptor. The temporary
// file gets the mode of the file it replaces, and its owner where the
// process may set it; without one (a new file) mode 0644. It is removed
// unless renamed: after a failed call, an interruption (ctx, see
// writeChunks) or a panic.
func (t outputTarget) replace(ctx context.Context, data []byte) error {
	tmp, f, err := t.createTemp()
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = f.Close()
			_ = unix.Unlinkat(t.dir.fd, tmp, 0)
		}
	}()
	mode := fs.FileMode(0o644)
	if t.st != nil {
		mode = fs.FileMode(t.st.Mode & 0o777)
		keepOwner(f, int(t.st.Uid), int(t.st.Gid))
	}
	werr := keptAsItWas(writeChunks(ctx, f, data))
	err = errors.Join(werr, f.Chmod(mode), f.Close())
	if err == nil {
		err = unix.Renameat(t.dir.fd, tmp, t.dir.fd, t.name)
	}
	if err != nil {
		return &fs.PathError{Op: "write", Path: filepath.Join(t.dir.path, t.name), Err: err}
	}
	renamed = true
	return nil
}

// createTemp makes a new file, mode 0600, in t's directory, named after
// t's name, and returns its name and the file open for writing.
func (t outputTarget) createTemp() (string, *os.File, error) {
	var err error
	for range tempAttempts {
		name := "." + t.name + "." + rand.Text()[:10]
		var fd int
		fd, err = unix.Openat(t.dir.fd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err == nil {
			return name, os.NewFile(uintptr(fd), filepath.Join(t.dir.path, name)), nil // #nosec G115 -- a descriptor is never negative
		}
		if !errors.Is(err, unix.EEXIST) {
			break
		}
	}
	return "", nil, &fs.PathError{Op: "create a temporary file in", Path: t.dir.path, Err: err}
}

// writeInPlace writes data to t, no regular file (a device, a named pipe),
// opened by t's directory descriptor without following a link (a named
// pipe once a reader opens it: openInPlace), once it is seen to be the
// file resolveOutput found there, until ctx ends (writeChunks, whose error
// then says how many bytes it has).
func (t outputTarget) writeInPlace(ctx context.Context, data []byte) error {
	path := filepath.Join(t.dir.path, t.name)
	fd, err := t.openInPlace(ctx)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path) // #nosec G115 -- a descriptor is never negative
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Dev != t.st.Dev || st.Ino != t.st.Ino {
		_ = f.Close()
		return fmt.Errorf("%s changed while export opened it; try again", path)
	}
	werr := writeChunks(ctx, f, data)
	return errors.Join(werr, f.Close())
}
