package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// redriveDryRun is what redrive without --yes prints for the destination
// or the outbox name holding one dead letter.
func redriveDryRun(t *testing.T, name string, isOutbox bool) string {
	t.Helper()
	var out, errOut bytes.Buffer
	conn := newWarnConn(t, &sqldbtest.DB{Values: map[string]int64{"COUNT(": 1}})
	require.NoError(t, conn.countToRedrive(t.Context(), &out, &errOut, name, isOutbox))
	return out.String()
}

// The command redrive's dry run suggests quotes a destination name holding
// a space and a quote as a shell reads it back.
func TestSQLRedriveSuggestsACommandWithTheDestinationQuoted(t *testing.T) {
	out := redriveDryRun(t, "pay ments'x", false)

	assert.Contains(t, out, "`sourceflow sql dead-letters --destination 'pay ments'\\''x'`")
}

// An outbox name that is safe for the shell is suggested as it is.
func TestSQLRedriveSuggestsASafeOutboxNameAsItIs(t *testing.T) {
	out := redriveDryRun(t, "outbox_payments", true)

	assert.Contains(t, out, "`sourceflow sql dead-letters --outbox outbox_payments`")
}
