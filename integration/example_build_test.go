//go:build integration

package integration

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// buildOrders builds examples/orders into the test's temporary directory
// and returns the binary's path.
func buildOrders(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "orders")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/sourceflow-go/sourceflow/examples/orders").CombinedOutput()
	require.NoError(t, err, "build examples/orders: %s", out)
	return bin
}
