package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinkHops bounds the links followed from -o, as the kernel's 40.
const maxLinkHops = 40

// linkProtected reports whether the kernel's protected_symlinks rule
// forbids following a link owned by linkUID in a directory of mode dirMode
// owned by dirUID, for a process whose effective user is euid: a link in a
// sticky, world-writable directory (such as /tmp) is followed only by its
// owner or when the directory's owner owns it.
func linkProtected(dirMode fs.FileMode, dirUID, linkUID, euid uint32) bool {
	if dirMode&fs.ModeSticky == 0 || dirMode.Perm()&0o002 == 0 {
		return false
	}
	return linkUID != euid && linkUID != dirUID
}

// checkLinks refuses path when it is, or leads through, a symbolic link
// the kernel's protected_symlinks rule would not follow: path itself and
// the links it names in turn, and each directory on their way. export
// resolves links itself and renames over their target, so the kernel never
// checks them: without this, a link another user left in /tmp would make
// export replace whatever file it names with the caller's rights.
func checkLinks(path string) error {
	p := path
	for range maxLinkHops {
		if err := checkDirLinks(p); err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return nil // not a link: what follows reports what is wrong
		}
		if err := checkLink(p, st); err != nil {
			return err
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return nil
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return nil // a loop: EvalSymlinks reports it
}

// checkDirLinks refuses path when a directory on its way, as written, is a
// symbolic link checkLink refuses.
func checkDirLinks(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	for dir := filepath.Dir(abs); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		st, err := os.Lstat(dir)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if err := checkLink(dir, st); err != nil {
			return err
		}
	}
	return nil
}

// checkLink refuses the link at path, whose Lstat is link, when
// linkProtected says the kernel would not follow it.
func checkLink(path string, link fs.FileInfo) error {
	dir := filepath.Dir(path)
	dst, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	linkUID, ok := ownerOf(link)
	dirUID, dok := ownerOf(dst)
	if !ok || !dok || !linkProtected(dst.Mode(), dirUID, linkUID, uint32(os.Geteuid())) { // #nosec G115 -- a uid is never negative where files have owners
		return nil
	}
	return fmt.Errorf("the symbolic link %s belongs to user %d, in %s, a sticky directory anyone may write to "+
		"(of user %d): it is not followed for another user, as the kernel's protected_symlinks rule would not; "+
		"name the file it points to, or a path outside that directory", path, linkUID, dir, dirUID)
}
