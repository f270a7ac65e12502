//go:build unix

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

// -o ending in a slash names a directory, as it does for the kernel: it is
// refused, and no file is made or replaced under the name before it.
func TestExport_RefusesAPathEndingInASlash(t *testing.T) {
	topo := writeTopology(t, paymentsBinding(), topology.Options{})
	for name, existing := range map[string]bool{"a file yet to be made": false, "an existing file": true} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.tf")
			if existing {
				require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
			}

			_, errOut, code := newFakeAWS().run(t, "export", "terraform", "-f", topo, "-o", path+"/")

			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, "export: -o "+path+"/: ")
			kept, err := os.ReadFile(path)
			if existing {
				require.NoError(t, err)
				assert.Equal(t, "old", string(kept))
			} else {
				assert.ErrorIs(t, err, os.ErrNotExist)
			}
		})
	}
}
