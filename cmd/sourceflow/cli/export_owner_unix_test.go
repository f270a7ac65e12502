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

// export -o over an existing regular file keeps its owner and group, where
// the process may set them (run as root).
func TestExport_KeepsTheOwnerOfTheFileItReplaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a file another owner")
	}
	path := filepath.Join(t.TempDir(), "main.tf")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	require.NoError(t, os.Chown(path, 4242, 4343))

	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", writeTopology(t, ordersBinding(), topology.Options{}), "-o", path)

	require.Equal(t, cli.ExitOK, code, errOut)
	st, err := os.Stat(path)
	require.NoError(t, err)
	sys, ok := st.Sys().(*syscall.Stat_t)
	require.True(t, ok)
	assert.Equal(t, []uint32{4242, 4343}, []uint32{sys.Uid, sys.Gid})
}
