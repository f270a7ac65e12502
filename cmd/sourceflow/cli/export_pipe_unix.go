//go:build unix

package cli

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// pipeReaderWait is how long export -o waits for a process to open the
// named pipe it names for reading.
var pipeReaderWait = 30 * time.Second

// writeOpenFlags opens the file -o names, no regular file, for writing,
// by its directory descriptor, without following a link.
const writeOpenFlags = unix.O_WRONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC

// openInPlace opens t, no regular file, for writing. A named pipe's open
// waits for a reader, as a shell's redirection does, but only until ctx
// ends (an interruption) or for pipeReaderWait (openPipe); anything else
// (a device) opens at once.
func (t outputTarget) openInPlace(ctx context.Context) (int, error) {
	if t.st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return unix.Openat(t.dir.fd, t.name, writeOpenFlags, 0)
	}
	return t.openPipe(ctx)
}

// pipeOpen is the outcome of a named pipe's open for writing.
type pipeOpen struct {
	fd  int
	err error
}

// openPipe opens the named pipe t for writing once a process opens it for
// reading. The open, which the kernel holds until then, runs in a
// goroutine; when ctx ends or pipeReaderWait passes first, openPipe ends it
// by opening the pipe for reading itself, closes both ends, and fails:
// nothing was written.
func (t outputTarget) openPipe(ctx context.Context) (int, error) {
	opened := make(chan pipeOpen, 1)
	go func() {
		fd, err := unix.Openat(t.dir.fd, t.name, writeOpenFlags, 0)
		opened <- pipeOpen{fd, err}
	}()
	timer := time.NewTimer(pipeReaderWait)
	defer timer.Stop()
	var err error
	select {
	case o := <-opened:
		return o.fd, o.err
	case <-ctx.Done():
		err = fmt.Errorf("interrupted while waiting for a reader of the named pipe; nothing was written: %w", ctx.Err())
	case <-timer.C:
		err = fmt.Errorf("no process opened the named pipe for reading within %s; nothing was written: "+
			"start its reader first, or leave out -o to write to standard output", pipeReaderWait)
	}
	t.releasePipe(opened)
	return -1, err
}

// releasePipe ends the open for writing of the named pipe t that sends its
// outcome on opened, by opening t for reading, and closes what it opened.
// Should t not open for reading (its mode lets this process write only,
// or another file took its name), the open is left to end with the
// process.
func (t outputTarget) releasePipe(opened <-chan pipeOpen) {
	rfd, err := unix.Openat(t.dir.fd, t.name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	var st unix.Stat_t
	if unix.Fstat(rfd, &st) != nil || st.Dev != t.st.Dev || st.Ino != t.st.Ino {
		_ = unix.Close(rfd) // another file took t's name: it cannot end the open
		return
	}
	if o := <-opened; o.err == nil {
		_ = unix.Close(o.fd)
	}
	_ = unix.Close(rfd)
}
