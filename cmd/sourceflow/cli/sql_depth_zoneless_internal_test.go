package cli

import (
	"bytes"
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// sql depth looks up, in one query, the created_at of the messages and
// dead-letter tables of its destinations and its outboxes, and warns of
// each zoneless one on a line of its own, naming the statement that
// converts it.
func TestSQLDepthWarnsOfZonelessTablesInOneQuery(t *testing.T) {
	f := &sqldbtest.DB{Rows: map[string][]driver.Value{"pg_attribute": {"watermill_outbox_billing_dead_letters"}}}
	c := newWarnConn(t, f)
	var errOut bytes.Buffer
	var flags sqlDepthFlags
	flags.target.destinations = []string{"payments.fifo"}
	flags.target.outboxes = []string{"outbox_billing"}

	require.NoError(t, warnZoneless(t.Context(), &errOut, c, flags))

	ran := f.Ran("pg_attribute")
	require.Len(t, ran, 1)
	assert.Equal(t, []string{"watermill_payments.fifo", "watermill_payments.fifo$dlq", "watermill_outbox_billing",
		"watermill_outbox_billing_dead_letters"}, depthTables(flags.target))
	assert.Regexp(t, `^warning: table watermill_outbox_billing_dead_letters was created by an earlier release: .*: `+
		`ALTER TABLE "watermill_outbox_billing_dead_letters" ALTER COLUMN "created_at" TYPE timestamptz\n$`, errOut.String())
}

// A failed lookup is said on standard error, without the password, and
// leaves the command's outcome as it was.
func TestSQLDepthZonelessLookupFailureIsAWarning(t *testing.T) {
	f := &sqldbtest.DB{}
	f.FailOn("pg_attribute", errors.New("cannot read as hunter22secret"))
	c := newWarnConn(t, f)
	var errOut bytes.Buffer
	var flags sqlDepthFlags
	flags.target.destinations = []string{"payments.fifo"}

	require.NoError(t, warnZoneless(t.Context(), &errOut, c, flags))
	assert.Regexp(t, `^warning: could not check whether the tables' created_at holds a time zone on postgres at db\.internal:5432: `, errOut.String())
	assert.NotContains(t, errOut.String(), "hunter22secret")
}
