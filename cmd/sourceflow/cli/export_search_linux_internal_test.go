//go:build linux

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// searchOnlyEnv, set, makes this test binary write its argument with
// writeOutput and exit: the process TestWriteOutput_ThroughADirectoryOneMayOnlySearch
// runs as another user.
const searchOnlyEnv = "SOURCEFLOW_TEST_WRITE_OUTPUT"

// -o through a directory the caller may search but not read (a home
// directory of mode 0711) is written, as the kernel resolves it: only
// search permission is needed on the way.
func TestWriteOutput_ThroughADirectoryOneMayOnlySearch(t *testing.T) {
	if path := os.Getenv(searchOnlyEnv); path != "" {
		if err := writeOutput(t.Context(), path, []byte("template")); err != nil {
			t.Fatal(err)
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("only root may run the test binary as another user")
	}
	root, err := os.MkdirTemp("", "export-search-") // not t.TempDir: its parents are root's alone
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	require.NoError(t, os.Chmod(root, 0o755)) // #nosec G302 -- the other user runs the copy in it
	home, pub := filepath.Join(root, "home"), filepath.Join(root, "home", "pub")
	require.NoError(t, os.Mkdir(home, 0o711))
	require.NoError(t, os.Mkdir(pub, 0o700))
	require.NoError(t, os.Chown(pub, 65534, 65534))
	self, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	bin := filepath.Join(root, "cli.test")
	require.NoError(t, os.WriteFile(bin, self, 0o755)) // #nosec G306 -- the other user runs it
	out := filepath.Join(pub, "out.tf")

	cmd := exec.CommandContext(t.Context(), bin, "-test.run=^TestWriteOutput_ThroughADirectoryOneMayOnlySearch$", "-test.count=1")
	cmd.Env = append(os.Environ(), searchOnlyEnv+"="+out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	output, err := cmd.CombinedOutput()

	require.NoError(t, err, string(output))
	written, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "template", string(written))
}
