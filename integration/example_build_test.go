//go:build integration

package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// examples holds the example programs the tests run, set by TestMain
// before any test starts (runWithExamples).
var examples *exampleBuilds

// exampleBuilds builds each example program at most once per run of the
// test binary, into a directory of its own: every test that runs one
// shares the binary, or the build's error.
type exampleBuilds struct {
	dir    string
	orders func() (string, error)
}

// runWithExamples runs the tests with a directory for the example binaries
// they build, removes it after, and returns the tests' exit code.
func runWithExamples(m *testing.M) int {
	dir, err := os.MkdirTemp("", "sourceflow-integration-examples-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: directory for the example binaries: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	b := &exampleBuilds{dir: dir}
	b.orders = sync.OnceValues(func() (string, error) {
		return b.build("orders", "github.com/sourceflow-go/sourceflow/examples/orders")
	})
	examples = b
	return m.Run()
}

// build builds the package pkg into the directory as name and returns the
// binary's path; its error carries the compiler's output.
func (b *exampleBuilds) build(name, pkg string) (string, error) {
	bin := filepath.Join(b.dir, name)
	out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build %s: %w: %s", pkg, err, out)
	}
	return bin, nil
}

// buildOrders returns the path of examples/orders, built the first time a
// test asks for it; a failed build fails each test that asks.
func buildOrders(t *testing.T) string {
	t.Helper()
	bin, err := examples.orders()
	require.NoError(t, err)
	return bin
}
