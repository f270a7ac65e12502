package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An error of several lines (the SDK adds its retryer's on a line of its
// own) or with characters a terminal acts on stays in its row of the table.
func TestHealth_KeepsEachCheckOnOneLineOfTheTable(t *testing.T) {
	fake := newFakeAWS()
	path := writeTopology(t, ordersBinding(), topology.Options{})
	_, errOut, code := fake.run(t, "apply", "-f", path)
	require.Equal(t, cli.ExitOK, code, errOut)
	fake.sns.FailNext("GetTopicAttributes", 3, errors.New("connection refused\nretry quota exceeded\t\x1b[31m"))

	out, _, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	assert.Len(t, lines, 1+9+1, "the header, a line per check and the summary:\n%s", out)
	assert.Contains(t, out, `connection refused; retry quota exceeded\t\x1b[31m`)
	assert.NotContains(t, out, "\x1b")
}
