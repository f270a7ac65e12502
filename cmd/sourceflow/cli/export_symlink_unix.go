//go:build unix

package cli

import (
	"io/fs"
	"syscall"
)

// ownerOf is the user id of the file st describes.
func ownerOf(st fs.FileInfo) (uint32, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return sys.Uid, true
}
