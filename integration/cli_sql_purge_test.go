//go:build integration

package integration

import (
	"database/sql"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// writePoison writes n dead letters of type orders.RefundOrder whose
// reason holds two lines, as a handler's panic leaves.
func (r *cliSQLRig) writePoison(n int) {
	for i := range n {
		r.writeDeadLetter(fmt.Sprintf("poison-%d", i), []byte(`{}`),
			`{"sf_type":"orders.RefundOrder","sf_failure":"refund of an unknown order\nat handler.go:12"}`)
	}
}

// TestCLISQLPurge_DeletesTheDeadLettersOfATypeOnlyWithYes: purge --type
// without --yes counts the dead letters of that type and deletes nothing;
// with --yes it deletes them and keeps the others; without --type it
// deletes every dead letter.
func TestCLISQLPurge_DeletesTheDeadLettersOfATypeOnlyWithYes(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is dead-lettered")
		r.writePoison(3)

		out, errOut, code := r.sql("purge", "--destination", r.queue, "--type", "orders.RefundOrder")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "3 dead letters of type orders.RefundOrder of destination "+r.queue)
		assert.Regexp(t, `(?m)^orders\.RefundOrder +3$`, out)
		assert.NotContains(t, out, "model.PayOrder")
		assert.Contains(t, out, "Nothing deleted: add --yes")
		r.waitDepth(0, 4, "the dry run deleted nothing")

		out, errOut, code = r.sql("purge", "--destination", r.queue, "--type", "orders.RefundOrder", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, "Deleted 3 dead letters of type orders.RefundOrder of destination "+r.queue+".\n", out)
		r.waitDepth(0, 1, "only the dead letters of the type are deleted")
		out, errOut, code = r.sql("dead-letters", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^\S+ +model\.PayOrder +p-1 +.*card declined`, out)

		out, errOut, code = r.sql("purge", "--destination", r.queue)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Regexp(t, `(?m)^model\.PayOrder +1$`, out)
		out, errOut, code = r.sql("purge", "--destination", r.queue, "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, "Deleted 1 dead letter of destination "+r.queue+".\n", out)
		r.waitDepth(0, 0, "every dead letter is deleted")
	})
}

// TestCLISQLPurge_AMisspeltDestinationDeletesNothingAndWarns: a
// destination with no table has nothing to purge, and a warning says so.
func TestCLISQLPurge_AMisspeltDestinationDeletesNothingAndWarns(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		missing := sqlbusName("purge-missing", "")
		out, errOut, code := runCLI(t, "sql", "purge", "--destination", missing, "--yes", "--dsn", sqlbusDSN(t, d))
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Equal(t, "Deleted 0 dead letters of destination "+missing+".\n", out)
		assert.Regexp(t, `warning: destination `+regexp.QuoteMeta(missing)+` has no table`, errOut)
	})
}
