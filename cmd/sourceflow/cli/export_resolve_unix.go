//go:build unix

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// outputDir is a directory open while -o is resolved and written: its
// descriptor, and the path it was reached by, for messages. Every name is
// looked up in it, so a name another user swaps on the way (for a link)
// after it was checked is never followed.
type outputDir struct {
	fd   int
	path string
}

// outputTarget is what -o resolves to: a name in an open directory, and
// the Fstatat of what is there (nil when nothing is).
type outputTarget struct {
	dir  outputDir
	name string
	st   *unix.Stat_t
}

// outputWalk resolves -o one name at a time, as the kernel does.
type outputWalk struct {
	dir  outputDir
	rest string // the names still to resolve
	hops int    // links followed
}

// resolveOutput resolves path, from the root or (relative) from the
// current directory itself, one name at a time through directory
// descriptors (never following a link by its name), as the kernel does: a
// ".." is the parent of the directory reached, past any link, and the
// current directory is not looked up again by a name for it. Each link met
// (a directory on the way, the file itself, a link a link names) is
// checked by checkLinkAt in the directory it is in, then replaced by what
// it names. Its directory, open, is the caller's to close.
func resolveOutput(path string) (outputTarget, error) {
	w := &outputWalk{dir: outputDir{fd: -1}, rest: path}
	start := w.restart
	if !filepath.IsAbs(path) {
		start = w.startHere
	}
	if err := start(); err != nil {
		return outputTarget{}, err
	}
	t, err := w.run()
	if err != nil {
		w.dir.close()
	}
	return t, err
}

// run resolves the names in w.rest.
func (w *outputWalk) run() (outputTarget, error) {
	for {
		name, tail := w.next()
		if name == "" || name == ".." && tail == "" {
			return outputTarget{}, errors.New("is a directory; name a file")
		}
		st, err := statAt(w.dir, name)
		switch {
		case err != nil:
			return outputTarget{}, err
		case st != nil && st.Mode&unix.S_IFMT == unix.S_IFLNK:
			err = w.follow(name, st, tail)
		case tail == "" && st != nil && st.Mode&unix.S_IFMT == unix.S_IFDIR:
			return outputTarget{}, errors.New("is a directory; name a file")
		case tail == "":
			return outputTarget{dir: w.dir, name: name, st: st}, checkFileAt(w.dir, name, st)
		default:
			err = w.enter(name, st)
		}
		if err != nil {
			return outputTarget{}, err
		}
	}
}

// next takes the next name off w.rest, skipping "." and empty names, and
// returns it with the names after it ("" for the last). A name a slash
// ends names a directory, as for the kernel: "." is left after it, so it is
// entered as one (and what it names is no file to write).
func (w *outputWalk) next() (name, tail string) {
	for {
		var slash bool
		name, w.rest, slash = strings.Cut(strings.TrimLeft(w.rest, "/"), "/")
		w.rest = strings.TrimLeft(w.rest, "/")
		if slash && w.rest == "" {
			w.rest = "."
		}
		if name != "." {
			return name, w.rest
		}
		if w.rest == "" {
			return "", "" // the path names a directory
		}
	}
}

// follow checks the link name, whose Fstatat is link, and resolves what
// it names, then tail.
func (w *outputWalk) follow(name string, link *unix.Stat_t, tail string) error {
	if err := checkLinkAt(w.dir, name, link); err != nil {
		return err
	}
	dest, err := readLinkAt(w.dir, name, link)
	if err != nil {
		return err
	}
	if w.hops++; w.hops > maxLinkHops {
		return &fs.PathError{Op: "open", Path: filepath.Join(w.dir.path, name), Err: unix.ELOOP}
	}
	w.rest = dest
	if tail != "" {
		w.rest = dest + "/" + tail
	}
	if filepath.IsAbs(dest) {
		return w.restart()
	}
	return nil
}

// enter opens the directory name in w.dir (st its Fstatat, nil when
// nothing is there) and resolves the names after it there.
func (w *outputWalk) enter(name string, st *unix.Stat_t) error {
	path := filepath.Join(w.dir.path, name)
	if st == nil {
		return fmt.Errorf("directory %s does not exist; create it first", path)
	}
	fd, err := unix.Openat(w.dir.fd, name, dirOpenFlags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	w.dir.close()
	w.dir = outputDir{fd: fd, path: path}
	return nil
}

// restart resolves what is left of w.rest from the root.
func (w *outputWalk) restart() error { return w.startAt("/") }

// startHere resolves w.rest from the current directory, named "." in
// messages (so a relative -o's names read as given).
func (w *outputWalk) startHere() error { return w.startAt(".") }

// startAt resolves what is left of w.rest from the directory dir, "/" or
// ".", opened by that name.
func (w *outputWalk) startAt(dir string) error {
	fd, err := unix.Open(dir, dirOpenFlags, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	w.dir.close()
	w.dir = outputDir{fd: fd, path: dir}
	return nil
}

// statAt is the Fstatat of name in d, not following a link; nil when
// nothing is there.
func statAt(d outputDir, name string) (*unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	switch {
	case errors.Is(err, unix.ENOENT):
		return nil, nil
	case err != nil:
		return nil, &fs.PathError{Op: "lstat", Path: filepath.Join(d.path, name), Err: err}
	}
	return &st, nil
}

// close closes d's descriptor, if open.
func (d outputDir) close() {
	if d.fd >= 0 {
		_ = unix.Close(d.fd)
	}
}
