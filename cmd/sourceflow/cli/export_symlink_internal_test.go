package cli

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The kernel's protected_symlinks rule: in a sticky, world-writable
// directory, a link is followed only by its owner or when the directory's
// owner owns it; elsewhere, always.
func TestLinkProtected_FollowsTheKernelsRule(t *testing.T) {
	const sticky = fs.ModeDir | fs.ModeSticky
	for _, tc := range []struct {
		name                  string
		mode                  fs.FileMode
		dirUID, linkUID, euid uint32
		want                  bool
	}{
		{"another's link in /tmp", sticky | 0o777, 0, 65534, 0, true},
		{"another's link in a sticky dir of a third user", sticky | 0o777, 1000, 65534, 1001, true},
		{"root's link in a sticky dir of another user", sticky | 0o777, 1000, 0, 1000, true},
		{"one's own link in /tmp", sticky | 0o777, 0, 1000, 1000, false},
		{"the directory owner's link", sticky | 0o777, 1000, 1000, 0, false},
		{"world-writable, not sticky", fs.ModeDir | 0o777, 0, 65534, 0, false},
		{"sticky, not world-writable", sticky | 0o775, 0, 65534, 0, false},
		{"an ordinary directory", fs.ModeDir | 0o755, 1000, 65534, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, linkProtected(tc.mode, tc.dirUID, tc.linkUID, tc.euid))
		})
	}
}
