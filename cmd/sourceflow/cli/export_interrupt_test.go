package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An export -o whose context has ended (Ctrl-C, SIGTERM) writes nothing:
// it exits 130, a file it would replace is left as it was, and no
// temporary file is left in the directory.
func TestExport_InterruptedLeavesTheDirectoryAsItWas(t *testing.T) {
	path := writeTopology(t, ordersBinding(), topology.Options{})
	for name, old := range map[string]string{"a new file": "", "a file replaced": "old template"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out.tf")
			if old != "" {
				require.NoError(t, os.WriteFile(out, []byte(old), 0o600))
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()

			var stdout, stderr bytes.Buffer
			code := cli.Run(ctx, cli.Config{Stdout: &stdout, Stderr: &stderr}, []string{"export", "terraform", "-f", path, "-o", out})

			assert.Equal(t, cli.ExitInterrupted, code, stderr.String())
			assert.Contains(t, stderr.String(), "interrupted, the file left as it was: context canceled")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if old == "" {
				assert.Empty(t, names, "no file, temporary or not")
				return
			}
			assert.Equal(t, []string{"out.tf"}, names, "no temporary file")
			kept, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, old, string(kept))
		})
	}
}
