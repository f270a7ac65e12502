//go:build integration

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQL_DeadLettersWarnsOfANameWithoutATable: dead-letters and
// redrive of an outbox or a destination that has no table on the database
// (a misspelt name gives that) still print their count of none and exit
// 0, and warn on standard error naming it and its missing table; a bound
// outbox without dead letters draws no warning. redrive --yes refuses such
// a name (exit 2), moving nothing.
func TestCLISQL_DeadLettersWarnsOfANameWithoutATable(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlnotable", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false)

	out, errOut, code := runCLI(t, "sql", "dead-letters", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "0 dead letters of outbox "+topic)
	assert.Empty(t, errOut, "the outbox exists")

	missing := topic + "_typo"
	for _, args := range [][]string{
		{"sql", "dead-letters", "--outbox", missing},
		{"sql", "dead-letters", "--outbox", missing, "-o", "json"},
		{"sql", "redrive", "--outbox", missing},
	} {
		out, errOut, code = runCLI(t, args...)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, errOut, "warning: outbox "+missing+" has no table watermill_"+missing+" on postgres at ", args)
		assert.Contains(t, errOut, "no service bound it there; check the name", args)
		assert.NotContains(t, out, "warning", args)
	}

	// redrive --yes refuses the name before it moves anything.
	out, errOut, code = runCLI(t, "sql", "redrive", "--outbox", missing, "--yes")
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "outbox "+missing+" has no table watermill_"+missing+" on postgres at ")
	assert.Contains(t, errOut, "nothing moved")
	assert.NotContains(t, out, "Moved")

	dest := uniqueName("clisql-notable", "")
	out, errOut, code = runCLI(t, "sql", "dead-letters", "--destination", dest)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "0 dead letters of destination "+dest)
	assert.Contains(t, errOut, "warning: destination "+dest+" has no table watermill_"+sqlbus.Topic(dest))
}

// TestCLISQL_RedriveYesRefusesANameWithoutATableOnMySQL: on MySQL too,
// redrive --yes of a destination with no table (a misspelt name) exits 2,
// naming the table and moving nothing, while that of the destination
// whose table exists runs (exit 0): the lookup finds MySQL's tables.
func TestCLISQL_RedriveYesRefusesANameWithoutATableOnMySQL(t *testing.T) {
	d := sourceflow.MySQL
	r := newCLISQLRig(t, d, sqlbusDB(t, d, "SOURCEFLOW_MYSQL_DSN"))
	r.send("ok-1")

	out, errOut, code := r.sql("redrive", "--destination", r.queue, "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 0 dead letters back into destination "+r.queue)

	missing := r.queue + "-typo"
	out, errOut, code = r.sql("redrive", "--destination", missing, "--yes")
	assert.Equal(t, cli.ExitUsage, code, errOut)
	assert.Contains(t, errOut, "destination "+missing+" has no table watermill_"+sqlbus.Topic(missing)+" on mysql at ")
	assert.Contains(t, errOut, "nothing moved")
	assert.NotContains(t, out, "Moved")
}
