package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An empty --type (an unset shell variable gives it) would otherwise
// match the dead letters without a type: purge refuses it as a usage
// error, before any connection, and so does --summary with what it
// ignores.
func TestSQLPurgeAndSummaryUsageErrorsExitTwoBeforeAnyConnection(t *testing.T) {
	t.Setenv("SOURCEFLOW_SQL_DSN", "postgres://u:secret@127.0.0.1:1/x")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"empty type", []string{"sql", "purge", "--destination", "d", "--type", "", "--yes"}, "--type is empty"},
		{"purge both", []string{"sql", "purge", "--destination", "d", "--outbox", "o"}, "name one destination or one outbox, not 2"},
		{"purge neither", []string{"sql", "purge", "--yes"}, "--destination NAME (an sqlbus destination) or --outbox TOPIC"},
		{"summary payload", []string{"sql", "dead-letters", "--destination", "d", "--summary", "--payload"}, "--summary counts every dead letter"},
		{"summary max", []string{"sql", "dead-letters", "--destination", "d", "--summary", "--max", "5"}, "leave out --max and --payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := newFakeAWS().run(t, tt.args...)
			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.Contains(t, errOut, tt.stderr)
			assert.NotContains(t, errOut, "secret")
		})
	}
}
