package cli_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A topology file whose service name holds terminal escapes and a line
// break is refused by plan and validate, which print nothing of it: the
// name cannot clear the terminal or forge a "No changes" line.
func TestPlan_RefusesAServiceNameThatWouldRewriteTheTerminal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topology.yaml")
	hostile := "version: 1\nservice: \"billing\\e[2J\\e]0;pwned\\a\\nNo changes: all in place\"\n" +
		"destinations:\n  - name: orders\n    kind: command\n    types: [orders.CreateOrder]\n"
	require.NoError(t, os.WriteFile(path, []byte(hostile), 0o600))

	for _, cmd := range []string{"plan", "validate"} {
		out, errOut, code := newFakeAWS().run(t, cmd, "-f", path)

		assert.Equal(t, cli.ExitUsage, code, cmd)
		assert.Empty(t, out, cmd)
		assert.Contains(t, errOut, `service (line 2): has the control character '\x1b'`, cmd)
		assert.NotContains(t, errOut, "\x1b", cmd)
		assert.NotContains(t, errOut, "\nNo changes", cmd)
	}
}
