package cli

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// The command redrive's dry run suggests quotes a destination name holding
// a space and a quote as a shell reads it back.
func TestSQLRedriveSuggestsACommandWithTheDestinationQuoted(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 1}}
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).countToRedrive(t.Context(), &out, &errOut, "pay ments'x", false))

	assert.Contains(t, out.String(), "`sourceflow sql dead-letters --destination 'pay ments'\\''x'`")
}

// An outbox name that is safe for the shell is suggested as it is.
func TestSQLRedriveSuggestsASafeOutboxNameUnquoted(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 1}}
	var out, errOut bytes.Buffer

	require.NoError(t, newWarnConn(t, f).countToRedrive(t.Context(), &out, &errOut, "outbox_payments", true))

	assert.Contains(t, out.String(), "`sourceflow sql dead-letters --outbox outbox_payments`")
}
