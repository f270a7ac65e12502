//go:build unix

package cli

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of old, when the process may (it
// runs as root); otherwise the group of old alone, when the process may
// (the group is one of its own), so that a group-shared file a member
// replaces stays the group's; otherwise f keeps the process's, as a file
// the process writes anew would.
func keepOwner(f *os.File, old fs.FileInfo) {
	keepOwnerWith(f.Chown, old)
}

// keepOwnerWith is keepOwner with chown, which changes the owner and group
// (-1 keeps one).
func keepOwnerWith(chown func(uid, gid int) error, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if chown(int(st.Uid), int(st.Gid)) != nil {
		_ = chown(-1, int(st.Gid)) // best effort: see keepOwner
	}
}
