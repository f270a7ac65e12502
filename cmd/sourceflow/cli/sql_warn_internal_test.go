package cli

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// newWarnConn returns a connection of the sql commands to f, on
// PostgreSQL, whose DSN's password is hunter22secret.
func newWarnConn(t *testing.T, f *sqldbtest.DB) *sqlConn {
	t.Helper()
	target, err := connFlags{dsn: "postgres://ops:hunter22secret@db.internal:5432/shop"}.resolveDSN()
	require.NoError(t, err)
	return &sqlConn{db: f.Open(t), target: target, timeout: "30s"}
}

// sqlEmptyRuns are the runs of the sql commands that find no dead letter
// and then look the table up for their warning.
var sqlEmptyRuns = []struct {
	name, stdout string
	lookup       string // the argument of the warning's lookup: the table, quoted
	run          func(ctx context.Context, c *sqlConn, out, errOut *bytes.Buffer) error
}{
	// redrive --yes refuses a name without a table before it moves
	// anything: sql_redrive_known_internal_test.go.
	// Its count (sqlbus.Depths) looks the same table up first: a failing
	// lookup fails the count, never the warning alone (""). A missing
	// table still draws the warning.
	{"redrive without --yes", "0 dead letters of destination payments.fifo", "",
		func(ctx context.Context, c *sqlConn, out, errOut *bytes.Buffer) error {
			return c.countToRedrive(ctx, out, errOut, "payments.fifo", false)
		}},
	{"dead-letters", "0 dead letters of destination payments.fifo", `"watermill_payments.fifo"`,
		func(ctx context.Context, c *sqlConn, out, errOut *bytes.Buffer) error {
			return c.listDeadLetters(ctx, out, errOut, sqlLettersFlags{max: 10}, "payments.fifo", false)
		}},
	{"dead-letters -o json", "[]", `"watermill_payments.fifo"`,
		func(ctx context.Context, c *sqlConn, out, errOut *bytes.Buffer) error {
			return c.listDeadLetters(ctx, out, errOut, sqlLettersFlags{output: outputJSON, max: 10}, "payments.fifo", false)
		}},
}

// The lookup behind the warning of a command that found no dead letter
// failing does not fail the command: the warning says the lookup failed,
// without the password, and the command's output and outcome stand.
func TestSQLWarningWhoseLookupFailsKeepsTheCommandsOutcome(t *testing.T) {
	for _, tt := range sqlEmptyRuns {
		if tt.lookup == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
			f.FailOnArg(tt.lookup, errors.New("permission denied for user ops with hunter22secret"))
			var out, errOut bytes.Buffer

			err := tt.run(t.Context(), newWarnConn(t, f), &out, &errOut)

			require.NoError(t, err, "a successful command whose warning could not be checked")
			assert.Contains(t, out.String(), tt.stdout)
			assert.Contains(t, errOut.String(), "warning: could not check that ")
			assert.Contains(t, errOut.String(), "permission denied for user ops with xxxxx")
			assert.NotContains(t, out.String()+errOut.String(), "hunter22secret")
		})
	}
}

// A destination or an outbox without a table draws the warning, and
// nothing else changes.
func TestSQLWarningNamesAMissingTable(t *testing.T) {
	for _, tt := range sqlEmptyRuns {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
			var out, errOut bytes.Buffer

			require.NoError(t, tt.run(t.Context(), newWarnConn(t, f), &out, &errOut))

			assert.Contains(t, out.String(), tt.stdout)
			assert.Contains(t, errOut.String(), "has no table watermill_")
		})
	}
}

// An interrupt (the command's context cancelled) while the warning's
// lookup runs stops the command as interrupted, whatever step it lands
// in: it fails with the context's error, for which Run exits
// ExitInterrupted, and prints no warning that the lookup failed.
func TestSQLInterruptDuringTheWarningsLookupFailsTheCommand(t *testing.T) {
	for _, tt := range sqlEmptyRuns {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
			// As the driver answers a query whose context was cancelled
			// (for redrive without --yes, at its count's lookup).
			f.FailOnArg(cmp.Or(tt.lookup, `"watermill_payments.fifo"`), context.Canceled)
			var out, errOut bytes.Buffer

			err := tt.run(t.Context(), newWarnConn(t, f), &out, &errOut)

			require.ErrorIs(t, err, context.Canceled)
			assert.Contains(t, err.Error(), "interrupted")
			assert.NotContains(t, errOut.String(), "warning")
		})
	}
}

// The database's error text in the warning of a failed lookup is printed
// with the characters a terminal would act on escaped.
func TestSQLWarningPrintsTheDatabasesErrorEscaped(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
	f.FailOnArg(`"watermill_payments.fifo"`, errors.New("permission denied\x1b]0;owned\x07\nforged line"))
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).listDeadLetters(t.Context(), &out, &errOut, sqlLettersFlags{max: 10}, "payments.fifo", false))

	assert.NotContains(t, errOut.String(), "\x1b")
	assert.Equal(t, 1, strings.Count(errOut.String(), "\n"), errOut.String())
	assert.Contains(t, errOut.String(), `permission denied\x1b]0;owned\a\nforged line`)
}
