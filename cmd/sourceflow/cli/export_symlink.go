package cli

import (
	"fmt"
	"io/fs"
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

// linkRefused is the error for the link at path, of user linkUID, in the
// directory dir of user dirUID, that linkProtected forbids following.
func linkRefused(path string, linkUID uint32, dir string, dirUID uint32) error {
	return fmt.Errorf("the symbolic link %s belongs to user %d, in %s, a sticky directory anyone may write to "+
		"(of user %d): it is not followed for another user, as the kernel's protected_symlinks rule would not; "+
		"name the file it points to, or a path outside that directory", path, linkUID, dir, dirUID)
}
