//go:build integration

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A driver run on a store where an earlier run with the same -prefix left
// its summaries would count that run's orders as its own: with no instance
// running it reported every order completed. It refuses to start instead,
// naming the entity and what to change, and sends nothing.
func TestDriverRefusesAStoreAnEarlierRunWithItsPrefixFilled(t *testing.T) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("AWS_ENDPOINT_URL is not set; run `make test`, which starts LocalStack")
	}
	ctx := context.Background()
	p := runPrefix()
	common := []string{"-transport", "aws", "-store", "sqlite", "-dsn", filepath.Join(t.TempDir(), "orders.db"),
		"-prefix", p, "-n", "4", "-entities", "2"}
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(ctx, common, &out, &errOut), errOut.String())

	out.Reset()
	errOut.Reset()
	code := run(ctx, append(common, "-role", "driver", "-timeout", "30s"), &out, &errOut)
	assert.NotEqual(t, 0, code, "the driver reported a run no instance processed: %s", out.String())
	assert.Contains(t, errOut.String(), p+"customer-0001 already has a summary")
	assert.Contains(t, errOut.String(), "-prefix")
	assert.NotContains(t, out.String(), "sent=")
}
