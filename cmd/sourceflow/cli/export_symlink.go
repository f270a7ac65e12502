package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// checkLinks refuses path when resolving it, as the kernel does, follows a
// symbolic link the kernel's protected_symlinks rule would not: it walks
// path one name at a time from the root, each link it meets (a directory
// on the way, the file itself, a link a link names) checked in the
// directory it is in, then replaced by what it names. export resolves
// links itself and renames over their target, so the kernel never checks
// them: without this, a link another user left in /tmp would make export
// replace whatever file it names with the caller's rights.
func checkLinks(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	done, rest := splitRoot(abs)
	for hops := 0; rest != ""; {
		name, tail, _ := strings.Cut(rest, string(filepath.Separator))
		next := filepath.Join(done, name) // done has no link, so ".." is its parent
		st, err := os.Lstat(next)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			done, rest = next, tail
			continue
		}
		if err := checkLink(next, st); err != nil {
			return err
		}
		dest, err := os.Readlink(next)
		if hops++; err != nil || hops > maxLinkHops {
			return nil // what follows reports an unreadable link or a loop
		}
		if filepath.IsAbs(dest) {
			done, dest = splitRoot(dest)
		}
		rest = dest + string(filepath.Separator) + tail
	}
	return nil
}

// splitRoot splits an absolute path into its root ("/", or a volume's)
// and the names after it.
func splitRoot(abs string) (root, rest string) {
	n := len(filepath.VolumeName(abs))
	root = abs[:n] + string(filepath.Separator)
	return root, strings.TrimLeft(abs[n:], string(filepath.Separator))
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
