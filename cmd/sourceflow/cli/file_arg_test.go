package cli_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A command that read its topology from standard input (-f -) names the
// commands it suggests with a FILE placeholder: a suggested command given
// "-f -" would wait on a terminal for a topology that is gone.
func TestCommandsSuggestedForATopologyFromStandardInputNameAFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		command []string
		want    string
	}{
		{"plan", []string{"plan"}, "`sourceflow apply -f FILE`"},
		{"health", []string{"health"}, "`sourceflow validate -f FILE`"},
		{"validate", []string{"validate"}, "`sourceflow plan -f FILE`"},
		{"validate's apply", []string{"validate"}, "`sourceflow apply -f FILE`"},
		{"dlq list", []string{"dlq", "list"}, "`sourceflow apply -f FILE`"},
		{"dlq peek", []string{"dlq", "peek", "--queue", "orders-dlq.fifo"}, "`sourceflow apply -f FILE`"},
		{"dlq peek of another queue", []string{"dlq", "peek", "--queue", "nope"}, "`sourceflow dlq list -f FILE`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newUnappliedDLQEnv(t) // nothing applied: every queue is missing
			text, err := os.ReadFile(e.path)
			require.NoError(t, err)
			e.stdin = string(text)

			out, errOut, _ := e.runContext(t, context.Background(), append(tc.command, "-f", "-")...)

			printed := out + errOut
			assert.Contains(t, printed, tc.want) // the topology was read: the message names the command
			assert.NotContains(t, printed, "-f -")
		})
	}
}

// The purge a dead-letter queue holding messages asks to confirm names the
// peek that shows them with the same placeholder.
func TestDLQPurgeOfATopologyFromStandardInputSuggestsAPeekOfAFile(t *testing.T) {
	e := newDLQEnv(t)
	e.put(t, "orders-dlq.fifo", letter{id: "id-1", typ: "orders.CreateOrder", entity: "o-1", reason: "boom", body: `{}`})
	text, err := os.ReadFile(e.path)
	require.NoError(t, err)
	e.stdin = string(text)

	out, errOut, code := e.run(t, "dlq", "purge", "--queue", "orders-dlq.fifo", "-f", "-")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "`sourceflow dlq peek -f FILE --queue orders-dlq.fifo`")
}

// A -f that names a directory is reported as unreadable, not as a file
// with fields to fix.
func TestAFileArgumentThatIsADirectoryIsNotAFileToFix(t *testing.T) {
	dir := t.TempDir()
	for _, command := range [][]string{
		{"validate", "-f", dir},
		{"iam-policy", "--account-id", "111122223333", "-f", dir},
		{"export", "terraform", "-f", dir},
	} {
		t.Run(command[0], func(t *testing.T) {
			_, errOut, code := newFakeAWS().run(t, command...)

			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, "is a directory")
			assert.NotContains(t, errOut, "fix the fields")
		})
	}
}
