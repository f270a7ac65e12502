//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A process that may not give the file it replaces that file's owner (it
// is not root) still gives it the file's group, so that a file a group
// shares, replaced by one of its members, stays readable by the group.
func TestKeepOwnerKeepsTheGroupWhenTheOwnerCannotBeKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.tf")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o640))
	old, err := os.Stat(path)
	require.NoError(t, err)
	st := old.Sys().(*syscall.Stat_t)
	var got [][2]int
	chown := func(uid, gid int) error {
		got = append(got, [2]int{uid, gid})
		if uid != -1 {
			return syscall.EPERM // as for a user that is not root
		}
		return nil
	}

	keepOwnerWith(chown, int(st.Uid), int(st.Gid))

	assert.Equal(t, [][2]int{{int(st.Uid), int(st.Gid)}, {-1, int(st.Gid)}}, got)
}
