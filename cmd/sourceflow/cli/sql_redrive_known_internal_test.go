package cli

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// redriveAllOf runs redrive --yes of the destination or the outbox name
// on c, returning what it printed and its error.
func redriveAllOf(t *testing.T, c *sqlConn, name string, isOutbox bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := c.redriveAll(t.Context(), &out, name, isOutbox, false)
	return out.String(), err
}

// redrive --yes of a destination or an outbox without a table on the
// database (a misspelt name) is refused with exit 2 naming the table and
// what to check, before it moves anything: not "Moved 0" and exit 0.
func TestSQLRedriveYesRefusesANameWithoutATable(t *testing.T) {
	for _, tt := range []struct {
		name, want string
		isOutbox   bool
	}{
		{"payments.fifo", "destination payments.fifo has no table watermill_payments.fifo on postgres at ", false},
		{"orders_outbox", "outbox orders_outbox has no table watermill_orders_outbox on postgres at ", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}

			out, err := redriveAllOf(t, newWarnConn(t, f), tt.name, tt.isOutbox)

			exit, ok := errors.AsType[*ExitError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, ExitUsage, exit.Code)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "check the name")
			assert.Contains(t, err.Error(), "nothing moved")
			assert.Empty(t, out)
		})
	}
}

// A name whose table exists is redriven as before.
func TestSQLRedriveYesMovesWhenTheTableExists(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"to_regclass": 1}}

	out, err := redriveAllOf(t, newWarnConn(t, f), "payments.fifo", false)

	require.NoError(t, err)
	assert.Contains(t, out, "Moved 0 dead letters back into destination payments.fifo.")
}

// A lookup of the table that fails fails redrive --yes (exit 3) without
// the DSN's password, moving nothing; an interrupt during it says so.
func TestSQLRedriveYesWhoseLookupFailsMovesNothing(t *testing.T) {
	f := &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
	f.FailOnArg(`"watermill_payments.fifo"`, errors.New("permission denied for user ops with hunter22secret"))

	out, err := redriveAllOf(t, newWarnConn(t, f), "payments.fifo", false)

	exit, ok := errors.AsType[*ExitError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, ExitAWS, exit.Code)
	assert.Contains(t, err.Error(), "permission denied for user ops with xxxxx")
	assert.NotContains(t, err.Error(), "hunter22secret")
	assert.Empty(t, out)

	f = &sqldbtest.DB{Values: map[string]int64{"COUNT(": 0}}
	f.FailOnArg(`"watermill_payments.fifo"`, context.Canceled)
	_, err = redriveAllOf(t, newWarnConn(t, f), "payments.fifo", false)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "interrupted")
}
