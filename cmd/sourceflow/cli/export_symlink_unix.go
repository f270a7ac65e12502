//go:build unix

package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// checkLinkAt refuses the link name in d, whose Fstatat is link, when
// linkProtected says the kernel would not follow it. d's mode and owner
// are read from its descriptor, so they are those of the directory the
// link was found in.
func checkLinkAt(d outputDir, name string, link *unix.Stat_t) error {
	dirUID, protected, err := protectedIn(d, link.Uid)
	if err != nil || !protected {
		return err
	}
	return linkRefused(filepath.Join(d.path, name), link.Uid, d.path, dirUID)
}

// protectedIn reports, with d's owner, whether linkProtected's rule holds
// for a name of user uid in d, d's mode and owner read from its descriptor.
func protectedIn(d outputDir, uid uint32) (dirUID uint32, protected bool, err error) {
	var st unix.Stat_t
	if err := unix.Fstat(d.fd, &st); err != nil {
		return 0, false, &fs.PathError{Op: "stat", Path: d.path, Err: err}
	}
	euid := uint32(os.Geteuid()) // #nosec G115 -- a uid is never negative where files have owners
	return st.Uid, linkProtected(dirMode(uint32(st.Mode)), st.Uid, uid, euid), nil
}

// dirMode is the permission and sticky bits of a Unix mode as an
// fs.FileMode.
func dirMode(mode uint32) fs.FileMode {
	m := fs.FileMode(mode & 0o777)
	if mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// readLinkAt reads the link name in d, whose Fstatat is link, and checks
// that the name still is that link once read: the text read is that of
// the link checkLinkAt checked.
func readLinkAt(d outputDir, name string, link *unix.Stat_t) (string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Readlinkat(d.fd, name, buf)
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: filepath.Join(d.path, name), Err: err}
		}
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	now, err := statAt(d, name)
	if err != nil || now == nil || now.Dev != link.Dev || now.Ino != link.Ino {
		return "", fmt.Errorf("the symbolic link %s changed while it was read; try again", filepath.Join(d.path, name))
	}
	return string(buf), nil
}
