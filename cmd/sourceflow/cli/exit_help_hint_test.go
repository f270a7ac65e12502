package cli_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// helpText returns the help of args with its runs of white space made one
// space.
func helpText(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := newFakeAWS().run(t, append(args, "--help")...)
	require.Equal(t, cli.ExitOK, code, errOut)
	return regexp.MustCompile(`\s+`).ReplaceAllString(out, " ")
}

// A missing dead-letter queue is created by apply only when the others
// are found: with none of the service's queues found, the region or the
// account is likely wrong, and the help of dlq list and of the root say
// so, as the error does, rather than "apply creates it".
func TestDLQHelpSaysToCheckTheRegionWhenNoQueueIsFound(t *testing.T) {
	for _, args := range [][]string{{"dlq", "list"}, {}} {
		text := helpText(t, args...)
		assert.NotContains(t, text, "(apply creates it)", args)
		assert.NotContains(t, text, "; apply creates it)", args)
		assert.Contains(t, text, "check the region and the account", args)
	}
}

// The root help's exit codes say health's degraded exits 1, and that sql
// redrive --yes of a destination or outbox without a table exits 2.
func TestRootHelpNamesDegradedAndRedriveWithoutATable(t *testing.T) {
	text := helpText(t)
	assert.Contains(t, text, "unhealthy or degraded (health:")
	assert.Contains(t, text, "sql redrive --yes of a destination or outbox with no table")
}
