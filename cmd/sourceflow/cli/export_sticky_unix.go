//go:build unix

package cli

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// checkFileAt refuses the file name in d that -o names (no link; st its
// Fstatat, nil when nothing is there) when it is another user's in a
// sticky, world-writable directory, as the kernel's protected_regular and
// protected_fifos rules refuse opening it to write: the rule linkProtected
// states for links. Replacing such a file would give the template its
// owner and mode, so that user could change it; a named pipe would hand
// the template to whoever reads it.
func checkFileAt(d outputDir, name string, st *unix.Stat_t) error {
	if st == nil {
		return nil
	}
	dirUID, protected, err := protectedIn(d, st.Uid)
	if err != nil || !protected {
		return err
	}
	return fmt.Errorf("the file %s belongs to user %d, in %s, a sticky directory anyone may write to "+
		"(of user %d): it is not written for another user, as the kernel's protected_regular rule would not; "+
		"remove it first, or name a path outside that directory", filepath.Join(d.path, name), st.Uid, d.path, dirUID)
}
