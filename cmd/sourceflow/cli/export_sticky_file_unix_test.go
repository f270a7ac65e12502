//go:build unix

package cli_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// -o naming a file another user left in a sticky, world-writable directory
// is refused, as the kernel's protected_regular rule refuses opening it to
// write: replacing it would hand the template, with that user's owner and
// mode, to them. The file is left as it was.
func TestExport_RefusesAnotherUsersFileInAStickyDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a file another owner")
	}
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	path := filepath.Join(stickyDir(t), "out.tf")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(path, 0o666)) // #nosec G302 -- as the other user would leave it
	require.NoError(t, os.Chown(path, 65534, 65534))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", path)

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "the file "+path+" belongs to user 65534")
	assert.Contains(t, errOut, "protected_regular")
	kept, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(kept))
	st, err := os.Stat(path)
	require.NoError(t, err)
	sys, ok := st.Sys().(*syscall.Stat_t)
	require.True(t, ok)
	assert.Equal(t, uint32(65534), sys.Uid)
}
