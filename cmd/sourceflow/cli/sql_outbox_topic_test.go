package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An --outbox that no outbox can have is the operator's mistake, not the
// database's: it exits 2 before any connection, instead of failing each
// command with exit 3, advice to check the database, and (prune, redrive
// --yes) a report of the rows it deleted or moved.
func TestSQL_InvalidOutboxTopicIsAUsageErrorBeforeAnyConnection(t *testing.T) {
	// A DSN that would be refused: only a check made before dialling it
	// exits 2 (a connection failure exits 3).
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	tests := [][]string{
		{"sql", "depth", "--outbox", "bad-name"},
		{"sql", "depth", "--outbox", "sourceflow_outbox", "--outbox", "x_dead_letters"},
		{"sql", "dead-letters", "--outbox", "bad-name"},
		{"sql", "redrive", "--outbox", "bad-name", "--yes"},
		{"sql", "prune", "--outbox", "offsets_x"},
		{"sql", "prune", "--outbox", ""},
	}
	for _, args := range tests {
		t.Run(args[1]+" "+args[len(args)-1], func(t *testing.T) {
			out, errOut, code := newFakeAWS().run(t, args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, "--outbox")
			assert.Contains(t, errOut, "invalid topic")
			assert.NotContains(t, errOut, "check that the database runs")
			assert.NotContains(t, out, "rows deleted")
			assert.NotContains(t, out, "Moved")
		})
	}
}
