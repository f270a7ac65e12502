package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A destination name typed on the command line is printed with
// the characters a terminal would act on escaped, on stdout and on stderr,
// as the same name is in errors: a name pasted from a log or a script
// cannot clear the screen or print a line that reads as the CLI's own.
// (An outbox name holds letters, digits and underscores only: outbox's
// Config.Validate refuses any other.)
func TestSQLNameTypedIsPrintedEscaped(t *testing.T) {
	const name = "x\x1b[2J\nforged line"
	runs := map[string]func(c *sqlConn, out, errOut *bytes.Buffer) error{
		"dead-letters": func(c *sqlConn, out, errOut *bytes.Buffer) error {
			return c.listDeadLetters(t.Context(), out, errOut, sqlLettersFlags{max: 10}, name, false)
		},
		"redrive without --yes": func(c *sqlConn, out, errOut *bytes.Buffer) error {
			return c.countToRedrive(t.Context(), out, errOut, name, false)
		},
	}
	for what, run := range runs {
		t.Run(what, func(t *testing.T) {
			f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
			var out, errOut bytes.Buffer

			require.NoError(t, run(newWarnConn(t, f), &out, &errOut))

			printed := out.String() + errOut.String()
			assert.NotContains(t, printed, "\x1b", printed)
			assert.NotContains(t, printed, "\nforged line", printed)
			assert.Contains(t, printed, `x\x1b[2J\nforged line`)
		})
	}
}

// The groups table and the depth table print the destination and the
// service typed on the command line escaped too.
func TestSQLGroupsAndDepthPrintTheNamesTypedEscaped(t *testing.T) {
	const name = "x\x1b[2J\nforged line"
	var groups, depths bytes.Buffer

	require.NoError(t, writeGroupsTable(&groups, name, "postgres at db:5432", nil, nil))
	c := newWarnConn(t, &sqldbtest.DB{})
	require.NoError(t, printSQLDepths(&depths, sqlDepthFlags{service: name}, c, []sqlDepth{{Name: name, Kind: "destination"}}))

	for what, printed := range map[string]string{"groups": groups.String(), "depth": depths.String()} {
		assert.NotContains(t, printed, "\x1b", what)
		assert.NotContains(t, printed, "\nforged line", what)
		assert.Contains(t, printed, `x\x1b[2J\nforged line`, what)
	}
}
