package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// export -o over an existing regular file keeps the file's mode (a
// template kept private stays private, one others may read stays
// readable); a new file gets mode 0644.
func TestExport_KeepsTheModeOfTheFileItReplaces(t *testing.T) {
	orders := writeTopology(t, ordersBinding(), topology.Options{})
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o600, 0o640, 0o664} {
		path := filepath.Join(dir, "main.tf")
		require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
		require.NoError(t, os.Chmod(path, mode)) // whatever the umask

		_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", orders, "-o", path)

		require.Equal(t, cli.ExitOK, code, errOut)
		st, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, mode, st.Mode().Perm())
		written, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Contains(t, string(written), "aws_sqs_queue")
	}

	fresh := filepath.Join(dir, "new.tf")
	_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", orders, "-o", fresh)
	require.Equal(t, cli.ExitOK, code, errOut)
	st, err := os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}
