package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An empty --destination, which an unset shell variable gives
// (--destination "$QUEUE"), names no destination a service can have: it
// exits 2 before any connection, instead of reporting on the database that
// "destination " has nothing ahead, no dead letters, 0 rows pruned, or 0
// dead letters moved back, and exiting 0.
func TestSQL_AnEmptyDestinationIsAUsageErrorBeforeAnyConnection(t *testing.T) {
	// A DSN that would be refused: only a check made before dialling it
	// exits 2 (a connection failure exits 3).
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	tests := [][]string{
		{"sql", "depth", "--service", "payments", "--destination", ""},
		{"sql", "depth", "--service", "payments", "--destination", "payments.fifo", "--destination", ""},
		{"sql", "dead-letters", "--destination", ""},
		{"sql", "redrive", "--destination", "", "--yes"},
		{"sql", "prune", "--destination", "payments.fifo", "--destination", ""},
	}
	for _, args := range tests {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, "--destination is empty")
			assert.NotContains(t, errOut, "check that the database runs")
			assert.Empty(t, out)
		})
	}
}

// sql groups takes -o json for its listing only: an unknown format, and
// json with --remove, are usage errors before any connection.
func TestSQLGroups_OutputIsCheckedBeforeAnyConnection(t *testing.T) {
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sql", "groups", "--destination", "order-events", "-o", "yaml"}, `--output "yaml": want table or json`},
		{[]string{"sql", "groups", "--destination", "order-events", "--remove", "reporting", "-o", "json"}, "-o json lists the groups"},
	} {
		out, errOut, code := newFakeAWS().run(t, tt.args...)
		assert.Equal(t, cli.ExitUsage, code, errOut)
		assert.Contains(t, errOut, tt.want)
		assert.Empty(t, out)
	}
}
