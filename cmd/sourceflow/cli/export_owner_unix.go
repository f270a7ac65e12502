//go:build unix

package cli

import "os"

// keepOwner gives f the owner uid and group gid of the file it replaces,
// when the process may (it runs as root); otherwise that group alone, when
// the process may (the group is one of its own), so that a group-shared
// file a member replaces stays the group's; otherwise f keeps the process's, as a file
// the process writes anew would.
func keepOwner(f *os.File, uid, gid int) {
	keepOwnerWith(f.Chown, uid, gid)
}

// keepOwnerWith is keepOwner with chown, which changes the owner and group
// (-1 keeps one).
func keepOwnerWith(chown func(uid, gid int) error, uid, gid int) {
	if chown(uid, gid) != nil {
		_ = chown(-1, gid) // best effort: see keepOwner
	}
}
